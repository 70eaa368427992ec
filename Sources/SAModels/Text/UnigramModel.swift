/// A unigram language-model vocabulary and its best-segmentation (Viterbi) search over normalized text.
///
/// This implementation matches two references, chosen by `Flavor`:
/// - `.sentencePiece`: sentencepiece 0.1.99 `unigram_model.cc` `Model::EncodeOptimized` followed by the unknown-run
///   merge and byte fallback of `SentencePieceProcessor::Encode`. Only NORMAL, USER_DEFINED and UNUSED pieces are
///   matched (UNUSED ones are skipped), a USER_DEFINED piece scores `length · max_score − 0.1`, best path scores
///   are stored as Float32 (a piece's candidate is formed and compared in Float64, an unknown's in Float32, as the
///   C++ types there make it), and `min_score`/`max_score` are taken over NORMAL pieces (`max_score` starts at
///   `FLT_MIN`).
/// - `.huggingFace`: Hugging Face tokenizers 0.22 `models/unigram/model.rs` `encode_optimized` with `fuse_unk`
///   and `byte_fallback`: every vocabulary entry is matchable, path scores are Float64 sums, and `min_score` is taken
///   over the whole vocabulary.
///
/// The search, shared by both:
///
///     best[0] = 0;  for each character start s (left to right), with mblen = its UTF-8 length:
///         for each piece p that is a prefix of text[s…]:  best[s+|p|] ← max(best[s+|p|], best[s] + score(p))
///         if no piece is exactly the character:          best[s+mblen] ← max(…, best[s] + min_score − 10)   (unknown)
///     (ties keep the earlier candidate; shorter pieces are tried first), then backtrack from the end.
///
/// Consecutive unknown pieces are merged into one unknown id; with byte fallback an unknown run becomes its UTF-8
/// bytes as `<0xXX>` pieces (when every byte piece exists).
public struct UnigramModel: Sendable {
    public enum Flavor: Sendable {
        case sentencePiece, huggingFace
    }

    /// What a vocabulary entry is, for matching (SentencePiece's piece types).
    public enum Kind: Sendable {
        case normal, userDefined, unused, special
    }

    public let pieces: [String]
    public let scores: [Double]
    public let kinds: [Kind]
    public let unknownID: Int
    public let byteFallback: Bool
    public let flavor: Flavor
    /// Piece ids keyed by UTF-8 bytes (Swift `String` keys would merge canonically equivalent pieces).
    private let pieceIDs: [[UInt8]: Int]
    /// Trie over the UTF-8 bytes of matchable pieces: child of (node, byte) is `children[node << 8 | byte]`.
    private let children: [Int: Int32]
    /// The piece id ending at each trie node, or -1.
    private let terminalIDs: [Int32]
    private let unknownScore: Double
    private let userDefinedScorePerByte: Double
    /// The id of `<0xXX>` for each byte when byte fallback is on and all 256 exist.
    private let byteIDs: [Int]?

    /// Builds the vocabulary; `source` names the file in errors.
    public init(pieces: [String], scores: [Double], kinds: [Kind], unknownID: Int, byteFallback: Bool,
                flavor: Flavor, source: String) throws {
        precondition(pieces.count == scores.count && pieces.count == kinds.count, "unigram vocabulary arrays differ in length")
        guard unknownID >= 0 && unknownID < pieces.count else {
            throw TokenizerError(path: source, key: "unk_id", reason: "unknown-piece id \(unknownID) is outside the vocabulary of \(pieces.count)")
        }
        self.pieces = pieces
        self.scores = scores
        self.kinds = kinds
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        self.flavor = flavor
        var ids = [[UInt8]: Int](minimumCapacity: pieces.count)
        for (index, piece) in pieces.enumerated() where ids[Array(piece.utf8)] == nil { ids[Array(piece.utf8)] = index }
        pieceIDs = ids

        var children = [Int: Int32]()
        var terminals: [Int32] = [-1]
        for (index, piece) in pieces.enumerated() {
            if flavor == .sentencePiece && kinds[index] == .special { continue }
            var node = 0
            for byte in piece.utf8 {
                let key = node << 8 | Int(byte)
                if let child = children[key] {
                    node = Int(child)
                } else {
                    children[key] = Int32(terminals.count)
                    node = terminals.count
                    terminals.append(-1)
                }
            }
            // The first piece with a given text wins, as SentencePiece's and Hugging Face's maps.
            if node > 0 && terminals[node] < 0 { terminals[node] = Int32(index) }
        }
        self.children = children
        terminalIDs = terminals

        switch flavor {
        case .sentencePiece:
            let normalScores = scores.indices.filter { kinds[$0] == .normal }.map { Float(scores[$0]) }
            // min_score_ = FLT_MAX, max_score_ = FLT_MIN, then min/max over NORMAL pieces
            let minimum = normalScores.min() ?? Float.greatestFiniteMagnitude
            let maximum = max(Float.leastNormalMagnitude, normalScores.max() ?? Float.leastNormalMagnitude)
            unknownScore = Double(minimum - 10)
            userDefinedScorePerByte = Double(maximum)
        case .huggingFace:
            unknownScore = (scores.min() ?? 0) - 10
            userDefinedScorePerByte = 0
        }
        if byteFallback {
            let hexDigits = Array("0123456789ABCDEF")
            let byteIDs = (0..<256).map { ids[Array("<0x\(hexDigits[$0 >> 4])\(hexDigits[$0 & 15])>".utf8)] }
            self.byteIDs = byteIDs.allSatisfy { $0 != nil } ? byteIDs.compactMap { $0 } : nil
        } else {
            byteIDs = nil
        }
    }

    /// The id of a piece by its exact text.
    public func id(of piece: String) -> Int? { pieceIDs[Array(piece.utf8)] }

    /// The best segmentation of normalized text (whitespace already escaped as "▁") into piece ids.
    public func encode(_ text: String) -> [Int] {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { encode(UnsafeBufferPointer($0)) }
    }

    struct Lattice {
        var score: Double
        var start: Int
        var id: Int
    }

    /// Viterbi over UTF-8 bytes; see the type's documentation.
    func encode(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        let size = bytes.count
        guard size > 0 else { return [] }
        let singlePrecision = flavor == .sentencePiece
        var best = [Lattice](repeating: Lattice(score: 0, start: -1, id: -1), count: size + 1)
        var start = 0
        while start < size {
            let scoreHere = best[start].score
            let characterLength = min(Self.utf8Length(leading: bytes[start]), size - start)
            var hasSingleNode = false
            var node = 0
            var position = start
            while position < size, let child = children[node << 8 | Int(bytes[position])] {
                node = Int(child)
                position += 1
                let id = Int(terminalIDs[node])
                guard id >= 0 else { continue }
                let kind = kinds[id]
                if singlePrecision && kind == .unused { continue }
                let length = position - start
                // user-defined: score = length · max_score − 0.1 (Float · Float, then − 0.1 in Float64, stored as Float)
                let score = singlePrecision && kind == .userDefined
                    ? Double(Float(Double(Float(length) * Float(userDefinedScorePerByte)) - 0.1)) : scores[id]
                // SentencePiece: `const auto score` is double (the user-defined branch is double), so the candidate
                // is a double compared with the stored float best, then stored as float.
                let candidate = score + scoreHere
                if best[position].start < 0 || candidate > best[position].score {
                    best[position] = Lattice(score: singlePrecision ? Double(Float(candidate)) : candidate, start: start, id: id)
                }
                if length == characterLength { hasSingleNode = true }
            }
            if !hasSingleNode {
                // SentencePiece: unk_score and the running best are floats, so this sum is a float.
                var candidate = unknownScore + scoreHere
                if singlePrecision { candidate = Double(Float(candidate)) }
                let end = start + characterLength
                if best[end].start < 0 || candidate > best[end].score {
                    best[end] = Lattice(score: candidate, start: start, id: unknownID)
                }
            }
            start += characterLength
        }

        // Backtrack, then merge runs of unknown pieces (and expand them to bytes with byte fallback).
        var spans = [(start: Int, end: Int, id: Int)]()
        var end = size
        while end > 0 {
            let node = best[end]
            spans.append((node.start, end, node.id))
            end = node.start
        }
        spans.reverse()
        var ids = [Int]()
        ids.reserveCapacity(spans.count)
        var index = 0
        while index < spans.count {
            guard spans[index].id == unknownID else {
                ids.append(spans[index].id)
                index += 1
                continue
            }
            let runStart = spans[index].start
            while index < spans.count && spans[index].id == unknownID { index += 1 }
            let runEnd = spans[index - 1].end
            if let byteIDs {
                for position in runStart..<runEnd { ids.append(byteIDs[Int(bytes[position])]) }
            } else {
                ids.append(unknownID)
            }
        }
        return ids
    }

    /// The length of a UTF-8 sequence from its leading byte (1 for a stray continuation byte, as SentencePiece).
    @inline(__always) static func utf8Length(leading byte: UInt8) -> Int {
        if byte < 0x80 { return 1 }
        if byte >> 5 == 0b110 { return 2 }
        if byte >> 4 == 0b1110 { return 3 }
        if byte >> 3 == 0b11110 { return 4 }
        return 1
    }
}
