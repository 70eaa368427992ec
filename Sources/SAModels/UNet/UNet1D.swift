import SANN
import SATensor

/// SAT's `adp_cfg_1d` backbone: `UNetCFG1d` from `models/adp.py` (audio-diffusion-pytorch v0.0.94), wrapped as
/// `UNetCFG1DWrapper` (keys under `model.model.` in a checkpoint; this type takes the scope of the U-Net itself).
///
/// Forward, for latents x `[B, C, L]` (L a multiple of Π factors), time t = atan(σ)·2/π `[B]`:
///
///     mapping = to_mapping( GELU(to_time(t)) [+ GELU(to_features(global))] )     to_mapping = (Linear, GELU)×2
///     x = to_in(x, mapping);  skips = [x]
///     for each level i:  x = downsample_i(x);  resnet blocks (+ transformer), every output pushed to skips
///     x = bottleneck: resnet → transformer → resnet
///     for each level i (reversed):  for each block: x = block(cat[x, skip·2^−½]);  transformer;  upsample_i
///     x = x + skips[0];  return to_out(x, mapping)
///
/// Classifier-free guidance (`callAsFunction(…, guidance:)`) follows `UNetCFG1d.forward` with `batch_cfg`:
/// cond and uncond run as one batch of 2B; the null condition is the learned `fixed_embedding` rows 0..N−1
/// (or the negative prompt where its mask is set, the fixed embedding elsewhere); the embedding mask applies to
/// both halves; out = u + (c − u)·scale, optionally rescaled:
///
///     out = φ · out·(std_c(c)/std_c(out)) + (1 − φ) · out        std over channels, unbiased
///
/// Limitations: patch_size 1, no nearest upsampling, no input-concat channels, no STFT, no cross-attention time.
public struct UNet1D: Sendable {
    struct DownsampleLevel: Sendable {
        let downsample: SameConvolution
        let blocks: [UNetResnetBlock]
        let transformer: UNetTransformer?
    }

    struct UpsampleLevel: Sendable {
        let blocks: [UNetResnetBlock]
        let transformer: UNetTransformer?
        let upsampleConvolution: SameConvolution?
        let upsampleTransposed: TrimmedTransposedConvolution?
    }

    public let configuration: UNetConfiguration
    let timeEmbedding: FourierTimeEmbedding?
    let featureEmbedding: Linear?
    let mappingLayers: (Linear, Linear)?
    let toIn: UNetResnetBlock
    let downsamples: [DownsampleLevel]
    let bottleneckPre: UNetResnetBlock
    let bottleneckTransformer: UNetTransformer?
    let bottleneckPost: UNetResnetBlock
    let upsamples: [UpsampleLevel]
    let toOut: UNetResnetBlock
    /// `fixed_embedding.embedding.weight` `[max_length, features]`: the learned null condition.
    public let fixedEmbedding: Tensor

    public init(_ scope: ParameterScope, configuration c: UNetConfiguration) throws {
        configuration = c
        let levels = c.multipliers.count - 1
        let widths = c.multipliers.map { $0 * c.channels }
        let mappingFeatures: Int? = (c.useContextTime || c.contextFeatures != nil) ? c.channels * c.contextFeaturesMultiplier : nil
        if let mappingFeatures {
            mappingLayers = (try Linear(scope.child("to_mapping").child(0), inFeatures: mappingFeatures, outFeatures: mappingFeatures),
                             try Linear(scope.child("to_mapping").child(2), inFeatures: mappingFeatures, outFeatures: mappingFeatures))
        } else {
            mappingLayers = nil
        }
        timeEmbedding = c.useContextTime
            ? try FourierTimeEmbedding(scope.child("to_time").child(0), dimension: c.channels, outFeatures: mappingFeatures!)
            : nil
        featureEmbedding = try c.contextFeatures.map {
            try Linear(scope.child("to_features").child(0), inFeatures: $0, outFeatures: mappingFeatures!)
        }
        func transformer(_ scope: ParameterScope, layers: Int, width: Int) throws -> UNetTransformer? {
            guard layers > 0 else { return nil }
            let (heads, features) = c.attentionShape(width: width)
            return try UNetTransformer(scope, layerCount: layers, channels: width, headCount: heads, headFeatures: features,
                                       multiplier: c.attentionMultiplier ?? 1, contextFeatures: c.contextEmbeddingFeatures)
        }
        toIn = try UNetResnetBlock(scope.child("to_in").child("block"), inChannels: c.inChannels, outChannels: widths[0], groupCount: 1,
                                   mappingFeatures: mappingFeatures)
        downsamples = try (0..<levels).map { level in
            let block = scope.child("downsamples").child(level)
            let width = widths[level + 1]
            return DownsampleLevel(
                downsample: try SameConvolution(block.child("downsample"), inChannels: widths[level], outChannels: width,
                                                kernelSize: c.factors[level] * c.kernelMultiplierDownsample + 1, stride: c.factors[level]),
                blocks: try (0..<c.blockCounts[level]).map {
                    try UNetResnetBlock(block.child("blocks").child($0), inChannels: width, outChannels: width, groupCount: c.resnetGroups,
                                        mappingFeatures: mappingFeatures)
                },
                transformer: try transformer(block.child("transformer"), layers: c.attentions[level], width: width))
        }
        let bottleneck = scope.child("bottleneck")
        let deepest = widths[levels]
        bottleneckPre = try UNetResnetBlock(bottleneck.child("pre_block"), inChannels: deepest, outChannels: deepest,
                                            groupCount: c.resnetGroups, mappingFeatures: mappingFeatures)
        bottleneckTransformer = try transformer(bottleneck.child("transformer"), layers: c.attentions.count > levels ? c.attentions[levels] : 0, width: deepest)
        bottleneckPost = try UNetResnetBlock(bottleneck.child("post_block"), inChannels: deepest, outChannels: deepest,
                                             groupCount: c.resnetGroups, mappingFeatures: mappingFeatures)
        upsamples = try (0..<levels).reversed().enumerated().map { position, level in
            let block = scope.child("upsamples").child(position)
            let width = widths[level + 1], outWidth = widths[level], factor = c.factors[level]
            let blockCount = c.blockCounts[level] + (c.attentions[level] > 0 ? 1 : 0)
            return UpsampleLevel(
                blocks: try (0..<blockCount).map {
                    try UNetResnetBlock(block.child("blocks").child($0), inChannels: 2 * width, outChannels: width, groupCount: c.resnetGroups,
                                        mappingFeatures: mappingFeatures)
                },
                transformer: try transformer(block.child("transformer"), layers: c.attentions[level], width: width),
                upsampleConvolution: factor == 1
                    ? try SameConvolution(block.child("upsample"), inChannels: width, outChannels: outWidth, kernelSize: 3) : nil,
                upsampleTransposed: factor == 1 ? nil
                    : try TrimmedTransposedConvolution(block.child("upsample"), inChannels: width, outChannels: outWidth, kernelSize: 2 * factor, stride: factor))
        }
        toOut = try UNetResnetBlock(scope.child("to_out").child("block"), inChannels: widths[0], outChannels: c.outChannels ?? c.inChannels,
                                    groupCount: 1, mappingFeatures: mappingFeatures)
        fixedEmbedding = try scope.child("fixed_embedding").child("embedding").tensor(
            "weight", shape: [c.contextEmbeddingMaxLength, c.contextEmbeddingFeatures])
    }

    /// Latent frames must be a multiple of this.
    public var lengthMultiple: Int { configuration.downsamplingFactor }

    /// The conditioning mapping `[B, M]` from times `[B]` and optional global features `[B, F]`.
    func mapping(time: [Float], features: Tensor?) -> Tensor? {
        guard let mappingLayers else { return nil }
        var total: Tensor? = timeEmbedding.map { $0(time).gelu() }
        if let featureEmbedding, let features {
            let projected = featureEmbedding(features).gelu()
            total = total.map { $0 + projected } ?? projected
        }
        guard let total else { return nil }
        return mappingLayers.1(mappingLayers.0(total).gelu()).gelu()
    }

    /// Projects a context `[B, N, D]` with mask `[B, N]` for every transformer block's cross-attention.
    public func projectContext(embedding: Tensor, mask: Tensor?) -> UNetContextProjection {
        func keyValues(_ transformer: UNetTransformer?) -> [Tensor?] {
            transformer?.contextKeyValues(context: embedding, mask: mask) ?? []
        }
        return UNetContextProjection(downsamples: downsamples.map { keyValues($0.transformer) }, bottleneck: keyValues(bottleneckTransformer),
                                     upsamples: upsamples.map { keyValues($0.transformer) }, batch: embedding.shape[0])
    }

    /// One forward pass without guidance: `x` `[B, C, L]`, `time` `[B]`, `embedding` `[B, N, D]`, `mask` `[B, N]`.
    public func forward(_ input: Tensor, time: [Float], embedding: Tensor, mask: Tensor?, features: Tensor? = nil) -> Tensor {
        forward(input, time: time, context: projectContext(embedding: embedding, mask: mask), features: features)
    }

    /// One forward pass without guidance on a projected context (`projectContext`) of the same batch size.
    public func forward(_ input: Tensor, time: [Float], context: UNetContextProjection, features: Tensor? = nil) -> Tensor {
        precondition(input.shape[2] % lengthMultiple == 0, "U-Net input length \(input.shape[2]) must be a multiple of \(lengthMultiple)")
        precondition(input.shape[0] == context.batch, "U-Net input batch \(input.shape[0]) differs from the context's \(context.batch)")
        let mapping = mapping(time: time, features: features)
        var x = toIn(input, mapping: mapping)
        var skips: [[Tensor]] = [[x]]
        for (level, keyValues) in zip(downsamples, context.downsamples) {
            x = level.downsample(x)
            var levelSkips: [Tensor] = []
            for block in level.blocks {
                x = block(x, mapping: mapping)
                levelSkips.append(x)
            }
            if let transformer = level.transformer {
                x = transformer(x, contextKeyValues: keyValues)
                levelSkips.append(x)
            }
            skips.append(levelSkips)
        }
        x = bottleneckPre(x, mapping: mapping)
        if let bottleneckTransformer { x = bottleneckTransformer(x, contextKeyValues: context.bottleneck) }
        x = bottleneckPost(x, mapping: mapping)
        let skipScale: Float = configuration.useSkipScale ? 0.70710678118654752 : 1  // 2^−½
        for (level, keyValues) in zip(upsamples, context.upsamples) {
            var levelSkips = skips.removeLast()
            for block in level.blocks {
                let skip = levelSkips.removeLast()
                x = block(Tensor.concatenate([x, skipScale == 1 ? skip : skip * skipScale], axis: 1), mapping: mapping)
            }
            if let transformer = level.transformer { x = transformer(x, contextKeyValues: keyValues) }
            x = level.upsampleConvolution?(x) ?? level.upsampleTransposed!(x)
        }
        x = x + skips.removeLast()[0]
        return toOut(x, mapping: mapping)
    }

    /// The learned null condition for an embedding of `length` tokens, repeated over `batch` items: `[B, N, D]`.
    public func nullEmbedding(batch: Int, length: Int) -> Tensor {
        precondition(length <= configuration.contextEmbeddingMaxLength, "embedding length \(length) exceeds context_embedding_max_length \(configuration.contextEmbeddingMaxLength)")
        let rows = fixedEmbedding.slice(axis: 0, 0..<length).expandingDimension(at: 0)
        return Tensor.concatenate([Tensor](repeating: rows, count: batch), axis: 0)
    }

    /// The projected context of a guided pass: the conditional embedding, then the null condition (the learned
    /// fixed embedding, or the negative prompt where its mask is set), as one batch of 2B; with `guidance.scale`
    /// 1, just the conditional embedding.
    public func guidedContext(embedding: Tensor, mask: Tensor?, guidance: ClassifierFreeGuidance) -> UNetContextProjection {
        guard guidance.scale != 1 else { return projectContext(embedding: embedding, mask: mask) }
        let fixed = nullEmbedding(batch: embedding.shape[0], length: embedding.shape[1])
        var unconditional = fixed
        if let negative = guidance.negativeEmbedding {
            // where(negative_mask, negative, fixed_embedding)
            unconditional = guidance.negativeMask.map { negativeMask in
                let keep = negativeMask.expandingDimension(at: 2)  // [B, N, 1]
                return negative * keep + fixed * (1 - keep)
            } ?? negative
        }
        return projectContext(embedding: Tensor.concatenate([embedding, unconditional], axis: 0),
                              mask: mask.map { Tensor.concatenate([$0, $0], axis: 0) })
    }

    /// A guided forward pass as `UNetCFG1d.forward(batch_cfg=True)` on a context from `guidedContext` (the same
    /// `guidance`); `guidance.scale == 1` runs a plain pass.
    public func guidedForward(_ input: Tensor, time: [Float], context: UNetContextProjection, features: Tensor? = nil,
                              guidance: ClassifierFreeGuidance) -> Tensor {
        guard guidance.scale != 1 else { return forward(input, time: time, context: context, features: features) }
        let doubled = forward(Tensor.concatenate([input, input], axis: 0), time: time + time, context: context,
                              features: features.map { Tensor.concatenate([$0, $0], axis: 0) })
        let halves = doubled.chunked(2, axis: 0)
        return guidance.combine(conditional: halves[0], unconditional: halves[1])
    }

    /// A guided forward pass as `UNetCFG1d.forward(batch_cfg=True)`; `guidance.scale == 1` runs a plain pass.
    public func callAsFunction(_ input: Tensor, time: [Float], embedding: Tensor, mask: Tensor?, features: Tensor? = nil,
                               guidance: ClassifierFreeGuidance) -> Tensor {
        guidedForward(input, time: time, context: guidedContext(embedding: embedding, mask: mask, guidance: guidance),
                      features: features, guidance: guidance)
    }
}
