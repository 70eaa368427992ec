import Foundation

/// One file to score, with the folder it was found in (for pairing by relative path).
public struct DiscoveredFile: Sendable, Equatable {
    public var path: String
    /// The directory argument it was found under, or nil when it was given as a file.
    public var root: String?
    /// Path relative to `root` (or the file name).
    public var relativePath: String
    /// Why the argument could not be listed (no such path, unreadable directory); the file is then reported as an error.
    public var problem: String?

    public init(path: String, root: String?, relativePath: String, problem: String?) {
        self.path = path
        self.root = root
        self.relativePath = relativePath
        self.problem = problem
    }
}
