/// The `config` block of a stable-audio-tools conditioner of type `"t5"` (`T5Conditioner`). Keys are SAT's.
///
/// SAT 0.0.19 `T5Conditioner(output_dim, t5_model_name="t5-base", max_length=128, enable_grad=False,
/// project_out=False)`; `output_dim` is the conditioning section's `cond_dim` (SAT injects it).
public struct T5ConditionerConfiguration: Codable, Sendable, Equatable {
    /// SAT's `T5Conditioner.T5_MODEL_DIMS`: the model names SAT accepts and their `d_model`.
    public static let modelDimensions: [String: Int] = [
        "t5-small": 512, "t5-base": 768, "t5-large": 1024, "t5-3b": 1024, "t5-11b": 1024,
        "google/t5-v1_1-xl": 2048, "google/t5-v1_1-xxl": 4096,
        "google/flan-t5-small": 512, "google/flan-t5-base": 768, "google/flan-t5-large": 1024,
        "google/flan-t5-3b": 1024, "google/flan-t5-11b": 1024, "google/flan-t5-xl": 2048, "google/flan-t5-xxl": 4096,
    ]
    /// SAT's `T5Conditioner.T5_MODELS` (the assert list; a subset of `modelDimensions`).
    public static let modelNames = ["t5-small", "t5-base", "t5-large", "t5-3b", "t5-11b",
                                    "google/flan-t5-small", "google/flan-t5-base", "google/flan-t5-large",
                                    "google/flan-t5-xl", "google/flan-t5-xxl", "google/t5-v1_1-xl", "google/t5-v1_1-xxl"]

    public var modelName = "t5-base"
    public var maxLength = 128
    public var enableGrad = false
    public var projectOut = false

    enum CodingKeys: String, CodingKey {
        case modelName = "t5_model_name", maxLength = "max_length", enableGrad = "enable_grad", projectOut = "project_out"
    }

    public init(modelName: String = "t5-base", maxLength: Int = 128, enableGrad: Bool = false, projectOut: Bool = false) {
        self.modelName = modelName
        self.maxLength = maxLength
        self.enableGrad = enableGrad
        self.projectOut = projectOut
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        modelName = try container.decodeIfPresent(String.self, forKey: .modelName) ?? modelName
        maxLength = try container.decodeIfPresent(Int.self, forKey: .maxLength) ?? maxLength
        enableGrad = try container.decodeIfPresent(Bool.self, forKey: .enableGrad) ?? enableGrad
        projectOut = try container.decodeIfPresent(Bool.self, forKey: .projectOut) ?? projectOut
        guard Self.modelNames.contains(modelName) else {
            throw ModelConfigurationError.unsupported(key: codingPathText(decoder.codingPath + [CodingKeys.modelName]),
                                                      value: modelName, supported: Self.modelNames)
        }
        try ConfigurationValidator(codingPath: decoder.codingPath).requireSize(maxLength, CodingKeys.maxLength.stringValue)
    }

    /// SAT's `d_model` for `modelName`.
    public var modelDimension: Int? { Self.modelDimensions[modelName] }
}

/// The `config` block of this project's conditioner type `"t5_local"` (`models/training/t5_local.py`,
/// `LocalT5Conditioner(output_dim, t5_config, tokenizer="spiece.model", max_length=64, model_dir=None,
/// project_out=False)`): a T5 encoder whose weights are inside the model checkpoint.
public struct LocalT5ConditionerConfiguration: Codable, Sendable, Equatable {
    /// The SentencePiece model, relative to the model folder unless absolute.
    public var tokenizer = "spiece.model"
    public var maxLength = 64
    public var t5Configuration: T5Configuration
    public var projectOut = false

    enum CodingKeys: String, CodingKey {
        case tokenizer, maxLength = "max_length", t5Configuration = "t5_config", projectOut = "project_out"
    }

    public init(t5Configuration: T5Configuration, tokenizer: String = "spiece.model", maxLength: Int = 64, projectOut: Bool = false) {
        self.t5Configuration = t5Configuration
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.projectOut = projectOut
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tokenizer = try container.decodeIfPresent(String.self, forKey: .tokenizer) ?? tokenizer
        maxLength = try container.decodeIfPresent(Int.self, forKey: .maxLength) ?? maxLength
        t5Configuration = try container.decode(T5Configuration.self, forKey: .t5Configuration)
        projectOut = try container.decodeIfPresent(Bool.self, forKey: .projectOut) ?? projectOut
        try ConfigurationValidator(codingPath: decoder.codingPath).requireSize(maxLength, CodingKeys.maxLength.stringValue)
    }
}
