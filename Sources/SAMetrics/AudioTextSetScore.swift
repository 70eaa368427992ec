/// Set-level sfx-clap-mini metrics of a generated audio directory against a reference directory.
public struct AudioTextSetScore: Codable, Sendable, Equatable {
    public var generatedPath: String
    public var referencePath: String
    /// Files embedded (left-out files are listed in `errors`).
    public var generatedFileCount: Int
    public var referenceFileCount: Int
    /// Generated files with a reference of the same relative path (or unique stem): the rows of the KL.
    public var pairedFileCount: Int
    public var frechetDistance: Double?
    /// KL(ref‖gen), ε on gen, averaged over pairs.
    public var kl: Double?
    /// KL(gen‖ref), ε on ref, averaged over pairs.
    public var klGeneratedToReference: Double?
    /// Generated files without a reference partner (left out of the KL only).
    public var unpairedFiles: [String]
    /// Limitations of the numbers (e.g. fewer files than embedding dimensions).
    public var notes: [String]
    /// Files left out and metrics that could not be computed.
    public var errors: [String]

    enum CodingKeys: String, CodingKey {
        case generatedPath, referencePath, generatedFileCount, referenceFileCount, pairedFileCount, unpairedFiles, notes, errors
        case frechetDistance = "sfx_clap_mini_frechet_distance"
        case kl = "sfx_clap_mini_kl"
        case klGeneratedToReference = "sfx_clap_mini_kl_generated_to_reference"
    }

    public init(generatedPath: String, referencePath: String) {
        self.generatedPath = generatedPath
        self.referencePath = referencePath
        generatedFileCount = 0
        referenceFileCount = 0
        pairedFileCount = 0
        unpairedFiles = []
        notes = []
        errors = []
    }
}
