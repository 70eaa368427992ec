/// Level and loudness of one file (suite A).
public struct LevelMetrics: Codable, Sendable, Equatable {
    /// BS.1770-4 gated integrated loudness (LUFS).
    public var integratedLoudness: Double?
    /// Largest momentary (400 ms) loudness (LUFS).
    public var momentaryMaximum: Double?
    /// Largest short-term (3 s) loudness (LUFS).
    public var shortTermMaximum: Double?
    /// EBU Tech 3342 loudness range (LU).
    public var loudnessRange: Double?
    /// True peak over all channels (dBTP, 4× oversampling).
    public var truePeak: Double?
    /// Largest |sample| over all channels (dBFS).
    public var samplePeak: Double?
    /// Each channel's integrated loudness alone (LUFS).
    public var channelLoudness: [Double?]
}
