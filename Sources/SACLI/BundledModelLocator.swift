import Foundation
import SAAudioText

/// Where `score` finds sfx-clap-mini when `--audio-text-model` is not given.
///
/// Like `generate`'s `models/default`, the default folder is `models/sfx-clap-mini` relative to the working
/// directory; when that has no weights, the same relative path is tried in the folders above the running
/// executable (so `.build/release/stable-audio` finds the copy in its own checkout from anywhere).
enum AudioTextModelLocator {
    static let defaultFolder = "models/sfx-clap-mini"

    /// The first candidate folder that holds the weights, or nil.
    static func defaultModelFolder() -> String? {
        candidates().first { FileManager.default.fileExists(atPath: $0 + "/" + AudioTextModel.weightsFileName) }
    }

    static func candidates() -> [String] {
        var folders = [defaultFolder]
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            folders.append(directory.appendingPathComponent(defaultFolder).path)
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return folders
    }
}
