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

    /// `path` split after its last slash: the folder with its slash ("" for a bare name) and the file's name.
    private static func folderAndName(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    /// A temporary path beside `path`, unique within this process.
    public static func temporaryPath(beside path: String) -> String {
        counter += 1
        let (folder, name) = folderAndName(path)
        return "\(folder).\(name).tmp-\(getpid())-\(counter)"
    }

    /// Checks, before any work is spent on the content, what `write(to:)` will need from the file system: the
    /// destination's folder exists, is a folder and lets this process create a file in it, and the destination itself
    /// is not a folder. (It cannot promise the write: the disk can still fill or the folder change before then.)
    public static func checkWritable(_ path: String) throws {
        // The folder keeps its trailing slash, so stat succeeds only on a folder (a file there fails with ENOTDIR).
        let named = folderAndName(path).folder, folder = named.isEmpty ? "./" : named
        var status = stat()
        guard stat(folder, &status) == 0 else {
            throw FileWriteError(path: path, reason: "its folder \(folder) cannot be used: \(String(cString: strerror(errno)))")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw FileWriteError(path: path, reason: "cannot create files in \(folder): \(String(cString: strerror(errno)))")
        }
        if stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
            throw FileWriteError(path: path, reason: "it is a folder")
        }
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
