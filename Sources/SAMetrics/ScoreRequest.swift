import SATensor

/// What to score; the CLI's `score` command fills this from its arguments.
public struct ScoreRequest: Sendable {
    /// FILES|DIRS to score with suite A (and B with `reference`).
    public var inputs: [String]
    /// A reference file or directory for paired metrics (suite B).
    public var reference: String?
    /// A generated set (audio directory or .npy/.safetensors embedding matrix) for suite C.
    public var generatedSet: String?
    /// The reference set for suite C (same kind as `generatedSet`).
    public var referenceSet: String?
    /// Class-probability matrices (.npy/.safetensors, rows paired by order) for the KL divergences.
    public var generatedClassProbabilities: String?
    public var referenceClassProbabilities: String?
    public var bootstrapReplicates: Int
    public var seed: UInt64
    /// Render a log-mel PNG per input file (for the HTML report).
    public var spectrogramImages: Bool
    /// Parallel workers; files are scored concurrently, one file per worker.
    public var workerCount: Int

    public init(inputs: [String] = [], reference: String? = nil, generatedSet: String? = nil, referenceSet: String? = nil,
                generatedClassProbabilities: String? = nil, referenceClassProbabilities: String? = nil,
                bootstrapReplicates: Int = 200, seed: UInt64 = 0, spectrogramImages: Bool = false,
                workerCount: Int = ConcurrentWork.workerCount) {
        self.inputs = inputs
        self.reference = reference
        self.generatedSet = generatedSet
        self.referenceSet = referenceSet
        self.generatedClassProbabilities = generatedClassProbabilities
        self.referenceClassProbabilities = referenceClassProbabilities
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
        self.spectrogramImages = spectrogramImages
        self.workerCount = workerCount
    }
}
