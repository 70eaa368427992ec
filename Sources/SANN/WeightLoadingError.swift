import SATensor

/// Why a model's weights could not be loaded; every case names the key and, where it applies, the shapes.
public enum WeightLoadingError: Error, CustomStringConvertible, Sendable, Equatable {
    case missingKey(String, source: String)
    case shapeMismatch(key: String, expected: [Int], actual: [Int], source: String)
    case unusedKeys([String], source: String)
    case nonFinite(key: String, count: Int, source: String)
    case unsupportedDType(key: String, dtype: String, source: String)
    case incompleteWeightNorm(key: String, present: String, missing: String, source: String)
    /// A module whose settings do not fit together (e.g. a group count that does not divide its channels), found
    /// while loading it: `key` is the module's key prefix.
    case inconsistentModule(key: String, reason: String, source: String)

    public var description: String {
        switch self {
        case .missingKey(let key, let source): return "\(source): missing tensor '\(key)'"
        case .shapeMismatch(let key, let expected, let actual, let source):
            return "\(source): tensor '\(key)' has shape \(actual), expected \(expected)"
        case .unusedKeys(let keys, let source):
            let shown = keys.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            return "\(source): \(keys.count) unexpected tensor\(keys.count == 1 ? "" : "s") not used by the model: \(shown)\(keys.count > 5 ? ", …" : "")"
        case .nonFinite(let key, let count, let source): return "\(source): tensor '\(key)' has \(count) NaN or infinite values"
        case .unsupportedDType(let key, let dtype, let source): return "\(source): tensor '\(key)' has dtype \(dtype), which cannot be read as Float32"
        case .incompleteWeightNorm(let key, let present, let missing, let source):
            return "\(source): weight-normalized '\(key)' has '\(present)' but not '\(missing)'"
        case .inconsistentModule(let key, let reason, let source):
            return "\(source): module '\(key)': \(reason)"
        }
    }
}
