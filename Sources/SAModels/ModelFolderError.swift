/// Why a model folder or checkpoint could not be opened; each case names the path.
public enum ModelFolderError: Error, CustomStringConvertible, Sendable, Equatable {
    case notFound(String)
    case noWeights(String)
    case invalidConfiguration(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): no such file or folder"
        case .noWeights(let path): return "\(path): folder holds no .safetensors file"
        case .invalidConfiguration(let path, let reason): return "\(path): \(reason)"
        }
    }
}
