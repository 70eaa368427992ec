/// Why a `model_config.json` could not be used; names the file, the key path and, for unsupported choices,
/// what is supported.
public struct ModelConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let key: String
    public let reason: String

    public init(path: String = "model_config.json", key: String, reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    /// An unsupported value for `key`, listing the supported ones.
    public static func unsupported(key: String, value: String, supported: [String], path: String = "model_config.json") -> ModelConfigurationError {
        ModelConfigurationError(path: path, key: key, reason: "'\(value)' is not supported (supported: \(supported.joined(separator: ", ")))")
    }

    public var description: String { "\(path): \(key): \(reason)" }
}
