/// The mel scale used to place filter centres.
public enum MelScale: String, Codable, Sendable {
    /// Slaney's Auditory Toolbox scale: linear below 1 kHz (f/(200/3)), logarithmic above
    /// (15 + ln(f/1000)/(ln 6.4/27)); librosa's default.
    case slaney
    /// HTK: mel = 2595·log10(1 + f/700).
    case htk
}

/// How each triangular filter is scaled.
public enum MelNormalization: String, Codable, Sendable {
    /// Constant area: each filter times 2/(f_{m+1} − f_{m−1}); librosa's default `norm='slaney'`.
    case slaney
    /// Peak 1 (librosa `norm=None`, torchaudio's default).
    case none
}

/// The parameters of a mel filter bank; recorded verbatim in reports.
public struct MelConfiguration: Codable, Sendable, Equatable, Hashable {
    public var sampleRate: Int
    public var fftSize: Int
    public var melCount: Int
    public var minimumFrequency: Double
    /// nil means sampleRate/2.
    public var maximumFrequency: Double?
    public var scale: MelScale
    public var normalization: MelNormalization

    public init(sampleRate: Int, fftSize: Int, melCount: Int, minimumFrequency: Double = 0, maximumFrequency: Double? = nil,
                scale: MelScale = .slaney, normalization: MelNormalization = .slaney) {
        self.sampleRate = sampleRate
        self.fftSize = fftSize
        self.melCount = melCount
        self.minimumFrequency = minimumFrequency
        self.maximumFrequency = maximumFrequency
        self.scale = scale
        self.normalization = normalization
    }
}
