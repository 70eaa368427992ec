#if canImport(Glibc)
import Glibc
#endif

/// An error from writing a file; it names the file and what the system said.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes files so that a failure never leaves a partial file behind.
///
/// Content goes to a hidden temporary file in the destination's folder (`.NAME.tmp-PID-N`), which is flushed,
/// closed and renamed over the destination only when everything succeeded; on any error it is removed.
/// A rename within one folder is atomic on POSIX file systems, so readers see the old file or the new one.
public enum AtomicFile {
    nonisolated(unsafe) private static var counter = 0

    /// A temporary path beside `path`, unique within this process.
    public static func temporaryPath(beside path: String) -> String {
        counter += 1
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(folder).\(name).tmp-\(getpid())-\(counter)"
    }

    /// Calls `body` with a temporary path to write, then renames it to `path`; removes it if `body` throws.
    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        let temporary = temporaryPath(beside: path)
        do {
            try body(temporary)
            guard rename(temporary, path) == 0 else {
                throw FileWriteError(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { temporary in
            guard let file = fopen(temporary, "wb") else {
                throw FileWriteError(path: path, reason: String(cString: strerror(errno)))
            }
            let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
            let closed = fclose(file) == 0
            guard written == bytes.count, flushed, closed else {
                throw FileWriteError(path: path, reason: "short write (\(written) of \(bytes.count) bytes): \(String(cString: strerror(errno)))")
            }
        }
    }
}
