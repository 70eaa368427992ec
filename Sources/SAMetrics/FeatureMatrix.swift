/// An N×d matrix of feature vectors (one row per frame or item), Float64, row-major; `groups` says which rows
/// belong to which file (for the bootstrap over files).
public struct FeatureMatrix: Sendable, Equatable {
    /// Where the rows came from (a file or directory), for messages.
    public var source: String
    public var rowCount: Int
    public var dimension: Int
    public var values: [Double]
    /// Contiguous row ranges, one per file (or one per row for a plain matrix).
    public var groups: [Range<Int>]

    public init(source: String, rowCount: Int, dimension: Int, values: [Double], groups: [Range<Int>]? = nil) {
        precondition(values.count == rowCount * dimension, "\(rowCount)×\(dimension) matrix needs \(rowCount * dimension) values, got \(values.count)")
        self.source = source
        self.rowCount = rowCount
        self.dimension = dimension
        self.values = values
        self.groups = groups ?? (0..<rowCount).map { $0..<($0 + 1) }
    }

    /// The rows at `indices` (with repetition), as a new matrix.
    public func rows(_ indices: [Int]) -> FeatureMatrix {
        var selected = [Double]()
        selected.reserveCapacity(indices.count * dimension)
        for index in indices { selected.append(contentsOf: values[(index * dimension)..<((index + 1) * dimension)]) }
        return FeatureMatrix(source: source, rowCount: indices.count, dimension: dimension, values: selected)
    }
}
