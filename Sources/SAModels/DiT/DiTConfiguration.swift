/// The `dit` diffusion config (`DiffusionTransformer` keyword arguments in SAT's `models/dit.py`), SAT's key names
/// and defaults.
public struct DiTConfiguration: Codable, Sendable, Equatable {
    public var ioChannels = 32
    public var patchSize = 1
    public var embedDimension = 768
    public var conditionTokenDimension = 0
    public var projectConditionTokens = true
    public var globalConditionDimension = 0
    public var projectGlobalCondition = true
    public var inputConcatDimension = 0
    public var prependConditionDimension = 0
    public var depth = 12
    public var headCount = 8
    public var transformerType = "continuous_transformer"
    public var globalConditionType = "prepend"
    public var timestepConditionType = "global"

    enum CodingKeys: String, CodingKey {
        case ioChannels = "io_channels", patchSize = "patch_size", embedDimension = "embed_dim"
        case conditionTokenDimension = "cond_token_dim", projectConditionTokens = "project_cond_tokens"
        case globalConditionDimension = "global_cond_dim", projectGlobalCondition = "project_global_cond"
        case inputConcatDimension = "input_concat_dim", prependConditionDimension = "prepend_cond_dim"
        case depth, headCount = "num_heads", transformerType = "transformer_type"
        case globalConditionType = "global_cond_type", timestepConditionType = "timestep_cond_type"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ioChannels = try c.decodeIfPresent(Int.self, forKey: .ioChannels) ?? ioChannels
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? patchSize
        embedDimension = try c.decodeIfPresent(Int.self, forKey: .embedDimension) ?? embedDimension
        conditionTokenDimension = try c.decodeIfPresent(Int.self, forKey: .conditionTokenDimension) ?? conditionTokenDimension
        projectConditionTokens = try c.decodeIfPresent(Bool.self, forKey: .projectConditionTokens) ?? projectConditionTokens
        globalConditionDimension = try c.decodeIfPresent(Int.self, forKey: .globalConditionDimension) ?? globalConditionDimension
        projectGlobalCondition = try c.decodeIfPresent(Bool.self, forKey: .projectGlobalCondition) ?? projectGlobalCondition
        inputConcatDimension = try c.decodeIfPresent(Int.self, forKey: .inputConcatDimension) ?? inputConcatDimension
        prependConditionDimension = try c.decodeIfPresent(Int.self, forKey: .prependConditionDimension) ?? prependConditionDimension
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? depth
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? headCount
        transformerType = try c.decodeIfPresent(String.self, forKey: .transformerType) ?? transformerType
        globalConditionType = try c.decodeIfPresent(String.self, forKey: .globalConditionType) ?? globalConditionType
        timestepConditionType = try c.decodeIfPresent(String.self, forKey: .timestepConditionType) ?? timestepConditionType
        let validator = ConfigurationValidator(codingPath: decoder.codingPath)
        if patchSize != 1 { throw ModelConfigurationError.unsupported(key: validator.key("patch_size"), value: String(patchSize), supported: ["1"]) }
        if transformerType != "continuous_transformer" {
            throw ModelConfigurationError.unsupported(key: validator.key("transformer_type"), value: transformerType, supported: ["continuous_transformer"])
        }
        if globalConditionType != "prepend" { throw ModelConfigurationError.unsupported(key: validator.key("global_cond_type"), value: globalConditionType, supported: ["prepend"]) }
        if timestepConditionType != "global" {
            throw ModelConfigurationError.unsupported(key: validator.key("timestep_cond_type"), value: timestepConditionType, supported: ["global"])
        }
        if inputConcatDimension != 0 { throw ModelConfigurationError.unsupported(key: validator.key("input_concat_dim"), value: String(inputConcatDimension), supported: ["0"]) }
        if prependConditionDimension != 0 {
            throw ModelConfigurationError.unsupported(key: validator.key("prepend_cond_dim"), value: String(prependConditionDimension), supported: ["0"])
        }
        try validateSizes(validator)
    }

    /// Every size the forward pass relies on, naming the key and the value: widths and depth at least 1 (condition
    /// widths at least 0, 0 = none), a whole head width of at least 32 (SAT's rotary width, so the rotary tables fit
    /// every head), a `cond_token_dim` that splits into key/value heads dividing `num_heads` when the tokens are
    /// not projected, and a `global_cond_dim` equal to `embed_dim` when the global condition is not projected (it
    /// is added to the timestep embedding).
    private func validateSizes(_ validator: ConfigurationValidator) throws {
        try validator.requireSize(ioChannels, "io_channels")
        try validator.requireSize(embedDimension, "embed_dim")
        try validator.requireSize(depth, "depth")
        try validator.requireSize(headCount, "num_heads")
        try validator.requireSize(conditionTokenDimension, "cond_token_dim", minimum: 0)
        try validator.requireSize(globalConditionDimension, "global_cond_dim", minimum: 0)
        try validator.require(embedDimension % headCount == 0 && embedDimension / headCount >= 32, "num_heads",
                              "embed_dim \(embedDimension) / num_heads \(headCount) must be a whole head width of at least 32 (SAT's rotary width)")
        let headWidth = embedDimension / headCount
        if conditionTokenDimension > 0 {
            try validator.require(conditionTokenDimension % headWidth == 0, "cond_token_dim",
                                  "\(conditionTokenDimension) must be a multiple of the head width \(headWidth) (key/value heads)")
        }
        if conditionTokenDimension > 0 && !projectConditionTokens {
            // Cross-attention reads cond_token_dim / head width key/value heads; each serves num_heads / that many queries.
            let keyValueHeads = conditionTokenDimension / headWidth
            try validator.require(headCount % keyValueHeads == 0, "cond_token_dim",
                                  "\(conditionTokenDimension) gives \(keyValueHeads) key/value heads of width \(headWidth), which do not divide num_heads \(headCount) (project_cond_tokens is false)")
        }
        if globalConditionDimension > 0 && !projectGlobalCondition {
            try validator.require(globalConditionDimension == embedDimension, "global_cond_dim",
                                  "\(globalConditionDimension) must equal embed_dim \(embedDimension): without project_global_cond it is added to the timestep embedding")
        }
    }

    /// Width of one attention head.
    public var headDimension: Int { embedDimension / headCount }
    /// Rotary width: max(head width / 2, 32), as SAT's `ContinuousTransformer`.
    public var rotaryDimension: Int { max(headDimension / 2, 32) }
}
