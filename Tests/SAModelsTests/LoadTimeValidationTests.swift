import Foundation
import SAModels
import SANN
import SATensor
import Testing

/// Inputs from files that used to pass loading and then trap in a tensor op or an integer conversion: a tokenizer
/// with more ids than the text encoder's embedding table, int-conditioner values outside its table, and a
/// conditioning value too large for `Int`. Each is now an error at load time (or clamped, as the model would).
@Suite struct LoadTimeValidationTests {
    static let resources = Bundle.module.resourceURL!.path

    /// A tiny T5 encoder configuration (the fixtures' widths) with `vocabularySize` embedding rows.
    static func t5Configuration(vocabularySize: Int) throws -> T5Configuration {
        try T5Configuration(vocabularySize: vocabularySize, modelDimension: 32, keyValueDimension: 8, feedForwardDimension: 64,
                            layerCount: 1, headCount: 4)
    }

    @Test func tokenizerLargerThanTheEmbeddingTableIsATokenizerError() throws {
        let directory = try TextEncoderTests.tokenizerDirectory()
        // Any weights of the right shapes: the check happens before a single tensor is read.
        let store = ParameterStore(synthesizingWithSeed: 1)
        let small = LocalT5ConditionerConfiguration(t5Configuration: try Self.t5Configuration(vocabularySize: 100))
        do {
            _ = try T5Conditioner(local: small, outputDimension: 32, checkpoint: store.scope("conditioner.conditioners.prompt"), modelDirectory: directory)
            Issue.record("a 100-row embedding table was accepted for a tokenizer of more pieces")
        } catch let error as TokenizerError {
            #expect(error.path.hasSuffix("spiece.model"))
            #expect(error.description.contains("vocabulary: produces ids up to"))
            #expect(error.description.contains("t5_config.vocab_size = 100"))
        }
        let fitting = LocalT5ConditionerConfiguration(t5Configuration: try Self.t5Configuration(vocabularySize: 1152))
        _ = try T5Conditioner(local: fitting, outputDimension: 32, checkpoint: store.scope("conditioner.conditioners.prompt"), modelDirectory: directory)
    }

    @Test func vocabularySizeCountsAddedTokens() throws {
        // The fixture tokenizer.json: SentencePiece pieces plus <extra_id_*> tokens up to id 1099.
        let tokenizer = try T5Tokenizer(directory: try TextEncoderTests.tokenizerDirectory())
        #expect(tokenizer.vocabularySize == 1100)
        try tokenizer.requireEmbeddingRows(1100, vocabularyKey: "vocab_size")
        #expect(throws: TokenizerError.self) { try tokenizer.requireEmbeddingRows(1099, vocabularyKey: "vocab_size") }
    }

    @Test func intConditionerRejectsRowsBelowItsTable() throws {
        let store = ParameterStore(tensors: ["int_embedder.weight": Tensor(zeros: [21, 2])])
        let conditioner = try IntConditioner(store.root, minimum: -10, maximum: 10, outputDimension: 2)
        #expect(try conditioner.indices([3]) == [3])
        // SAT indexes by the raw value: −5 would be row −5.
        #expect(throws: ModelConfigurationError.self) { try conditioner.indices([-5]) }
        #expect(throws: ModelConfigurationError.self) { try conditioner([-5]) }
    }

    @Test func intConditionerWithAnEmptyRangeIsAnError() throws {
        do {
            _ = try IntConditioner(ParameterStore(synthesizingWithSeed: 1).scope("seconds"), minimum: 5, maximum: 2, outputDimension: 2)
            Issue.record("min_val 5 > max_val 2 was accepted")
        } catch let error as WeightLoadingError {
            #expect(error.description.contains("module 'seconds': int conditioner range 5...2 is empty"))
        }
    }

    /// Stands in for the prompt conditioner (see `DiffusionModelParityTests`).
    struct InjectedPrompt: PromptConditioner {
        func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput {
            ConditionerOutput(embeddings: Tensor(zeros: [prompts.count, 3, 8]), mask: Tensor(repeating: 1, shape: [prompts.count, 3]))
        }
    }

    @Test func hugeIntConditionerValuesAreClampedBeforeConversion() throws {
        let model = try ConditionedDiffusionModel(folder: try ModelFolder(path: "\(Self.resources)/tiny_unet_model")) { _, width, scope, _ in
            _ = try scope.child("proj_out").tensor("weight", shape: [width, 768])
            _ = try scope.child("proj_out").tensor("bias", shape: [width])
            return InjectedPrompt()
        }
        func outputs(_ seconds: Double) throws -> Tensor {
            let item: [String: ConditioningValue] = ["prompt": .text("x"), "seconds_start": .number(0), "seconds_total": .number(seconds)]
            return try #require(try model.conditionerOutputs([item])["seconds_total"]).embeddings
        }
        // max_val is 512: any larger value reads the last row, however large.
        #expect(try outputs(1e300) == outputs(512))
        #expect(try outputs(-1e300) == outputs(0))
    }
}
