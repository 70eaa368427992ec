/// The Wasserstein-1 distance of one per-file descriptor between the generated and reference sets.
public struct DescriptorDistance: Codable, Sendable, Equatable {
    public var name: String
    public var unit: String
    public var wasserstein: Double?
    public var generatedCount: Int
    public var referenceCount: Int
}

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

/// The fixed parameters of suite C; recorded in reports.
public struct SetParameters: Codable, Sendable, Equatable {
    public var features = MelFrameFeatures.description
    public var frechet = "‖μ₁−μ₂‖² + tr Σ₁ + tr Σ₂ − 2 Σ√λ(Σ₂^½ Σ₁ Σ₂^½), Float64, ddof 1, λ clamped ≥ 0 (LAPACK dsyevd)"
    public var frechetInfinity = "fadtk recipe: 25 sizes int(linspace(min(500,N), N, 25)), rows drawn with replacement (SplitMix64(seed)), fit FD = a + b/n, report a"
    public var bootstrap = "percentile bootstrap over generated files (rows for embedding matrices), 95 %, reference fixed"
    public var bootstrapReplicates: Int
    public var kernelDistance = "unbiased MMD², k(x,y) = (x·y/d + 1)³, 100 subsets of min(1000, N) rows without replacement"
    public var seed: UInt64
    public var descriptorDistances = "scipy.stats.wasserstein_distance of per-file LUFS, LRA, dBTP, ICC, S/M ratio, bandwidth, centroid"
    public var classDistribution = "KL(ref‖gen) with ε = 1e-6 on gen (audiocraft / audioldm_eval direction) and KL(gen‖ref) with ε on ref (stable-audio-metrics direction), rows paired by order"
    public var sampleRates = "one rate per comparison: files at another rate than the reference set's most common rate are left out (no resampling)"
    public var naming = "model-free numbers are never labelled with the names of published learned-embedding metrics, which need those third-party models"
    public init(bootstrapReplicates: Int, seed: UInt64) {
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
    }
}
