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
        let path = codingPathText(decoder.codingPath)
        func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
        if patchSize != 1 { throw ModelConfigurationError.unsupported(key: key("patch_size"), value: String(patchSize), supported: ["1"]) }
        if transformerType != "continuous_transformer" {
            throw ModelConfigurationError.unsupported(key: key("transformer_type"), value: transformerType, supported: ["continuous_transformer"])
        }
        if globalConditionType != "prepend" { throw ModelConfigurationError.unsupported(key: key("global_cond_type"), value: globalConditionType, supported: ["prepend"]) }
        if timestepConditionType != "global" {
            throw ModelConfigurationError.unsupported(key: key("timestep_cond_type"), value: timestepConditionType, supported: ["global"])
        }
        if inputConcatDimension != 0 { throw ModelConfigurationError.unsupported(key: key("input_concat_dim"), value: String(inputConcatDimension), supported: ["0"]) }
        if prependConditionDimension != 0 {
            throw ModelConfigurationError.unsupported(key: key("prepend_cond_dim"), value: String(prependConditionDimension), supported: ["0"])
        }
        guard headCount > 0, embedDimension % headCount == 0, embedDimension / headCount >= 32 else {
            throw ModelConfigurationError(key: key("num_heads"), reason: "embed_dim \(embedDimension) / num_heads \(headCount) must be a whole head width of at least 32 (SAT's rotary width)")
        }
        if conditionTokenDimension > 0 && conditionTokenDimension % (embedDimension / headCount) != 0 {
            throw ModelConfigurationError(key: key("cond_token_dim"), reason: "\(conditionTokenDimension) must be a multiple of the head width \(embedDimension / headCount) (key/value heads)")
        }
    }

    /// Width of one attention head.
    public var headDimension: Int { embedDimension / headCount }
    /// Rotary width: max(head width / 2, 32), as SAT's `ContinuousTransformer`.
    public var rotaryDimension: Int { max(headDimension / 2, 32) }
}
