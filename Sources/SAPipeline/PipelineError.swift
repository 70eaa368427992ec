/// Errors from the pipeline layer; each names the file or parameter and the problem.
public struct PipelineError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
