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

        /// Keys and values `[B, M, 2·H·D]` (keys, then values) of `context` `[B, M, Cc]`; a `mask` `[B, M]` of 0/1
        /// zeroes the rows of masked tokens.
        func keyValues(context: Tensor, mask: Tensor?) -> Tensor {
            let keyValue = keyValue(contextNorm(context))
            guard let mask else { return keyValue }
            return keyValue * mask.expandingDimension(at: 2)  // [B, M, 1]
        }

        /// `x` `[B, N, C]` attending to precomputed `keyValues` (nil: self-attention, from `x`).
        func callAsFunction(_ x: Tensor, keyValues: Tensor? = nil) -> Tensor {
            let keyValue = keyValues ?? self.keyValues(context: x, mask: nil)
            let inner = keyValue.shape[2] / 2
            return output(Tensor.tokenMajorAttention(query: query(norm(x)), key: keyValue, value: keyValue, valueChannelStart: inner,
                                                     headCount: headCount))
        }
    }

    struct Block: Sendable {
        let attention: Attention
        let crossAttention: Attention?
        let feedForwardIn: Linear
        let feedForwardOut: Linear

        func callAsFunction(_ input: Tensor, contextKeyValues: Tensor?) -> Tensor {
            var x = attention(input) + input
            if let crossAttention { x = crossAttention(x, keyValues: contextKeyValues) + x }
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

    /// The cross-attention keys and values of every block for a context `[B, M, Cc]` and mask `[B, M]`: they
    /// depend only on the conditioning, so a sampler computes them once and reuses them at every step.
    func contextKeyValues(context: Tensor?, mask: Tensor?) -> [Tensor?] {
        blocks.map { block in
            guard let crossAttention = block.crossAttention, let context else { return nil }
            return crossAttention.keyValues(context: context, mask: mask)
        }
    }

    /// `[B, C, T]` → `[B, C, T]`, with `contextKeyValues` from `contextKeyValues(context:mask:)`.
    func callAsFunction(_ input: Tensor, contextKeyValues: [Tensor?]) -> Tensor {
        var x = inputProjection(inputNorm(input)).transposed(1, 2)
        for (block, keyValues) in zip(blocks, contextKeyValues) { x = block(x, contextKeyValues: keyValues) }
        return outputProjection(x.transposed(1, 2))
    }
}
