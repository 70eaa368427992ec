import SAAudio

/// Paired metrics of a file against its reference (suite B).
public struct PairedScore: Codable, Sendable, Equatable {
    public var referencePath: String
    /// Why the pair could not be compared; nil when it was.
    public var error: String?
    /// Frames compared (the shorter of the two).
    public var comparedFrames: Int?
    public var estimateFrames: Int?
    public var referenceFrames: Int?
    public var channels: [PairedChannelMetrics]
    /// Arithmetic mean over channels of each metric.
    public var mean: PairedChannelMetrics?

    public init(referencePath: String, error: String? = nil) {
        self.referencePath = referencePath
        self.error = error
        self.channels = []
    }
}

