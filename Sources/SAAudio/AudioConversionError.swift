/// Why audio could not be converted to the rate or channel count asked for.
public struct AudioConversionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
