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

/// Everything measured for one file; `error` says why some or all metrics are missing.
public struct FileScore: Codable, Sendable, Equatable {
    public var path: String
    /// Why the file could not be (fully) scored, e.g. empty, silent, non-finite samples, truncated; nil when scored.
    public var error: String?
    /// Limitations that left some metrics out without making the file an error (e.g. shorter than 3 s).
    public var warnings: [String]
    public var format: String?
    public var sampleRate: Int?
    public var channelCount: Int?
    public var frameCount: Int?
    public var duration: Double?
    public var level: LevelMetrics?
    public var hygiene: HygieneMetrics?
    public var spectrum: SpectralDescriptors?
    public var stereo: StereoMetrics?
    /// Paired metrics against `--reference` (suite B), when requested.
    public var paired: PairedScore?

    public init(path: String, error: String? = nil) {
        self.path = path
        self.error = error
        self.warnings = []
    }
}
