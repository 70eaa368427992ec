import Foundation

/// Token ids and attention mask for a batch of texts, each padded to the same length.
public struct TokenizedBatch: Sendable, Equatable {
    /// `[B][L]` token ids.
    public var inputIDs: [[Int]]
    /// `[B][L]`: true for real tokens (including `</s>`), false for padding.
    public var attentionMask: [[Bool]]

    public var batchSize: Int { inputIDs.count }
    public var length: Int { inputIDs.first?.count ?? 0 }
}

/// The T5 tokenizer call stable-audio-tools makes: `tokenizer(texts, truncation=True, max_length=L,
/// padding="max_length")`.
///
/// This implementation matches, depending on how it is built:
/// - `init(tokenizerJSON:)` / `init(directory:)` with a `tokenizer.json`: transformers 4.57 `T5TokenizerFast`
///   (what SAT's `AutoTokenizer.from_pretrained` returns), i.e. Hugging Face tokenizers 0.22;
/// - `init(sentencePieceModel:extraIDCount:)` / `init(directory:)` with only `spiece.model`: the slow `T5Tokenizer`
///   (legacy mode): special tokens (`<pad>`, `</s>`, `<unk>`, `<extra_id_0…N-1>`) are split off, the rest is
///   `sp_model.encode`d;
/// - `sentencePieceOnly(modelPath:)`: the project's `t5_local` `SPTokenizer` (`sp.encode(text)`, no special-token
///   handling).
///
/// Then, for every text (the slow tokenizer skips the suffix when the ids already end with it):
///
///     ids = prefix + encode(text)[: L − |prefix| − |suffix|] + suffix      (T5: prefix = [], suffix = [</s> = 1])
///     ids += [<pad> = 0] · (L − |ids|);   mask = [true] · |real ids| + [false] · padding
public struct T5Tokenizer: Sendable {
    public let tokenizer: UnigramTokenizer
    /// Special ids placed before / after the text (from the post-processor template, or `</s>` after).
    public let prefixIDs: [Int]
    public let suffixIDs: [Int]
    public let paddingID: Int
    /// False for the slow tokenizer, whose `_add_eos_if_not_present` does not append `</s>` to ids that already
    /// end with it (e.g. a prompt ending in the literal text "</s>").
    public let appendsSuffixWhenPresent: Bool
    /// The file the vocabulary came from.
    public let source: String

    /// The Hugging Face fast tokenizer a tokenizer.json describes.
    public init(tokenizerJSON path: String) throws {
        let file = try TokenizerJSON(contentsOf: path)
        tokenizer = try UnigramTokenizer(tokenizerJSON: file)
        let sequenceIndex = file.singleTemplate.firstIndex(of: .sequence) ?? 0
        prefixIDs = file.singleTemplate[..<sequenceIndex].flatMap { item -> [Int] in if case .special(let ids) = item { ids } else { [] } }
        suffixIDs = file.singleTemplate[(sequenceIndex + 1)...].flatMap { item -> [Int] in if case .special(let ids) = item { ids } else { [] } }
        let padding = file.addedTokens.first { $0.content == "<pad>" }?.id ?? tokenizer.model.id(of: "<pad>")
        guard let padding else { throw TokenizerError(path: path, key: "added_tokens", reason: "no <pad> token to pad with") }
        paddingID = padding
        appendsSuffixWhenPresent = true
        source = path
    }

    /// transformers' slow `T5Tokenizer(vocab_file:, extra_ids:)`: SentencePiece with the special tokens split off.
    /// `<extra_id_i>` gets id `pieces + extraIDCount − 1 − i` and, as there, strips whitespace on both sides
    /// (`lstrip=rstrip=True`); `<pad>`, `</s>`, `<unk>` do not.
    public init(sentencePieceModel path: String, extraIDCount: Int = 100) throws {
        let model = try SentencePieceModel(contentsOf: path)
        let (endID, padID) = try Self.endAndPaddingIDs(model)
        var addedTokens = [TokenizerJSON.AddedToken]()
        for id in [padID, endID, model.unknownID] {
            addedTokens.append(TokenizerJSON.AddedToken(id: id, content: model.pieces[id].text, special: true,
                                                        leftStrip: false, rightStrip: false, normalized: false))
        }
        for index in 0..<max(0, extraIDCount) {
            addedTokens.append(TokenizerJSON.AddedToken(id: model.pieces.count + extraIDCount - 1 - index, content: "<extra_id_\(index)>",
                                                        special: true, leftStrip: true, rightStrip: true, normalized: false))
        }
        tokenizer = try UnigramTokenizer(sentencePiece: model, addedTokens: addedTokens)
        prefixIDs = []
        suffixIDs = [endID]
        paddingID = padID
        appendsSuffixWhenPresent = false
        source = path
    }

    private init(tokenizer: UnigramTokenizer, prefixIDs: [Int], suffixIDs: [Int], paddingID: Int, source: String) {
        self.tokenizer = tokenizer
        self.prefixIDs = prefixIDs
        self.suffixIDs = suffixIDs
        self.paddingID = paddingID
        appendsSuffixWhenPresent = true
        self.source = source
    }

    /// The `t5_local` tokenizer (`models/training/t5_local.py` `SPTokenizer`): `sp.encode(text)` with no
    /// special-token splitting, then `</s>` (the model's `eos_id`) and `<pad>` (`pad_id`) padding.
    public static func sentencePieceOnly(modelPath path: String) throws -> T5Tokenizer {
        let model = try SentencePieceModel(contentsOf: path)
        let (endID, padID) = try endAndPaddingIDs(model)
        return T5Tokenizer(tokenizer: try UnigramTokenizer(sentencePiece: model), prefixIDs: [], suffixIDs: [endID],
                           paddingID: padID, source: path)
    }

    private static func endAndPaddingIDs(_ model: SentencePieceModel) throws -> (Int, Int) {
        guard model.endOfSentenceID >= 0 && model.endOfSentenceID < model.pieces.count else {
            throw TokenizerError(path: model.path, key: "trainer_spec.eos_id", reason: "T5 needs an end-of-sentence piece (eos_id is \(model.endOfSentenceID))")
        }
        guard model.paddingID >= 0 && model.paddingID < model.pieces.count else {
            throw TokenizerError(path: model.path, key: "trainer_spec.pad_id", reason: "T5 needs a padding piece (pad_id is \(model.paddingID))")
        }
        return (model.endOfSentenceID, model.paddingID)
    }

    /// `AutoTokenizer.from_pretrained(directory)` for T5: `tokenizer.json` when present, else `spiece.model`.
    public init(directory: String) throws {
        let json = (directory as NSString).appendingPathComponent("tokenizer.json")
        let sentencePiece = (directory as NSString).appendingPathComponent("spiece.model")
        if FileManager.default.fileExists(atPath: json) {
            try self.init(tokenizerJSON: json)
        } else if FileManager.default.fileExists(atPath: sentencePiece) {
            try self.init(sentencePieceModel: sentencePiece)
        } else {
            throw TokenizerError(path: directory, reason: "no tokenizer.json or spiece.model in this folder")
        }
    }

    /// One more than the largest id this tokenizer can produce: over the vocabulary's pieces, the added tokens, the
    /// special ids placed around the text and the padding id. A text encoder needs at least this many embedding rows.
    public var vocabularySize: Int {
        let ids = [tokenizer.model.pieces.count - 1, paddingID] + prefixIDs + suffixIDs
            + tokenizer.rawAddedTokens.map(\.id) + tokenizer.normalizedAddedTokens.map(\.id)
        return (ids.max() ?? -1) + 1
    }

    /// Throws a `TokenizerError` naming this tokenizer's file unless an embedding table of `embeddingRows` rows
    /// (the text encoder's `vocab_size`, set by `vocabularyKey`) has a row for every id it can produce.
    public func requireEmbeddingRows(_ embeddingRows: Int, vocabularyKey: String) throws {
        let needed = vocabularySize
        guard needed <= embeddingRows else {
            throw TokenizerError(path: source, key: "vocabulary",
                                 reason: "produces ids up to \(needed - 1), but the text encoder's embedding table has \(embeddingRows) rows (\(vocabularyKey) = \(embeddingRows)); this tokenizer belongs to another model")
        }
    }

    /// The piece ids of one text, without special tokens, truncation or padding.
    public func encode(_ text: String) throws -> [Int] { try tokenizer.encode(text) }

    /// The ids of one text with the special tokens (`tokenizer(text)["input_ids"]`), truncated to `maxLength`
    /// (keeping room for the special tokens) when given.
    public func encodeWithSpecialTokens(_ text: String, maxLength: Int? = nil) throws -> [Int] {
        let specialCount = prefixIDs.count + suffixIDs.count
        var pieces = try encode(text)
        if let maxLength {
            guard maxLength >= max(1, specialCount) else {
                throw TokenizerError(path: source, key: "max_length", reason: "\(maxLength) leaves no room for the \(specialCount) special token(s)")
            }
            pieces = Array(pieces.prefix(maxLength - specialCount))
        }
        let body = prefixIDs + pieces
        let endsWithSuffix = !suffixIDs.isEmpty && body.suffix(suffixIDs.count).elementsEqual(suffixIDs)
        return !appendsSuffixWhenPresent && endsWithSuffix ? body : body + suffixIDs
    }

    /// Tokenizes, truncates to `maxLength` keeping room for the special tokens, and pads with `<pad>`.
    public func callAsFunction(_ texts: [String], maxLength: Int) throws -> TokenizedBatch {
        var batch = TokenizedBatch(inputIDs: [], attentionMask: [])
        for text in texts {
            let ids = try encodeWithSpecialTokens(text, maxLength: maxLength)
            batch.inputIDs.append(ids + Array(repeating: paddingID, count: maxLength - ids.count))
            batch.attentionMask.append(Array(repeating: true, count: ids.count) + Array(repeating: false, count: maxLength - ids.count))
        }
        return batch
    }
}
