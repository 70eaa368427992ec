import Foundation

/// The encoder-relevant fields of a Hugging Face `T5Config` (`config.json`, or a `t5_local` conditioner's
/// `t5_config`), with `T5Config`'s defaults for absent keys. Coding keys are HF's names; other keys are ignored.
///
/// This implementation matches: transformers 4.57 `T5Config.__init__`, including how `feed_forward_proj` is split
/// into an activation and a gated flag (`"gated-gelu"` means gated `gelu_new`, the tanh approximation).
/// Supported activations: relu, gelu (erf), gelu_new / gelu_pytorch_tanh (tanh approximation), silu / swish, each
/// optionally gated; anything else is an error naming the key.
public struct T5Configuration: Codable, Sendable, Equatable {
    public static let supportedActivations = ["relu", "gelu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish"]

    public enum Activation: String, Sendable {
        case relu, gelu, geluTanh, silu
    }

    public var vocabularySize = 32128
    public var modelDimension = 512
    public var keyValueDimension = 64
    public var feedForwardDimension = 2048
    public var layerCount = 6
    public var headCount = 8
    public var relativeAttentionBucketCount = 32
    public var relativeAttentionMaximumDistance = 128
    public var feedForwardProjection = "relu"
    public var layerNormEpsilon: Float = 1e-6

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", modelDimension = "d_model", keyValueDimension = "d_kv", feedForwardDimension = "d_ff"
        case layerCount = "num_layers", headCount = "num_heads", relativeAttentionBucketCount = "relative_attention_num_buckets"
        case relativeAttentionMaximumDistance = "relative_attention_max_distance", feedForwardProjection = "feed_forward_proj"
        case layerNormEpsilon = "layer_norm_epsilon"
    }

    public init(vocabularySize: Int = 32128, modelDimension: Int = 512, keyValueDimension: Int = 64,
                feedForwardDimension: Int = 2048, layerCount: Int = 6, headCount: Int = 8,
                relativeAttentionBucketCount: Int = 32, relativeAttentionMaximumDistance: Int = 128,
                feedForwardProjection: String = "relu", layerNormEpsilon: Float = 1e-6) throws {
        self.vocabularySize = vocabularySize
        self.modelDimension = modelDimension
        self.keyValueDimension = keyValueDimension
        self.feedForwardDimension = feedForwardDimension
        self.layerCount = layerCount
        self.headCount = headCount
        self.relativeAttentionBucketCount = relativeAttentionBucketCount
        self.relativeAttentionMaximumDistance = relativeAttentionMaximumDistance
        self.feedForwardProjection = feedForwardProjection
        self.layerNormEpsilon = layerNormEpsilon
        try validate(codingPath: [])
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        vocabularySize = try value(.vocabularySize, vocabularySize)
        modelDimension = try value(.modelDimension, modelDimension)
        keyValueDimension = try value(.keyValueDimension, keyValueDimension)
        feedForwardDimension = try value(.feedForwardDimension, feedForwardDimension)
        layerCount = try value(.layerCount, layerCount)
        headCount = try value(.headCount, headCount)
        relativeAttentionBucketCount = try value(.relativeAttentionBucketCount, relativeAttentionBucketCount)
        relativeAttentionMaximumDistance = try value(.relativeAttentionMaximumDistance, relativeAttentionMaximumDistance)
        feedForwardProjection = try value(.feedForwardProjection, feedForwardProjection)
        layerNormEpsilon = try value(.layerNormEpsilon, layerNormEpsilon)
        try validate(codingPath: decoder.codingPath)
    }

    /// Throws a `ModelConfigurationError` naming the key (under `codingPath`) of the first invalid value.
    private func validate(codingPath: [CodingKey]) throws {
        let validator = ConfigurationValidator(codingPath: codingPath)
        func fail(_ key: CodingKeys, _ reason: String) -> ModelConfigurationError { validator.error(key.stringValue, reason) }
        let positive: [(CodingKeys, Int)] = [(.vocabularySize, vocabularySize), (.modelDimension, modelDimension),
                                             (.keyValueDimension, keyValueDimension), (.feedForwardDimension, feedForwardDimension),
                                             (.layerCount, layerCount), (.headCount, headCount)]
        for (key, number) in positive { try validator.requireSize(number, key.stringValue) }
        _ = try validator.product([headCount, keyValueDimension, 3], CodingKeys.keyValueDimension.stringValue)
        try validator.requireSize(relativeAttentionBucketCount, CodingKeys.relativeAttentionBucketCount.stringValue)
        try validator.requireSize(relativeAttentionMaximumDistance, CodingKeys.relativeAttentionMaximumDistance.stringValue)
        // Bidirectional buckets: half per direction, half of those exact, so at least 4 buckets are needed.
        guard relativeAttentionBucketCount >= 4 else {
            throw fail(.relativeAttentionBucketCount, "\(relativeAttentionBucketCount) is too small (at least 4 for a bidirectional encoder)")
        }
        guard relativeAttentionMaximumDistance > relativeAttentionBucketCount / 4 else {
            throw fail(.relativeAttentionMaximumDistance,
                       "\(relativeAttentionMaximumDistance) must exceed the exact range \(relativeAttentionBucketCount / 4)")
        }
        guard layerNormEpsilon >= 0, layerNormEpsilon.isFinite else { throw fail(.layerNormEpsilon, "\(layerNormEpsilon) is not a valid epsilon") }
        guard parsedFeedForward != nil else {
            throw fail(.feedForwardProjection, "'\(feedForwardProjection)' is not supported (supported: "
                       + (Self.supportedActivations + Self.supportedActivations.map { "gated-" + $0 }).joined(separator: ", ") + ")")
        }
    }

    /// `feed_forward_proj` split as T5Config does: `act_info = s.split("-")`, `is_gated = act_info[0] == "gated"`,
    /// valid only as "ACT" or "gated-ACT"; "gated-gelu" is mapped to gelu_new.
    private var parsedFeedForward: (activation: Activation, isGated: Bool)? {
        let parts = feedForwardProjection.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let isGated = parts.count == 2 && parts[0] == "gated"
        guard parts.count == 1 || isGated else { return nil }
        let name = feedForwardProjection == "gated-gelu" ? "gelu_new" : parts[parts.count - 1]
        switch name {
        case "relu": return (.relu, isGated)
        case "gelu": return (.gelu, isGated)
        case "gelu_new", "gelu_pytorch_tanh": return (.geluTanh, isGated)
        case "silu", "swish": return (.silu, isGated)
        default: return nil
        }
    }

    /// The feed-forward activation (valid configurations only).
    public var activation: Activation { parsedFeedForward?.activation ?? .relu }
    /// Whether the feed-forward is gated (`wi_0`, `wi_1`, `wo`) rather than `wi`, `wo`.
    public var isGated: Bool { parsedFeedForward?.isGated ?? false }
    /// H · d_kv, the width of the attention projections.
    public var innerDimension: Int { headCount * keyValueDimension }

    /// Decodes a Hugging Face `config.json`; errors name `path` and the key.
    public init(json data: Data, path: String = "config.json") throws {
        do {
            self = try JSONDecoder().decode(T5Configuration.self, from: data)
        } catch let error as ModelConfigurationError {
            throw ModelConfigurationError(path: path, key: error.key, reason: error.reason)
        } catch let error as DecodingError {
            throw ModelConfiguration.describe(error, path: path)
        }
    }

    /// Reads and decodes `config.json` at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelConfigurationError(path: path, key: "(file)", reason: "cannot be read")
        }
        try self.init(json: data, path: path)
    }
}
