import SANN
import SATensor

/// A stable-audio-tools `diffusion_cond` model: conditioners, a U-Net or DiT backbone and an autoencoder
/// pretransform, loaded from one checkpoint with SAT's key prefixes (`model.model.`,
/// `conditioner.conditioners.<id>.`, `pretransform.model.`) and strict verification of every key.
///
/// Conditioning follows SAT's `MultiConditioner` + `get_conditioning_inputs`: each conditioner runs on the batch's
/// values; `cross_attention_cond_ids` outputs are concatenated along tokens in list order (2-D outputs become one
/// token), masks likewise; `global_cond_ids` outputs are concatenated along channels and squeezed to `[B, G]`.
/// Int conditioners receive seconds rounded up (as SAT's training data sets `seconds_total = ⌈len/sr⌉`).
public struct ConditionedDiffusionModel: Sendable {
    public enum Backbone: Sendable {
        case unet(UNet1D)
        case dit(DiffusionTransformer)
    }

    public let configuration: ModelConfiguration
    public let conditioning: ConditioningConfiguration
    public let diffusion: DiffusionSection
    public let backbone: Backbone
    public let pretransform: AudioAutoencoder
    let numberConditioners: [String: NumberConditioner]
    let intConditioners: [String: IntConditioner]
    let promptConditioners: [String: any PromptConditioner]

    /// Loads a model folder, verifying that every tensor in its checkpoint is used.
    public init(folder: ModelFolder, promptConditionerFactory: PromptConditionerFactory) throws {
        guard let configurationPath = folder.configurationPath else {
            throw ModelFolderError.invalidConfiguration(path: folder.path, reason: "no model_config.json")
        }
        let configuration = try ModelConfiguration(contentsOf: configurationPath)
        let store = ParameterStore(files: folder.weightFiles)
        try self.init(store: store, configuration: configuration, folder: folder, promptConditionerFactory: promptConditionerFactory)
        try store.verifyAllUsed()
    }

    /// Loads from a parameter store (the caller verifies unused keys).
    public init(store: ParameterStore, configuration: ModelConfiguration, folder: ModelFolder?,
                promptConditionerFactory: PromptConditionerFactory) throws {
        guard configuration.modelType == "diffusion_cond", let conditioning = configuration.conditioning,
              let diffusion = configuration.diffusion else {
            throw ModelConfigurationError.unsupported(key: "model_type", value: configuration.modelType, supported: ["diffusion_cond"])
        }
        self.configuration = configuration
        self.conditioning = conditioning
        self.diffusion = diffusion
        let conditioners = store.scope("conditioner.conditioners")
        var numbers: [String: NumberConditioner] = [:], integers: [String: IntConditioner] = [:]
        var prompts: [String: any PromptConditioner] = [:]
        for specification in conditioning.conditioners {
            let scope = conditioners.child(specification.id)
            let width = specification.outputDimension(default: conditioning.conditionDimension)
            let range = specification.range
            switch specification.type {
            case "number":
                numbers[specification.id] = try NumberConditioner(scope, minimum: Float(range.minimum), maximum: Float(range.maximum), outputDimension: width)
            case "int":
                integers[specification.id] = try IntConditioner(scope, minimum: Int(range.minimum), maximum: Int(range.maximum), outputDimension: width)
            default:
                prompts[specification.id] = try promptConditionerFactory(specification, conditioning.conditionDimension, scope, folder)
            }
        }
        numberConditioners = numbers
        intConditioners = integers
        promptConditioners = prompts
        switch diffusion.backbone {
        case .unet(let unet): backbone = .unet(try UNet1D(store.scope("model.model"), configuration: unet))
        case .dit(let dit): backbone = .dit(try DiffusionTransformer(store.scope("model.model"), configuration: dit))
        }
        pretransform = try AudioAutoencoder(store.scope(configuration.autoencoderKeyPrefix), configuration: configuration.autoencoder)
    }

    /// Latent channels the backbone works on.
    public var latentChannels: Int { pretransform.latentChannels }
    /// Latent frames must be a multiple of this (the U-Net's total downsampling; 1 for the DiT).
    public var latentLengthMultiple: Int {
        if case .unet(let unet) = backbone { return unet.lengthMultiple }
        return 1
    }

    /// Runs every conditioner on a batch of metadata dictionaries (one per item, keyed by conditioner id).
    public func conditionerOutputs(_ batch: [[String: ConditioningValue]]) throws -> [String: ConditionerOutput] {
        var outputs: [String: ConditionerOutput] = [:]
        for specification in conditioning.conditioners {
            let id = specification.id
            let values = try batch.enumerated().map { index, item -> ConditioningValue in
                guard let value = item[id] else {
                    throw ModelConfigurationError(key: "conditioning '\(id)'", reason: "batch item \(index) has no value for it")
                }
                return value
            }
            if let conditioner = numberConditioners[id] {
                outputs[id] = conditioner(try values.map { try Self.number(id, $0) })
            } else if let conditioner = intConditioners[id] {
                outputs[id] = try conditioner(try values.map { try Self.integer(id, $0, for: conditioner) })
            } else if let conditioner = promptConditioners[id] {
                outputs[id] = try conditioner(try values.map { value in
                    guard case .text(let text) = value else {
                        throw ModelConfigurationError(key: "conditioning '\(id)'", reason: "needs text, got \(value)")
                    }
                    return text
                })
            }
        }
        return outputs
    }

    private static func number(_ id: String, _ value: ConditioningValue) throws -> Double {
        guard case .number(let number) = value, number.isFinite else {
            throw ModelConfigurationError(key: "conditioning '\(id)'", reason: "needs a finite number, got \(value)")
        }
        return number
    }

    /// An int conditioner's input: the value rounded up, then clamped to the conditioner's range (which the
    /// conditioner does anyway) before it becomes an `Int`, so that no finite number is too large to convert.
    private static func integer(_ id: String, _ value: ConditioningValue, for conditioner: IntConditioner) throws -> Int {
        let rounded = try number(id, value).rounded(.up)
        return Int(min(max(rounded, Double(conditioner.minimum)), Double(conditioner.maximum)))
    }

    /// Text conditioners that would truncate `prompt`: (id, tokens needed, limit).
    public func promptTruncations(_ prompt: String) throws -> [(id: String, count: Int, limit: Int)] {
        try promptConditioners.sorted { $0.key < $1.key }.compactMap { id, conditioner in
            guard let usage = try conditioner.tokenUsage(prompt), usage.count > usage.limit else { return nil }
            return (id, usage.count, usage.limit)
        }
    }

    /// SAT's `get_conditioning_inputs`.
    public func assemble(_ outputs: [String: ConditionerOutput]) throws -> ConditioningInputs {
        func output(_ id: String) throws -> ConditionerOutput {
            guard let value = outputs[id] else { throw ModelConfigurationError(key: "conditioning '\(id)'", reason: "no conditioner output") }
            return value
        }
        var inputs = ConditioningInputs()
        if !diffusion.crossAttentionConditionIDs.isEmpty {
            let parts = try diffusion.crossAttentionConditionIDs.map(output)
            inputs.crossAttention = Tensor.concatenate(parts.map(\.embeddings), axis: 1)
            inputs.crossAttentionMask = Tensor.concatenate(parts.map(\.mask), axis: 1)
        }
        if !diffusion.globalConditionIDs.isEmpty {
            // cat(dim=-1) of [B, 1, D] tensors, then squeeze(1)
            let parts = try diffusion.globalConditionIDs.map { try output($0).embeddings }
            inputs.global = Tensor.concatenate(parts, axis: -1).squeezingDimension(1)
        }
        return inputs
    }

    /// Conditioner outputs and assembly in one call.
    public func condition(_ batch: [[String: ConditioningValue]]) throws -> ConditioningInputs {
        try assemble(try conditionerOutputs(batch))
    }

    /// The backbone's v-prediction for latents `[B, C, L]` at k-diffusion times `[B]`, with classifier-free
    /// guidance as the backbone's SAT forward does it (`negative`: the assembled negative-prompt conditioning).
    public func velocity(_ x: Tensor, time: [Float], inputs: ConditioningInputs, guidanceScale: Float = 1, rescale: Float = 0,
                         negative: ConditioningInputs? = nil, guidanceInterval: ClosedRange<Float> = 0...1) -> Tensor {
        velocityFunction(inputs: inputs, guidanceScale: guidanceScale, rescale: rescale, negative: negative,
                         guidanceInterval: guidanceInterval)(x, time)
    }

    /// `velocity` with the conditioning fixed, for a sampler's steps: work that depends only on the conditioning
    /// (the U-Net's cross-attention keys and values) is done once, here, instead of at every step. Same results
    /// as `velocity`. The returned function takes latents `[B, C, L]` of the conditioning's batch size and times `[B]`.
    public func velocityFunction(inputs: ConditioningInputs, guidanceScale: Float = 1, rescale: Float = 0,
                                 negative: ConditioningInputs? = nil,
                                 guidanceInterval: ClosedRange<Float> = 0...1) -> @Sendable (Tensor, [Float]) -> Tensor {
        let guidance = ClassifierFreeGuidance(scale: guidanceScale, rescale: rescale, negativeEmbedding: negative?.crossAttention,
                                              negativeMask: negative?.crossAttentionMask)
        switch backbone {
        case .unet(let unet):
            guard let embedding = inputs.crossAttention else {
                let global = inputs.global
                return { x, time in
                    unet.forward(x, time: time, embedding: Tensor(zeros: [x.shape[0], 0, unet.configuration.contextEmbeddingFeatures]),
                                 mask: nil, features: global)
                }
            }
            let context = unet.guidedContext(embedding: embedding, mask: inputs.crossAttentionMask, guidance: guidance)
            let global = inputs.global
            return { x, time in unet.guidedForward(x, time: time, context: context, features: global, guidance: guidance) }
        case .dit(let dit):
            return { x, time in
                dit(x, time: time, context: inputs.crossAttention, globalCondition: inputs.global, guidance: guidance,
                    guidanceInterval: guidanceInterval)
            }
        }
    }
}
