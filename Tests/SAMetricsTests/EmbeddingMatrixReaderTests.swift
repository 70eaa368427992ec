import Foundation
import SAMetrics
import Testing

/// `.npy` headers whose shape is negative or whose byte count overflows `Int` used to reach an array allocation
/// with a negative count or an overflowing multiplication (both traps); they are errors naming the file.
@Suite struct EmbeddingMatrixReaderTests {
    /// Writes a version-1 `.npy` file of little-endian float32 with the given shape text and `values`, returns its (unique) path.
    static func numPyFile(shape: String, values: [Float]) throws -> String {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        let path = NSTemporaryDirectory() + "stable-audio-matrix-\(UUID().uuidString).npy"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func wellFormedMatrixReads() throws {
        let path = try Self.numPyFile(shape: "2, 3", values: [1, 2, 3, 4, 5, 6])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let matrix = try EmbeddingMatrixReader.read(path)
        #expect(matrix.rowCount == 2 && matrix.dimension == 3 && matrix.values == [1, 2, 3, 4, 5, 6])
    }

    @Test(arguments: [("-3, 2", "non-negative sizes"), ("9223372036854775807, 2", "needs more than"), ("4611686018427387904, 1", "needs more than")])
    func badShapesAreErrors(shape: String, expected: String) throws {
        let path = try Self.numPyFile(shape: shape, values: [1, 2])
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try EmbeddingMatrixReader.read(path)
            Issue.record("shape (\(shape)) was accepted")
        } catch let error as MetricsError {
            #expect(error.subject == path)
            #expect(error.description.contains(expected), "\(error)")
        }
    }
}
