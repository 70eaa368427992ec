import Foundation
import SAModels
import SANN
import SATensor
import SATestSupport
import Testing

/// Oobleck VAE parity against stable-audio-tools 0.0.19's own `AudioAutoencoder` on tiny random-weight
/// configs (`Tests/Fixtures/make_model_fixtures.py`; weights perturbed so Snake parameters and weight-norm gains
/// matter; SAT/torch versions and seed in each file's metadata).
///
/// Tolerance: whole tiny models within 1e-4 of the output scale (max|diff| / max|expected|); the bar
/// is 1e-3, and the measured error is far below it because everything runs in Float32 in the same op order.
@Suite struct AutoencoderParityTests {
    static let resources = Bundle.module.resourceURL!.path

    static func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
        guard actual.shape == expected.shape else { return .infinity }
        return (actual - expected).maximumAbsolute() / max(expected.maximumAbsolute(), 1e-12)
    }

    @Test(arguments: ["oobleck_vae", "oobleck_vae_tanh", "dac_vae"])
    func autoencoderMatchesStableAudioTools(name: String) throws {
        let folder = try ModelFolder(path: "\(Self.resources)/\(name)")
        let autoencoder = try AudioAutoencoder(folder: folder)
        let io = try SafeTensorsFile(path: "\(Self.resources)/\(name).io.safetensors")
        let audio = try io.tensor(named: "in.audio")

        let preBottleneck = autoencoder.encodePreBottleneck(audio)
        #expect(Self.relativeError(preBottleneck, try io.tensor(named: "out.pre_bottleneck")) < 1e-4)
        let (mean, standardDeviation) = VAEBottleneck.posterior(preBottleneck)
        #expect(Self.relativeError(mean, try io.tensor(named: "out.mean")) < 1e-4)
        #expect(Self.relativeError(standardDeviation, try io.tensor(named: "out.stdev")) < 1e-4)
        #expect(Self.relativeError(autoencoder.encode(audio), try io.tensor(named: "out.mean")) < 1e-4)

        let decoded = autoencoder.decode(try io.tensor(named: "out.mean"))
        let error = Self.relativeError(decoded, try io.tensor(named: "out.decoded_from_mean"))
        #expect(error < 1e-4, "decode: relative error \(error)")
        let sample = autoencoder.encode(audio, noise: try io.tensor(named: "in.vae_noise"))
        #expect(Self.relativeError(sample, try io.tensor(named: "out.vae_sample")) < 1e-4)
        #expect(Self.relativeError(autoencoder.decode(try io.tensor(named: "out.vae_sample")), try io.tensor(named: "out.decoded_from_sample")) < 1e-4)
    }

    /// SAT's chunked decode (hard cuts at (overlap/2)·ratio) against its own output, and the unchunked decode.
    @Test(arguments: [("oobleck_vae", "c8_o4", 8, 4), ("oobleck_vae", "c48_o40", 48, 40), ("dac_vae", "c8_o4", 8, 4)])
    func chunkedDecodeMatchesStableAudioTools(name: String, tag: String, chunkSize: Int, overlap: Int) throws {
        let autoencoder = try AudioAutoencoder(folder: try ModelFolder(path: "\(Self.resources)/\(name)"))
        let io = try SafeTensorsFile(path: "\(Self.resources)/\(name).io.safetensors")
        let latents = try io.tensor(named: "in.chunk_latents_\(tag)")
        let chunked = autoencoder.decodeChunked(latents, chunkSize: chunkSize, overlap: overlap)
        #expect(Self.relativeError(chunked, try io.tensor(named: "out.decode_chunked_\(tag)")) < 1e-4)
        #expect(Self.relativeError(autoencoder.decode(latents), try io.tensor(named: "out.decode_unchunked_\(tag)")) < 1e-4)
    }

    // MARK: Bad input

    static func tensors(_ name: String) throws -> [String: Tensor] {
        try SafeTensorsFile(path: "\(resources)/\(name)/model.safetensors").tensors()
    }

    static func configuration(_ name: String) throws -> AutoencoderConfiguration {
        try ModelConfiguration(contentsOf: "\(resources)/\(name)/model_config.json").autoencoder
    }

    @Test func missingExtraMisshapenAndNonFiniteWeightsAreNamed() throws {
        let configuration = try Self.configuration("oobleck_vae")
        var weights = try Self.tensors("oobleck_vae")
        let key = "decoder.layers.0.weight_v"
        let original = try #require(weights[key])

        weights[key] = nil
        #expect(throws: WeightLoadingError.incompleteWeightNorm(key: "decoder.layers.0.weight", present: "decoder.layers.0.weight_g",
                                                               missing: key, source: "test")) {
            try AudioAutoencoder(ParameterStore(tensors: weights, sourceName: "test").root, configuration: configuration)
        }
        var withoutBias = weights
        withoutBias[key] = original
        withoutBias["decoder.layers.0.bias"] = nil
        #expect(throws: WeightLoadingError.missingKey("decoder.layers.0.bias", source: "test")) {
            try AudioAutoencoder(ParameterStore(tensors: withoutBias, sourceName: "test").root, configuration: configuration)
        }
        weights[key] = Tensor(zeros: [original.shape[0], original.shape[1], 5])
        #expect(throws: WeightLoadingError.shapeMismatch(key: key, expected: original.shape, actual: [original.shape[0], original.shape[1], 5], source: "test")) {
            try AudioAutoencoder(ParameterStore(tensors: weights, sourceName: "test").root, configuration: configuration)
        }
        var poisoned = original
        poisoned[[0, 0, 0]] = .nan
        weights[key] = poisoned
        #expect(throws: WeightLoadingError.nonFinite(key: key, count: 1, source: "test")) {
            try AudioAutoencoder(ParameterStore(tensors: weights, sourceName: "test").root, configuration: configuration)
        }
        weights[key] = original
        weights["decoder.layers.99.weight"] = Tensor(zeros: [1])
        let store = ParameterStore(tensors: weights, sourceName: "test")
        _ = try AudioAutoencoder(store.root, configuration: configuration)
        #expect(throws: WeightLoadingError.unusedKeys(["decoder.layers.99.weight"], source: "test")) { try store.verifyAllUsed() }
    }

    @Test func unsupportedConfigurationsNameTheKey() throws {
        let path = "\(Self.resources)/oobleck_vae/model_config.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func error(_ modified: String) -> String {
            do {
                _ = try ModelConfiguration(json: Data(modified.utf8), path: "cfg.json")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error(text.replacingOccurrences(of: "\"oobleck\"", with: "\"seanet\"")).contains("model.encoder.type: 'seanet' is not supported (supported: oobleck, dac)"))
        #expect(error(text.replacingOccurrences(of: "\"autoencoder\"", with: "\"lm\"")).contains("model_type: 'lm' is not supported"))
        #expect(error(text.replacingOccurrences(of: "\"vae\"", with: "\"rvq\"")).contains("model.bottleneck.type: 'rvq'"))
        #expect(error(text.replacingOccurrences(of: "\"channels\": 8", with: "\"channels\": \"eight\"")).contains("cfg.json: model.encoder.config.channels: expected Int"))
        #expect(error("{\"model_type\": \"autoencoder\"}").contains("cfg.json: model: missing"))
    }
}
