#if canImport(Glibc)
import Glibc
#endif

/// Element-count threshold above which elementwise loops are split across cores.
@usableFromInline let parallelElementThreshold = 1 << 15

extension Tensor {
    // MARK: Unary maps

    /// Applies `operation` to every element; large tensors are split across cores. Specialized per operation type,
    /// so the inner loop vectorizes.
    @inlinable public func applying<Operation: UnaryElementwiseOperation>(_ operation: Operation) -> Tensor {
        let count = self.count
        return withUnsafeBufferPointer { source in
            let input = SendablePointer(source)
            return Tensor(uninitializedShape: shape) { destination in
                let output = SendablePointer(destination)
                ConcurrentWork.forEachRange(count, minimumRange: parallelElementThreshold) { range in
                    let x = input.base, y = output.base
                    for index in range { y[index] = operation.apply(x[index]) }
                }
            }
        }
    }

    /// Applies `transform` to every element (a closure call per element: for one-off use; hot paths use
    /// `applying(_:)` with an operation type).
    public func map(_ transform: @escaping @Sendable (Float) -> Float) -> Tensor {
        applying(ElementwiseOperations.Function(transform))
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
    @usableFromInline static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(of: shape)
        let offset = target.count - shape.count
        return target.indices.map { axis in
            let source = axis - offset
            return source < 0 || shape[source] == 1 ? 0 : own[source]
        }
    }

    /// Combines two tensors element by element with NumPy broadcasting.
    ///
    /// The output is walked as rows of its innermost dimensions merged while both operands stay contiguous (or
    /// constant) along them; each row is one tight loop whose operands have stride 1 or 0, so the common shapes —
    /// equal shapes, a scalar, a per-channel `[1, C, 1]` or per-item `[B, C, 1]` factor — all run vectorized.
    @inlinable public func combining<Operation: BinaryElementwiseOperation>(_ other: Tensor, _ operation: Operation) -> Tensor {
        let outputShape = shape == other.shape ? shape : Tensor.broadcastShape(shape, other.shape)
        let plan = BroadcastPlan(outputShape: outputShape, left: shape, right: other.shape)
        return withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                let a = SendablePointer(left), b = SendablePointer(right)
                return Tensor(uninitializedShape: outputShape) { destination in
                    let output = SendablePointer(destination)
                    let rowLength = plan.rowLength, leftStep = plan.leftStep, rightStep = plan.rightStep
                    ConcurrentWork.forEachRange(plan.rowCount, minimumRange: Swift.max(1, parallelElementThreshold / Swift.max(1, rowLength))) { range in
                        for row in range {
                            let (leftOffset, rightOffset) = plan.offsets(row: row)
                            let x = a.base + leftOffset, y = b.base + rightOffset, z = output.base + row * rowLength
                            switch (leftStep, rightStep) {
                            case (1, 1): for index in 0..<rowLength { z[index] = operation.apply(x[index], y[index]) }
                            case (1, 0): let value = y[0]; for index in 0..<rowLength { z[index] = operation.apply(x[index], value) }
                            case (0, 1): let value = x[0]; for index in 0..<rowLength { z[index] = operation.apply(value, y[index]) }
                            default: let value = operation.apply(x[0], y[0]); for index in 0..<rowLength { z[index] = value }
                            }
                        }
                    }
                }
            }
        }
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, ElementwiseOperations.Add()) }
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, ElementwiseOperations.Subtract()) }
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, ElementwiseOperations.Multiply()) }
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.combining(rhs, ElementwiseOperations.Divide()) }
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.applying(ElementwiseOperations.Affine(scale: 1, offset: rhs)) }
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.applying(ElementwiseOperations.Affine(scale: 1, offset: -rhs)) }
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.applying(ElementwiseOperations.Affine(scale: rhs, offset: 0)) }
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.combining(Tensor(scalar: rhs), ElementwiseOperations.Divide()) }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { rhs.applying(ElementwiseOperations.Affine(scale: -1, offset: lhs)) }
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }
    public static prefix func - (operand: Tensor) -> Tensor { operand.applying(ElementwiseOperations.Affine(scale: -1, offset: 0)) }

    /// Element-wise maximum with broadcasting.
    public func maximum(_ other: Tensor) -> Tensor { combining(other, ElementwiseOperations.Maximum()) }
    /// Element-wise minimum with broadcasting.
    public func minimum(_ other: Tensor) -> Tensor { combining(other, ElementwiseOperations.Minimum()) }

    /// `self + other * scale` with broadcasting, in one pass.
    public func adding(_ other: Tensor, scaledBy scale: Float) -> Tensor { combining(other, ElementwiseOperations.AddScaled(scale: scale)) }

    // MARK: Common unary functions

    public func exp() -> Tensor { map { Glibc.expf($0) } }
    public func log() -> Tensor { map { Glibc.logf($0) } }
    public func squareRoot() -> Tensor { applying(ElementwiseOperations.SquareRoot()) }
    public func squared() -> Tensor { applying(ElementwiseOperations.Square()) }
    public func absolute() -> Tensor { applying(ElementwiseOperations.Absolute()) }
    public func sin() -> Tensor { map { Glibc.sinf($0) } }
    public func cos() -> Tensor { map { Glibc.cosf($0) } }
    public func tanh() -> Tensor { map { Glibc.tanhf($0) } }
    /// Clamps every element to `[lower, upper]`.
    public func clamped(to lower: Float, _ upper: Float) -> Tensor { applying(ElementwiseOperations.Clamp(lower: lower, upper: upper)) }
}

/// How a broadcast binary op walks its output: rows of `rowLength` elements in which each operand advances by 1
/// (contiguous) or 0 (constant), and, per row, where each operand's row starts.
@usableFromInline struct BroadcastPlan: Sendable {
    @usableFromInline let rowLength: Int
    @usableFromInline let rowCount: Int
    @usableFromInline let leftStep: Int
    @usableFromInline let rightStep: Int
    @usableFromInline let outerShape: [Int]
    @usableFromInline let outerLeftStrides: [Int]
    @usableFromInline let outerRightStrides: [Int]

    @usableFromInline init(outputShape: [Int], left: [Int], right: [Int]) {
        let leftStrides = Tensor.broadcastStrides(left, to: outputShape)
        let rightStrides = Tensor.broadcastStrides(right, to: outputShape)
        let rank = outputShape.count
        // Merge trailing dimensions while each operand is either contiguous across them or constant across them.
        var split = rank
        var length = 1
        var leftKind = -1, rightKind = -1  // -1 undecided, 0 constant, 1 contiguous
        while split > 0 {
            let axis = split - 1
            let size = outputShape[axis]
            let leftAxisKind = size == 1 ? leftKind : (leftStrides[axis] == 0 ? 0 : (leftStrides[axis] == length ? 1 : 2))
            let rightAxisKind = size == 1 ? rightKind : (rightStrides[axis] == 0 ? 0 : (rightStrides[axis] == length ? 1 : 2))
            let leftOK = leftAxisKind != 2 && (leftKind == -1 || leftAxisKind == -1 || leftAxisKind == leftKind)
            let rightOK = rightAxisKind != 2 && (rightKind == -1 || rightAxisKind == -1 || rightAxisKind == rightKind)
            // A constant operand stays constant only while its earlier merged part is constant too.
            guard leftOK && rightOK else { break }
            if size != 1 {
                if leftKind == -1 { leftKind = leftAxisKind }
                if rightKind == -1 { rightKind = rightAxisKind }
            }
            length *= size
            split -= 1
        }
        rowLength = Swift.max(1, length)
        leftStep = leftKind == 0 ? 0 : 1
        rightStep = rightKind == 0 ? 0 : 1
        outerShape = Array(outputShape[..<split])
        outerLeftStrides = Array(leftStrides[..<split])
        outerRightStrides = Array(rightStrides[..<split])
        rowCount = Tensor.elementCount(outerShape)
    }

    /// Start offsets of `row` in the left and right operands.
    @inlinable @inline(__always) func offsets(row: Int) -> (Int, Int) {
        var remainder = row, left = 0, right = 0
        for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
            let coordinate = remainder % outerShape[axis]
            remainder /= outerShape[axis]
            left += coordinate * outerLeftStrides[axis]
            right += coordinate * outerRightStrides[axis]
        }
        return (left, right)
    }
}
