/// Why a metric could not be computed; it names the file (or set) and the problem.
///
/// Per-file problems (empty, silent, NaN-laden, truncated files) are caught by the scorer and reported in that
/// file's entry, so the rest of a set is still scored.
public struct MetricsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file, directory or set the problem belongs to ("" when it belongs to no file).
    public let subject: String
    /// What went wrong, in words.
    public let reason: String

    public init(_ subject: String, _ reason: String) {
        self.subject = subject
        self.reason = reason
    }

    public var description: String { subject.isEmpty ? reason : "\(subject): \(reason)" }
}
