/// Why a safetensors file was rejected. Every case names the file; tensor-level cases name the tensor.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        case cannotOpen(String)
        case fileTooSmall(size: Int)
        case headerTooLarge(length: UInt64, maximum: Int)
        case headerExceedsFile(length: UInt64, fileSize: Int)
        case headerNotUTF8
        case headerNotJSON(String)
        case headerNotObject
        case invalidEntry(key: String, reason: String)
        case unknownDType(key: String, dtype: String)
        case sizeMismatch(key: String, shape: [Int], dtype: String, byteCount: Int)
        case offsetsOutOfBounds(key: String, begin: Int, end: Int, dataLength: Int)
        case overlappingOffsets(first: String, second: String)
        case unindexedBytes(offset: Int, dataLength: Int)
        case missingTensor(key: String)
        case unsupportedConversion(key: String, dtype: String)
        case nonFiniteValues(key: String, count: Int)
    }

    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        let detail: String
        switch reason {
        case .cannotOpen(let message): detail = "cannot open: \(message)"
        case .fileTooSmall(let size): detail = "file is \(size) bytes, too small for the 8-byte header length"
        case .headerTooLarge(let length, let maximum): detail = "header length \(length) exceeds the maximum of \(maximum) bytes"
        case .headerExceedsFile(let length, let size): detail = "header length \(length) runs past the end of the \(size)-byte file"
        case .headerNotUTF8: detail = "header is not valid UTF-8"
        case .headerNotJSON(let message): detail = "header is not valid JSON: \(message)"
        case .headerNotObject: detail = "header is not a JSON object"
        case .invalidEntry(let key, let message): detail = "tensor '\(key)': \(message)"
        case .unknownDType(let key, let dtype): detail = "tensor '\(key)': unknown dtype '\(dtype)'"
        case .sizeMismatch(let key, let shape, let dtype, let bytes):
            detail = "tensor '\(key)': shape \(shape) of \(dtype) does not fit its \(bytes) bytes"
        case .offsetsOutOfBounds(let key, let begin, let end, let length):
            detail = "tensor '\(key)': data offsets [\(begin), \(end)) lie outside the \(length)-byte data section"
        case .overlappingOffsets(let first, let second): detail = "tensors '\(first)' and '\(second)' have overlapping data offsets"
        case .unindexedBytes(let offset, let length):
            detail = "data section has bytes not owned by any tensor at offset \(offset) (of \(length))"
        case .missingTensor(let key): detail = "no tensor named '\(key)'"
        case .unsupportedConversion(let key, let dtype): detail = "tensor '\(key)': dtype \(dtype) cannot be read as Float32"
        case .nonFiniteValues(let key, let count): detail = "tensor '\(key)': \(count) NaN or infinite values"
        }
        return "\(path): \(detail)"
    }
}
