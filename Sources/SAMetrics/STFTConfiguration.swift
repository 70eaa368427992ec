/// How a centred STFT pads the signal's ends.
public enum PaddingMode: String, Codable, Sendable {
    /// Zeros, as librosa ≥ 0.10 (`pad_mode='constant'`).
    case zeros = "constant"
    /// Mirror without repeating the edge sample, as `torch.stft(center=True)` (`pad_mode='reflect'`).
    case reflect
}

/// The parameters of a short-time Fourier transform; recorded verbatim in reports.
public struct STFTConfiguration: Codable, Sendable, Equatable, Hashable {
    public var fftSize: Int
    public var hopLength: Int
    /// The analysis window length; shorter windows are zero-padded on both sides to `fftSize` (as torch.stft).
    public var windowLength: Int
    public var window: WindowFunction
    /// Centre frame t on sample t·hop by padding fftSize/2 samples at both ends.
    public var center: Bool
    public var padding: PaddingMode

    public init(fftSize: Int, hopLength: Int, windowLength: Int? = nil, window: WindowFunction = .periodicHann,
                center: Bool = true, padding: PaddingMode = .zeros) {
        self.fftSize = fftSize
        self.hopLength = hopLength
        self.windowLength = windowLength ?? fftSize
        self.window = window
        self.center = center
        self.padding = padding
    }
}
