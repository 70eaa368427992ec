import Foundation
import SAAudio
import SAMetrics
import SAModels
import SANN
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// sfx-clap-mini, this project's own small contrastive audio-text model (NOT LAION-CLAP), loaded from an export
/// folder: `sfx_clap_mini.json` (config), `sfx_clap_mini.safetensors` (`Clap.state_dict()`), and the SentencePiece
/// model the config names (`spiece.model`).
///
/// This implementation matches: `models/training/train_clap.py` `Clap` (features, audio tower, text tower) and the
/// `SPTokenizer` of `models/training/t5_local.py`, in eval mode, fp32; `logit_scale` (a training-only temperature)
/// is checked and not used. Loading is strict: every tensor must exist with the expected shape and finite values
/// and none may be left over; the family count must agree between the config and `audio.cls.weight`, and the
/// vocabulary between the tokenizer and `text.emb.weight`.
/// Limitations: mono or stereo audio; other sample rates than the config's (44.1 kHz) are resampled to it first
/// (`AudioTextFeatureExtractor`); only the first `window` samples of a clip (262144, ≈ 5.94 s) are seen, as in
/// training.
public struct AudioTextModel: Sendable {
    public static let configurationFileName = "sfx_clap_mini.json"
    public static let weightsFileName = "sfx_clap_mini.safetensors"

    public let directory: String
    public let configuration: AudioTextConfiguration
    public let tokenizer: T5Tokenizer
    public let features: AudioTextFeatureExtractor
    public let audioTower: AudioTextAudioTower
    public let textTower: AudioTextTextTower

    /// Loads the export folder at `directory`.
    public init(directory: String) throws {
        let manager = FileManager.default
        guard AudioFileDiscovery.isDirectory(directory) else {
            throw AudioTextModelError(path: directory, reason: "not a folder (expected an sfx-clap-mini export: \(Self.configurationFileName), \(Self.weightsFileName), spiece.model)")
        }
        let configurationPath = (directory as NSString).appendingPathComponent(Self.configurationFileName)
        let weightsPath = (directory as NSString).appendingPathComponent(Self.weightsFileName)
        for path in [configurationPath, weightsPath] where !manager.fileExists(atPath: path) {
            throw AudioTextModelError(path: path, reason: "missing from the model folder")
        }
        let configuration = try AudioTextConfiguration(contentsOf: configurationPath)
        let tokenizerPath = (directory as NSString).appendingPathComponent(configuration.tokenizer)
        guard manager.fileExists(atPath: tokenizerPath) else {
            throw AudioTextModelError(path: configurationPath, key: "tokenizer", reason: "names \(configuration.tokenizer), which is not in \(directory)")
        }
        let tokenizer = try T5Tokenizer.sentencePieceOnly(modelPath: tokenizerPath)
        let store = ParameterStore(files: [try SafeTensorsFile(path: weightsPath)])
        try self.init(directory: directory, configuration: configuration, tokenizer: tokenizer, store: store)
    }

    /// Builds the model from a configuration, a tokenizer and a parameter store (checked strictly).
    public init(directory: String, configuration: AudioTextConfiguration, tokenizer: T5Tokenizer, store: ParameterStore) throws {
        self.directory = directory
        self.configuration = configuration
        self.tokenizer = tokenizer
        let root = store.root
        features = try AudioTextFeatureExtractor(root.child("features"), configuration: configuration)
        let frames = configuration.frameCount
        guard configuration.melCount >> AudioTextAudioTower.blockCount >= 1, frames >> AudioTextAudioTower.blockCount >= 1 else {
            throw AudioTextModelError(path: store.sourceName, reason: "features of \(configuration.melCount) mels × \(frames) frames are too small for \(AudioTextAudioTower.blockCount) 2×2 poolings")
        }
        audioTower = try AudioTextAudioTower(root.child("audio"), embeddingDimension: configuration.embeddingDimension,
                                             familyCount: configuration.families.count)
        let vocabularySize = tokenizer.tokenizer.model.pieces.count
        let embeddingKey = root.child("text").child("emb").key("weight")
        if let shape = store.shape(of: embeddingKey), shape.count == 2, shape[0] != vocabularySize {
            throw AudioTextModelError(path: store.sourceName, key: embeddingKey,
                                      reason: "has \(shape[0]) rows, but the tokenizer \(tokenizer.source) has \(vocabularySize) pieces")
        }
        textTower = try AudioTextTextTower(root.child("text"), vocabularySize: vocabularySize,
                                           embeddingDimension: configuration.embeddingDimension,
                                           maximumTokenCount: configuration.maximumTokenCount)
        _ = try root.optionalTensor("logit_scale", shape: [])
        try store.verifyAllUsed()
    }

    /// A clip's normalised embedding, family logits and family probabilities.
    public func embed(_ audio: AudioBuffer, source: String = "audio") throws -> AudioTextAudioEmbedding {
        let pooled = audioTower.pooled(try features(audio, source: source))
        let (embedding, logits) = audioTower.heads(pooled)
        return AudioTextAudioEmbedding(embedding: embedding, familyLogits: logits, familyProbabilities: Self.softmax(logits))
    }

    /// The token ids and mask `SPTokenizer(spiece.model, max_length)` gives for `text`.
    public func tokenize(_ text: String) throws -> (ids: [Int], mask: [Bool]) {
        let batch = try tokenizer([text], maxLength: configuration.maximumTokenCount)
        return (batch.inputIDs[0], batch.attentionMask[0])
    }

    /// A text's normalised embedding.
    public func embed(text: String) throws -> [Float] {
        let (ids, mask) = try tokenize(text)
        return textTower(ids: ids, mask: mask)
    }

    /// Σ aᵢbᵢ in Float64: the cosine of two normalised embeddings.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "cosine of \(a.count)- and \(b.count)-d vectors")
        return zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x), in Float64.
    public static func softmax(_ logits: [Float]) -> [Double] {
        let maximum = Double(logits.max() ?? 0)
        let exponentials = logits.map { exp(Double($0) - maximum) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }
}
