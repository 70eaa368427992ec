import Foundation
import SATensor
import SATestSupport
import Testing

/// The safetensors reader and writer: round trips in all three float dtypes, and a battery of malformed files,
/// each of which must be rejected with its own specific error (never a crash or an out-of-bounds read).
@Suite struct SafeTensorsTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "safetensors-tests-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    @Test(arguments: [SafeTensorsWriter.StorageType.float32, .float16, .bfloat16])
    func roundTrip(storage: SafeTensorsWriter.StorageType) throws {
        let a = randomTensor([3, 4, 5], seed: 1), b = Tensor(shape: [2], scalars: [1.5, -0.25]), empty = Tensor(zeros: [0, 3])
        let path = folder + "/roundtrip.safetensors"
        try SafeTensorsWriter.write([("model.a", a), ("b", b), ("empty", empty)], storage: storage,
                                    metadata: ["seed": "7", "note": "ünïcode ✓"], to: path)
        let file = try SafeTensorsFile(path: path)
        #expect(file.names == ["b", "empty", "model.a"])
        #expect(file.metadata == ["seed": "7", "note": "ünïcode ✓"])
        #expect(file.parameterCount == 62)
        let tolerance: Float = storage == .float32 ? 0 : (storage == .float16 ? 2e-3 : 2e-2)
        let readBack = try file.tensor(named: "model.a")
        #expect(compare(readBack, a, absoluteTolerance: tolerance, relativeTolerance: tolerance).passed)
        #expect(try file.tensor(named: "b") == b)  // exactly representable in every format
        #expect(try file.tensor(named: "empty").shape == [0, 3])
        // The header is padded so that the data section starts 8-byte aligned.
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect((8 + Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })) % 8 == 0)
    }

    /// Writes raw bytes: a header-length prefix (or a given one), the header text, and `dataCount` data bytes.
    func write(header: String, dataCount: Int, declaredLength: UInt64? = nil, name: String = #function) -> String {
        var bytes = [UInt8]()
        let headerBytes = Array(header.utf8)
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        bytes.append(contentsOf: [UInt8](repeating: 0, count: dataCount))
        let path = folder + "/\(name.filter { $0.isLetter }).safetensors"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func reason(_ path: String) -> SafeTensorsError.Reason? {
        do {
            _ = try SafeTensorsFile(path: path)
            return nil
        } catch let error as SafeTensorsError {
            #expect(error.description.hasPrefix(path), "error should name the file: \(error)")
            return error.reason
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func acceptsAWellFormedHandWrittenFile() throws {
        let path = write(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}"#, dataCount: 8)
        let file = try SafeTensorsFile(path: path)
        #expect(try file.tensor(named: "x").scalars == [0, 0])
    }

    @Test func rejectsFileShorterThanLengthPrefix() {
        let path = folder + "/tiny.safetensors"
        FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
        #expect(reason(path) == .fileTooSmall(size: 3))
    }

    @Test func rejectsAbsurdHeaderLength() {
        let path = write(header: "{}", dataCount: 0, declaredLength: UInt64.max)
        #expect(reason(path) == .headerTooLarge(length: UInt64.max, maximum: SafeTensorsFile.maximumHeaderLength))
    }

    @Test func rejectsHeaderLongerThanFile() {
        let path = write(header: "{}", dataCount: 0, declaredLength: 5000)
        #expect(reason(path) == .headerExceedsFile(length: 5000, fileSize: 10))
    }

    @Test func rejectsTruncatedData() {
        let path = write(header: #"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataCount: 10)
        #expect(reason(path) == .offsetsOutOfBounds(key: "x", begin: 0, end: 16, dataLength: 10))
    }

    @Test func rejectsOffsetsPastTheEnd() {
        let path = write(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[96,100]}}"#, dataCount: 8)
        #expect(reason(path) == .offsetsOutOfBounds(key: "x", begin: 96, end: 100, dataLength: 8))
    }

    @Test func rejectsOverlappingOffsets() {
        let path = write(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataCount: 12)
        #expect(reason(path) == .overlappingOffsets(first: "a", second: "b"))
    }

    @Test func rejectsBytesOwnedByNoTensor() {
        let path = write(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataCount: 8)
        #expect(reason(path) == .unindexedBytes(offset: 0, dataLength: 8))
        let trailing = write(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, dataCount: 8, name: "trailing")
        #expect(reason(trailing) == .unindexedBytes(offset: 4, dataLength: 8))
    }

    @Test func rejectsUnknownDType() {
        let path = write(header: #"{"x":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}"#, dataCount: 4)
        #expect(reason(path) == .unknownDType(key: "x", dtype: "F31"))
    }

    @Test func rejectsShapeThatDoesNotFitTheBytes() {
        let path = write(header: #"{"x":{"dtype":"F16","shape":[3,2],"data_offsets":[0,8]}}"#, dataCount: 8)
        #expect(reason(path) == .sizeMismatch(key: "x", shape: [3, 2], dtype: "F16", byteCount: 8))
        let overflow = write(header: #"{"x":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#, dataCount: 8, name: "overflow")
        #expect(reason(overflow) == .sizeMismatch(key: "x", shape: [4294967296, 4294967296, 4294967296], dtype: "F32", byteCount: 8))
    }

    @Test func rejectsNonUTF8Header() {
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(4).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [0x7B, 0xFF, 0xFE, 0x7D])
        let path = folder + "/latin.safetensors"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(reason(path) == .headerNotUTF8)
    }

    @Test func rejectsInvalidJSONAndWrongTypes() {
        if case .headerNotJSON = reason(write(header: "{not json", dataCount: 0, name: "notjson")) {} else { Issue.record("expected headerNotJSON") }
        #expect(reason(write(header: "[1,2]", dataCount: 0, name: "array")) == .headerNotObject)
        let negative = write(header: #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, dataCount: 4, name: "negative")
        if case .invalidEntry(key: "x", _) = reason(negative) {} else { Issue.record("expected invalidEntry for a negative dimension") }
        let fractional = write(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#, dataCount: 4, name: "fractional")
        if case .invalidEntry(key: "x", _) = reason(fractional) {} else { Issue.record("expected invalidEntry for fractional offsets") }
        let reversed = write(header: #"{"x":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, dataCount: 4, name: "reversed")
        if case .invalidEntry(key: "x", _) = reason(reversed) {} else { Issue.record("expected invalidEntry for begin > end") }
    }

    @Test func missingFileAndMissingTensorAndIntegerDType() throws {
        if case .cannotOpen = reason(folder + "/does-not-exist.safetensors") {} else { Issue.record("expected cannotOpen") }
        let path = write(header: #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, dataCount: 8)
        let file = try SafeTensorsFile(path: path)
        #expect(throws: SafeTensorsError(path: path, reason: .missingTensor(key: "nope"))) { try file.tensor(named: "nope") }
        #expect(throws: SafeTensorsError(path: path, reason: .unsupportedConversion(key: "ids", dtype: "I64"))) { try file.tensor(named: "ids") }
    }

    @Test func failedWriteLeavesNothingBehind() throws {
        let target = folder + "/missing-subfolder/out.safetensors"
        #expect(throws: FileWriteError.self) { try SafeTensorsWriter.write([("x", Tensor(zeros: [2]))], to: target) }
        #expect(!FileManager.default.fileExists(atPath: target))
        let before = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(throws: (any Error).self) {
            try AtomicFile.write(to: folder + "/partial.bin") { temporary in
                FileManager.default.createFile(atPath: temporary, contents: Data([1, 2, 3]))
                throw FileWriteError(path: temporary, reason: "simulated failure")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == before)
    }
}
