import Foundation

/// Expands FILES|DIRS arguments into audio files.
///
/// Directories are searched recursively for the extensions in `audioExtensions` (case-insensitive), in sorted path
/// order; hidden entries are skipped. Files given explicitly are always taken, whatever their extension.
public enum AudioFileDiscovery {
    public static let audioExtensions: Set<String> = ["wav", "wave", "flac", "aif", "aiff", "aifc", "ogg", "oga", "opus", "mp3",
                                                       "caf", "au", "snd", "w64", "rf64"]

    public static func expand(_ arguments: [String]) -> [DiscoveredFile] {
        var result: [DiscoveredFile] = []
        let manager = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                result.append(DiscoveredFile(path: argument, root: nil, relativePath: fileName(argument), problem: "no such file or directory"))
                continue
            }
            guard isDirectory.boolValue else {
                result.append(DiscoveredFile(path: argument, root: nil, relativePath: fileName(argument), problem: nil))
                continue
            }
            guard let enumerator = manager.enumerator(atPath: argument) else {
                result.append(DiscoveredFile(path: argument, root: nil, relativePath: fileName(argument), problem: "cannot list the directory"))
                continue
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let components = relative.split(separator: "/")
                if components.contains(where: { $0.hasPrefix(".") }) { continue }
                let extensionPart = (relative as NSString).pathExtension.lowercased()
                guard audioExtensions.contains(extensionPart) else { continue }
                var childIsDirectory: ObjCBool = false
                let full = join(argument, relative)
                if manager.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue { found.append(relative) }
            }
            for relative in found.sorted() {
                result.append(DiscoveredFile(path: join(argument, relative), root: argument, relativePath: relative, problem: nil))
            }
        }
        return result
    }

    static func join(_ directory: String, _ relative: String) -> String {
        directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Whether `path` is an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
