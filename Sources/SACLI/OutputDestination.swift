import ArgumentParser
import Foundation
import SATensor

/// The check every command makes on a file it will write, before it loads a model or renders anything, so that a
/// mistyped folder or an existing file fails in a second instead of after the work.
enum OutputDestination {
    /// Fails if `path` is a folder or its folder cannot take the file (`AtomicFile.checkWritable`), or if it exists
    /// and `overwrite` is false.
    static func check(_ path: String, overwrite: Bool) throws {
        try AtomicFile.checkWritable(path)
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists: pass --overwrite to replace it")
        }
    }
}
