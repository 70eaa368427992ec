import Foundation

/// An `autoencoder` model block of a stable-audio-tools `model_config.json` (also used as a diffusion model's
/// `pretransform.config`). Coding keys are SAT's names.
public struct AutoencoderConfiguration: Codable, Sendable, Equatable {
    public var encoder: EncoderSpecification
    public var decoder: DecoderSpecification
    public var bottleneck: BottleneckSpecification?
    /// Channels after the bottleneck (what the diffusion model sees).
    public var latentDimension: Int
    /// Audio samples per latent frame.
    public var downsamplingRatio: Int
    /// Audio channels.
    public var ioChannels: Int

    enum CodingKeys: String, CodingKey {
        case encoder, decoder, bottleneck
        case latentDimension = "latent_dim"
        case downsamplingRatio = "downsampling_ratio"
        case ioChannels = "io_channels"
    }
}

/// `{"type": "oobleck" | "dac", "config": {…}}` for an encoder or a decoder, with the config decoded by type.
public enum AutoencoderPartSpecification<Oobleck: Codable & Sendable & Equatable, DAC: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    case oobleck(Oobleck)
    case dac(DAC)

    enum CodingKeys: String, CodingKey { case type, config }
    static var supported: [String] { ["oobleck", "dac"] }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "oobleck": self = .oobleck(try container.decode(Oobleck.self, forKey: .config))
        case "dac": self = .dac(try container.decode(DAC.self, forKey: .config))
        default: throw ModelConfigurationError.unsupported(key: codingPathText(decoder.codingPath + [CodingKeys.type]), value: type, supported: Self.supported)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .oobleck(let configuration): try container.encode("oobleck", forKey: .type); try container.encode(configuration, forKey: .config)
        case .dac(let configuration): try container.encode("dac", forKey: .type); try container.encode(configuration, forKey: .config)
        }
    }
}

/// The `encoder` entry of an autoencoder config.
public typealias EncoderSpecification = AutoencoderPartSpecification<OobleckEncoderConfiguration, DACEncoderConfiguration>
/// The `decoder` entry of an autoencoder config.
public typealias DecoderSpecification = AutoencoderPartSpecification<OobleckDecoderConfiguration, DACDecoderConfiguration>

/// `{"type": "vae"}`; the only continuous bottleneck the diffusion models use.
public struct BottleneckSpecification: Codable, Sendable, Equatable {
    public var type: String

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        guard type == "vae" else {
            throw ModelConfigurationError.unsupported(key: codingPathText(decoder.codingPath + [CodingKeys.type]), value: type, supported: ["vae"])
        }
    }

    public init(type: String) { self.type = type }
}

/// SAT's `OobleckEncoder` arguments, with its defaults.
public struct OobleckEncoderConfiguration: Codable, Sendable, Equatable {
    public var inChannels = 2
    public var channels = 128
    /// Output channels: twice the post-bottleneck latent width for a VAE (mean | scale).
    public var latentDimension = 32
    public var channelMultipliers = [1, 2, 4, 8]
    public var strides = [2, 4, 8, 8]
    public var useSnake = false
    public var antialiasActivation = false

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", channels, latentDimension = "latent_dim", channelMultipliers = "c_mults", strides
        case useSnake = "use_snake", antialiasActivation = "antialias_activation"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try container.decodeIfPresent(Int.self, forKey: .inChannels) ?? inChannels
        channels = try container.decodeIfPresent(Int.self, forKey: .channels) ?? channels
        latentDimension = try container.decodeIfPresent(Int.self, forKey: .latentDimension) ?? latentDimension
        channelMultipliers = try container.decodeIfPresent([Int].self, forKey: .channelMultipliers) ?? channelMultipliers
        strides = try container.decodeIfPresent([Int].self, forKey: .strides) ?? strides
        useSnake = try container.decodeIfPresent(Bool.self, forKey: .useSnake) ?? useSnake
        antialiasActivation = try container.decodeIfPresent(Bool.self, forKey: .antialiasActivation) ?? antialiasActivation
        try OobleckDecoderConfiguration.validate(multipliers: channelMultipliers, strides: strides, antialias: antialiasActivation,
                                                 nearestUpsample: false, codingPath: decoder.codingPath)
    }
}

/// SAT's `OobleckDecoder` arguments, with its defaults.
public struct OobleckDecoderConfiguration: Codable, Sendable, Equatable {
    public var outChannels = 2
    public var channels = 128
    public var latentDimension = 32
    public var channelMultipliers = [1, 2, 4, 8]
    public var strides = [2, 4, 8, 8]
    public var useSnake = false
    public var antialiasActivation = false
    public var useNearestUpsample = false
    public var finalTanh = true

    enum CodingKeys: String, CodingKey {
        case outChannels = "out_channels", channels, latentDimension = "latent_dim", channelMultipliers = "c_mults", strides
        case useSnake = "use_snake", antialiasActivation = "antialias_activation", useNearestUpsample = "use_nearest_upsample"
        case finalTanh = "final_tanh"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        outChannels = try container.decodeIfPresent(Int.self, forKey: .outChannels) ?? outChannels
        channels = try container.decodeIfPresent(Int.self, forKey: .channels) ?? channels
        latentDimension = try container.decodeIfPresent(Int.self, forKey: .latentDimension) ?? latentDimension
        channelMultipliers = try container.decodeIfPresent([Int].self, forKey: .channelMultipliers) ?? channelMultipliers
        strides = try container.decodeIfPresent([Int].self, forKey: .strides) ?? strides
        useSnake = try container.decodeIfPresent(Bool.self, forKey: .useSnake) ?? useSnake
        antialiasActivation = try container.decodeIfPresent(Bool.self, forKey: .antialiasActivation) ?? antialiasActivation
        useNearestUpsample = try container.decodeIfPresent(Bool.self, forKey: .useNearestUpsample) ?? useNearestUpsample
        finalTanh = try container.decodeIfPresent(Bool.self, forKey: .finalTanh) ?? finalTanh
        try Self.validate(multipliers: channelMultipliers, strides: strides, antialias: antialiasActivation,
                          nearestUpsample: useNearestUpsample, codingPath: decoder.codingPath)
    }

    static func validate(multipliers: [Int], strides: [Int], antialias: Bool, nearestUpsample: Bool, codingPath: [CodingKey]) throws {
        let path = codingPathText(codingPath)
        guard !multipliers.isEmpty, multipliers.count == strides.count else {
            throw ModelConfigurationError(key: "\(path).c_mults", reason: "needs one entry per stride (\(multipliers.count) multipliers, \(strides.count) strides)")
        }
        guard multipliers.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw ModelConfigurationError(key: "\(path).strides", reason: "multipliers and strides must be positive")
        }
        if antialias { throw ModelConfigurationError.unsupported(key: "\(path).antialias_activation", value: "true", supported: ["false"]) }
        if nearestUpsample { throw ModelConfigurationError.unsupported(key: "\(path).use_nearest_upsample", value: "true", supported: ["false"]) }
    }
}

/// SAT's `DACEncoderWrapper` arguments (descript-audio-codec 1.0.0 `Encoder` + a 1×1 `proj_out` to `latent_dim`).
public struct DACEncoderConfiguration: Codable, Sendable, Equatable {
    public var inChannels = 1
    /// Output channels of `proj_out`; nil keeps the encoder's own width (no projection).
    public var latentDimension: Int?
    public var modelDimension = 64
    public var strides = [2, 4, 8, 8]

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", latentDimension = "latent_dim", modelDimension = "d_model", strides
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try container.decodeIfPresent(Int.self, forKey: .inChannels) ?? inChannels
        latentDimension = try container.decodeIfPresent(Int.self, forKey: .latentDimension)
        modelDimension = try container.decodeIfPresent(Int.self, forKey: .modelDimension) ?? modelDimension
        strides = try container.decodeIfPresent([Int].self, forKey: .strides) ?? strides
        guard !strides.isEmpty, strides.allSatisfy({ $0 > 0 }) else {
            throw ModelConfigurationError(key: codingPathText(decoder.codingPath + [CodingKeys.strides]), reason: "must be positive and non-empty")
        }
    }

    /// Width after the last encoder block: d_model · 2^(number of strides).
    public var encoderWidth: Int { modelDimension << strides.count }
}

/// SAT's `DACDecoderWrapper` arguments (descript-audio-codec 1.0.0 `Decoder`); `channels` and `rates` are required.
public struct DACDecoderConfiguration: Codable, Sendable, Equatable {
    public var outChannels = 1
    public var latentDimension: Int
    public var channels: Int
    public var rates: [Int]

    enum CodingKeys: String, CodingKey {
        case outChannels = "out_channels", latentDimension = "latent_dim", channels, rates
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        outChannels = try container.decodeIfPresent(Int.self, forKey: .outChannels) ?? outChannels
        latentDimension = try container.decode(Int.self, forKey: .latentDimension)
        channels = try container.decode(Int.self, forKey: .channels)
        rates = try container.decode([Int].self, forKey: .rates)
        guard !rates.isEmpty, rates.allSatisfy({ $0 > 0 }), channels >> rates.count > 0 else {
            throw ModelConfigurationError(key: codingPathText(decoder.codingPath + [CodingKeys.rates]), reason: "must be positive, non-empty, and halve channels at most log2(channels) times")
        }
    }
}

/// "model.decoder.config" style text for a coding path.
func codingPathText(_ path: [CodingKey]) -> String {
    path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
}
