/// Why the audio-text model could not be loaded or run; names the file, the key or input, and the problem.
///
/// Weight problems found by the strict loader (missing key, wrong shape, non-finite values, unused tensors) are
/// `SANN.WeightLoadingError`s, which already name the file and key; they are passed through unchanged.
public struct AudioTextModelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or input) the problem belongs to.
    public let path: String
    /// The JSON key or tensor name involved, when there is one.
    public let key: String?
    public let reason: String

    public init(path: String, key: String? = nil, reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    public var description: String {
        if let key { return "\(path): \(key): \(reason)" }
        return "\(path): \(reason)"
    }
}
