import SANN
import SATensor

/// SAT's `NumberConditioner` (`models/conditioners.py`) with its `NumberEmbedder` (`models/adp.py`), used for
/// `seconds_start` / `seconds_total` in Stable Audio Open.
///
///     v = clamp(value, min, max);  u = (v − min) / (max − min)          (Float32)
///     embedding = TimePositionalEmbedding(256 → output_dim)(u)           `embedder.embedding.{0,1}`
///     output [B, 1, D], mask ones [B, 1]
public struct NumberConditioner: Sendable {
    public let minimum: Float
    public let maximum: Float
    let embedding: FourierTimeEmbedding

    public init(_ scope: ParameterScope, minimum: Float, maximum: Float, outputDimension: Int) throws {
        self.minimum = minimum
        self.maximum = maximum
        embedding = try FourierTimeEmbedding(scope.child("embedder").child("embedding"), dimension: 256, outFeatures: outputDimension)
    }

    /// The normalized values u.
    public func normalized(_ values: [Double]) -> [Float] {
        values.map { value in
            let clamped = min(max(Float(value), minimum), maximum)
            return (clamped - minimum) / (maximum - minimum)
        }
    }

    /// `[B] → ([B, 1, D], mask [B, 1])`.
    public func callAsFunction(_ values: [Double]) -> ConditionerOutput {
        let embedded = embedding(normalized(values))
        return ConditionerOutput(embeddings: embedded.expandingDimension(at: 1), mask: Tensor(repeating: 1, shape: [values.count, 1]))
    }
}

/// SAT's `IntConditioner`: an embedding table indexed by clamp(⌊value⌋, min, max) — the index does not subtract
/// `min_val`, exactly as SAT (whose table has max − min + 1 rows, so a nonzero `min_val` can index past the end;
/// SAT raises there and so does this port, with a clear error instead of a crash).
public struct IntConditioner: Sendable {
    public let minimum: Int
    public let maximum: Int
    let table: Embedding

    public init(_ scope: ParameterScope, minimum: Int, maximum: Int, outputDimension: Int) throws {
        let (span, overflow) = maximum.subtractingReportingOverflow(minimum)
        try scope.requireLayout(!overflow && span >= 0 && span < Int.max, "int conditioner range \(minimum)...\(maximum) is empty or too large for a table")
        self.minimum = minimum
        self.maximum = maximum
        table = try Embedding(scope.child("int_embedder"), count: span + 1, dimension: outputDimension)
    }

    /// The table rows used for `values` (already integers; callers round seconds up first).
    public func indices(_ values: [Int]) throws -> [Int] {
        try values.map { value in
            let index = min(max(value, minimum), maximum)
            guard index >= 0 && index < table.count else {
                throw ModelConfigurationError(key: "int conditioner", reason: "value \(value) indexes row \(index) of a \(table.count)-row table (SAT indexes by the raw value; min_val \(minimum) > 0 makes the top of the range unusable, min_val < 0 the bottom)")
            }
            return index
        }
    }

    /// `[B] → ([B, 1, D], mask [B, 1])`.
    public func callAsFunction(_ values: [Int]) throws -> ConditionerOutput {
        ConditionerOutput(embeddings: table(try indices(values), shape: [values.count, 1]), mask: Tensor(repeating: 1, shape: [values.count, 1]))
    }
}

/// One conditioner's output: embeddings `[B, N, D]` and a 0/1 mask `[B, N]`.
public struct ConditionerOutput: Sendable {
    public var embeddings: Tensor
    public var mask: Tensor

    public init(embeddings: Tensor, mask: Tensor) {
        self.embeddings = embeddings
        self.mask = mask
    }
}
