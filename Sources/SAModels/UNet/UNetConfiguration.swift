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

    /// Rejects what the port does not implement and every value the forward pass cannot run with, naming the key
    /// and the value. Beyond SAT's own requirements this checks what the tensor ops rely on: every size is positive
    /// (counts may be 0), `resnet_groups` divides the width of every level, a level with a transformer has a width
    /// that is a multiple of 32 (the fixed group count of the transformer's GroupNorm) and at least one head of at
    /// least one channel, and `channels` is even when the time embedding (channels / 2 frequencies) is used.
    func validate(codingPath path: String) throws {
        let validator = ConfigurationValidator(path: path)
        func unsupported(_ key: String, _ value: String, _ supported: [String]) -> ModelConfigurationError {
            ModelConfigurationError.unsupported(key: validator.key(key), value: value, supported: supported)
        }
        let levels = multipliers.count - 1
        guard levels >= 1, factors.count == levels, blockCounts.count == levels, attentions.count >= levels + 1 || attentions.count == levels else {
            throw validator.error("multipliers", "needs factors, num_blocks (one per level) and attentions (one per level, plus the bottleneck) for \(levels) levels")
        }
        if patchSize != 1 { throw unsupported("patch_size", String(patchSize), ["1"]) }
        if useNearestUpsample { throw unsupported("use_nearest_upsample", "true", ["false"]) }
        if useSTFT { throw unsupported("use_stft", "true", ["false"]) }
        if useCrossAttentionTime { throw unsupported("use_xattn_time", "true", ["false"]) }
        if let contextChannels, contextChannels.contains(where: { $0 > 0 }) {
            throw unsupported("context_channels", "\(contextChannels)", ["none (input concatenation is not ported)"])
        }
        if attentions.contains(where: { $0 > 0 }) && attentionMultiplier == nil { throw validator.error("attention_multiplier", "missing") }
        if attentions.contains(where: { $0 > 0 }) && attentionHeads == nil && attentionFeatures == nil {
            throw validator.error("attention_heads", "set attention_heads or attention_features")
        }
        try validateSizes(validator)
        let widths = try multipliers.map { try validator.product([channels, $0], "multipliers") }
        if useContextTime {
            try validator.require(channels % 2 == 0, "channels", "\(channels) must be even: the time embedding takes channels / 2 frequencies")
        }
        for level in 1...levels {
            try validator.require(widths[level] % resnetGroups == 0, "resnet_groups",
                                  "\(resnetGroups) does not divide the \(widths[level]) channels of level \(level - 1) (channels \(channels) × multipliers[\(level)] \(multipliers[level]))")
        }
        for (level, layers) in attentions.prefix(levels + 1).enumerated() where layers > 0 {
            // Level i's transformer works on widths[i + 1]; the bottleneck's (index `levels`) on widths[levels].
            let width = widths[min(level + 1, levels)]
            let place = level < levels ? "level \(level)" : "the bottleneck"
            try validator.require(width % 32 == 0, "attentions",
                                  "attentions[\(level)] = \(layers) puts a transformer on the \(width) channels of \(place), whose GroupNorm has 32 groups: the width must be a multiple of 32")
            let (heads, features) = attentionShape(width: width)
            try validator.require(heads >= 1 && features >= 1, attentionFeatures == nil ? "attention_heads" : "attention_features",
                                  "gives \(heads) heads of \(features) channels for the \(width) channels of \(place)")
            _ = try validator.product([heads, features, 2], attentionFeatures == nil ? "attention_heads" : "attention_features")
            _ = try validator.product([width, attentionMultiplier ?? 1], "attention_multiplier")
        }
    }

    /// Every size within `ConfigurationValidator`'s range: channel counts, multipliers, factors and lengths at least
    /// 1, block and transformer counts at least 0.
    private func validateSizes(_ validator: ConfigurationValidator) throws {
        try validator.requireSize(inChannels, "in_channels")
        if let outChannels { try validator.requireSize(outChannels, "out_channels") }
        try validator.requireSize(channels, "channels")
        try validator.requireSizes(multipliers, "multipliers")
        try validator.requireSizes(factors, "factors")
        _ = try validator.product(factors, "factors")
        try validator.requireSizes(blockCounts, "num_blocks", minimum: 0)
        try validator.requireSizes(attentions, "attentions", minimum: 0)
        try validator.requireSize(kernelMultiplierDownsample, "kernel_multiplier_downsample")
        for factor in factors { _ = try validator.product([factor, kernelMultiplierDownsample, 2], "kernel_multiplier_downsample") }
        try validator.requireSize(resnetGroups, "resnet_groups")
        try validator.requireSize(contextFeaturesMultiplier, "context_features_multiplier")
        _ = try validator.product([channels, contextFeaturesMultiplier], "context_features_multiplier")
        if let contextFeatures { try validator.requireSize(contextFeatures, "context_features") }
        try validator.requireSize(contextEmbeddingFeatures, "context_embedding_features")
        try validator.requireSize(contextEmbeddingMaxLength, "context_embedding_max_length")
        if let attentionHeads { try validator.requireSize(attentionHeads, "attention_heads") }
        if let attentionFeatures { try validator.requireSize(attentionFeatures, "attention_features") }
        if let attentionMultiplier { try validator.requireSize(attentionMultiplier, "attention_multiplier") }
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
