#if canImport(Glibc)
import Glibc
#endif

/// Element-count threshold above which elementwise loops are split across cores.
@usableFromInline let parallelElementThreshold = 1 << 15

extension Tensor {
    // MARK: Unary maps

    /// Applies `transform` to every element; large tensors are split across cores.
    @inlinable public func map(_ transform: @escaping @Sendable (Float) -> Float) -> Tensor {
        let count = self.count
        return withUnsafeBufferPointer { source in
            let input = SendablePointer(source)
            return Tensor(uninitializedShape: shape) { destination in
                let output = SendablePointer(destination)
                ConcurrentWork.forEachRange(count, minimumRange: parallelElementThreshold) { range in
                    for index in range { output.base[index] = transform(input.base[index]) }
                }
            }
        }
    }

    /// Combines two tensors of the same shape element by element.
    @inlinable public func zipMap(_ other: Tensor, _ combine: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "zipMap shapes differ: \(shape) vs \(other.shape)")
        let count = self.count
        return withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                let a = SendablePointer(left), b = SendablePointer(right)
                return Tensor(uninitializedShape: shape) { destination in
                    let output = SendablePointer(destination)
                    ConcurrentWork.forEachRange(count, minimumRange: parallelElementThreshold) { range in
                        for index in range { output.base[index] = combine(a.base[index], b.base[index]) }
                    }
                }
            }
        }
    }

    // MARK: Broadcasting binary operations

    /// The NumPy/PyTorch broadcast of two shapes (aligned at the trailing dimension).
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for offset in 0..<rank {
            let dimensionA = offset < a.count ? a[a.count - 1 - offset] : 1
            let dimensionB = offset < b.count ? b[b.count - 1 - offset] : 1
            precondition(dimensionA == dimensionB || dimensionA == 1 || dimensionB == 1,
                         "shapes \(a) and \(b) do not broadcast")
            result[rank - 1 - offset] = dimensionA == 1 ? dimensionB : dimensionA
        }
        return result
    }

    /// Strides that read `shape` as if it had `target`'s shape (zero stride on broadcast dimensions).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(of: shape)
        let offset = target.count - shape.count
        return target.indices.map { axis in
            let source = axis - offset
            return source < 0 || shape[source] == 1 ? 0 : own[source]
        }
    }

    /// Combines two tensors element by element with broadcasting.
    ///
    /// Fast paths: equal shapes, a scalar on either side, and a right side that repeats along the innermost
    /// dimension (such as a per-channel `[1, C, 1]`). Everything else walks the broadcast index space with strides.
    @inlinable public func broadcasting(_ other: Tensor, _ combine: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        if shape == other.shape { return zipMap(other, combine) }
        if other.count == 1 && rank >= other.rank {
            let value = other.scalars[0]
            return map { combine($0, value) }
        }
        if count == 1 && other.rank >= rank {
            let value = scalars[0]
            return other.map { combine(value, $0) }
        }
        return broadcastingGeneral(other, combine)
    }

    @usableFromInline func broadcastingGeneral(_ other: Tensor, _ combine: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        let outputShape = Tensor.broadcastShape(shape, other.shape)
        let stridesA = Tensor.broadcastStrides(shape, to: outputShape)
        let stridesB = Tensor.broadcastStrides(other.shape, to: outputShape)
        let rank = outputShape.count
        let inner = rank == 0 ? 1 : outputShape[rank - 1]
        let innerStrideA = rank == 0 ? 0 : stridesA[rank - 1]
        let innerStrideB = rank == 0 ? 0 : stridesB[rank - 1]
        let outerShape = Array(outputShape.dropLast())
        let outerCount = Tensor.elementCount(outerShape)
        return withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                let a = SendablePointer(left), b = SendablePointer(right)
                return Tensor(uninitializedShape: outputShape) { destination in
                    let output = SendablePointer(destination)
                    ConcurrentWork.forEachRange(outerCount, minimumRange: Swift.max(1, parallelElementThreshold / Swift.max(1, inner))) { range in
                        for outer in range {
                            // Decompose the outer index into per-axis coordinates to find both sources' offsets.
                            var remainder = outer, offsetA = 0, offsetB = 0
                            for axis in stride(from: rank - 2, through: 0, by: -1) {
                                let coordinate = remainder % outputShape[axis]
                                remainder /= outputShape[axis]
                                offsetA += coordinate * stridesA[axis]
                                offsetB += coordinate * stridesB[axis]
                            }
                            let row = output.base + outer * inner
                            for index in 0..<inner {
                                row[index] = combine(a.base[offsetA + index * innerStrideA], b.base[offsetB + index * innerStrideB])
                            }
                        }
                    }
                }
            }
        }
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.broadcasting(rhs) { $0 + $1 } }
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.broadcasting(rhs) { $0 - $1 } }
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.broadcasting(rhs) { $0 * $1 } }
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.broadcasting(rhs) { $0 / $1 } }
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 + rhs } }
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 - rhs } }
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 / rhs } }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs * $0 } }
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs - $0 } }
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs + $0 } }
    public static prefix func - (operand: Tensor) -> Tensor { operand.map { -$0 } }

    /// Element-wise maximum with broadcasting.
    public func maximum(_ other: Tensor) -> Tensor { broadcasting(other) { Swift.max($0, $1) } }
    /// Element-wise minimum with broadcasting.
    public func minimum(_ other: Tensor) -> Tensor { broadcasting(other) { Swift.min($0, $1) } }

    /// `self + other * scale` for equal shapes, in one pass.
    public func adding(_ other: Tensor, scaledBy scale: Float) -> Tensor { zipMap(other) { $0 + $1 * scale } }

    // MARK: Common unary functions

    public func exp() -> Tensor { map { Glibc.expf($0) } }
    public func log() -> Tensor { map { Glibc.logf($0) } }
    public func squareRoot() -> Tensor { map { $0.squareRoot() } }
    public func squared() -> Tensor { map { $0 * $0 } }
    public func absolute() -> Tensor { map { Swift.abs($0) } }
    public func sin() -> Tensor { map { Glibc.sinf($0) } }
    public func cos() -> Tensor { map { Glibc.cosf($0) } }
    public func tanh() -> Tensor { map { Glibc.tanhf($0) } }
    /// Clamps every element to `[lower, upper]`.
    public func clamped(to lower: Float, _ upper: Float) -> Tensor { map { Swift.min(Swift.max($0, lower), upper) } }
}
