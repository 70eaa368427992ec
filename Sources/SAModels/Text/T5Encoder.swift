import SANN
import SATensor

/// The T5 encoder stack (`T5EncoderModel(...).last_hidden_state`), in Float32.
///
/// This implementation matches: transformers 4.57 `T5EncoderModel` / `T5Stack` (encoder, eval mode, fp32):
///
///     x = shared[ids]                                                      [B, N, D]
///     bias = relative_position_bias(N) + (1 − mask)·float32.min            [B, H, N, N]   (block 0's table)
///     for each block:
///         h = RMSNorm(x);  x = x + o(softmax(q(h)·k(h)ᵀ + bias)·v(h))      (no 1/√d scaling, no biases)
///         h = RMSNorm(x);  x = x + wo(act(wi(h)))                          (T5 v1.0, e.g. ReLU)
///                       or x = x + wo(act(wi_0(h)) ⊙ wi_1(h))              (gated, e.g. v1.1 gelu_new)
///     last_hidden_state = RMSNorm_final(x)
///     RMSNorm(x) = weight · x / √(mean(x²) + eps)
///
/// Keys (under the scope): `shared.weight`, `encoder.block.{i}.layer.0.SelfAttention.{q,k,v,o}.weight`,
/// `encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, `encoder.block.{i}.layer.0.layer_norm.weight`,
/// `encoder.block.{i}.layer.1.DenseReluDense.{wi,wo}.weight` (or `{wi_0,wi_1,wo}`),
/// `encoder.block.{i}.layer.1.layer_norm.weight`, `encoder.final_layer_norm.weight`; `encoder.embed_tokens.weight`
/// is accepted as a tied copy of `shared.weight` (it must hold the same values).
///
/// Limitations: encoder only (no decoder, no cache); Float32 only — stable-audio-tools runs T5 in float16 (weights
/// cast with `.to(torch.float16)`), so SAT's own embeddings differ from these by float16 rounding (about 4e-3 on the
/// tiny fixture); HF's float16 overflow clamping does not apply in Float32.
public struct T5Encoder: Sendable {
    struct Block: Sendable {
        let attentionNorm: RMSNorm
        let query: Linear
        let key: Linear
        let value: Linear
        let output: Linear
        let feedForwardNorm: RMSNorm
        /// `wi` (ungated) or `wi_0` (gated, the activated branch).
        let inputProjection: Linear
        /// `wi_1` (gated only, the linear branch).
        let gateProjection: Linear?
        let outputProjection: Linear
    }

    public let configuration: T5Configuration
    let embedding: Embedding
    let relativePositionBias: T5RelativePositionBias
    let blocks: [Block]
    let finalNorm: RMSNorm

    /// Loads the weights from `scope` (a Hugging Face T5 checkpoint root, or a conditioner's `model` scope).
    public init(_ scope: ParameterScope, configuration: T5Configuration) throws {
        self.configuration = configuration
        let width = configuration.modelDimension, inner = configuration.innerDimension
        let hidden = configuration.feedForwardDimension, epsilon = configuration.layerNormEpsilon
        let shared = try scope.child("shared").tensor("weight", shape: [configuration.vocabularySize, width])
        let encoder = scope.child("encoder")
        if let copy = try encoder.child("embed_tokens").optionalTensor("weight", shape: [configuration.vocabularySize, width]),
           copy != shared {
            throw TextEncoderError.untiedEmbeddingCopy(key: encoder.child("embed_tokens").key("weight"),
                                                       sharedKey: scope.child("shared").key("weight"), source: scope.store.sourceName)
        }
        embedding = Embedding(weight: shared)
        let firstAttention = encoder.child("block").child(0).child("layer").child(0).child("SelfAttention")
        relativePositionBias = T5RelativePositionBias(
            weight: try firstAttention.child("relative_attention_bias").tensor(
                "weight", shape: [configuration.relativeAttentionBucketCount, configuration.headCount]),
            maximumDistance: configuration.relativeAttentionMaximumDistance)
        blocks = try (0..<configuration.layerCount).map { index in
            let layers = encoder.child("block").child(index).child("layer")
            let attention = layers.child(0).child("SelfAttention")
            let feedForward = layers.child(1).child("DenseReluDense")
            func linear(_ scope: ParameterScope, _ name: String, _ inFeatures: Int, _ outFeatures: Int) throws -> Linear {
                try Linear(scope.child(name), inFeatures: inFeatures, outFeatures: outFeatures, hasBias: false)
            }
            return Block(
                attentionNorm: try RMSNorm(layers.child(0).child("layer_norm"), dimension: width, epsilon: epsilon),
                query: try linear(attention, "q", width, inner), key: try linear(attention, "k", width, inner),
                value: try linear(attention, "v", width, inner), output: try linear(attention, "o", inner, width),
                feedForwardNorm: try RMSNorm(layers.child(1).child("layer_norm"), dimension: width, epsilon: epsilon),
                inputProjection: try linear(feedForward, configuration.isGated ? "wi_0" : "wi", width, hidden),
                gateProjection: configuration.isGated ? try linear(feedForward, "wi_1", width, hidden) : nil,
                outputProjection: try linear(feedForward, "wo", hidden, width))
        }
        finalNorm = try RMSNorm(encoder.child("final_layer_norm"), dimension: width, epsilon: epsilon)
    }

    /// `last_hidden_state` `[B, N, D]` for token ids `[B][N]`; `attentionMask` `[B][N]` (true = attend), nil for
    /// all positions.
    public func callAsFunction(inputIDs: [[Int]], attentionMask: [[Bool]]? = nil) throws -> Tensor {
        guard let length = inputIDs.first?.count, length > 0 else { throw TextEncoderError.emptyBatch }
        let batch = inputIDs.count, vocabularySize = configuration.vocabularySize
        for (item, row) in inputIDs.enumerated() {
            guard row.count == length else { throw TextEncoderError.raggedBatch(expectedLength: length, item: item, length: row.count) }
            if let position = row.firstIndex(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw TextEncoderError.tokenOutOfRange(id: row[position], item: item, position: position, vocabularySize: vocabularySize)
            }
        }
        if let attentionMask {
            guard attentionMask.count == batch else { throw TextEncoderError.maskBatchMismatch(ids: batch, mask: attentionMask.count) }
            for (item, row) in attentionMask.enumerated() where row.count != length {
                throw TextEncoderError.raggedBatch(expectedLength: length, item: item, length: row.count)
            }
        }
        let heads = configuration.headCount
        var x = embedding(inputIDs.flatMap { $0 }, shape: [batch, length])   // [B, N, D]
        let bias = attentionBias(length: length, mask: attentionMask)          // [1 or B, H, N, N]
        for block in blocks {
            let h = block.attentionNorm(x)
            // softmax(Q·Kᵀ + bias)·V per head (heads read in place from [B, N, H·d_kv]), unscaled as T5 is
            let attended = Tensor.tokenMajorAttention(query: block.query(h), key: block.key(h), value: block.value(h), headCount: heads,
                                                      scale: 1, bias: bias)
            x = x + block.output(attended)
            x = x + feedForward(block, block.feedForwardNorm(x))
        }
        return finalNorm(x)
    }

    /// wo(act(wi(h))) or wo(act(wi_0(h)) ⊙ wi_1(h)).
    private func feedForward(_ block: Block, _ h: Tensor) -> Tensor {
        var activated = block.inputProjection(h)
        switch configuration.activation {
        case .relu: activated = activated.relu()
        case .gelu: activated = activated.gelu()
        case .geluTanh: activated = activated.geluTanh()
        case .silu: activated = activated.silu()
        }
        if let gate = block.gateProjection { activated = activated * gate(h) }
        return block.outputProjection(activated)
    }

    /// position_bias (+ mask): `[1, H, N, N]` without a mask, else `[B, H, N, N]` with
    /// bias + (1 − mask[b, j])·float32.min added in Float32 (a masked key's logit becomes float32.min).
    private func attentionBias(length: Int, mask: [[Bool]]?) -> Tensor {
        let positionBias = relativePositionBias(length: length)
        guard let mask, mask.contains(where: { $0.contains(false) }) else { return positionBias }
        let heads = configuration.headCount, batch = mask.count
        let minimum = -Float.greatestFiniteMagnitude
        return positionBias.withUnsafeBufferPointer { source in
            Tensor(uninitializedShape: [batch, heads, length, length]) { output in
                for item in 0..<batch {
                    // (1 − mask)·min: 0·min = −0 for kept keys, min for masked ones
                    let additive = mask[item].map { $0 ? -Float(0) : minimum }
                    for row in 0..<(heads * length) {
                        let base = row * length, target = (item * heads * length + row) * length
                        for key in 0..<length { output[target + key] = source[base + key] + additive[key] }
                    }
                }
            }
        }
    }
}
