import Foundation
import SAAudioText

/// Where the commands find a model that ships in the repository's `models/` folder when no folder is given:
/// the default text-to-audio model (`models/default`, for `generate`) and sfx-clap-mini (`models/sfx-clap-mini`,
/// for `score`).
///
/// The relative folder is tried in the working directory first; when that has no weights, the same relative path is
/// tried in the folders above the running executable (so `.build/release/stable-audio` finds the copy in its own
/// checkout from any working directory).
struct BundledModelLocator {
    /// The folder relative to the repository root, e.g. `models/default`.
    let relativeFolder: String
    /// The file whose presence marks a folder as installed.
    let weightsFileName: String

    static let textToAudio = BundledModelLocator(relativeFolder: "models/default", weightsFileName: "model.safetensors")
    static let audioText = BundledModelLocator(relativeFolder: "models/sfx-clap-mini", weightsFileName: AudioTextModel.weightsFileName)

    /// The first candidate folder that holds the weights, or nil.
    func installedFolder() -> String? {
        candidates().first { FileManager.default.fileExists(atPath: $0 + "/" + weightsFileName) }
    }

    func candidates() -> [String] {
        var folders = [relativeFolder]
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            folders.append(directory.appendingPathComponent(relativeFolder).path)
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return folders
    }
}
