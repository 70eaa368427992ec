import SATensor

/// Multi-head attention with optional cross-attention: separate bias-free `to_q`, `to_k`, `to_v` projections,
/// scaled dot-product attention per head, and `to_out` (with bias). A generic building block; the model ports
/// compose their reference-specific variants (fused `to_kv`/`to_qkv`, grouped heads, rotary embeddings) from the
/// same tensor ops.
///
///     q = x·W_qᵀ,  k = c·W_kᵀ,  v = c·W_vᵀ  (c = context, or x for self-attention)
///     out = to_out( merge_heads( softmax(q·kᵀ/√d)·v ) )
public struct MultiHeadAttention: Sendable {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    public let headCount: Int

    public init(query: Linear, key: Linear, value: Linear, output: Linear, headCount: Int) {
        precondition(query.outFeatures % headCount == 0, "attention width \(query.outFeatures) not divisible by \(headCount) heads")
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.headCount = headCount
    }

    /// Loads `to_q`, `to_k`, `to_v` (no bias) and `to_out` (with bias) from `scope`; a width that `headCount` heads
    /// do not divide is a `WeightLoadingError.inconsistentModule`.
    public init(_ scope: ParameterScope, dimension: Int, contextDimension: Int? = nil, headCount: Int) throws {
        try scope.requireLayout(headCount > 0 && dimension % headCount == 0,
                                "attention width \(dimension) cannot be split into \(headCount) heads")
        let contextDimension = contextDimension ?? dimension
        self.init(query: try Linear(scope.child("to_q"), inFeatures: dimension, outFeatures: dimension, hasBias: false),
                  key: try Linear(scope.child("to_k"), inFeatures: contextDimension, outFeatures: dimension, hasBias: false),
                  value: try Linear(scope.child("to_v"), inFeatures: contextDimension, outFeatures: dimension, hasBias: false),
                  output: try Linear(scope.child("to_out"), inFeatures: dimension, outFeatures: dimension),
                  headCount: headCount)
    }

    /// `[B, N, D]` (and a context `[B, M, Dc]`) → `[B, N, D]`. `bias` is added to the attention logits.
    public func callAsFunction(_ input: Tensor, context: Tensor? = nil, bias: Tensor? = nil) -> Tensor {
        let source = context ?? input
        return output(Tensor.tokenMajorAttention(query: query(input), key: key(source), value: value(source), headCount: headCount,
                                                 bias: bias))
    }
}
