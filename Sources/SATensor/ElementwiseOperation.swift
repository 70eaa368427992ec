#if canImport(Glibc)
import Glibc
#endif

/// A function applied to every element. Ops are small value types so that generic loops over them are specialized
/// and inlined: the per-element work compiles to straight-line, vectorizable code instead of a closure call.
public protocol UnaryElementwiseOperation: Sendable {
    func apply(_ x: Float) -> Float
}

/// A function of two elements (with broadcasting handled by the caller).
public protocol BinaryElementwiseOperation: Sendable {
    func apply(_ a: Float, _ b: Float) -> Float
}

/// The element-wise operations the engine uses, as `UnaryElementwiseOperation` / `BinaryElementwiseOperation` values.
public enum ElementwiseOperations {
    public struct Add: BinaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ a: Float, _ b: Float) -> Float { a + b } }
    public struct Subtract: BinaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ a: Float, _ b: Float) -> Float { a - b } }
    public struct Multiply: BinaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ a: Float, _ b: Float) -> Float { a * b } }
    public struct Divide: BinaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ a: Float, _ b: Float) -> Float { a / b } }
    public struct Maximum: BinaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ a: Float, _ b: Float) -> Float { Swift.max(a, b) } }
    public struct Minimum: BinaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ a: Float, _ b: Float) -> Float { Swift.min(a, b) } }
    /// a + b·scale
    public struct AddScaled: BinaryElementwiseOperation {
        public let scale: Float
        @inlinable public init(scale: Float) { self.scale = scale }
        @inlinable public func apply(_ a: Float, _ b: Float) -> Float { a + b * scale }
    }

    /// x·scale + offset (covers +, −, × and ÷ by scalars).
    public struct Affine: UnaryElementwiseOperation {
        public let scale: Float, offset: Float
        @inlinable public init(scale: Float, offset: Float) { self.scale = scale; self.offset = offset }
        @inlinable public func apply(_ x: Float) -> Float { x * scale + offset }
    }
    public struct Square: UnaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ x: Float) -> Float { x * x } }
    public struct SquareRoot: UnaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ x: Float) -> Float { x.squareRoot() } }
    public struct Absolute: UnaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ x: Float) -> Float { Swift.abs(x) } }
    public struct ReLU: UnaryElementwiseOperation { @inlinable public init() {}; @inlinable public func apply(_ x: Float) -> Float { x > 0 ? x : 0 } }
    public struct Clamp: UnaryElementwiseOperation {
        public let lower: Float, upper: Float
        @inlinable public init(lower: Float, upper: Float) { self.lower = lower; self.upper = upper }
        @inlinable public func apply(_ x: Float) -> Float { Swift.min(Swift.max(x, lower), upper) }
    }
    /// Any libm-style function (not vectorized: one call per element).
    public struct Function: UnaryElementwiseOperation {
        public let function: @Sendable (Float) -> Float
        @inlinable public init(_ function: @escaping @Sendable (Float) -> Float) { self.function = function }
        @inlinable public func apply(_ x: Float) -> Float { function(x) }
    }
}
