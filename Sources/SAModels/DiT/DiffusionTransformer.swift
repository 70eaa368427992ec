import SANN
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// SAT's `dit` backbone: `DiffusionTransformer` (`models/dit.py`) with a `continuous_transformer`, wrapped as
/// `DiTWrapper` (keys under `model.model.` in a checkpoint; this type takes the DiT's own scope). Stable Audio
/// Open's backbone.
///
/// Forward, for latents x `[B, C, L]`, time t `[B]` (k-diffusion t = atan(σ)·2/π), context `[B, M, Dc]`, global
/// condition `[B, G]`:
///
///     ctx  = to_cond_embed(context)                       Linear–SiLU–Linear, no bias
///     g    = to_global_embed(global) + to_timestep_embed([cos 2πtW, sin 2πtW])   (cos first)
///     x    = preprocess_conv(x) + x;  h = [g ; project_in(xᵀ)]   (the global token is position 0)
///     h    = blocks(h, ctx) with RoPE over positions 0…L
///     out  = project_out(h)ᵀ without the first token;  v = postprocess_conv(out) + out
///
/// Guidance follows `DiffusionTransformer.forward`: the null condition is an all-zero context (global and time
/// kept), a negative prompt replaces it (zero where its mask is off), and guidance is skipped when
/// sin(t₀·π/2) of the batch's first item lies outside `guidanceInterval`. SAT applies no attention masks, and
/// neither does this port.
///
/// Limitations: prepend-type global conditioning, global timestep conditioning, patch size 1, no input concat.
public struct DiffusionTransformer: Sendable {
    public let configuration: DiTConfiguration
    let timestepWeights: [Float]
    let timestepEmbed: (Linear, Linear)
    let conditionEmbed: (Linear, Linear)?
    let globalEmbed: (Linear, Linear)?
    let preprocess: Conv1d
    let postprocess: Conv1d
    let projectIn: Linear
    let projectOut: Linear
    let inverseFrequencies: [Float]
    let blocks: [DiTTransformerBlock]

    public init(_ scope: ParameterScope, configuration c: DiTConfiguration) throws {
        configuration = c
        let embed = c.embedDimension
        timestepWeights = try scope.child("timestep_features").tensor("weight", shape: [128, 1]).scalars
        timestepEmbed = (try Linear(scope.child("to_timestep_embed").child(0), inFeatures: 256, outFeatures: embed),
                         try Linear(scope.child("to_timestep_embed").child(2), inFeatures: embed, outFeatures: embed))
        let contextDimension = c.projectConditionTokens ? embed : c.conditionTokenDimension
        conditionEmbed = c.conditionTokenDimension > 0
            ? (try Linear(scope.child("to_cond_embed").child(0), inFeatures: c.conditionTokenDimension, outFeatures: contextDimension, hasBias: false),
               try Linear(scope.child("to_cond_embed").child(2), inFeatures: contextDimension, outFeatures: contextDimension, hasBias: false))
            : nil
        let globalDimension = c.projectGlobalCondition ? embed : c.globalConditionDimension
        globalEmbed = c.globalConditionDimension > 0
            ? (try Linear(scope.child("to_global_embed").child(0), inFeatures: c.globalConditionDimension, outFeatures: globalDimension, hasBias: false),
               try Linear(scope.child("to_global_embed").child(2), inFeatures: globalDimension, outFeatures: globalDimension, hasBias: false))
            : nil
        preprocess = try Conv1d(scope.child("preprocess_conv"), inChannels: c.ioChannels, outChannels: c.ioChannels, kernelSize: 1, hasBias: false)
        postprocess = try Conv1d(scope.child("postprocess_conv"), inChannels: c.ioChannels, outChannels: c.ioChannels, kernelSize: 1, hasBias: false)
        let transformer = scope.child("transformer")
        projectIn = try Linear(transformer.child("project_in"), inFeatures: c.ioChannels, outFeatures: embed, hasBias: false)
        projectOut = try Linear(transformer.child("project_out"), inFeatures: embed, outFeatures: c.ioChannels, hasBias: false)
        inverseFrequencies = try transformer.child("rotary_pos_emb").tensor("inv_freq", shape: [c.rotaryDimension / 2]).scalars
        blocks = try (0..<c.depth).map {
            try DiTTransformerBlock(transformer.child("layers").child($0), dimension: embed, headCount: c.headCount,
                                    contextDimension: c.conditionTokenDimension > 0 ? contextDimension : nil)
        }
    }

    /// The timestep features [cos(2π·t·W), sin(2π·t·W)] `[B, 256]` (SAT's `FourierFeatures`, cos first).
    public func timestepFeatures(_ time: [Float]) -> Tensor {
        let half = timestepWeights.count
        return Tensor(uninitializedShape: [time.count, 2 * half]) { output in
            for (row, t) in time.enumerated() {
                for index in 0..<half {
                    // f = 2π · (t @ Wᵀ)
                    let angle = 2 * Float.pi * (t * timestepWeights[index])
                    output[row * 2 * half + index] = cosf(angle)
                    output[row * 2 * half + half + index] = sinf(angle)
                }
            }
        }
    }

    /// One forward pass without guidance.
    public func forward(_ input: Tensor, time: [Float], context: Tensor?, globalCondition: Tensor?) -> Tensor {
        let length = input.shape[2]
        let embeddedContext = conditionEmbed.flatMap { layers in context.map { layers.1(layers.0($0).silu()) } }
        var global = timestepEmbed.1(timestepEmbed.0(timestepFeatures(time)).silu())
        if let globalEmbed, let globalCondition { global = globalEmbed.1(globalEmbed.0(globalCondition).silu()) + global }
        let x = preprocess(input) + input
        var h = Tensor.concatenate([global.expandingDimension(at: 1), projectIn(x.transposed(1, 2))], axis: 1)  // [B, L+1, D]
        let rotary = RotaryTables(inverseFrequencies: inverseFrequencies, positions: length + 1)
        for block in blocks { h = block(h, context: embeddedContext, rotary: rotary) }
        let out = projectOut(h).transposed(1, 2).slice(axis: 2, 1..<(length + 1))  // [B, C, L]
        return postprocess(out) + out
    }

    /// A guided forward pass as `DiffusionTransformer.forward` (always batch CFG).
    ///
    /// - `guidanceInterval`: guidance applies only when cfg_interval.lower ≤ sin(t₀·π/2) ≤ upper (t₀: first item).
    public func callAsFunction(_ input: Tensor, time: [Float], context: Tensor?, globalCondition: Tensor?,
                               guidance: ClassifierFreeGuidance, guidanceInterval: ClosedRange<Float> = 0...1) -> Tensor {
        let sigma = sinf(time[0] * Float.pi / 2)
        guard guidance.scale != 1, let context, guidanceInterval.contains(sigma) else {
            return forward(input, time: time, context: context, globalCondition: globalCondition)
        }
        var unconditional = Tensor(zeros: context.shape)
        if let negative = guidance.negativeEmbedding {
            // where(negative_mask, negative, 0)
            unconditional = guidance.negativeMask.map { negative * $0.expandingDimension(at: 2) } ?? negative
        }
        let doubled = forward(Tensor.concatenate([input, input], axis: 0), time: time + time,
                              context: Tensor.concatenate([context, unconditional], axis: 0),
                              globalCondition: globalCondition.map { Tensor.concatenate([$0, $0], axis: 0) })
        let halves = doubled.chunked(2, axis: 0)
        return guidance.combine(conditional: halves[0], unconditional: halves[1])
    }
}
