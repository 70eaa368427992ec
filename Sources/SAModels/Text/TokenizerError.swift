/// Why a tokenizer file could not be used or a text could not be tokenized; names the file and, where it applies,
/// the field (a protobuf field path such as `normalizer_spec.precompiled_charsmap`, or a JSON key path such as
/// `model.vocab[12]`) and the offending value.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (`spiece.model`, `tokenizer.json`, …) or "in-memory tokenizer".
    public let path: String
    /// The field or key path inside the file; empty when the problem is the file as a whole.
    public let key: String
    public let reason: String

    public init(path: String, key: String = "", reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    public var description: String { key.isEmpty ? "\(path): \(reason)" : "\(path): \(key): \(reason)" }
}
