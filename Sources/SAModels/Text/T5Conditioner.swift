import Foundation
import SANN
import SATensor

/// A T5 text conditioner: prompts → cross-attention embeddings `[B, L, cond_dim]` and mask `[B, L]`.
///
/// This implementation matches: stable-audio-tools 0.0.19 `T5Conditioner.forward` (type `"t5"`) and this project's
/// `LocalT5Conditioner` (type `"t5_local"`, `models/training/t5_local.py`):
///
///     ids, mask = tokenizer(texts, truncation=True, max_length=L, padding="max_length")   (</s> appended, <pad> = 0)
///     h = T5Encoder(ids, mask).last_hidden_state                                          [B, L, d_model]
///     h = proj_out(h)          Identity when d_model == cond_dim and not project_out, else Linear(d_model, cond_dim)
///     embeddings = h · mask[..., None]                                                    (padded rows are exact zeros)
///
/// Limitations: Float32 throughout. SAT casts the T5 weights to float16 and runs T5 in float16, so SAT's own
/// `"t5"` embeddings differ from these by float16 rounding (max|diff| ≈ 4e-3 on the tiny fixture; the project's
/// `t5_local` runs in Float32 like this port). SAT's T5 weights are not in its checkpoints: they come from a
/// Hugging Face T5 folder (`config.json`, `*.safetensors`, `tokenizer.json` or `spiece.model`), unless the checkpoint
/// was trained with `enable_grad` and holds them under `conditioner.conditioners.<id>.model.`.
public struct T5Conditioner: Sendable {
    public let tokenizer: T5Tokenizer
    public let encoder: T5Encoder
    /// `proj_out`; nil for Identity.
    public let projection: Linear?
    /// Tokens per prompt (`max_length`).
    public let maxLength: Int

    public init(tokenizer: T5Tokenizer, encoder: T5Encoder, projection: Linear?, maxLength: Int) {
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.projection = projection
        self.maxLength = maxLength
    }

    /// The output width (`cond_dim`).
    public var outputDimension: Int { projection?.outFeatures ?? encoder.configuration.modelDimension }

    /// Embeddings `[B, maxLength, outputDimension]` (zero rows at padding) and the mask `[B, maxLength]` (1 = token).
    public func callAsFunction(prompts: [String]) throws -> (embeddings: Tensor, mask: Tensor) {
        try callAsFunction(tokenizer(prompts, maxLength: maxLength))
    }

    /// The same, from already tokenized prompts.
    public func callAsFunction(_ batch: TokenizedBatch) throws -> (embeddings: Tensor, mask: Tensor) {
        let hidden = try encoder(inputIDs: batch.inputIDs, attentionMask: batch.attentionMask)  // [B, L, d_model]
        let projected = projection.map { $0(hidden) } ?? hidden                                 // [B, L, cond_dim]
        let mask = Tensor(shape: [batch.batchSize, batch.length], scalars: batch.attentionMask.flatMap { $0.map { $0 ? 1 : 0 } })
        // embeddings = h · mask[..., None]
        let embeddings = projected * mask.reshaped([batch.batchSize, batch.length, 1])
        return (embeddings, mask)
    }

    /// `proj_out` as SAT's `Conditioner.__init__` builds it: Linear(dim, output_dim) with bias when
    /// dim ≠ output_dim or project_out, else Identity (nil).
    static func projection(_ scope: ParameterScope, modelDimension: Int, outputDimension: Int, projectOut: Bool) throws -> Linear? {
        guard modelDimension != outputDimension || projectOut else { return nil }
        return try Linear(scope.child("proj_out"), inFeatures: modelDimension, outFeatures: outputDimension)
    }

    /// SAT's `"t5"` conditioner.
    ///
    /// - `checkpoint`: the conditioner's scope in the model checkpoint (`conditioner.conditioners.<id>`), which
    ///   holds `proj_out.*` when there is a projection, and `model.*` only for `enable_grad` checkpoints.
    /// - `textEncoderDirectory`: a Hugging Face folder for `t5_model_name` (e.g. t5-base): `config.json`,
    ///   `tokenizer.json` and/or `spiece.model`, and unless the checkpoint holds the weights, `*.safetensors` with
    ///   `shared.weight` and `encoder.*` (decoder and `lm_head` tensors are ignored).
    ///
    /// A tokenizer that can produce ids beyond the encoder's `vocab_size` is a `TokenizerError`, before any weight is read.
    public init(sat configuration: T5ConditionerConfiguration, outputDimension: Int, checkpoint: ParameterScope,
                textEncoderDirectory: String) throws {
        let configurationPath = (textEncoderDirectory as NSString).appendingPathComponent("config.json")
        let t5Configuration = try T5Configuration(contentsOf: configurationPath)
        if let expected = configuration.modelDimension, expected != t5Configuration.modelDimension {
            throw ModelConfigurationError(path: configurationPath, key: "d_model",
                                          reason: "\(t5Configuration.modelDimension), but SAT's \(configuration.modelName) has \(expected); this folder holds another model")
        }
        let tokenizer = try T5Tokenizer(directory: textEncoderDirectory)
        try tokenizer.requireEmbeddingRows(t5Configuration.vocabularySize, vocabularyKey: "vocab_size in \(configurationPath)")
        let encoder: T5Encoder
        if checkpoint.contains("model.shared.weight") {
            encoder = try T5Encoder(checkpoint.child("model"), configuration: t5Configuration)
        } else {
            let folder = try ModelFolder(path: textEncoderDirectory)
            let store = ParameterStore(files: folder.weightFiles)
            encoder = try T5Encoder(store.root, configuration: t5Configuration)
            try store.verifyAllUsed(allowingPrefixes: ["decoder.", "lm_head."])
        }
        self.init(tokenizer: tokenizer, encoder: encoder,
                  projection: try Self.projection(checkpoint, modelDimension: t5Configuration.modelDimension,
                                                  outputDimension: outputDimension, projectOut: configuration.projectOut),
                  maxLength: configuration.maxLength)
    }

    /// This project's `"t5_local"` conditioner: weights under `checkpoint.model.*` (and `proj_out.*` when
    /// projecting), SentencePiece tokenizer `configuration.tokenizer` resolved against `modelDirectory`. A tokenizer
    /// with more pieces than `t5_config.vocab_size` is a `TokenizerError`, before any weight is read.
    public init(local configuration: LocalT5ConditionerConfiguration, outputDimension: Int, checkpoint: ParameterScope,
                modelDirectory: String) throws {
        let tokenizerPath = configuration.tokenizer.hasPrefix("/") ? configuration.tokenizer
            : (modelDirectory as NSString).appendingPathComponent(configuration.tokenizer)
        let t5Configuration = configuration.t5Configuration
        let tokenizer = try T5Tokenizer.sentencePieceOnly(modelPath: tokenizerPath)
        try tokenizer.requireEmbeddingRows(t5Configuration.vocabularySize, vocabularyKey: "t5_config.vocab_size")
        self.init(tokenizer: tokenizer,
                  encoder: try T5Encoder(checkpoint.child("model"), configuration: t5Configuration),
                  projection: try Self.projection(checkpoint, modelDimension: t5Configuration.modelDimension,
                                                  outputDimension: outputDimension, projectOut: configuration.projectOut),
                  maxLength: configuration.maxLength)
    }
}

extension T5Conditioner: PromptConditioner {
    /// Prompts → `ConditionerOutput` (embeddings with padded rows zeroed, 0/1 mask), for `ConditionedDiffusionModel`.
    public func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput {
        let (embeddings, mask) = try self(prompts: prompts)
        return ConditionerOutput(embeddings: embeddings, mask: mask)
    }

    /// SentencePiece pieces plus `</s>`, against `max_length`.
    public func tokenUsage(_ prompt: String) throws -> (count: Int, limit: Int)? {
        (try tokenizer.encode(prompt).count + 1, maxLength)
    }
}
