/// Loudness of one programme.
public struct LoudnessMeasurement: Codable, Sendable, Equatable {
    /// Gated integrated loudness (LUFS); nil when every block is below the gates (silence) or the file is shorter
    /// than one 400 ms block.
    public var integrated: Double?
    /// Largest momentary (400 ms, ungated) loudness over every window position (LUFS).
    public var momentaryMaximum: Double?
    /// Largest short-term (3 s, ungated) loudness over every window position (LUFS).
    public var shortTermMaximum: Double?
    /// EBU Tech 3342 loudness range (LU) from short-term values every 100 ms.
    public var loudnessRange: Double?
    /// Integrated loudness of each channel alone, weight 1 (LUFS).
    public var channelIntegrated: [Double?]
    /// Integrated loudness of the mono downmix (L+R)/2 played on both channels (stereo only).
    public var monoDownmixIntegrated: Double?
    /// Number of 400 ms blocks (100 ms step).
    public var blockCount: Int
    /// Blocks at or below the −70 LUFS absolute gate.
    public var silentBlockCount: Int
    /// Momentary loudness every 100 ms (block j covers [0.1 j, 0.1 j + 0.4) s); not written to reports.
    public var momentarySeries: [Double]
    /// Short-term loudness every 100 ms (value k covers [0.1 k, 0.1 k + 3) s); not written to reports.
    public var shortTermSeries: [Double]

    enum CodingKeys: String, CodingKey {
        case integrated, momentaryMaximum, shortTermMaximum, loudnessRange, channelIntegrated, monoDownmixIntegrated,
             blockCount, silentBlockCount
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        integrated = try container.decodeIfPresent(Double.self, forKey: .integrated)
        momentaryMaximum = try container.decodeIfPresent(Double.self, forKey: .momentaryMaximum)
        shortTermMaximum = try container.decodeIfPresent(Double.self, forKey: .shortTermMaximum)
        loudnessRange = try container.decodeIfPresent(Double.self, forKey: .loudnessRange)
        channelIntegrated = try container.decode([Double?].self, forKey: .channelIntegrated)
        monoDownmixIntegrated = try container.decodeIfPresent(Double.self, forKey: .monoDownmixIntegrated)
        blockCount = try container.decode(Int.self, forKey: .blockCount)
        silentBlockCount = try container.decode(Int.self, forKey: .silentBlockCount)
        momentarySeries = []
        shortTermSeries = []
    }

    init(integrated: Double?, momentaryMaximum: Double?, shortTermMaximum: Double?, loudnessRange: Double?,
         channelIntegrated: [Double?], monoDownmixIntegrated: Double?, blockCount: Int, silentBlockCount: Int,
         momentarySeries: [Double], shortTermSeries: [Double]) {
        self.integrated = integrated
        self.momentaryMaximum = momentaryMaximum
        self.shortTermMaximum = shortTermMaximum
        self.loudnessRange = loudnessRange
        self.channelIntegrated = channelIntegrated
        self.monoDownmixIntegrated = monoDownmixIntegrated
        self.blockCount = blockCount
        self.silentBlockCount = silentBlockCount
        self.momentarySeries = momentarySeries
        self.shortTermSeries = shortTermSeries
    }
}
