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
