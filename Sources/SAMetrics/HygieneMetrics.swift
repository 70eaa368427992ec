/// Signal hygiene of one file (suite A).
public struct HygieneMetrics: Codable, Sendable, Equatable {
    /// NaN and ±Inf samples over all channels.
    public var nonFiniteCount: Int
    /// Runs of ≥ 3 consecutive samples with |x| ≥ 0.9999, over all channels.
    public var clippedRunCount: Int
    /// Samples inside those runs.
    public var clippedSampleCount: Int
    /// Mean of each channel (linear).
    public var dcOffset: [Double]
    /// 20·log10|mean| of each channel (dBFS); nil for an exact zero mean.
    public var dcOffsetDecibels: [Double?]
    /// Fraction of 400 ms loudness blocks (100 ms step) at or below −70 LUFS.
    public var silenceRatio: Double?
    /// Time before the first sample above −60 dBFS in any channel (s); the whole duration if none is.
    public var leadingSilence: Double
    /// Time after the last sample above −60 dBFS in any channel (s).
    public var trailingSilence: Double
}
