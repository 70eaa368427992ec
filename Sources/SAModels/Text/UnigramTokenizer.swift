/// Text → unigram piece ids (no special tokens appended): added-token splitting, normalization,
/// pre-tokenization and the Viterbi segmentation of `UnigramModel`.
///
/// This implementation matches, by `Pipeline`:
/// - `.sentencePiece`: `SentencePieceProcessor::Encode` (sentencepiece 0.1.99): `SentencePieceNormalizer`, then one
///   Viterbi over the whole normalized text. With added tokens it is transformers 4.57's slow `T5Tokenizer`
///   (legacy mode): the text is first split on the special tokens, and each piece is `sp_model.encode`d.
/// - `.huggingFace`: Hugging Face tokenizers 0.22 `TokenizerImpl::encode_single_sequence`: added tokens with
///   `normalized: false` are split off the raw text; each remaining piece runs the normalizer steps, is split on the
///   `normalized: true` added tokens, pre-tokenized into words, and each word is segmented on its own.
///
/// Added tokens are found leftmost-longest; `lstrip`/`rstrip` absorb adjacent whitespace. Limitations: the
/// Metaspace `prepend_scheme: "first"` test for "starts at original offset 0" is approximated as "first word of the
/// first piece of the text, with no whitespace removed before it".
public struct UnigramTokenizer: Sendable {
    public enum Pipeline: Sendable {
        case sentencePiece(SentencePieceNormalizer)
        case huggingFace(normalizers: [TokenizerJSON.NormalizerStep], preTokenizers: [TokenizerJSON.PreTokenizerStep])
    }

    public let model: UnigramModel
    public let pipeline: Pipeline
    /// Tokens split off the raw text before normalization.
    public let rawAddedTokens: [TokenizerJSON.AddedToken]
    /// Tokens split off the normalized text (their content normalized), Hugging Face pipeline only.
    public let normalizedAddedTokens: [TokenizerJSON.AddedToken]
    /// What `lstrip`/`rstrip` remove: Python's `str.isspace` (transformers' slow tokenizers) or Unicode White_Space
    /// (Rust's `char::is_whitespace`, tokenizers). They differ on U+001C…U+001F.
    public let stripsPythonWhitespace: Bool

    /// The SentencePiece pipeline over a model file, with optional added tokens split off first (as transformers'
    /// slow tokenizers do, so `lstrip`/`rstrip` use Python's whitespace).
    public init(sentencePiece model: SentencePieceModel, addedTokens: [TokenizerJSON.AddedToken] = []) throws {
        self.model = try UnigramModel(
            pieces: model.pieces.map(\.text), scores: model.pieces.map { Double($0.score) },
            kinds: model.pieces.map { piece in
                switch piece.type {
                case .normal: return .normal
                case .userDefined: return .userDefined
                case .unused: return .unused
                case .unknown, .control, .byte: return .special
                }
            },
            unknownID: model.unknownID, byteFallback: model.byteFallback, flavor: .sentencePiece, source: model.path)
        pipeline = .sentencePiece(try SentencePieceNormalizer(model: model))
        rawAddedTokens = addedTokens
        normalizedAddedTokens = []
        stripsPythonWhitespace = true
    }

    /// The Hugging Face pipeline a tokenizer.json describes.
    public init(tokenizerJSON file: TokenizerJSON) throws {
        model = try UnigramModel(pieces: file.vocabulary.map(\.piece), scores: file.vocabulary.map(\.score),
                                 kinds: Array(repeating: .normal, count: file.vocabulary.count), unknownID: file.unknownID,
                                 byteFallback: file.byteFallback, flavor: .huggingFace, source: file.path)
        pipeline = .huggingFace(normalizers: file.normalizers, preTokenizers: file.preTokenizers)
        rawAddedTokens = file.addedTokens.filter { !$0.normalized }
        var normalized = [TokenizerJSON.AddedToken]()
        for var token in file.addedTokens where token.normalized {
            token.content = try Self.normalize(token.content, steps: file.normalizers)
            if !token.content.isEmpty { normalized.append(token) }
        }
        normalizedAddedTokens = normalized
        stripsPythonWhitespace = false
    }

    /// The piece ids of `text`.
    public func encode(_ text: String) throws -> [Int] {
        var ids = [Int]()
        var isFirstPiece = true
        for segment in Self.split(text, on: rawAddedTokens, pythonWhitespace: stripsPythonWhitespace) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let piece, let startsText):
                switch pipeline {
                case .sentencePiece(let normalizer):
                    var normalized = try normalizer.normalize(piece)
                    ids += normalized.withUnsafeMutableBufferPointer { model.encode(UnsafeBufferPointer($0)) }
                case .huggingFace(let normalizers, let preTokenizers):
                    let normalized = try Self.normalize(piece, steps: normalizers)
                    for inner in Self.split(normalized, on: normalizedAddedTokens, pythonWhitespace: false) {
                        switch inner {
                        case .token(let id): ids.append(id)
                        case .text(let part, let startsNormalized):
                            let first = isFirstPiece && startsText && startsNormalized
                            for word in Self.preTokenize(part, steps: preTokenizers, startsText: first) { ids += model.encode(word) }
                        }
                    }
                }
            }
            isFirstPiece = false
        }
        return ids
    }

    // MARK: Added tokens

    enum Segment: Equatable {
        /// Text between added tokens; the flag says whether it begins at offset 0.
        case text(String, startsText: Bool)
        case token(Int)
    }

    /// Splits `text` on added tokens, leftmost-longest, applying `lstrip`/`rstrip`; empty text pieces are dropped.
    static func split(_ text: String, on tokens: [TokenizerJSON.AddedToken], pythonWhitespace: Bool) -> [Segment] {
        let isWhitespace: (Unicode.Scalar) -> Bool = pythonWhitespace
            ? { $0.properties.isWhitespace || (0x1C...0x1F).contains($0.value) } : { $0.properties.isWhitespace }
        guard !tokens.isEmpty, !text.isEmpty else { return text.isEmpty ? [] : [.text(text, startsText: true)] }
        let bytes = Array(text.utf8)
        var byFirstByte = [UInt8: [(bytes: [UInt8], token: TokenizerJSON.AddedToken)]]()
        for token in tokens {
            let content = Array(token.content.utf8)
            byFirstByte[content[0], default: []].append((content, token))
        }
        for key in byFirstByte.keys { byFirstByte[key]?.sort { $0.bytes.count > $1.bytes.count } }

        var matches = [(start: Int, end: Int, token: TokenizerJSON.AddedToken)]()
        var position = 0
        while position < bytes.count {
            if let candidates = byFirstByte[bytes[position]],
               let match = candidates.first(where: { candidate in
                   candidate.bytes.count <= bytes.count - position
                       && bytes[position..<(position + candidate.bytes.count)].elementsEqual(candidate.bytes)
               }) {
                matches.append((position, position + match.bytes.count, match.token))
                position += match.bytes.count
            } else {
                position += 1
            }
        }
        guard !matches.isEmpty else { return [.text(text, startsText: true)] }

        var segments = [Segment]()
        var textStart = 0
        for (index, match) in matches.enumerated() {
            var textEnd = match.start
            if match.token.leftStrip { textEnd = Self.trimmedEnd(bytes, from: textStart, to: textEnd, isWhitespace) }
            if textEnd > textStart {
                segments.append(.text(String(decoding: bytes[textStart..<textEnd], as: UTF8.self), startsText: textStart == 0))
            }
            segments.append(.token(match.token.id))
            textStart = match.end
            if match.token.rightStrip {
                let limit = index + 1 < matches.count ? matches[index + 1].start : bytes.count
                textStart = Self.trimmedStart(bytes, from: textStart, to: limit, isWhitespace)
            }
        }
        if textStart < bytes.count {
            segments.append(.text(String(decoding: bytes[textStart...], as: UTF8.self), startsText: textStart == 0))
        }
        return segments
    }

    /// The end of `bytes[start..<end]` with trailing whitespace scalars removed.
    private static func trimmedEnd(_ bytes: [UInt8], from start: Int, to end: Int, _ isWhitespace: (Unicode.Scalar) -> Bool) -> Int {
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let kept = text.unicodeScalars.reversed().drop(while: isWhitespace)
        return start + kept.reduce(0) { $0 + String($1).utf8.count }
    }

    /// The start of `bytes[start..<end]` with leading whitespace scalars removed.
    private static func trimmedStart(_ bytes: [UInt8], from start: Int, to end: Int, _ isWhitespace: (Unicode.Scalar) -> Bool) -> Int {
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let dropped = text.unicodeScalars.prefix(while: isWhitespace)
        return start + dropped.reduce(0) { $0 + String($1).utf8.count }
    }

    // MARK: Hugging Face normalizers and pre-tokenizers

    /// Runs the normalizer steps in order.
    static func normalize(_ text: String, steps: [TokenizerJSON.NormalizerStep]) throws -> String {
        var text = text
        for step in steps {
            switch step {
            case .precompiled(let charsmap):
                text = try charsmap.normalizeGraphemes(text)
            case .strip(let left, let right):
                var scalars = Substring(text).unicodeScalars[...]
                if left { scalars = scalars.drop { $0.properties.isWhitespace } }
                if right { while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() } }
                text = String(String.UnicodeScalarView(scalars))
            case .replaceLiteral(let pattern, let content):
                text = replacingBytes(text, pattern: Array(pattern.utf8), content: Array(content.utf8))
            case .replaceRegex(let pattern, let content):
                // Validated when the file was read.
                guard let regex = try? Regex(pattern) else { continue }
                text = text.replacing(regex.matchingSemantics(.unicodeScalar), with: content)
            }
        }
        return text
    }

    /// Replaces every non-overlapping occurrence of `pattern`, left to right, on UTF-8 bytes (as Rust's
    /// `str::replace`; valid UTF-8 matches always fall on scalar boundaries).
    private static func replacingBytes(_ text: String, pattern: [UInt8], content: [UInt8]) -> String {
        let bytes = Array(text.utf8)
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return text }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var position = 0
        while position < bytes.count {
            if position + pattern.count <= bytes.count && bytes[position..<(position + pattern.count)].elementsEqual(pattern) {
                output += content
                position += pattern.count
            } else {
                output.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Runs the pre-tokenizer steps; returns the words (non-empty).
    ///
    ///     WhitespaceSplit: split on White_Space, dropping it
    ///     Metaspace:       " " → replacement; prepend the replacement (always / first word of the text / never)
    ///                      unless already there; split so that each run of replacements starts a new word
    ///                      (`SplitDelimiterBehavior::MergedWithNext`)
    static func preTokenize(_ text: String, steps: [TokenizerJSON.PreTokenizerStep], startsText: Bool) -> [String] {
        var words: [(text: String, isFirst: Bool)] = text.isEmpty ? [] : [(text, startsText)]
        for step in steps {
            switch step {
            case .whitespaceSplit:
                words = words.flatMap { word -> [(text: String, isFirst: Bool)] in
                    var pieces = [(text: String, isFirst: Bool)]()
                    var current = String.UnicodeScalarView()
                    var currentStartsAtZero = true
                    for scalar in word.text.unicodeScalars {
                        if scalar.properties.isWhitespace {
                            if !current.isEmpty { pieces.append((String(current), word.isFirst && currentStartsAtZero)) }
                            current = String.UnicodeScalarView()
                            currentStartsAtZero = false
                        } else {
                            current.append(scalar)
                        }
                    }
                    if !current.isEmpty { pieces.append((String(current), word.isFirst && currentStartsAtZero)) }
                    return pieces
                }
            case .metaspace(let replacement, let scheme, let split):
                let replacementText = String(replacement)
                words = words.flatMap { word -> [(text: String, isFirst: Bool)] in
                    var text = replacingBytes(word.text, pattern: [0x20], content: Array(replacementText.utf8))
                    let prepend = scheme == .always || (scheme == .first && word.isFirst)
                    // Rust's starts_with compares bytes; Swift's hasPrefix would compare grapheme clusters.
                    if prepend && !text.utf8.starts(with: replacementText.utf8) { text = replacementText + text }
                    guard split else { return text.isEmpty ? [] : [(text, word.isFirst)] }
                    var pieces = [(text: String, isFirst: Bool)]()
                    var current = String.UnicodeScalarView()
                    var previousWasReplacement = false
                    let replacementScalar = replacementText.unicodeScalars.first
                    for scalar in text.unicodeScalars {
                        let isReplacement = scalar == replacementScalar
                        if isReplacement && !previousWasReplacement && !current.isEmpty {
                            pieces.append((String(current), word.isFirst && pieces.isEmpty))
                            current = String.UnicodeScalarView()
                        }
                        current.append(scalar)
                        previousWasReplacement = isReplacement
                    }
                    if !current.isEmpty { pieces.append((String(current), word.isFirst && pieces.isEmpty)) }
                    return pieces
                }
            }
        }
        return words.map(\.text)
    }
}
