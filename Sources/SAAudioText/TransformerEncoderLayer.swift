import SANN
import SATensor

/// One pre-norm transformer encoder layer, matching `torch.nn.TransformerEncoderLayer(d, heads, ff,
/// activation="gelu", norm_first=True, batch_first=True)` in eval mode (dropout off):
///
///     x = x + out_proj(MHA(norm1(x)))                 MHA: [q k v] = x·in_projᵀ + b, softmax(q·kᵀ/√(d/heads))·v per head
///     x = x + linear2(gelu(linear1(norm2(x))))        exact (erf) GELU, LayerNorm eps 1e-5
///
/// Keys: `self_attn.in_proj_weight` `[3d, d]`, `self_attn.in_proj_bias`, `self_attn.out_proj.{weight,bias}`,
/// `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`. Limitations: no attention mask; callers drop padded positions
/// before the layer instead (exact for the unpadded positions, whose keys exclude padding either way).
public struct TransformerEncoderLayer: Sendable {
    public let headCount: Int
    public let inputProjection: Linear
    public let outputProjection: Linear
    public let feedForwardIn: Linear
    public let feedForwardOut: Linear
    public let attentionNorm: LayerNorm
    public let feedForwardNorm: LayerNorm

    public init(_ scope: ParameterScope, dimension: Int, headCount: Int, feedForwardDimension: Int, epsilon: Float = 1e-5) throws {
        guard dimension % headCount == 0 else {
            throw AudioTextModelError(path: scope.store.sourceName, key: scope.prefix, reason: "width \(dimension) is not divisible by \(headCount) heads")
        }
        self.headCount = headCount
        let attention = scope.child("self_attn")
        inputProjection = Linear(weight: try attention.tensor("in_proj_weight", shape: [3 * dimension, dimension]),
                                 bias: try attention.tensor("in_proj_bias", shape: [3 * dimension]))
        outputProjection = try Linear(attention.child("out_proj"), inFeatures: dimension, outFeatures: dimension)
        feedForwardIn = try Linear(scope.child("linear1"), inFeatures: dimension, outFeatures: feedForwardDimension)
        feedForwardOut = try Linear(scope.child("linear2"), inFeatures: feedForwardDimension, outFeatures: dimension)
        attentionNorm = try LayerNorm(scope.child("norm1"), dimension: dimension, epsilon: epsilon)
        feedForwardNorm = try LayerNorm(scope.child("norm2"), dimension: dimension, epsilon: epsilon)
    }

    /// `[B, N, d]` → `[B, N, d]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let dimension = input.shape[2]
        let qkv = inputProjection(attentionNorm(input))  // [B, N, 3d]: queries, keys, values
        let attended = Tensor.tokenMajorAttention(query: qkv, key: qkv, keyChannelStart: dimension, value: qkv,
                                                  valueChannelStart: 2 * dimension, headCount: headCount, headDepth: dimension / headCount)
        let x = input + outputProjection(attended)
        return x + feedForwardOut(feedForwardIn(feedForwardNorm(x)).gelu())
    }
}
