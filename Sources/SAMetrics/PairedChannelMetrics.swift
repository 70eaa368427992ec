/// Paired (reconstruction / regression) metrics of one channel, or their mean over channels.
public struct PairedChannelMetrics: Codable, Sendable, Equatable {
    /// auraloss default multi-resolution STFT distance (lower is better).
    public var multiResolutionSTFT: Double?
    /// DAC-style two-scale mel distance (lower is better).
    public var melDistance: Double?
    /// Log-spectral distance in bels (ssr_eval definition).
    public var logSpectralDistance: Double?
    /// The same in dB (10 × bels).
    public var logSpectralDistanceDecibels: Double?
    /// Zero-mean SI-SDR in dB (higher is better).
    public var scaleInvariantSDR: Double?

    public init(multiResolutionSTFT: Double? = nil, melDistance: Double? = nil, logSpectralDistance: Double? = nil,
                logSpectralDistanceDecibels: Double? = nil, scaleInvariantSDR: Double? = nil) {
        self.multiResolutionSTFT = multiResolutionSTFT
        self.melDistance = melDistance
        self.logSpectralDistance = logSpectralDistance
        self.logSpectralDistanceDecibels = logSpectralDistanceDecibels
        self.scaleInvariantSDR = scaleInvariantSDR
    }
}
