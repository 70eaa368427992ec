/// The `model.conditioning` section: conditioners in config order and the shared output width.
public struct ConditioningConfiguration: Codable, Sendable, Equatable {
    public var conditionDimension: Int
    public var conditioners: [ConditionerSpecification]

    enum CodingKeys: String, CodingKey { case conditionDimension = "cond_dim", conditioners = "configs" }
}

/// One `{"id", "type", "config"}` entry. Number and int conditioners are decoded here; text conditioners keep
/// their raw config for the text-encoder port (which decodes it again), but it is decoded once here too, so that a
/// bad `max_length` or `t5_config` is an error naming its key when the model config is read.
public struct ConditionerSpecification: Codable, Sendable, Equatable {
    public static let supportedTypes = ["number", "int", "t5", "t5_local"]

    public var id: String
    public var type: String
    public var config: JSONValue
    /// Tokens this conditioner adds to a cross-attention context: `max_length` for a text conditioner (SAT pads
    /// every prompt to it), 1 for a number or int conditioner.
    public var tokenCount: Int

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        config = try container.decodeIfPresent(JSONValue.self, forKey: .config) ?? .object([:])
        guard Self.supportedTypes.contains(type) else {
            throw ModelConfigurationError.unsupported(key: codingPathText(decoder.codingPath + [CodingKeys.type]) + " (id \(id))",
                                                      value: type, supported: Self.supportedTypes)
        }
        let validator = ConfigurationValidator(codingPath: decoder.codingPath + [CodingKeys.config])
        if let width = config["output_dim"] {
            guard let integer = width.intValue else { throw validator.error("output_dim", "must be a whole number, got \(width.jsonText)") }
            try validator.requireSize(integer, "output_dim")
        }
        switch type {
        case "t5":
            tokenCount = try container.decodeIfPresent(T5ConditionerConfiguration.self, forKey: .config)?.maxLength
                ?? T5ConditionerConfiguration().maxLength
        case "t5_local":
            tokenCount = try container.decode(LocalT5ConditionerConfiguration.self, forKey: .config).maxLength
        default:
            tokenCount = 1
            try validateRange(validator)
        }
    }

    enum CodingKeys: String, CodingKey { case id, type, config }

    /// Checks `min_val` and `max_val` of a number or int conditioner: numbers with min < max (a number conditioner
    /// divides by max − min), or for an int conditioner whole numbers within ±`ConfigurationValidator.maximumSize`
    /// with min ≤ max (its table has max − min + 1 rows).
    private func validateRange(_ validator: ConfigurationValidator) throws {
        let limit = Double(ConfigurationValidator.maximumSize)
        for name in ["min_val", "max_val"] {
            guard let value = config[name] else { continue }
            guard let number = value.doubleValue else { throw validator.error(name, "must be a number, got \(value.jsonText)") }
            if type == "int" {
                try validator.require(number.rounded() == number && abs(number) <= limit, name,
                                      "\(number) must be a whole number between \(-Int(limit)) and \(Int(limit))")
            }
        }
        let (minimum, maximum) = range
        if type == "int" {
            try validator.require(minimum <= maximum, "max_val", "\(maximum) is below min_val \(minimum)")
        } else {
            try validator.require(minimum < maximum, "max_val", "\(maximum) must exceed min_val \(minimum) (values are divided by max − min)")
        }
    }

    /// The conditioner's output width: its `output_dim` when set, otherwise `cond_dim` (SAT injects it).
    public func outputDimension(default conditionDimension: Int) -> Int { config["output_dim"]?.intValue ?? conditionDimension }

    /// `min_val` / `max_val` of number and int conditioners (SAT's defaults 0 and 1 for number, 0 and 512 for int).
    public var range: (minimum: Double, maximum: Double) {
        let defaults: (Double, Double) = type == "int" ? (0, 512) : (0, 1)
        return (config["min_val"]?.doubleValue ?? defaults.0, config["max_val"]?.doubleValue ?? defaults.1)
    }

    /// Whether this is a text (prompt) conditioner.
    public var isText: Bool { type == "t5" || type == "t5_local" }
}

/// The `model.diffusion` section.
public struct DiffusionSection: Codable, Sendable, Equatable {
    public enum Backbone: Sendable, Equatable {
        case unet(UNetConfiguration)
        case dit(DiTConfiguration)
    }

    public var backbone: Backbone
    public var crossAttentionConditionIDs: [String]
    public var globalConditionIDs: [String]
    public var objective: String

    enum CodingKeys: String, CodingKey {
        case type, config, crossAttentionConditionIDs = "cross_attention_cond_ids", globalConditionIDs = "global_cond_ids"
        case inputConcatIDs = "input_concat_ids", prependConditionIDs = "prepend_cond_ids", objective = "diffusion_objective"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let path = codingPathText(decoder.codingPath)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "adp_cfg_1d": backbone = .unet(try container.decode(UNetConfiguration.self, forKey: .config))
        case "dit": backbone = .dit(try container.decode(DiTConfiguration.self, forKey: .config))
        default: throw ModelConfigurationError.unsupported(key: "\(path).type", value: type, supported: ["adp_cfg_1d", "dit"])
        }
        crossAttentionConditionIDs = try container.decodeIfPresent([String].self, forKey: .crossAttentionConditionIDs) ?? []
        globalConditionIDs = try container.decodeIfPresent([String].self, forKey: .globalConditionIDs) ?? []
        for key in [CodingKeys.inputConcatIDs, .prependConditionIDs] {
            if let ids = try container.decodeIfPresent([String].self, forKey: key), !ids.isEmpty {
                throw ModelConfigurationError.unsupported(key: "\(path).\(key.stringValue)", value: "\(ids)", supported: ["[] (not ported)"])
            }
        }
        objective = try container.decodeIfPresent(String.self, forKey: .objective) ?? "v"
        guard objective == "v" else {
            throw ModelConfigurationError.unsupported(key: "\(path).diffusion_objective", value: objective, supported: ["v"])
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch backbone {
        case .unet(let configuration): try container.encode("adp_cfg_1d", forKey: .type); try container.encode(configuration, forKey: .config)
        case .dit(let configuration): try container.encode("dit", forKey: .type); try container.encode(configuration, forKey: .config)
        }
        try container.encode(crossAttentionConditionIDs, forKey: .crossAttentionConditionIDs)
        try container.encode(globalConditionIDs, forKey: .globalConditionIDs)
        try container.encode(objective, forKey: .objective)
    }
}
