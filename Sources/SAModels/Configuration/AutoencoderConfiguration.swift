import Foundation

/// An `autoencoder` model block of a stable-audio-tools `model_config.json` (also used as a diffusion model's
/// `pretransform.config`). Coding keys are SAT's names.
///
/// Decoding checks every size and that the parts fit together (`validateConsistency`): the encoder reads
/// `io_channels` audio channels and writes 2 × `latent_dim` (VAE mean and scale), the decoder reads `latent_dim`
/// and writes `io_channels`, and both resample by `downsampling_ratio`.
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

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        encoder = try container.decode(EncoderSpecification.self, forKey: .encoder)
        self.decoder = try container.decode(DecoderSpecification.self, forKey: .decoder)
        bottleneck = try container.decodeIfPresent(BottleneckSpecification.self, forKey: .bottleneck)
        latentDimension = try container.decode(Int.self, forKey: .latentDimension)
        downsamplingRatio = try container.decode(Int.self, forKey: .downsamplingRatio)
        ioChannels = try container.decode(Int.self, forKey: .ioChannels)
        try validateConsistency(path: codingPathText(decoder.codingPath))
    }

    /// Throws a `ModelConfigurationError` (keys under `path`) unless the sizes are valid and the encoder, bottleneck
    /// and decoder fit together. `AudioAutoencoder` runs it again for configurations built in code.
    public func validateConsistency(path: String = "") throws {
        let validator = ConfigurationValidator(path: path)
        try validator.requireSize(latentDimension, "latent_dim")
        try validator.requireSize(downsamplingRatio, "downsampling_ratio")
        try validator.requireSize(ioChannels, "io_channels")
        let parts: [(name: String, audioChannels: Int, latentWidth: Int, expectedWidth: Int, ratio: Int)] = [
            ("encoder", encoder.audioChannels, encoder.outputWidth, 2 * latentDimension, encoder.downsamplingRatio),
            ("decoder", decoder.audioChannels, decoder.latentDimension, latentDimension, decoder.upsamplingRatio),
        ]
        for part in parts {
            try validator.require(part.audioChannels == ioChannels, "io_channels",
                                  "is \(ioChannels), but the \(part.name) has \(part.audioChannels) audio channels")
            try validator.require(part.latentWidth == part.expectedWidth, "latent_dim",
                                  "VAE needs encoder latent_dim = 2 × \(latentDimension) and decoder latent_dim = \(latentDimension), but the \(part.name)'s is \(part.latentWidth)")
            try validator.require(part.ratio == downsamplingRatio, "downsampling_ratio",
                                  "is \(downsamplingRatio) but the \(part.name)'s strides multiply to \(part.ratio)")
        }
    }
}

extension AutoencoderPartSpecification where Oobleck == OobleckEncoderConfiguration, DAC == DACEncoderConfiguration {
    /// Audio channels the encoder reads.
    public var audioChannels: Int {
        switch self {
        case .oobleck(let configuration): return configuration.inChannels
        case .dac(let configuration): return configuration.inChannels
        }
    }

    /// Channels the encoder writes (the bottleneck's input).
    public var outputWidth: Int {
        switch self {
        case .oobleck(let configuration): return configuration.latentDimension
        case .dac(let configuration): return configuration.latentDimension ?? configuration.encoderWidth
        }
    }

    /// Audio samples per output frame: the product of the strides.
    public var downsamplingRatio: Int {
        switch self {
        case .oobleck(let configuration): return configuration.strides.reduce(1, *)
        case .dac(let configuration): return configuration.strides.reduce(1, *)
        }
    }
}

extension AutoencoderPartSpecification where Oobleck == OobleckDecoderConfiguration, DAC == DACDecoderConfiguration {
    /// Audio channels the decoder writes.
    public var audioChannels: Int {
        switch self {
        case .oobleck(let configuration): return configuration.outChannels
        case .dac(let configuration): return configuration.outChannels
        }
    }

    /// Channels the decoder reads.
    public var latentDimension: Int {
        switch self {
        case .oobleck(let configuration): return configuration.latentDimension
        case .dac(let configuration): return configuration.latentDimension
        }
    }

    /// Audio samples per latent frame: the product of the strides (rates).
    public var upsamplingRatio: Int {
        switch self {
        case .oobleck(let configuration): return configuration.strides.reduce(1, *)
        case .dac(let configuration): return configuration.rates.reduce(1, *)
        }
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
        try OobleckDecoderConfiguration.validate(audioChannels: ("in_channels", inChannels), channels: channels, latentDimension: latentDimension,
                                                 multipliers: channelMultipliers, strides: strides, transposed: false,
                                                 antialias: antialiasActivation, nearestUpsample: false, codingPath: decoder.codingPath)
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
        try Self.validate(audioChannels: ("out_channels", outChannels), channels: channels, latentDimension: latentDimension,
                          multipliers: channelMultipliers, strides: strides, transposed: true,
                          antialias: antialiasActivation, nearestUpsample: useNearestUpsample, codingPath: decoder.codingPath)
    }

    /// Checks what SAT's Oobleck encoder and decoder share, naming the key under `codingPath`: every size, one
    /// channel multiplier per stride (widths channels × c_mults[i]), the strides (`transposed` for the decoder's),
    /// and the variants this port does not implement.
    static func validate(audioChannels: (name: String, value: Int), channels: Int, latentDimension: Int, multipliers: [Int], strides: [Int],
                         transposed: Bool, antialias: Bool, nearestUpsample: Bool, codingPath: [CodingKey]) throws {
        let validator = ConfigurationValidator(codingPath: codingPath)
        try validator.requireSize(audioChannels.value, audioChannels.name)
        try validator.requireSize(channels, "channels")
        try validator.requireSize(latentDimension, "latent_dim")
        try validator.require(!multipliers.isEmpty && multipliers.count == strides.count, "c_mults",
                              "needs one entry per stride (\(multipliers.count) multipliers, \(strides.count) strides)")
        try validator.requireSizes(multipliers, "c_mults")
        for multiplier in multipliers { _ = try validator.product([channels, multiplier], "c_mults") }
        try validator.requireStrides(strides, "strides", transposed: transposed)
        if antialias { throw ModelConfigurationError.unsupported(key: validator.key("antialias_activation"), value: "true", supported: ["false"]) }
        if nearestUpsample { throw ModelConfigurationError.unsupported(key: validator.key("use_nearest_upsample"), value: "true", supported: ["false"]) }
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
        let validator = ConfigurationValidator(codingPath: decoder.codingPath)
        try validator.requireSize(inChannels, "in_channels")
        try validator.requireSize(modelDimension, "d_model")
        if let latentDimension { try validator.requireSize(latentDimension, "latent_dim") }
        try validator.requireStrides(strides, "strides", transposed: false)
        // Each block doubles the width: d_model · 2^(number of strides).
        _ = try validator.product([modelDimension] + Array(repeating: 2, count: strides.count), "d_model")
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
        let validator = ConfigurationValidator(codingPath: decoder.codingPath)
        try validator.requireSize(outChannels, "out_channels")
        try validator.requireSize(latentDimension, "latent_dim")
        try validator.requireSize(channels, "channels")
        try validator.requireStrides(rates, "rates", transposed: true)
        try validator.require(channels >> rates.count > 0, "rates",
                              "\(rates.count) blocks halve channels \(channels) \(rates.count) times, leaving no channels")
    }
}

/// "model.decoder.config" style text for a coding path.
func codingPathText(_ path: [CodingKey]) -> String {
    path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
}

extension ConfigurationValidator {
    /// Checks the strides of an encoder's downsampling or (`transposed`) a decoder's upsampling blocks: at least one,
    /// each a size, and their product (the resampling ratio) within `maximumSize`. A decoder's must also be even:
    /// its transposed convolutions (kernel 2s, stride s, padding ⌈s/2⌉, as SAT and DAC build them) return L·s − 1
    /// samples for an odd s, while the engine relies on exactly L · ratio.
    func requireStrides(_ strides: [Int], _ name: String, transposed: Bool) throws {
        try require(!strides.isEmpty, name, "needs at least one stride")
        try requireSizes(strides, name)
        _ = try product(strides, name)
        if transposed, let index = strides.firstIndex(where: { $0 % 2 != 0 }) {
            throw error("\(name)[\(index)]", "\(strides[index]) is odd; decoder strides must be even (a transposed convolution with kernel 2s and padding ⌈s/2⌉ returns L·s − 1 samples for odd s)")
        }
    }
}
