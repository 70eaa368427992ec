import Foundation
import SAAudioText
import SAModels
import SANN
import SATensor
import Testing

/// A bad config or bad weights is rejected with an error naming the file, the key and the problem.
@Suite struct AudioTextLoadingTests {
    static let fixture = AudioTextModelTests.modelFolder

    static func weights() throws -> [String: Tensor] {
        let file = try SafeTensorsFile(path: fixture + "/" + AudioTextModel.weightsFileName)
        var tensors: [String: Tensor] = [:]
        for name in file.names { tensors[name] = try file.tensor(named: name) }
        return tensors
    }

    /// Loads the fixture model with `edit` applied to its weights; returns the error text ("" when it loads).
    static func loadError(_ edit: (inout [String: Tensor]) -> Void) throws -> String {
        var tensors = try weights()
        edit(&tensors)
        let configuration = try AudioTextConfiguration(contentsOf: fixture + "/" + AudioTextModel.configurationFileName)
        let tokenizer = try T5Tokenizer.sentencePieceOnly(modelPath: fixture + "/spiece.model")
        do {
            _ = try AudioTextModel(directory: fixture, configuration: configuration, tokenizer: tokenizer,
                                   store: ParameterStore(tensors: tensors, sourceName: "edited.safetensors"))
            return ""
        } catch {
            return "\(error)"
        }
    }

    /// A copy of the fixture folder whose config is `edit`ed; returns the error text of loading it.
    static func configurationError(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let folder = NSTemporaryDirectory() + "clap-config-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in [AudioTextModel.weightsFileName, "spiece.model"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: fixture + "/" + name)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture + "/" + AudioTextModel.configurationFileName))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: folder + "/" + AudioTextModel.configurationFileName))
        do {
            _ = try AudioTextModel(directory: folder)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func theFixtureLoads() throws {
        #expect(try Self.loadError { _ in } == "")
        #expect(try Self.configurationError { _ in } == "")
    }

    @Test func badWeightsNameTheKey() throws {
        #expect(try Self.loadError { $0["text.pos"] = nil }.contains("missing tensor 'text.pos'"))
        #expect(try Self.loadError { $0["audio.proj.weight"] = Tensor(zeros: [128, 380]) }
            .contains("tensor 'audio.proj.weight' has shape [128, 380], expected [128, 384]"))
        let nan = try Self.loadError { tensors in
            var values = tensors["text.enc.layers.1.linear1.weight"]!.scalars
            values[5] = .nan
            tensors["text.enc.layers.1.linear1.weight"] = Tensor(shape: [512, 128], scalars: values)
        }
        #expect(nan.contains("'text.enc.layers.1.linear1.weight' has 1 NaN or infinite values"), "\(nan)")
        #expect(try Self.loadError { $0["audio.extra.weight"] = Tensor(zeros: [2]) }.contains("'audio.extra.weight'"))
        #expect(try Self.loadError { $0["features.std"] = Tensor(shape: [2], scalars: [1, 0]) }.contains("features.std"))
        #expect(try Self.loadError { $0["audio.conv.9.weight"] = nil }.contains("missing tensor 'audio.conv.9.weight'"))
        // A filterbank that is not the one the config describes (e.g. a different fmin).
        let bank = try Self.loadError { tensors in
            var values = tensors["features.fb"]!.scalars
            values.insert(values.removeLast(), at: 0)
            tensors["features.fb"] = Tensor(shape: [64, 1025], scalars: values)
        }
        #expect(bank.contains("features.fb: does not match the 64-band filterbank"), "\(bank)")
        // The family head must have one row per family of the config.
        let family = try Self.loadError { tensors in
            tensors["audio.cls.weight"] = tensors["audio.cls.weight"]!.slice(axis: 0, 0..<41)
            tensors["audio.cls.bias"] = tensors["audio.cls.bias"]!.slice(axis: 0, 0..<41)
        }
        #expect(family.contains("audio.cls.weight: has shape [41, 384], but the config lists 42 families"), "\(family)")
        // The token table must match the tokenizer.
        let vocabulary = try Self.loadError { $0["text.emb.weight"] = $0["text.emb.weight"]!.slice(axis: 0, 0..<400) }
        #expect(vocabulary.contains("text.emb.weight: has 400 rows, but the tokenizer"), "\(vocabulary)")
    }

    @Test func badConfigsNameTheKey() throws {
        #expect(try Self.configurationError { $0["n_mels"] = nil }.contains("sfx_clap_mini.json: n_mels: missing"))
        #expect(try Self.configurationError { $0["hop"] = "1024" }.contains("hop: must be an integer"))
        #expect(try Self.configurationError { $0["families"] = Array(($0["families"] as! [String]).dropLast()) }
            .contains("but the config lists 41 families"))
        #expect(try Self.configurationError { $0["families"] = ["rain", "rain"] }.contains("families: names a family twice"))
        #expect(try Self.configurationError { $0["tokenizer"] = "other.model" }.contains("tokenizer: names other.model"))
        #expect(try Self.configurationError { $0["mel_fmin"] = 40.0 }.contains("features.fb: does not match"))
        #expect(try Self.configurationError { $0["max_length"] = 32 }.contains("tensor 'text.pos' has shape [64, 128], expected [32, 128]"))
        // Every clip is padded to `window` samples and cut into 1 + window/hop frames: huge values would be
        // allocated at the first scored file, so they are load errors.
        let window = try Self.configurationError { $0["window"] = 1e15 }
        #expect(window.contains("window: must be at most 16777216 samples, got 1000000000000000"), "\(window)")
        let hop = try Self.configurationError { $0["window"] = 1 << 24; $0["hop"] = 1 }
        #expect(hop.contains("hop: 1 gives 16777217 STFT frames for a window of 16777216 samples; at most 65536"), "\(hop)")
        let missingFolder = "\(NSTemporaryDirectory())no-such-clap-\(getpid())"
        #expect(throws: AudioTextModelError.self) { try AudioTextModel(directory: missingFolder) }
    }
}
