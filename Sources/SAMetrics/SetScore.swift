/// Set-level comparison of a generated set with a reference set (suite C).
public struct SetScore: Codable, Sendable, Equatable {
    public var generatedPath: String
    public var referencePath: String
    /// "audio" (model-free FD-mel features computed here) or "embeddings" (matrices given by the user).
    public var kind: String
    /// The label printed next to the Fréchet numbers: "FD-mel" or "FD (provided embeddings)".
    public var frechetLabel: String
    public var featureDescription: String
    public var generatedFileCount: Int
    public var referenceFileCount: Int
    public var generatedRowCount: Int
    public var referenceRowCount: Int
    public var dimension: Int
    public var frechetDistance: Double?
    public var frechetInfinity: FrechetExtrapolation?
    public var bootstrap: BootstrapInterval?
    public var kernelDistance: KernelDistance?
    /// Per-file descriptor distributions compared with Wasserstein-1 (audio sets only).
    public var descriptorDistances: [DescriptorDistance]
    /// Files left out and metrics that could not be computed, each naming the file or metric.
    public var errors: [String]
    /// Suite A results of every file in the sets (audio sets only).
    public var generatedFiles: [FileScore]
    public var referenceFiles: [FileScore]

    public init(generatedPath: String, referencePath: String, kind: String, frechetLabel: String, featureDescription: String) {
        self.generatedPath = generatedPath
        self.referencePath = referencePath
        self.kind = kind
        self.frechetLabel = frechetLabel
        self.featureDescription = featureDescription
        generatedFileCount = 0
        referenceFileCount = 0
        generatedRowCount = 0
        referenceRowCount = 0
        dimension = 0
        descriptorDistances = []
        errors = []
        generatedFiles = []
        referenceFiles = []
    }

    /// The per-file descriptors compared between sets: name, unit and how to read them from a file's score.
    public static let descriptors: [(name: String, unit: String, value: @Sendable (FileScore) -> Double?)] = [
        ("integratedLoudness", "LUFS", { $0.level?.integratedLoudness }),
        ("loudnessRange", "LU", { $0.level?.loudnessRange }),
        ("truePeak", "dBTP", { $0.level?.truePeak }),
        ("correlation", "ICC", { $0.stereo?.correlation }),
        ("sideToMidRatio", "dB", { $0.stereo?.sideToMidRatio.flatMap { $0.isFinite ? $0 : nil } }),
        ("effectiveBandwidth", "Hz", { $0.spectrum?.effectiveBandwidth }),
        ("centroid", "Hz", { $0.spectrum?.centroid }),
    ]
}

