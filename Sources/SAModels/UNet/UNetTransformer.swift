import SANN
import SATensor

/// audio-diffusion-pytorch's `Transformer1d` (SAT `models/adp.py`) with its `TransformerBlock`s and `Attention`.
///
///     x = conv₁( GroupNorm₃₂,ε=1e-6(x) ) → [B, T, C]
///     per block:  x = Attn(x) + x;  x = XAttn(x, ctx, mask) + x;  x = FF(x) + x      (no norm before FF)
///     x = conv₁( [B, C, T] )                                                        (no residual around it)
///
/// `Attention` normalizes queries and context with two separate LayerNorms (even for self-attention), projects
/// q (`to_q`) and k|v (`to_kv`, first half k) without bias, and — when a context mask is given — multiplies k and
/// v by it, so masked tokens keep logit 0 and value 0 inside the softmax instead of being removed. Softmax over
/// q·kᵀ/√d per head, then `attention.to_out` (with bias). FF = Linear → exact GELU → Linear.
struct UNetTransformer: Sendable {
    struct Attention: Sendable {
        let norm: LayerNorm
        let contextNorm: LayerNorm
        let query: Linear
        let keyValue: Linear
        let output: Linear
        let headCount: Int

        init(_ scope: ParameterScope, features: Int, contextFeatures: Int?, headCount: Int, headFeatures: Int) throws {
            let inner = headCount * headFeatures
            norm = try LayerNorm(scope.child("norm"), dimension: features)
            contextNorm = try LayerNorm(scope.child("norm_context"), dimension: contextFeatures ?? features)
            query = try Linear(scope.child("to_q"), inFeatures: features, outFeatures: inner, hasBias: false)
            keyValue = try Linear(scope.child("to_kv"), inFeatures: contextFeatures ?? features, outFeatures: 2 * inner, hasBias: false)
            output = try Linear(scope.child("attention").child("to_out"), inFeatures: inner, outFeatures: features)
            self.headCount = headCount
        }

        /// `x` `[B, N, C]`, `context` `[B, M, Cc]` (nil: self-attention), `mask` `[B, M]` of 0/1.
        func callAsFunction(_ x: Tensor, context: Tensor? = nil, mask: Tensor? = nil) -> Tensor {
            let normalized = norm(x)
            let normalizedContext = contextNorm(context ?? x)
            let kv = keyValue(normalizedContext).chunked(2, axis: 2)
            var key = kv[0], value = kv[1]
            if let mask {
                let broadcastMask = mask.expandingDimension(at: 2)  // [B, M, 1]
                key = key * broadcastMask
                value = value * broadcastMask
            }
            let attended = Tensor.scaledDotProductAttention(query: query(normalized).splittingHeads(headCount),
                                                            key: key.splittingHeads(headCount), value: value.splittingHeads(headCount))
            return output(attended.mergingHeads())
        }
    }

    struct Block: Sendable {
        let attention: Attention
        let crossAttention: Attention?
        let feedForwardIn: Linear
        let feedForwardOut: Linear

        func callAsFunction(_ input: Tensor, context: Tensor?, mask: Tensor?) -> Tensor {
            var x = attention(input) + input
            if let crossAttention { x = crossAttention(x, context: context, mask: mask) + x }
            return feedForwardOut(feedForwardIn(x).gelu()) + x
        }
    }

    let inputNorm: GroupNorm
    let inputProjection: SameConvolution
    let blocks: [Block]
    let outputProjection: SameConvolution

    init(_ scope: ParameterScope, layerCount: Int, channels: Int, headCount: Int, headFeatures: Int, multiplier: Int,
         contextFeatures: Int?) throws {
        inputNorm = try GroupNorm(scope.child("to_in").child(0), groupCount: 32, channels: channels, epsilon: 1e-6)
        inputProjection = try SameConvolution(scope.child("to_in").child(1), inChannels: channels, outChannels: channels, kernelSize: 1)
        blocks = try (0..<layerCount).map { index in
            let block = scope.child("blocks").child(index)
            return Block(
                attention: try Attention(block.child("attention"), features: channels, contextFeatures: nil, headCount: headCount, headFeatures: headFeatures),
                crossAttention: try contextFeatures.map {
                    try Attention(block.child("cross_attention"), features: channels, contextFeatures: $0, headCount: headCount, headFeatures: headFeatures)
                },
                feedForwardIn: try Linear(block.child("feed_forward").child(0), inFeatures: channels, outFeatures: channels * multiplier),
                feedForwardOut: try Linear(block.child("feed_forward").child(2), inFeatures: channels * multiplier, outFeatures: channels))
        }
        outputProjection = try SameConvolution(scope.child("to_out").child(1), inChannels: channels, outChannels: channels, kernelSize: 1)
    }

    /// `[B, C, T]` → `[B, C, T]`.
    func callAsFunction(_ input: Tensor, context: Tensor?, mask: Tensor?) -> Tensor {
        var x = inputProjection(inputNorm(input)).transposed(1, 2)
        for block in blocks { x = block(x, context: context, mask: mask) }
        return outputProjection(x.transposed(1, 2))
    }
}
