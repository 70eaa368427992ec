import Foundation
import SATensor
import Testing

/// `AtomicFile.checkWritable`, the pre-flight check (the write-then-rename contract is tested in `SafeTensorsTests`).
@Suite struct AtomicFileTests {
    static func scratchFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "atomic-file-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The reason `checkWritable` gives, or nil when it passes.
    static func refusal(_ path: String) -> String? {
        do { try AtomicFile.checkWritable(path); return nil } catch { return "\(error)" }
    }

    @Test func checkWritableNamesWhatIsWrong() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/existing.bin"
        FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3]))

        #expect(Self.refusal(folder + "/new.wav") == nil)
        #expect(Self.refusal(file) == nil)  // replacing a file is the caller's decision (--overwrite)
        #expect(Self.refusal("relative-name-in-the-working-folder.wav") == nil)
        let missing = Self.refusal(folder + "/missing/new.wav")
        #expect(missing?.contains("\(folder)/missing") == true && missing?.contains("No such file") == true, "\(missing ?? "passed")")
        let underAFile = Self.refusal(file + "/new.wav")
        #expect(underAFile?.contains("existing.bin") == true, "\(underAFile ?? "passed")")
        #expect(Self.refusal(folder)?.contains("it is a folder") == true)
        // Nothing was created by checking.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["existing.bin"])
    }
}
