import Foundation

/// A Hugging Face `tokenizer.json` with a Unigram model, decoded into the pieces a T5 tokenizer needs.
///
/// This implementation matches: Hugging Face tokenizers 0.22 serialization, for the components T5 tokenizers use:
/// - `model`: `Unigram` (`vocab` as [piece, score] pairs, `unk_id`, `byte_fallback`);
/// - `normalizer`: `Sequence`, `Precompiled` (base64 charsmap), `Strip`, `Replace` (a `String` or a `Regex` pattern);
/// - `pre_tokenizer`: `Sequence`, `WhitespaceSplit`, `Metaspace` (`prepend_scheme` always/first/never, or the
///   older `add_prefix_space`; `split`);
/// - `post_processor`: `TemplateProcessing` (the `single` template: special tokens around sequence A);
/// - `added_tokens`: matched in the raw text (`normalized: false`) or in the normalized text (`normalized: true`),
///   honouring `lstrip`/`rstrip`.
///
/// Both layouts seen for t5-base parse: the 2020 hub file (Precompiled + Sequence[WhitespaceSplit, Metaspace]) and
/// the one transformers 4.57's converter writes (Sequence[Precompiled, Strip, Replace(" {2,}" → "▁")] + Metaspace).
/// Anything else is an error naming the key and what is supported. Limitations: `single_word` added tokens are
/// rejected; `Replace` regexes run on Swift `Regex` with Unicode-scalar semantics (Oniguruma in Rust), which agree on
/// simple patterns such as `" {2,}"`.
public struct TokenizerJSON: Sendable {
    public struct AddedToken: Sendable, Equatable {
        public var id: Int
        public var content: String
        public var special: Bool
        public var leftStrip: Bool
        public var rightStrip: Bool
        public var normalized: Bool
    }

    public enum NormalizerStep: Sendable {
        case precompiled(PrecompiledCharsmap)
        case strip(left: Bool, right: Bool)
        case replaceLiteral(pattern: String, content: String)
        case replaceRegex(pattern: String, content: String)
    }

    public enum PrependScheme: String, Sendable {
        case always, first, never
    }

    public enum PreTokenizerStep: Sendable {
        case whitespaceSplit
        case metaspace(replacement: Character, prependScheme: PrependScheme, split: Bool)
    }

    /// One element of the post-processor's `single` template.
    public enum TemplateItem: Sendable, Equatable {
        case sequence
        case special([Int])
    }

    public var vocabulary: [(piece: String, score: Double)]
    public var unknownID: Int
    public var byteFallback: Bool
    public var addedTokens: [AddedToken]
    public var normalizers: [NormalizerStep]
    public var preTokenizers: [PreTokenizerStep]
    /// The `single` template; `[.sequence]` when there is no post-processor.
    public var singleTemplate: [TemplateItem]
    /// The file, for error messages.
    public let path: String

    /// Reads and decodes `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(path: path, reason: "cannot be read (missing or unreadable tokenizer.json)")
        }
        try self.init(data: data, path: path)
    }

    /// The top level of tokenizer.json: the Unigram model decoded directly (fast for large vocabularies), the
    /// other sections as trees.
    private struct FileLayout: Decodable {
        struct Model: Decodable {
            var type: String?
            var vocab: [VocabularyEntry]?
            // swiftlint:disable:next identifier_name
            var unk_id: Double?
            // swiftlint:disable:next identifier_name
            var byte_fallback: Bool?

            // The vocabulary is read only for Unigram models (BPE and WordPiece store a map there).
            enum CodingKeys: String, CodingKey {
                // swiftlint:disable:next identifier_name
                case type, vocab, unk_id, byte_fallback
            }

            init(from decoder: Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                type = try container.decodeIfPresent(String.self, forKey: .type)
                guard type == "Unigram" else { return }
                vocab = try container.decodeIfPresent([VocabularyEntry].self, forKey: .vocab)
                unk_id = try container.decodeIfPresent(Double.self, forKey: .unk_id)
                byte_fallback = try container.decodeIfPresent(Bool.self, forKey: .byte_fallback)
            }
        }

        struct VocabularyEntry: Decodable {
            var piece: String
            var score: Double

            init(from decoder: Decoder) throws {
                var container = try decoder.unkeyedContainer()
                piece = try container.decode(String.self)
                score = try container.decode(Double.self)
                guard container.isAtEnd else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected [piece, score]"))
                }
            }
        }

        var model: Model?
        // swiftlint:disable identifier_name
        var added_tokens: JSONTree?
        var normalizer: JSONTree?
        var pre_tokenizer: JSONTree?
        var post_processor: JSONTree?
        // swiftlint:enable identifier_name
    }

    /// Decodes tokenizer.json text; `path` only names the source in errors.
    public init(data: Data, path: String = "tokenizer.json") throws {
        self.path = path
        func failure(_ key: String, _ reason: String) -> TokenizerError { TokenizerError(path: path, key: key, reason: reason) }
        func unsupported(_ key: String, _ value: String, _ supported: [String]) -> TokenizerError {
            failure(key, "'\(value)' is not supported (supported: \(supported.joined(separator: ", ")))")
        }
        let file: FileLayout
        do {
            file = try JSONDecoder().decode(FileLayout.self, from: data)
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
                let key = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                    .replacingOccurrences(of: ".[", with: "[")
                let trimmed = key.hasPrefix(".") ? String(key.dropFirst()) : key
                if trimmed.hasPrefix("model.vocab[") { throw failure(String(trimmed.prefix { $0 != "]" }) + "]", "expected [piece, score]") }
                throw failure(trimmed, trimmed.isEmpty ? "not valid JSON (\(context.debugDescription))" : "unexpected value (\(context.debugDescription))")
            @unknown default:
                throw failure("", "not valid JSON (\(error))")
            }
        } catch {
            throw failure("", "not valid JSON (\(error))")
        }

        // model
        guard let model = file.model else { throw failure("model", "missing or not an object") }
        let modelType = model.type ?? "(none)"
        guard modelType == "Unigram" else { throw unsupported("model.type", modelType, ["Unigram"]) }
        guard let entries = model.vocab else { throw failure("model.vocab", "missing or not a list") }
        vocabulary = entries.map { ($0.piece, $0.score) }
        guard !vocabulary.isEmpty else { throw failure("model.vocab", "empty vocabulary") }
        guard let unknown = model.unk_id else { throw failure("model.unk_id", "missing (a Unigram model without <unk> is not supported)") }
        unknownID = Int(unknown)
        guard unknownID >= 0 && unknownID < vocabulary.count else {
            throw failure("model.unk_id", "\(unknownID) is outside the vocabulary of \(vocabulary.count)")
        }
        byteFallback = model.byte_fallback ?? false

        // added tokens
        addedTokens = try (file.added_tokens?.array ?? []).enumerated().map { index, token in
            let key = "added_tokens[\(index)]"
            guard let id = token["id"]?.number, let content = token["content"]?.string, !content.isEmpty else {
                throw failure(key, "expected an object with 'id' and a non-empty 'content'")
            }
            if token["single_word"]?.bool == true { throw unsupported("\(key).single_word", "true", ["false"]) }
            let special = token["special"]?.bool ?? false
            return AddedToken(id: Int(id), content: content, special: special,
                              leftStrip: token["lstrip"]?.bool ?? false, rightStrip: token["rstrip"]?.bool ?? false,
                              normalized: token["normalized"]?.bool ?? !special)
        }

        // normalizer
        var normalizers = [NormalizerStep]()
        func addNormalizer(_ step: JSONTree?, key: String) throws {
            guard let step, !step.isNull else { return }
            guard let type = step["type"]?.string else { throw failure(key, "expected an object with a 'type'") }
            switch type {
            case "Sequence":
                guard let list = step["normalizers"]?.array else { throw failure("\(key).normalizers", "missing or not a list") }
                for (index, item) in list.enumerated() { try addNormalizer(item, key: "\(key).normalizers[\(index)]") }
            case "Precompiled":
                guard let text = step["precompiled_charsmap"]?.string, let blob = Data(base64Encoded: text) else {
                    throw failure("\(key).precompiled_charsmap", "missing or not base64")
                }
                normalizers.append(.precompiled(try PrecompiledCharsmap(blob: [UInt8](blob), source: "\(path): \(key).precompiled_charsmap")))
            case "Strip":
                normalizers.append(.strip(left: step["strip_left"]?.bool ?? true, right: step["strip_right"]?.bool ?? true))
            case "Replace":
                guard let content = step["content"]?.string, let pattern = step["pattern"], pattern.object != nil else {
                    throw failure(key, "Replace needs 'pattern' and 'content'")
                }
                if let literal = pattern["String"]?.string, !literal.isEmpty {
                    normalizers.append(.replaceLiteral(pattern: literal, content: content))
                } else if let regex = pattern["Regex"]?.string {
                    guard (try? Regex(regex)) != nil else { throw failure("\(key).pattern.Regex", "'\(regex)' is not a supported regular expression") }
                    normalizers.append(.replaceRegex(pattern: regex, content: content))
                } else {
                    throw failure("\(key).pattern", "expected {\"String\": …} or {\"Regex\": …}")
                }
            default:
                throw unsupported("\(key).type", type, ["Sequence", "Precompiled", "Strip", "Replace"])
            }
        }
        try addNormalizer(file.normalizer, key: "normalizer")
        self.normalizers = normalizers

        // pre-tokenizer
        var preTokenizers = [PreTokenizerStep]()
        func addPreTokenizer(_ step: JSONTree?, key: String) throws {
            guard let step, !step.isNull else { return }
            guard let type = step["type"]?.string else { throw failure(key, "expected an object with a 'type'") }
            switch type {
            case "Sequence":
                guard let list = step["pretokenizers"]?.array else { throw failure("\(key).pretokenizers", "missing or not a list") }
                for (index, item) in list.enumerated() { try addPreTokenizer(item, key: "\(key).pretokenizers[\(index)]") }
            case "WhitespaceSplit":
                preTokenizers.append(.whitespaceSplit)
            case "Metaspace":
                let replacementText = step["replacement"]?.string ?? "▁"
                guard replacementText.unicodeScalars.count == 1, let replacement = replacementText.first else {
                    throw failure("\(key).replacement", "'\(replacementText)' is not a single Unicode scalar")
                }
                let scheme: PrependScheme
                if let name = step["prepend_scheme"]?.string {
                    guard let parsed = PrependScheme(rawValue: name) else { throw unsupported("\(key).prepend_scheme", name, ["always", "first", "never"]) }
                    scheme = parsed
                } else {
                    scheme = (step["add_prefix_space"]?.bool ?? true) ? .always : .never
                }
                preTokenizers.append(.metaspace(replacement: replacement, prependScheme: scheme, split: step["split"]?.bool ?? true))
            default:
                throw unsupported("\(key).type", type, ["Sequence", "WhitespaceSplit", "Metaspace"])
            }
        }
        try addPreTokenizer(file.pre_tokenizer, key: "pre_tokenizer")
        self.preTokenizers = preTokenizers

        // post-processor
        if let processor = file.post_processor, processor.object != nil {
            let type = processor["type"]?.string ?? "(none)"
            guard type == "TemplateProcessing" else { throw unsupported("post_processor.type", type, ["TemplateProcessing"]) }
            guard let single = processor["single"]?.array else { throw failure("post_processor.single", "missing or not a list") }
            let specials = processor["special_tokens"]?.object ?? [:]
            singleTemplate = try single.enumerated().map { index, entry in
                let key = "post_processor.single[\(index)]"
                if entry["Sequence"] != nil { return .sequence }
                guard let name = entry["SpecialToken"]?["id"]?.string else {
                    throw failure(key, "expected {\"Sequence\": …} or {\"SpecialToken\": …}")
                }
                guard let ids = specials[name]?["ids"]?.array else {
                    throw failure("post_processor.special_tokens", "no ids for '\(name)'")
                }
                return .special(try ids.map { value in
                    guard let id = value.number else { throw failure("post_processor.special_tokens.\(name).ids", "not a number") }
                    return Int(id)
                })
            }
            guard singleTemplate.filter({ $0 == .sequence }).count == 1 else {
                throw failure("post_processor.single", "the template must contain sequence A exactly once")
            }
        } else {
            singleTemplate = [.sequence]
        }
        let vocabularyCount = vocabulary.count
        for (index, token) in addedTokens.enumerated() where token.id < 0 || token.id >= vocabularyCount {
            throw failure("added_tokens[\(index)].id", "\(token.id) is outside the vocabulary of \(vocabularyCount)")
        }
        for case .special(let ids) in singleTemplate {
            if let bad = ids.first(where: { $0 < 0 || $0 >= vocabularyCount }) {
                throw failure("post_processor.special_tokens", "id \(bad) is outside the vocabulary of \(vocabularyCount)")
            }
        }
    }
}
