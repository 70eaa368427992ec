import Foundation
import SATensor

extension AudioBuffer {
    /// The buffer with a raised-cosine fade-in over its first `inSeconds` and a fade-out over its last `outSeconds`
    /// (each rounded to whole frames; 0 leaves that end alone). For sound effects cropped to an exact length: a crop
    /// through a sustained sound clicks, a fade does not. With N the fade's frames,
    ///
    ///     fade-in,  frame i of the first N:  g = sin²(π/2 · i/N)        (i = 0…N−1: the first frame is 0)
    ///     fade-out, frame j of the last N:   g = sin²(π/2 · (N−1−j)/N)  (j = 0…N−1: the last frame is 0)
    ///
    /// so each ramp is half a Hann window, the fade-out is the fade-in reversed (= cos²(π/2 · (j+1)/N), written with
    /// the sine so that its last gain is exactly 0), and a frame inside both fades gets the product. The length is
    /// unchanged.
    public func fading(inSeconds: Double, outSeconds: Double) throws -> AudioBuffer {
        let frames = frameCount
        func fadeFrames(_ seconds: Double, _ name: String) throws -> Int {
            guard seconds.isFinite, seconds >= 0 else { throw AudioConversionError("\(name) must be a finite number of seconds ≥ 0, got \(seconds)") }
            let count = Int((seconds * Double(sampleRate)).rounded())
            guard count <= frames else {
                throw AudioConversionError("\(name) of \(seconds) s (\(count) frames) is longer than the clip (\(frames) frames)")
            }
            return count
        }
        let inFrames = try fadeFrames(inSeconds, "fade-in"), outFrames = try fadeFrames(outSeconds, "fade-out")
        guard inFrames > 0 || outFrames > 0 else { return self }
        var gains = [Float](repeating: 1, count: frames)
        for i in 0..<inFrames {
            let s = sin(Double.pi / 2 * Double(i) / Double(inFrames))
            gains[i] *= Float(s * s)
        }
        for j in 0..<outFrames {
            let s = sin(Double.pi / 2 * Double(outFrames - 1 - j) / Double(outFrames))
            gains[frames - outFrames + j] *= Float(s * s)
        }
        let faded = samples.withUnsafeBufferPointer { planar in
            Tensor(uninitializedShape: [channelCount, frames]) { output in
                for channel in 0..<channelCount {
                    let offset = channel * frames
                    for frame in 0..<frames { output[offset + frame] = planar[offset + frame] * gains[frame] }
                }
            }
        }
        return AudioBuffer(samples: faded, sampleRate: sampleRate)
    }
}
