/// A frame-major matrix of spectral values: `values[frame * binCount + bin]`.
public struct Spectrogram: Sendable, Equatable {
    public let frameCount: Int
    public let binCount: Int
    public var values: [Float]

    public init(frameCount: Int, binCount: Int, values: [Float]) {
        precondition(values.count == frameCount * binCount, "spectrogram \(frameCount)×\(binCount) needs \(frameCount * binCount) values, got \(values.count)")
        self.frameCount = frameCount
        self.binCount = binCount
        self.values = values
    }

    public subscript(frame: Int, bin: Int) -> Float { values[frame * binCount + bin] }
}
