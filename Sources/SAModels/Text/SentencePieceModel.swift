import Foundation

/// A SentencePiece model file (`spiece.model`), decoded from its protobuf `ModelProto`.
///
/// This implementation matches: [sentencepiece_model.proto](https://github.com/google/sentencepiece/blob/master/src/sentencepiece_model.proto)
/// (sentencepiece 0.1.99). It reads the fields a unigram encoder needs, with proto2 defaults for absent ones:
///
///     ModelProto       1 pieces (repeated SentencePiece)  2 trainer_spec  3 normalizer_spec
///     SentencePiece    1 piece (string)  2 score (float)  3 type (NORMAL=1 default, UNKNOWN=2, CONTROL=3,
///                      USER_DEFINED=4, UNUSED=5, BYTE=6)
///     TrainerSpec      3 model_type (UNIGRAM=1 default)  24 treat_whitespace_as_suffix  35 byte_fallback
///                      40 unk_id (0)  41 bos_id (1)  42 eos_id (2)  43 pad_id (-1)
///     NormalizerSpec   1 name  2 precompiled_charsmap (bytes)  3 add_dummy_prefix (true)
///                      4 remove_extra_whitespaces (true)  5 escape_whitespaces (true)
///
/// Every other field is skipped. Limitations: the decoder is hand-written for these fields only (no
/// `normalization_rule_tsv`, no self-test data, no denormalizer); only `model_type` UNIGRAM is accepted.
public struct SentencePieceModel: Sendable {
    /// The type of a vocabulary entry (`ModelProto.SentencePiece.Type`).
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// One vocabulary entry; its id is its index in `pieces`.
    public struct Piece: Sendable, Equatable {
        public var text: String
        public var score: Float
        public var type: PieceType
    }

    public var pieces: [Piece]
    /// `trainer_spec.model_type`: 1 unigram, 2 BPE, 3 word, 4 char.
    public var modelType: Int = 1
    public var unknownID: Int = 0
    public var beginningOfSentenceID: Int = 1
    public var endOfSentenceID: Int = 2
    public var paddingID: Int = -1
    public var byteFallback = false
    public var treatWhitespaceAsSuffix = false
    /// `normalizer_spec.name`, e.g. "nmt_nfkc".
    public var normalizerName = ""
    /// `normalizer_spec.precompiled_charsmap`; empty means no character normalization.
    public var precompiledCharsmap: [UInt8] = []
    public var addDummyPrefix = true
    public var removeExtraWhitespaces = true
    public var escapeWhitespaces = true
    /// The file the model was read from, for error messages.
    public let path: String

    /// Reads and decodes `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(path: path, reason: "cannot be read (missing or unreadable SentencePiece model)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Decodes serialized `ModelProto` bytes; `path` only names the source in errors.
    public init(bytes: [UInt8], path: String = "spiece.model") throws {
        self.path = path
        pieces = []
        var field = ""
        do {
            var reader = ProtobufReader(bytes: bytes)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.nextField()
                switch number {
                case 1:
                    field = "pieces[\(pieces.count)]"
                    try reader.expect(.lengthDelimited, wireType, field: field)
                    var message = try reader.readMessage()
                    pieces.append(try Self.readPiece(&message, field: &field))
                case 2:
                    field = "trainer_spec"
                    try reader.expect(.lengthDelimited, wireType, field: field)
                    var message = try reader.readMessage()
                    try readTrainerSpec(&message, field: &field)
                case 3:
                    field = "normalizer_spec"
                    try reader.expect(.lengthDelimited, wireType, field: field)
                    var message = try reader.readMessage()
                    try readNormalizerSpec(&message, field: &field)
                default:
                    field = "field \(number)"
                    try reader.skip(wireType)
                }
            }
        } catch let failure as ProtobufReader.Failure {
            throw TokenizerError(path: path, key: field,
                                 reason: "not a valid SentencePiece model: \(failure.reason) at byte \(failure.offset) of \(bytes.count)")
        }
        try validate()
    }

    private static func readPiece(_ reader: inout ProtobufReader, field: inout String) throws -> Piece {
        var piece = Piece(text: "", score: 0, type: .normal)
        let base = field
        while !reader.isAtEnd {
            let (number, wireType) = try reader.nextField()
            switch number {
            case 1:
                field = base + ".piece"
                try reader.expect(.lengthDelimited, wireType, field: field)
                piece.text = try reader.readString()
            case 2:
                field = base + ".score"
                try reader.expect(.fixed32, wireType, field: field)
                piece.score = try reader.readFloat()
            case 3:
                field = base + ".type"
                try reader.expect(.varint, wireType, field: field)
                let raw = try reader.readInt32()
                guard let type = PieceType(rawValue: raw) else {
                    throw ProtobufReader.Failure(offset: reader.offset, reason: "unknown piece type \(raw)")
                }
                piece.type = type
            default:
                try reader.skip(wireType)
            }
        }
        field = base
        return piece
    }

    private mutating func readTrainerSpec(_ reader: inout ProtobufReader, field: inout String) throws {
        while !reader.isAtEnd {
            let (number, wireType) = try reader.nextField()
            let names = [3: "model_type", 24: "treat_whitespace_as_suffix", 35: "byte_fallback",
                         40: "unk_id", 41: "bos_id", 42: "eos_id", 43: "pad_id"]
            guard let name = names[number] else {
                try reader.skip(wireType)
                continue
            }
            field = "trainer_spec.\(name)"
            try reader.expect(.varint, wireType, field: field)
            switch number {
            case 3: modelType = try reader.readInt32()
            case 24: treatWhitespaceAsSuffix = try reader.readBool()
            case 35: byteFallback = try reader.readBool()
            case 40: unknownID = try reader.readInt32()
            case 41: beginningOfSentenceID = try reader.readInt32()
            case 42: endOfSentenceID = try reader.readInt32()
            default: paddingID = try reader.readInt32()
            }
        }
        field = "trainer_spec"
    }

    private mutating func readNormalizerSpec(_ reader: inout ProtobufReader, field: inout String) throws {
        while !reader.isAtEnd {
            let (number, wireType) = try reader.nextField()
            switch number {
            case 1:
                field = "normalizer_spec.name"
                try reader.expect(.lengthDelimited, wireType, field: field)
                normalizerName = try reader.readString()
            case 2:
                field = "normalizer_spec.precompiled_charsmap"
                try reader.expect(.lengthDelimited, wireType, field: field)
                precompiledCharsmap = try reader.readBytes()
            case 3, 4, 5:
                field = "normalizer_spec." + ["add_dummy_prefix", "remove_extra_whitespaces", "escape_whitespaces"][number - 3]
                try reader.expect(.varint, wireType, field: field)
                let value = try reader.readBool()
                if number == 3 { addDummyPrefix = value } else if number == 4 { removeExtraWhitespaces = value } else { escapeWhitespaces = value }
            default:
                try reader.skip(wireType)
            }
        }
        field = "normalizer_spec"
    }

    /// The checks SentencePiece's `ModelInterface::InitializePieces` makes, plus a unigram-only check.
    private func validate() throws {
        guard !pieces.isEmpty else {
            throw TokenizerError(path: path, key: "pieces", reason: "not a valid SentencePiece model: it has no vocabulary pieces")
        }
        guard modelType == 1 else {
            let names = [2: "BPE", 3: "WORD", 4: "CHAR"]
            throw TokenizerError(path: path, key: "trainer_spec.model_type",
                                 reason: "'\(names[modelType] ?? String(modelType))' is not supported (supported: UNIGRAM)")
        }
        var seen = [[UInt8]: Int]()  // by bytes: Swift String equality would merge canonically equivalent pieces
        for (index, piece) in pieces.enumerated() {
            guard !piece.text.isEmpty else {
                throw TokenizerError(path: path, key: "pieces[\(index)].piece", reason: "empty piece")
            }
            if let previous = seen.updateValue(index, forKey: Array(piece.text.utf8)) {
                throw TokenizerError(path: path, key: "pieces[\(index)].piece",
                                     reason: "'\(piece.text)' is already defined as piece \(previous)")
            }
            if piece.type == .byte && !byteFallback {
                throw TokenizerError(path: path, key: "pieces[\(index)].type",
                                     reason: "byte piece '\(piece.text)' in a model without trainer_spec.byte_fallback")
            }
        }
        let unknown = pieces.indices.filter { pieces[$0].type == .unknown }
        guard unknown.count == 1, unknown[0] == unknownID else {
            throw TokenizerError(path: path, key: "trainer_spec.unk_id",
                                 reason: "unk_id is \(unknownID) but the UNKNOWN pieces are \(unknown) (exactly one is required)")
        }
    }

    /// The id of the piece with this exact text, if any.
    public func id(of text: String) -> Int? { pieces.firstIndex { $0.text.utf8.elementsEqual(text.utf8) } }
}
