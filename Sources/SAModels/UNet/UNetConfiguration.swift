/// The `adp_cfg_1d` diffusion config (`UNetCFG1d` keyword arguments in SAT's `models/adp.py`), SAT's key names.
public struct UNetConfiguration: Codable, Sendable, Equatable {
    public var inChannels: Int
    public var channels: Int
    public var multipliers: [Int]
    public var factors: [Int]
    public var blockCounts: [Int]
    public var attentions: [Int]
    public var patchSize = 1
    public var resnetGroups = 8
    public var useContextTime = true
    public var kernelMultiplierDownsample = 2
    public var useNearestUpsample = false
    public var useSkipScale = true
    public var outChannels: Int?
    public var contextFeatures: Int?
    public var contextFeaturesMultiplier = 4
    public var contextChannels: [Int]?
    public var contextEmbeddingFeatures: Int
    public var contextEmbeddingMaxLength: Int
    public var useCrossAttentionTime = false
    public var attentionHeads: Int?
    public var attentionFeatures: Int?
    public var attentionMultiplier: Int?
    public var useSTFT = false

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", channels, multipliers, factors, blockCounts = "num_blocks", attentions
        case patchSize = "patch_size", resnetGroups = "resnet_groups", useContextTime = "use_context_time"
        case kernelMultiplierDownsample = "kernel_multiplier_downsample", useNearestUpsample = "use_nearest_upsample"
        case useSkipScale = "use_skip_scale", outChannels = "out_channels", contextFeatures = "context_features"
        case contextFeaturesMultiplier = "context_features_multiplier", contextChannels = "context_channels"
        case contextEmbeddingFeatures = "context_embedding_features", contextEmbeddingMaxLength = "context_embedding_max_length"
        case useCrossAttentionTime = "use_xattn_time", attentionHeads = "attention_heads", attentionFeatures = "attention_features"
        case attentionMultiplier = "attention_multiplier", useSTFT = "use_stft"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try c.decode(Int.self, forKey: .inChannels)
        channels = try c.decode(Int.self, forKey: .channels)
        multipliers = try c.decode([Int].self, forKey: .multipliers)
        factors = try c.decode([Int].self, forKey: .factors)
        blockCounts = try c.decode([Int].self, forKey: .blockCounts)
        attentions = try c.decode([Int].self, forKey: .attentions)
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? patchSize
        resnetGroups = try c.decodeIfPresent(Int.self, forKey: .resnetGroups) ?? resnetGroups
        useContextTime = try c.decodeIfPresent(Bool.self, forKey: .useContextTime) ?? useContextTime
        kernelMultiplierDownsample = try c.decodeIfPresent(Int.self, forKey: .kernelMultiplierDownsample) ?? kernelMultiplierDownsample
        useNearestUpsample = try c.decodeIfPresent(Bool.self, forKey: .useNearestUpsample) ?? useNearestUpsample
        useSkipScale = try c.decodeIfPresent(Bool.self, forKey: .useSkipScale) ?? useSkipScale
        outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels)
        contextFeatures = try c.decodeIfPresent(Int.self, forKey: .contextFeatures)
        contextFeaturesMultiplier = try c.decodeIfPresent(Int.self, forKey: .contextFeaturesMultiplier) ?? contextFeaturesMultiplier
        contextChannels = try c.decodeIfPresent([Int].self, forKey: .contextChannels)
        contextEmbeddingFeatures = try c.decode(Int.self, forKey: .contextEmbeddingFeatures)
        contextEmbeddingMaxLength = try c.decode(Int.self, forKey: .contextEmbeddingMaxLength)
        useCrossAttentionTime = try c.decodeIfPresent(Bool.self, forKey: .useCrossAttentionTime) ?? useCrossAttentionTime
        attentionHeads = try c.decodeIfPresent(Int.self, forKey: .attentionHeads)
        attentionFeatures = try c.decodeIfPresent(Int.self, forKey: .attentionFeatures)
        attentionMultiplier = try c.decodeIfPresent(Int.self, forKey: .attentionMultiplier)
        useSTFT = try c.decodeIfPresent(Bool.self, forKey: .useSTFT) ?? useSTFT
        try validate(codingPath: codingPathText(decoder.codingPath))
    }

    /// Rejects what the port does not implement, naming the key.
    func validate(codingPath path: String) throws {
        func unsupported(_ key: String, _ value: String, _ supported: [String]) -> ModelConfigurationError {
            ModelConfigurationError.unsupported(key: path.isEmpty ? key : "\(path).\(key)", value: value, supported: supported)
        }
        let levels = multipliers.count - 1
        guard levels >= 1, factors.count == levels, blockCounts.count == levels, attentions.count >= levels + 1 || attentions.count == levels else {
            throw ModelConfigurationError(key: path.isEmpty ? "multipliers" : "\(path).multipliers",
                                          reason: "needs factors, num_blocks (one per level) and attentions (one per level, plus the bottleneck) for \(levels) levels")
        }
        if patchSize != 1 { throw unsupported("patch_size", String(patchSize), ["1"]) }
        if useNearestUpsample { throw unsupported("use_nearest_upsample", "true", ["false"]) }
        if useSTFT { throw unsupported("use_stft", "true", ["false"]) }
        if useCrossAttentionTime { throw unsupported("use_xattn_time", "true", ["false"]) }
        if let contextChannels, contextChannels.contains(where: { $0 > 0 }) {
            throw unsupported("context_channels", "\(contextChannels)", ["none (input concatenation is not ported)"])
        }
        if attentions.contains(where: { $0 > 0 }) && attentionMultiplier == nil {
            throw ModelConfigurationError(key: path.isEmpty ? "attention_multiplier" : "\(path).attention_multiplier", reason: "missing")
        }
        if attentions.contains(where: { $0 > 0 }) && attentionHeads == nil && attentionFeatures == nil {
            throw ModelConfigurationError(key: path.isEmpty ? "attention_heads" : "\(path).attention_heads", reason: "set attention_heads or attention_features")
        }
    }

    /// Frames per bottleneck frame: the latent length must be a multiple of this.
    public var downsamplingFactor: Int { factors.reduce(1, *) }

    /// Heads and per-head width for a level of `width` channels (SAT derives whichever is unset).
    func attentionShape(width: Int) -> (heads: Int, features: Int) {
        let features = attentionFeatures ?? width / max(1, attentionHeads ?? 1)
        let heads = attentionHeads ?? width / max(1, features)
        return (heads, features)
    }
}
