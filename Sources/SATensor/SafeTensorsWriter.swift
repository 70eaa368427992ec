import Foundation

/// Writes safetensors files (F32, F16 or BF16 storage), atomically through `AtomicFile`.
public enum SafeTensorsWriter {
    /// The element type tensors are stored as.
    public enum StorageType: Sendable {
        case float32, float16, bfloat16

        var dtype: SafeTensorsDType {
            switch self {
            case .float32: return .float32
            case .float16: return .float16
            case .bfloat16: return .bfloat16
            }
        }
    }

    /// The complete file bytes for the tensors in the given order, with an optional `__metadata__` map.
    /// The header is padded with spaces to a multiple of 8 bytes so the data section is aligned.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], storage: StorageType = .float32,
                              metadata: [String: String] = [:]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let elementSize = storage.dtype.byteSize
        for (name, tensor) in tensors {
            precondition(name != "__metadata__" && header[name] == nil, "duplicate or reserved tensor name '\(name)'")
            let length = tensor.count * elementSize
            header[name] = ["dtype": storage.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + length]] as [String: Any]
            offset += length
        }
        var headerBytes = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for (_, tensor) in tensors {
            for value in tensor.scalars {
                switch storage {
                case .float32: withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                case .float16: withUnsafeBytes(of: HalfPrecision.halfBits(from: value).littleEndian) { bytes.append(contentsOf: $0) }
                case .bfloat16: withUnsafeBytes(of: HalfPrecision.bfloat16Bits(from: value).littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
        }
        return bytes
    }

    /// Writes the tensors to `path` atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], storage: StorageType = .float32,
                             metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(try encode(tensors, storage: storage, metadata: metadata), to: path)
    }
}
