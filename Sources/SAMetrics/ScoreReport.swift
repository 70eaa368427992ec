import SAAudio

/// The result of `stable-audio score`: per-file, paired and set-level metrics with every parameter.
public struct ScoreReport: Codable, Sendable {
    public var tool = ToolDescription()
    public var parameters: ReportParameters
    public var inputs: [String]
    public var reference: String?
    public var files: [FileScore]
    public var set: SetScore?
    public var classDistribution: ClassDistributionScore?
    /// Learned metrics of sfx-clap-mini, the project's own audio-text model, when it was available (SAAudioText).
    public var audioText: AudioTextScore?
    /// Problems with the request as a whole (e.g. an unreadable class-probability file), each naming its file.
    public var errors: [String]
    /// PNG log-mel pictures by file path (HTML report only; not written to JSON).
    public var spectrogramImages: [String: [UInt8]] = [:]

    enum CodingKeys: String, CodingKey {
        case tool, parameters, inputs, reference, files, set, classDistribution, errors
        case audioText = "sfxClapMini"
    }

    public init(parameters: ReportParameters, inputs: [String], reference: String?) {
        self.parameters = parameters
        self.inputs = inputs
        self.reference = reference
        files = []
        errors = []
    }

    /// Files whose scoring failed, with why.
    public var failedFiles: [FileScore] {
        (files + (set?.generatedFiles ?? []) + (set?.referenceFiles ?? [])).filter { $0.error != nil || $0.paired?.error != nil }
    }
}
