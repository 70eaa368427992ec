import Foundation

/// A stable-audio-tools `model_config.json`, decoded into typed configurations (coding keys are SAT's names).
///
/// Supported `model_type`s: `autoencoder` (its `model` block is an `AutoencoderConfiguration`) and
/// `diffusion_cond` (its `model.pretransform` is an autoencoder; the conditioning and diffusion sections are
/// decoded by the diffusion port). Anything else is an error naming the key and the supported values.
public struct ModelConfiguration: Sendable {
    public static let supportedModelTypes = ["autoencoder", "diffusion_cond"]

    public var modelType: String
    public var sampleRate: Int
    /// Window length in audio samples (diffusion models); nil when the config has none.
    public var sampleSize: Int?
    public var audioChannels: Int
    /// The autoencoder: the model itself, or a diffusion model's pretransform.
    public var autoencoder: AutoencoderConfiguration
    /// `pretransform.scale` (latents are `encode(x) / scale`, decoding multiplies by it); 1 when absent.
    public var pretransformScale: Float
    /// Where the autoencoder's weights live in the checkpoint.
    public var autoencoderKeyPrefix: String
    /// `model.conditioning` (diffusion models).
    public var conditioning: ConditioningConfiguration?
    /// `model.diffusion` (diffusion models).
    public var diffusion: DiffusionSection?
    /// `model.io_channels`: latent channels the diffusion model works on.
    public var latentChannels: Int?

    /// Decodes `model_config.json` text; `path` only names the file in errors.
    public init(json data: Data, path: String = "model_config.json") throws {
        do {
            let header = try JSONDecoder().decode(Header.self, from: data)
            try header.validate()
            modelType = header.modelType
            sampleRate = header.sampleRate ?? 44_100
            sampleSize = header.sampleSize
            audioChannels = header.audioChannels ?? 2
            switch header.modelType {
            case "autoencoder":
                autoencoder = try JSONDecoder().decode(AutoencoderWrapper.self, from: data).model
                pretransformScale = 1
                autoencoderKeyPrefix = ""
                conditioning = nil
                diffusion = nil
                latentChannels = nil
            case "diffusion_cond":
                let model = try JSONDecoder().decode(DiffusionWrapper.self, from: data).model
                let pretransform = model.pretransform
                guard pretransform.type == "autoencoder" else {
                    throw ModelConfigurationError.unsupported(key: "model.pretransform.type", value: pretransform.type, supported: ["autoencoder"])
                }
                autoencoder = pretransform.config
                let scale = pretransform.scale ?? 1
                guard scale.isFinite, scale > 0 else {
                    throw ModelConfigurationError(key: "model.pretransform.scale", reason: "\(scale) must be a positive number (latents are divided by it)")
                }
                pretransformScale = scale
                autoencoderKeyPrefix = "pretransform.model"
                conditioning = model.conditioning
                diffusion = model.diffusion
                latentChannels = model.ioChannels
                try validateDiffusion()
            default:
                throw ModelConfigurationError.unsupported(key: "model_type", value: header.modelType, supported: Self.supportedModelTypes)
            }
        } catch let error as ModelConfigurationError {
            throw ModelConfigurationError(path: path, key: error.key, reason: error.reason)
        } catch let error as DecodingError {
            throw Self.describe(error, path: path)
        }
    }

    /// Reads and decodes the file at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelConfigurationError(path: path, key: "(file)", reason: "cannot be read")
        }
        try self.init(json: data, path: path)
    }

    private struct Header: Decodable {
        var modelType: String
        var sampleRate: Int?
        var sampleSize: Int?
        var audioChannels: Int?
        enum CodingKeys: String, CodingKey {
            case modelType = "model_type", sampleRate = "sample_rate", sampleSize = "sample_size", audioChannels = "audio_channels"
        }

        /// The largest `sample_size`: 2³¹ − 1 samples (13 hours at 44.1 kHz), far beyond any model's window.
        static let maximumSampleSize = Int(Int32.max)

        /// Throws unless the rate, window and channel count are positive (the rate and channels within
        /// `ConfigurationValidator.maximumSize`, the window within `maximumSampleSize`).
        func validate() throws {
            let validator = ConfigurationValidator(path: "")
            if let sampleRate { try validator.requireSize(sampleRate, CodingKeys.sampleRate.rawValue) }
            if let sampleSize {
                try validator.require((1...Self.maximumSampleSize).contains(sampleSize), CodingKeys.sampleSize.rawValue,
                                      "\(sampleSize) must be between 1 and \(Self.maximumSampleSize)")
            }
            if let audioChannels { try validator.requireSize(audioChannels, CodingKeys.audioChannels.rawValue) }
        }
    }

    private struct AutoencoderWrapper: Decodable { var model: AutoencoderConfiguration }

    private struct DiffusionWrapper: Decodable {
        struct Model: Decodable {
            var pretransform: Pretransform
            var conditioning: ConditioningConfiguration
            var diffusion: DiffusionSection
            var ioChannels: Int
            enum CodingKeys: String, CodingKey { case pretransform, conditioning, diffusion, ioChannels = "io_channels" }
        }
        struct Pretransform: Decodable {
            var type: String
            var config: AutoencoderConfiguration
            var scale: Float?
        }
        var model: Model
    }

    /// A one-line description of a decoding failure with its key path.
    static func describe(_ error: DecodingError, path: String) -> ModelConfigurationError {
        switch error {
        case .keyNotFound(let key, let context):
            return ModelConfigurationError(path: path, key: codingPathText(context.codingPath + [key]), reason: "missing")
        case .typeMismatch(let type, let context):
            return ModelConfigurationError(path: path, key: codingPathText(context.codingPath), reason: "expected \(type)")
        case .valueNotFound(let type, let context):
            return ModelConfigurationError(path: path, key: codingPathText(context.codingPath), reason: "expected \(type), found null")
        case .dataCorrupted(let context):
            let key = codingPathText(context.codingPath)
            return ModelConfigurationError(path: path, key: key.isEmpty ? "(file)" : key, reason: "not valid JSON: \(context.debugDescription)")
        @unknown default:
            return ModelConfigurationError(path: path, key: "(file)", reason: "\(error)")
        }
    }
}
