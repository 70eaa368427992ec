import Foundation
import SATensor

/// Reads an N×d matrix of embeddings (or class probabilities) from a `.npy` or `.safetensors` file, as Float64.
///
/// `.npy`: NumPy format versions 1–3, little-endian `<f2`/`<f4`/`<f8`, C or Fortran
/// order, 2-D shape (a 1-D array is read as one column). `.safetensors`: the only tensor in the file, or the one named
/// `embeddings`; F64 is read exactly, F32/F16/BF16 through `SafeTensorsFile`. Any other layout is rejected with an
/// error naming the file.
public enum EmbeddingMatrixReader {
    public static func read(_ path: String) throws -> FeatureMatrix {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".npy") { return try readNumPy(path) }
        if lowered.hasSuffix(".safetensors") { return try readSafeTensors(path) }
        throw MetricsError(path, "embeddings must be a .npy or .safetensors matrix")
    }

    static func readSafeTensors(_ path: String) throws -> FeatureMatrix {
        let file = try SafeTensorsFile(path: path)
        let names = file.names
        let name: String
        if names.count == 1 { name = names[0] } else if names.contains("embeddings") { name = "embeddings" } else {
            throw MetricsError(path, "holds \(names.count) tensors (\(names.prefix(8).joined(separator: ", "))); expected one, or one named 'embeddings'")
        }
        guard let entry = file.entries[name] else { throw MetricsError(path, "tensor '\(name)' not found") }
        guard entry.shape.count == 2 || entry.shape.count == 1 else {
            throw MetricsError(path, "tensor '\(name)' has shape \(entry.shape); expected an N×d matrix")
        }
        let rows = entry.shape[0], columns = entry.shape.count == 2 ? entry.shape[1] : 1
        var values: [Double]
        if entry.dtype == .float64 {
            let bytes = file.rawBytes(of: entry)
            values = (0..<(rows * columns)).map {
                Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
            }
        } else {
            guard entry.dtype.isFloatConvertible else { throw MetricsError(path, "tensor '\(name)' has non-float type \(entry.dtype.rawValue)") }
            values = try file.tensor(named: name).scalars.map(Double.init)
        }
        try checkFinite(values, path: path)
        return FeatureMatrix(source: path, rowCount: rows, dimension: columns, values: values)
    }

    static func readNumPy(_ path: String) throws -> FeatureMatrix {
        guard let data = FileManager.default.contents(atPath: path) else { throw MetricsError(path, "cannot read the file") }
        let bytes = [UInt8](data)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw MetricsError(path, "not a .npy file (bad magic)") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw MetricsError(path, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw MetricsError(path, ".npy format version \(major) is not supported")
        }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw MetricsError(path, "truncated .npy header")
        }
        guard let descriptor = field("descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) else {
            throw MetricsError(path, ".npy header has no 'descr'")
        }
        let fortran = field("fortran_order", in: header)?.trimmingCharacters(in: .whitespaces) == "True"
        guard let shapeText = shapeField(in: header) else { throw MetricsError(path, ".npy header has no 'shape'") }
        let fields = shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = fields.compactMap { Int($0) }
        guard shape.count == fields.count, shape.count == 2 || shape.count == 1, shape.allSatisfy({ $0 >= 0 }) else {
            throw MetricsError(path, "array has shape (\(shapeText)); expected an N×d matrix of non-negative sizes")
        }
        let rows = shape[0], columns = shape.count == 2 ? shape[1] : 1
        let elementSize: Int
        switch descriptor {
        case "<f8", "=f8": elementSize = 8
        case "<f4", "=f4": elementSize = 4
        case "<f2", "=f2": elementSize = 2
        default: throw MetricsError(path, "array type '\(descriptor)' is not supported (little-endian float16/32/64 only)")
        }
        let dataStart = headerStart + headerLength
        // Overflow-checked: a shape whose byte count does not fit in an Int can never match the file.
        let (count, countOverflow) = rows.multipliedReportingOverflow(by: columns)
        let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !countOverflow, !byteOverflow, bytes.count - dataStart >= byteCount else {
            throw MetricsError(path, "truncated: \(rows)×\(columns) \(descriptor) needs \(countOverflow || byteOverflow ? "more than \(Int.max)" : String(byteCount)) bytes, found \(bytes.count - dataStart)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for index in 0..<count {
                let offset = dataStart + index * elementSize
                let value: Double
                switch elementSize {
                case 8: value = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case 4: value = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                default: value = Double(Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))))
                }
                // Fortran order stores column by column.
                let destination = fortran ? (index % rows) * columns + index / rows : index
                values[destination] = value
            }
        }
        try checkFinite(values, path: path)
        return FeatureMatrix(source: path, rowCount: rows, dimension: columns, values: values)
    }

    private static func checkFinite(_ values: [Double], path: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw MetricsError(path, "contains non-finite values (first at element \(index))")
        }
    }

    /// The text after `'key':` up to the next top-level comma.
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...]
        let end = rest.firstIndex(of: ",") ?? rest.firstIndex(of: "}") ?? rest.endIndex
        return String(rest[..<end])
    }

    private static func shapeField(in header: String) -> String? {
        guard let range = header.range(of: "'shape':"),
              let open = header[range.upperBound...].firstIndex(of: "("),
              let close = header[open...].firstIndex(of: ")") else { return nil }
        return String(header[header.index(after: open)..<close])
    }
}
