/// The Wasserstein-1 distance of one per-file descriptor between the generated and reference sets.
public struct DescriptorDistance: Codable, Sendable, Equatable {
    public var name: String
    public var unit: String
    public var wasserstein: Double?
    public var generatedCount: Int
    public var referenceCount: Int
}
