import Foundation
import SANN
import SATensor
import SATestSupport
import SAModels
import Testing

/// The T5 encoder and conditioners against Hugging Face transformers 4.57.6 / stable-audio-tools 0.0.19 (fp32, CPU),
/// fixtures `t5_encoder_v1_0/1_1.safetensors` and `t5_conditioner.safetensors` from
/// `Tests/Fixtures/make_model_fixtures.py` (parts "t5"): tiny random-weight models, d_model 32, 4 heads, 2 layers.
@Suite struct TextEncoderTests {
    static func fixture(_ name: String) throws -> SafeTensorsFile { try SafeTensorsFile(path: try TokenizerTests.resource(name)) }

    static func tokenizerDirectory() throws -> String {
        (try TokenizerTests.resource("t5_tokenizer/tokenizer.json") as NSString).deletingLastPathComponent
    }

    /// The encoder, its inputs and the store (to check that every weight was used).
    static func encoder(_ name: String) throws -> (encoder: T5Encoder, file: SafeTensorsFile, store: ParameterStore) {
        let file = try fixture(name)
        let json = try #require(file.metadata["config"])
        let configuration = try T5Configuration(json: Data(json.utf8), path: name)
        let store = ParameterStore(files: [file])
        return (try T5Encoder(store.root, configuration: configuration), file, store)
    }

    /// The prompts and max_length a fixture was made with (from its metadata).
    static func textsAndMaxLength(_ file: SafeTensorsFile) throws -> ([String], Int) {
        let texts = try #require(file.metadata["texts"]), length = try #require(file.metadata["max_length"])
        return (try JSONDecoder().decode([String].self, from: Data(texts.utf8)), try #require(Int(length)))
    }

    static func rows(_ tensor: Tensor) -> [[Int]] {
        let width = tensor.shape[1]
        return (0..<tensor.shape[0]).map { row in (0..<width).map { Int(tensor.scalars[row * width + $0]) } }
    }

    /// max|a − e| and max|a − e| / max|e|.
    static func differences(_ actual: Tensor, _ expected: Tensor) -> (absolute: Float, relative: Float) {
        let comparison = compare(actual, expected, absoluteTolerance: 0)
        let scale = expected.scalars.reduce(0) { max($0, abs($1)) }
        return (comparison.maximumAbsoluteDifference, comparison.maximumAbsoluteDifference / max(scale, .leastNormalMagnitude))
    }

    @Test(arguments: ["t5_encoder_v1_0.safetensors", "t5_encoder_v1_1.safetensors"])
    func encoderMatchesTransformers(_ name: String) throws {
        let (encoder, file, store) = try Self.encoder(name)
        let ids = Self.rows(try file.tensor(named: "in.input_ids"))
        let mask = Self.rows(try file.tensor(named: "in.attention_mask")).map { $0.map { $0 != 0 } }
        try store.verifyAllUsed(allowingPrefixes: ["in.", "out."])

        let output = try encoder(inputIDs: ids, attentionMask: mask)
        let expected = try file.tensor(named: "out.last_hidden_state")
        let (absolute, relative) = Self.differences(output, expected)
        print("[parity] \(name) last_hidden_state: max|diff| \(absolute), relative to max|expected| \(relative)")
        #expect(output.shape == [4, 40, 32])
        #expect(absolute <= 1e-4)
        #expect(relative <= 1e-3)

        let unmasked = try encoder(inputIDs: ids)
        let (unmaskedAbsolute, _) = Self.differences(unmasked, try file.tensor(named: "out.last_hidden_state_no_mask"))
        print("[parity] \(name) last_hidden_state (no mask): max|diff| \(unmaskedAbsolute)")
        #expect(unmaskedAbsolute <= 1e-4)
    }

    /// The fixture's ids were made by the fast tokenizer from the texts in its metadata.
    @Test func encoderFixtureIDsEqualOurTokenizer() throws {
        let file = try Self.fixture("t5_encoder_v1_0.safetensors")
        let (texts, maxLength) = try Self.textsAndMaxLength(file)
        let batch = try T5Tokenizer(directory: try Self.tokenizerDirectory())(texts, maxLength: maxLength)
        #expect(batch.inputIDs == Self.rows(try file.tensor(named: "in.input_ids")))
        #expect(batch.attentionMask == Self.rows(try file.tensor(named: "in.attention_mask")).map { $0.map { $0 != 0 } })
    }

    /// SAT's `T5Conditioner` (fp32 T5) with Identity and Linear `proj_out`, from the prompts.
    @Test(arguments: [("identity", 32), ("proj", 24)])
    func satConditionerMatches(_ caseName: String, _ outputDimension: Int) throws {
        let file = try Self.fixture("t5_conditioner.safetensors")
        let (texts, maxLength) = try Self.textsAndMaxLength(file)
        let (encoder, _, _) = try Self.encoder("t5_encoder_v1_0.safetensors")
        let store = ParameterStore(files: [file])
        let projection = caseName == "proj"
            ? try Linear(store.scope("proj.proj_out"), inFeatures: 32, outFeatures: outputDimension) : nil
        let conditioner = T5Conditioner(tokenizer: try T5Tokenizer(directory: try Self.tokenizerDirectory()), encoder: encoder,
                                        projection: projection, maxLength: maxLength)
        #expect(conditioner.outputDimension == outputDimension)

        let (embeddings, mask) = try conditioner(prompts: texts)
        let expected = try file.tensor(named: "out.\(caseName).embeddings")
        let (absolute, relative) = Self.differences(embeddings, expected)
        print("[parity] t5_conditioner \(caseName): max|diff| \(absolute), relative \(relative)")
        #expect(embeddings.shape == [4, maxLength, outputDimension])
        #expect(absolute <= 1e-4 && relative <= 1e-3)
        #expect(mask == (try file.tensor(named: "out.\(caseName).mask")))
        #expect(Self.rows(try file.tensor(named: "in.input_ids")) == (try conditioner.tokenizer(texts, maxLength: maxLength)).inputIDs)
        // Padded rows are exact zeros, as SAT's h · mask.
        for item in 0..<4 {
            for position in 0..<maxLength where mask[[item, position]] == 0 {
                #expect((0..<outputDimension).allSatisfy { embeddings[[item, position, $0]] == 0 })
            }
        }
        // SAT as shipped runs T5 in float16; the documented difference from this fp32 port.
        let (halfDifference, _) = Self.differences(embeddings, try file.tensor(named: "out.\(caseName).embeddings_t5_fp16"))
        print("[parity] t5_conditioner \(caseName): fp32 port vs SAT fp16 T5 max|diff| \(halfDifference)")
        #expect(halfDifference < 1e-2)
    }

    /// Buckets against `T5Attention._relative_position_bucket` (torch 2.13) for r in −5000…5000: each list gives
    /// (r, bucket) wherever the bucket changes.
    @Test func relativePositionBucketsMatchTransformers() {
        let references: [(buckets: Int, distance: Int, changes: [(Int, Int)])] = [
            (32, 128, [(-5000, 15), (-90, 14), (-63, 13), (-45, 12), (-31, 11), (-22, 10), (-15, 9), (-11, 8), (-7, 7), (-6, 6),
                       (-5, 5), (-4, 4), (-3, 3), (-2, 2), (-1, 1), (0, 0), (1, 17), (2, 18), (3, 19), (4, 20), (5, 21), (6, 22),
                       (7, 23), (8, 24), (12, 25), (16, 26), (23, 27), (32, 28), (46, 29), (64, 30), (91, 31)]),
            (16, 24, [(-5000, 7), (-15, 6), (-9, 5), (-6, 4), (-3, 3), (-2, 2), (-1, 1), (0, 0), (1, 9), (2, 10), (3, 11), (4, 12),
                      (7, 13), (10, 14), (16, 15)]),
            (32, 64, [(-5000, 15), (-49, 14), (-38, 13), (-29, 12), (-22, 11), (-17, 10), (-13, 9), (-10, 8), (-7, 7), (-6, 6),
                      (-5, 5), (-4, 4), (-3, 3), (-2, 2), (-1, 1), (0, 0), (1, 17), (2, 18), (3, 19), (4, 20), (5, 21), (6, 22),
                      (7, 23), (8, 24), (11, 25), (14, 26), (18, 27), (23, 28), (30, 29), (39, 30), (50, 31)]),
            (64, 256, [(-5000, 31), (-215, 30), (-181, 29), (-152, 28), (-127, 27), (-107, 26), (-90, 25), (-76, 24), (-63, 23),
                       (-53, 22), (-45, 21), (-38, 20), (-31, 19), (-26, 18), (-22, 17), (-19, 16), (-15, 15), (-14, 14), (-13, 13),
                       (-12, 12), (-11, 11), (-10, 10), (-9, 9), (-8, 8), (-7, 7), (-6, 6), (-5, 5), (-4, 4), (-3, 3), (-2, 2),
                       (-1, 1), (0, 0), (1, 33), (2, 34), (3, 35), (4, 36), (5, 37), (6, 38), (7, 39), (8, 40), (9, 41), (10, 42),
                       (11, 43), (12, 44), (13, 45), (14, 46), (15, 47), (16, 48), (20, 49), (23, 50), (27, 51), (32, 52), (39, 53),
                       (46, 54), (54, 55), (64, 56), (77, 57), (91, 58), (108, 59), (128, 60), (153, 61), (182, 62), (216, 63)]),
        ]
        for reference in references {
            var changes = [(Int, Int)]()
            var previous = -1
            for position in -5000...5000 {
                let bucket = T5RelativePositionBias.bucket(relativePosition: position, bucketCount: reference.buckets,
                                                           maximumDistance: reference.distance)
                if bucket != previous { changes.append((position, bucket)) }
                previous = bucket
            }
            #expect(changes.map { [$0.0, $0.1] } == reference.changes.map { [$0.0, $0.1] },
                    "buckets \(reference.buckets), max distance \(reference.distance)")
        }
    }

    // MARK: t5_local

    /// A `t5_local` model folder: the tiny v1.0 T5 under `conditioner.conditioners.prompt.model.` (with the tied
    /// `encoder.embed_tokens` copy the training code saves), `spiece.model` beside it.
    static func localModelFolder(projection: Linear?) throws -> (directory: String, configuration: LocalT5ConditionerConfiguration) {
        let source = try fixture("t5_encoder_v1_0.safetensors")
        let directory = NSTemporaryDirectory() + "t5-local-\(getpid())-\(projection == nil ? "identity" : "proj")"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var tensors = [(name: String, tensor: Tensor)]()
        for name in source.names where !name.hasPrefix("in.") && !name.hasPrefix("out.") {
            tensors.append(("conditioner.conditioners.prompt.model.\(name)", try source.tensor(named: name)))
        }
        tensors.append(("conditioner.conditioners.prompt.model.encoder.embed_tokens.weight", try source.tensor(named: "shared.weight")))
        if let projection {
            tensors.append(("conditioner.conditioners.prompt.proj_out.weight", projection.weight))
            tensors.append(("conditioner.conditioners.prompt.proj_out.bias", try #require(projection.bias)))
        }
        try SafeTensorsWriter.write(tensors, to: directory + "/model.safetensors")
        try FileManager.default.copyItem(atPath: try TokenizerTests.resource("t5_tokenizer/spiece.model"), toPath: directory + "/spiece.model")
        let json = """
            {"tokenizer": "spiece.model", "max_length": 12,
             "t5_config": {"vocab_size": 1152, "d_model": 32, "d_kv": 8, "d_ff": 64, "num_layers": 2, "num_heads": 4,
                           "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "dropout_rate": 0.0,
                           "layer_norm_epsilon": 1e-6, "feed_forward_proj": "relu", "is_encoder_decoder": false,
                           "use_cache": false, "pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0}}
            """
        return (directory, try JSONDecoder().decode(LocalT5ConditionerConfiguration.self, from: Data(json.utf8)))
    }

    @Test(arguments: [false, true])
    func localConditionerLoadsFromModelFolder(_ projects: Bool) throws {
        let projection = projects ? Linear(weight: randomTensor([24, 32], seed: 5, scale: 0.2), bias: randomTensor([24], seed: 6)) : nil
        let (directory, configuration) = try Self.localModelFolder(projection: projection)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let folder = try ModelFolder(path: directory)
        let store = ParameterStore(files: folder.weightFiles)
        let conditioner = try T5Conditioner(local: configuration, outputDimension: projects ? 24 : 32,
                                            checkpoint: store.scope("conditioner.conditioners.prompt"), modelDirectory: directory)
        try store.verifyAllUsed()

        let prompts = ["A dog barking in the distance", "", "special tokens </s> <pad> stay text here", String(repeating: "rain ", count: 40)]
        let (embeddings, mask) = try conditioner(prompts: prompts)
        #expect(embeddings.shape == [4, 12, projects ? 24 : 32] && mask.shape == [4, 12])

        // The same computation spelled out: raw sp.encode ids + </s>, padded; T5; proj; × mask.
        let sentencePiece = try T5Tokenizer.sentencePieceOnly(modelPath: directory + "/spiece.model")
        var ids = [[Int]](), keep = [[Bool]]()
        for prompt in prompts {
            let pieces = Array(try sentencePiece.encode(prompt).prefix(11)) + [1]
            ids.append(pieces + Array(repeating: 0, count: 12 - pieces.count))
            keep.append(pieces.map { _ in true } + Array(repeating: false, count: 12 - pieces.count))
        }
        #expect(ids[2].contains(1) && ids[2].firstIndex(of: 1) == ids[2].lastIndex(of: 1), "literal </s> is text for t5_local")
        let (encoder, _, _) = try Self.encoder("t5_encoder_v1_0.safetensors")
        var expected = try encoder(inputIDs: ids, attentionMask: keep)
        if let projection { expected = projection(expected) }
        let maskTensor = Tensor(shape: [4, 12], scalars: keep.flatMap { $0.map { $0 ? 1 : 0 } })
        expected = expected * maskTensor.reshaped([4, 12, 1])
        #expect(mask == maskTensor)
        #expect(compare(embeddings, expected, absoluteTolerance: 0).maximumAbsoluteDifference == 0)
    }

    /// The project's `LocalT5Conditioner` itself (`t5_local_conditioner.safetensors`, `make_text_fixtures.py`).
    @Test(arguments: [("identity", 32), ("proj", 24)])
    func localConditionerMatchesTrainingCode(_ caseName: String, _ outputDimension: Int) throws {
        let file = try Self.fixture("t5_local_conditioner.safetensors")
        let (texts, maxLength) = try Self.textsAndMaxLength(file)
        var tensors = [String: Tensor]()
        for name in file.names where name.hasPrefix("conditioner.") { tensors[name] = try file.tensor(named: name) }
        for name in file.names where name.hasPrefix("\(caseName).") { tensors[String(name.dropFirst(caseName.count + 1))] = try file.tensor(named: name) }
        let store = ParameterStore(tensors: tensors, sourceName: "t5_local_conditioner.safetensors")
        let json = #"{"tokenizer": "spiece.model", "max_length": \#(maxLength), "t5_config": \#(try #require(file.metadata["t5_config"]))}"#
        let configuration = try JSONDecoder().decode(LocalT5ConditionerConfiguration.self, from: Data(json.utf8))
        let conditioner = try T5Conditioner(local: configuration, outputDimension: outputDimension,
                                            checkpoint: store.scope("conditioner.conditioners.prompt"), modelDirectory: try Self.tokenizerDirectory())
        try store.verifyAllUsed()
        #expect((try conditioner.tokenizer(texts, maxLength: maxLength)).inputIDs == Self.rows(try file.tensor(named: "out.\(caseName).input_ids")))
        let (embeddings, mask) = try conditioner(prompts: texts)
        let (absolute, relative) = Self.differences(embeddings, try file.tensor(named: "out.\(caseName).embeddings"))
        print("[parity] t5_local_conditioner \(caseName): max|diff| \(absolute), relative \(relative)")
        #expect(absolute <= 1e-4 && relative <= 1e-3)
        #expect(mask == (try file.tensor(named: "out.\(caseName).mask")))
    }

    @Test func localConfigurationRejectsUnsupportedFeedForward() throws {
        let json = #"{"model": {"t5_config": {"vocab_size": 10, "d_model": 8, "feed_forward_proj": "gated-tanh"}}}"#
        struct Wrapper: Decodable {
            struct Model: Decodable { var t5Config: T5Configuration; enum CodingKeys: String, CodingKey { case t5Config = "t5_config" } }
            var model: Model
        }
        do {
            _ = try JSONDecoder().decode(Wrapper.self, from: Data(json.utf8))
            Issue.record("unsupported feed_forward_proj was accepted")
        } catch let error as ModelConfigurationError {
            #expect(error.key == "model.t5_config.feed_forward_proj")
            #expect(error.description.contains("gated-tanh") && error.description.contains("gated-gelu"))
        }
        #expect(throws: ModelConfigurationError.self) { try T5Configuration(feedForwardProjection: "gated-gelu-new") }
        #expect(throws: ModelConfigurationError.self) {
            try T5Configuration(json: Data(#"{"vocab_size": "@vocab"}"#.utf8), path: "config.json")
        }
        let gated = try T5Configuration(json: Data(#"{"feed_forward_proj": "gated-gelu"}"#.utf8))
        #expect(gated.isGated && gated.activation == .geluTanh)
        let gatedSilu = try T5Configuration(json: Data(#"{"feed_forward_proj": "gated-silu"}"#.utf8))
        #expect(gatedSilu.isGated && gatedSilu.activation == .silu)
    }
}

/// Loading SAT's `"t5"` conditioner from a Hugging Face T5 folder, and bad input to the encoder.
@Suite struct TextEncoderLoadingTests {
    /// A Hugging Face-style T5 folder holding the tiny v1.0 model (encoder + a decoder tensor and lm_head that
    /// must be ignored), its config.json and both tokenizer files.
    static func huggingFaceFolder(withWeights: Bool) throws -> String {
        let source = try TextEncoderTests.fixture("t5_encoder_v1_0.safetensors")
        let directory = NSTemporaryDirectory() + "t5-hf-\(getpid())-\(withWeights)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if withWeights {
            var tensors = [(name: String, tensor: Tensor)]()
            for name in source.names where !name.hasPrefix("in.") && !name.hasPrefix("out.") { tensors.append((name, try source.tensor(named: name))) }
            tensors.append(("decoder.final_layer_norm.weight", Tensor(repeating: 1, shape: [32])))
            tensors.append(("lm_head.weight", try source.tensor(named: "shared.weight")))
            try SafeTensorsWriter.write(tensors, storage: .float16, to: directory + "/model.safetensors")
        }
        _ = FileManager.default.createFile(atPath: directory + "/config.json", contents: Data(try #require(source.metadata["config"]).utf8))
        for name in ["tokenizer.json", "spiece.model"] {
            try FileManager.default.copyItem(atPath: try TokenizerTests.resource("t5_tokenizer/\(name)"), toPath: directory + "/\(name)")
        }
        return directory
    }

    @Test func satConditionerLoadsFromHuggingFaceFolder() throws {
        let directory = try Self.huggingFaceFolder(withWeights: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixture = try TextEncoderTests.fixture("t5_conditioner.safetensors")
        let (texts, maxLength) = try TextEncoderTests.textsAndMaxLength(fixture)
        let checkpoint = ParameterStore(tensors: [
            "conditioner.conditioners.prompt.proj_out.weight": try fixture.tensor(named: "proj.proj_out.weight"),
            "conditioner.conditioners.prompt.proj_out.bias": try fixture.tensor(named: "proj.proj_out.bias"),
        ])
        // The fixture's model is not one of SAT's names, so build the configuration without the name check.
        let configuration = T5ConditionerConfiguration(modelName: "fixture/tiny-t5-v1_0", maxLength: maxLength)
        let conditioner = try T5Conditioner(sat: configuration, outputDimension: 24,
                                            checkpoint: checkpoint.scope("conditioner.conditioners.prompt"), textEncoderDirectory: directory)
        try checkpoint.verifyAllUsed()
        let (embeddings, mask) = try conditioner(prompts: texts)
        // Weights were stored as float16 here, so compare loosely; the exact path is tested with the fp32 fixture.
        let difference = compare(embeddings, try fixture.tensor(named: "out.proj.embeddings"), absoluteTolerance: 0).maximumAbsoluteDifference
        #expect(difference < 2e-2, "float16-stored weights: max|diff| \(difference)")
        #expect(mask == (try fixture.tensor(named: "out.proj.mask")))

        // A real SAT name whose d_model disagrees with the folder is refused.
        #expect(throws: ModelConfigurationError.self) {
            try T5Conditioner(sat: T5ConditionerConfiguration(modelName: "t5-base"), outputDimension: 768,
                              checkpoint: checkpoint.scope("conditioner.conditioners.prompt"), textEncoderDirectory: directory)
        }
        // SAT's config block decodes with its own key names and checks the model name.
        let decoded = try JSONDecoder().decode(T5ConditionerConfiguration.self, from: Data(#"{"t5_model_name": "t5-base", "max_length": 128}"#.utf8))
        #expect(decoded.modelDimension == 768 && decoded.maxLength == 128 && !decoded.projectOut)
        #expect(throws: ModelConfigurationError.self) {
            try JSONDecoder().decode(T5ConditionerConfiguration.self, from: Data(#"{"t5_model_name": "t5-tiny"}"#.utf8))
        }
    }

    /// An `enable_grad` SAT checkpoint carries the T5 weights itself, under `<id>.model.`.
    @Test func satConditionerPrefersWeightsInTheCheckpoint() throws {
        let directory = try Self.huggingFaceFolder(withWeights: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try TextEncoderTests.fixture("t5_encoder_v1_0.safetensors")
        let tensors = Dictionary(uniqueKeysWithValues: try source.fixtureWeights().map { ("conditioner.conditioners.prompt.model.\($0.key)", $0.value) })
        let checkpoint = ParameterStore(tensors: tensors)
        let fixture = try TextEncoderTests.fixture("t5_conditioner.safetensors")
        let (texts, maxLength) = try TextEncoderTests.textsAndMaxLength(fixture)
        let conditioner = try T5Conditioner(sat: T5ConditionerConfiguration(modelName: "fixture", maxLength: maxLength), outputDimension: 32,
                                            checkpoint: checkpoint.scope("conditioner.conditioners.prompt"), textEncoderDirectory: directory)
        try checkpoint.verifyAllUsed()
        let (embeddings, _) = try conditioner(prompts: texts)
        #expect(compare(embeddings, try fixture.tensor(named: "out.identity.embeddings"), absoluteTolerance: 1e-4).passed)
    }

    @Test func badEncoderInputIsAnError() throws {
        let (encoder, _, _) = try TextEncoderTests.encoder("t5_encoder_v1_0.safetensors")
        #expect(throws: TextEncoderError.tokenOutOfRange(id: 1152, item: 1, position: 2, vocabularySize: 1152)) {
            try encoder(inputIDs: [[1, 0, 0], [5, 6, 1152]])
        }
        #expect(throws: TextEncoderError.tokenOutOfRange(id: -1, item: 0, position: 0, vocabularySize: 1152)) { try encoder(inputIDs: [[-1]]) }
        #expect(throws: TextEncoderError.raggedBatch(expectedLength: 2, item: 1, length: 1)) { try encoder(inputIDs: [[1, 0], [1]]) }
        #expect(throws: TextEncoderError.maskBatchMismatch(ids: 1, mask: 2)) { try encoder(inputIDs: [[1]], attentionMask: [[true], [true]]) }
        #expect(throws: TextEncoderError.emptyBatch) { try encoder(inputIDs: []) }
        #expect(throws: TextEncoderError.emptyBatch) { try encoder(inputIDs: [[]]) }
    }

    @Test func missingOrMismatchedWeightsAreErrors() throws {
        let source = try TextEncoderTests.fixture("t5_encoder_v1_0.safetensors")
        let configuration = try T5Configuration(json: Data(try #require(source.metadata["config"]).utf8))
        let tensors = try source.fixtureWeights()

        var missing = tensors
        missing["encoder.block.1.layer.1.DenseReluDense.wo.weight"] = nil
        #expect(throws: WeightLoadingError.missingKey("encoder.block.1.layer.1.DenseReluDense.wo.weight", source: "in-memory parameters")) {
            try T5Encoder(ParameterStore(tensors: missing).root, configuration: configuration)
        }
        var untied = tensors
        untied["encoder.embed_tokens.weight"] = try source.tensor(named: "shared.weight") * 2
        #expect(throws: TextEncoderError.self) { try T5Encoder(ParameterStore(tensors: untied).root, configuration: configuration) }
        var gated = configuration
        gated.feedForwardProjection = "gated-gelu"
        #expect(throws: WeightLoadingError.self) { try T5Encoder(ParameterStore(tensors: tensors).root, configuration: gated) }
    }

    /// Empty, whitespace-only, very long and emoji prompts through the whole conditioner.
    @Test func unusualPromptsThroughTheConditioner() throws {
        let (encoder, _, _) = try TextEncoderTests.encoder("t5_encoder_v1_0.safetensors")
        let conditioner = T5Conditioner(tokenizer: try T5Tokenizer(directory: try TextEncoderTests.tokenizerDirectory()),
                                        encoder: encoder, projection: nil, maxLength: 16)
        let long = String(repeating: "thunder rolling over the hills ", count: 400)
        let (embeddings, mask) = try conditioner(prompts: ["", " \t\n ", long, "🥁🎸 👍🏽 drums"])
        #expect(embeddings.shape == [4, 16, 32])
        #expect(embeddings.scalars.allSatisfy { $0.isFinite })
        for item in [0, 1] {
            #expect(mask[[item, 0]] == 1 && (1..<16).allSatisfy { mask[[item, $0]] == 0 })
            #expect((0..<32).contains { embeddings[[item, 0, $0]] != 0 })
            #expect((32..<16 * 32).allSatisfy { embeddings.scalars[item * 16 * 32 + $0] == 0 })
        }
        #expect((0..<16).allSatisfy { mask[[2, $0]] == 1 })
        #expect(try conditioner.tokenizer(["🥁🎸 👍🏽 drums"], maxLength: 16).inputIDs[0].prefix(5) == [3, 2, 3, 2, 140])
    }
}
