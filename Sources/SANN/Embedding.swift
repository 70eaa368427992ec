import SATensor

/// A lookup table, matching `torch.nn.Embedding`: row i of `weight` `[count, dimension]` for index i.
public struct Embedding: Sendable {
    public let weight: Tensor

    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding weight must be [count, dimension], got \(weight.shape)")
        self.weight = weight
    }

    public init(_ scope: ParameterScope, count: Int, dimension: Int) throws {
        self.init(weight: try scope.tensor("weight", shape: [count, dimension]))
    }

    public var count: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    /// Rows for `indices`, shaped `shape + [dimension]` (default `[indices.count, dimension]`).
    public func callAsFunction(_ indices: [Int], shape: [Int]? = nil) -> Tensor {
        let dimension = self.dimension
        let rows = weight.scalars
        return Tensor(uninitializedShape: (shape ?? [indices.count]) + [dimension]) { output in
            for (position, index) in indices.enumerated() {
                precondition(index >= 0 && index < count, "embedding index \(index) out of range 0..<\(count)")
                for column in 0..<dimension { output[position * dimension + column] = rows[index * dimension + column] }
            }
        }
    }
}
