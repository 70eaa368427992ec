import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Element types a safetensors header may name.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case float64 = "F64", float32 = "F32", float16 = "F16", bfloat16 = "BF16"
    case float8E4M3 = "F8_E4M3", float8E5M2 = "F8_E5M2"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8"
    case uint64 = "U64", uint32 = "U32", uint16 = "U16", uint8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .float8E4M3, .float8E5M2, .int8, .uint8, .bool: return 1
        }
    }

    /// Whether `SafeTensorsFile.tensor(named:)` can convert this type to Float32 (losslessly, or exactly for F64
    /// values representable in Float32).
    public var isFloatConvertible: Bool { self == .float32 || self == .float16 || self == .bfloat16 || self == .float64 }
}

/// One tensor's header entry.
public struct SafeTensorsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range within the data section (which starts right after the header).
    public let dataRange: Range<Int>

    public var elementCount: Int { Tensor.elementCount(shape) }
}

/// A read-only, memory-mapped safetensors file (https://github.com/huggingface/safetensors format).
///
/// Layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON, then the data section.
/// Everything is validated at open, before any tensor is read, the way the reference Rust implementation
/// validates: the header length is at most `maximumHeaderLength` and fits in the file; the header is UTF-8 JSON
/// whose entries have a known dtype, a non-negative shape and `data_offsets` whose length equals
/// elements × element size; offsets lie in the data section; and, sorted by start, the tensors tile the data
/// section exactly (no overlaps, no unowned bytes). A corrupted or hostile file therefore yields a
/// `SafeTensorsError` naming the problem, never an out-of-bounds read.
public final class SafeTensorsFile: @unchecked Sendable {
    /// The largest header accepted (100 MB, as the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    public let path: String
    /// Entries keyed by tensor name.
    public let entries: [String: SafeTensorsEntry]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    /// Total file size in bytes.
    public let fileSize: Int

    private let mapping: UnsafeMutableRawPointer?
    private let dataStart: Int

    /// Opens and validates `path`.
    public init(path: String) throws {
        self.path = path
        func failure(_ reason: SafeTensorsError.Reason) -> SafeTensorsError { SafeTensorsError(path: path, reason: reason) }

        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure(.cannotOpen(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(.cannotOpen(String(cString: strerror(errno)))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw failure(.cannotOpen("not a regular file")) }
        let size = Int(status.st_size)
        fileSize = size
        guard size >= 8 else { throw failure(.fileTooSmall(size: size)) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw failure(.cannotOpen("mmap failed: \(String(cString: strerror(errno)))"))
        }
        mapping = mapped
        do {
            let headerLength = mapped.loadUnaligned(as: UInt64.self).littleEndian
            guard headerLength <= UInt64(SafeTensorsFile.maximumHeaderLength) else {
                throw failure(.headerTooLarge(length: headerLength, maximum: SafeTensorsFile.maximumHeaderLength))
            }
            guard 8 + Int(headerLength) <= size else { throw failure(.headerExceedsFile(length: headerLength, fileSize: size)) }
            dataStart = 8 + Int(headerLength)
            let headerBytes = UnsafeRawBufferPointer(start: mapped + 8, count: Int(headerLength))
            (entries, metadata) = try SafeTensorsFile.parseHeader(headerBytes, dataLength: size - dataStart, failure: failure)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    deinit {
        if let mapping { munmap(mapping, fileSize) }
    }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// Total element count over all tensors.
    public var parameterCount: Int { entries.values.reduce(0) { $0 + $1.elementCount } }

    /// The raw bytes of one tensor (valid while this file object lives).
    public func rawBytes(of entry: SafeTensorsEntry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mapping.map { UnsafeRawPointer($0) + dataStart + entry.dataRange.lowerBound },
                               count: entry.dataRange.count)
    }

    /// Reads tensor `name` as Float32 (F32 as is; F16, BF16 and F64 converted).
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else { throw SafeTensorsError(path: path, reason: .missingTensor(key: name)) }
        guard entry.dtype.isFloatConvertible else {
            throw SafeTensorsError(path: path, reason: .unsupportedConversion(key: name, dtype: entry.dtype.rawValue))
        }
        let bytes = rawBytes(of: entry)
        let count = entry.elementCount
        return Tensor(uninitializedShape: entry.shape) { destination in
            switch entry.dtype {
            case .float32:
                for index in 0..<count { destination[index] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))) }
            case .float16:
                for index in 0..<count { destination[index] = HalfPrecision.float(fromHalfBits: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))) }
            case .bfloat16:
                for index in 0..<count { destination[index] = HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))) }
            case .float64:
                for index in 0..<count { destination[index] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))) }
            default:
                break
            }
        }
    }

    /// Parses and validates the JSON header against a data section of `dataLength` bytes.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, dataLength: Int,
                            failure: (SafeTensorsError.Reason) -> SafeTensorsError) throws
        -> ([String: SafeTensorsEntry], [String: String]) {
        guard let text = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw failure(.headerNotUTF8)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
        } catch {
            throw failure(.headerNotJSON(String(describing: error.localizedDescription)))
        }
        guard let dictionary = object as? [String: Any] else { throw failure(.headerNotObject) }

        var metadata: [String: String] = [:]
        var entries: [String: SafeTensorsEntry] = [:]
        for (key, value) in dictionary {
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else { throw failure(.invalidEntry(key: key, reason: "__metadata__ is not an object")) }
                for (metadataKey, metadataValue) in map {
                    guard let string = metadataValue as? String else {
                        throw failure(.invalidEntry(key: key, reason: "metadata value for '\(metadataKey)' is not a string"))
                    }
                    metadata[metadataKey] = string
                }
                continue
            }
            guard let fields = value as? [String: Any] else { throw failure(.invalidEntry(key: key, reason: "entry is not an object")) }
            guard let dtypeName = fields["dtype"] as? String else { throw failure(.invalidEntry(key: key, reason: "missing dtype")) }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw failure(.unknownDType(key: key, dtype: dtypeName)) }
            guard let shapeValues = fields["shape"] as? [Any] else { throw failure(.invalidEntry(key: key, reason: "missing shape")) }
            let shape = try shapeValues.map { element -> Int in
                guard let dimension = exactInteger(element), dimension >= 0 else {
                    throw failure(.invalidEntry(key: key, reason: "shape \(shapeValues) has an entry that is not a non-negative integer"))
                }
                return dimension
            }
            guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = exactInteger(offsets[0]), let end = exactInteger(offsets[1]), begin >= 0, begin <= end else {
                throw failure(.invalidEntry(key: key, reason: "data_offsets must be two integers 0 ≤ begin ≤ end"))
            }
            // Overflow-safe element count: shape products beyond the file size can never match.
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= Int(Int32.max) * 64 else {
                    throw failure(.sizeMismatch(key: key, shape: shape, dtype: dtypeName, byteCount: end - begin))
                }
                elements = product
            }
            guard elements * dtype.byteSize == end - begin else {
                throw failure(.sizeMismatch(key: key, shape: shape, dtype: dtypeName, byteCount: end - begin))
            }
            guard end <= dataLength else {
                throw failure(.offsetsOutOfBounds(key: key, begin: begin, end: end, dataLength: dataLength))
            }
            entries[key] = SafeTensorsEntry(name: key, dtype: dtype, shape: shape, dataRange: begin..<end)
        }

        // Sorted by start (ties by name, so the order is deterministic), the tensors must tile [0, dataLength).
        let ordered = entries.values.sorted { ($0.dataRange.lowerBound, $0.name) < ($1.dataRange.lowerBound, $1.name) }
        var position = 0
        var previous: SafeTensorsEntry? = nil
        for entry in ordered {
            if entry.dataRange.lowerBound < position, let previous {
                throw failure(.overlappingOffsets(first: previous.name, second: entry.name))
            }
            if entry.dataRange.lowerBound > position { throw failure(.unindexedBytes(offset: position, dataLength: dataLength)) }
            position = Swift.max(position, entry.dataRange.upperBound)
            if !entry.dataRange.isEmpty { previous = entry }
        }
        if position != dataLength { throw failure(.unindexedBytes(offset: position, dataLength: dataLength)) }
        return (entries, metadata)
    }

    /// An Int from a JSON number only when it was written as an integer (rejects 1.5, 1e3, true and strings),
    /// as the reference parser's unsigned-integer fields do.
    private static func exactInteger(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let kind = String(cString: number.objCType)
        guard ["i", "q", "l", "s", "I", "Q", "L", "S"].contains(kind) else { return nil }
        return number.intValue
    }
}
