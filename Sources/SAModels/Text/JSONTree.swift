import Foundation

/// A JSON document as a tree, decoded with `JSONDecoder` (used for tokenizer files).
///
/// `JSONSerialization` on Linux (swift-corelibs-foundation) reads numbers through `NSDecimalNumber`, whose
/// `doubleValue` can be a few ulps off (e.g. -3.1954526901245117 → …7ffffffe instead of …80000000); unigram scores
/// need the exact doubles to break Viterbi ties as the reference does, so tokenizer files are read with this type.
enum JSONTree: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONTree])
    case object([String: JSONTree])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONTree].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONTree].self))
        }
    }

    subscript(key: String) -> JSONTree? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var number: Double? { if case .number(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var array: [JSONTree]? { if case .array(let value) = self { value } else { nil } }
    var object: [String: JSONTree]? { if case .object(let value) = self { value } else { nil } }
    var isNull: Bool { self == .null }
}
