/// Reductions along one axis, accumulated in Float64 so results do not depend on how work is split.
extension Tensor {
    /// Reduces `axis` with a Float64 fold; the result keeps the axis with size 1 when `keepingDimension`.
    func reduce(axis: Int, keepingDimension: Bool, initial: Double,
                _ accumulate: @escaping @Sendable (Double, Float) -> Double,
                finish: @escaping @Sendable (Double, Int) -> Float) -> Tensor {
        let axis = normalizedAxis(axis)
        let (outer, size, inner) = splitAround(axis)
        var outputShape = shape
        if keepingDimension { outputShape[axis] = 1 } else { outputShape.remove(at: axis) }
        return withUnsafeBufferPointer { source in
            let input = SendablePointer(source)
            return Tensor(uninitializedShape: outputShape) { destination in
                let output = SendablePointer(destination)
                ConcurrentWork.forEach(outer * inner, minimumRange: Swift.max(1, parallelElementThreshold / Swift.max(1, size))) { flat in
                    let row = flat / inner, column = flat % inner
                    var total = initial
                    let base = input.base + row * size * inner + column
                    for index in 0..<size { total = accumulate(total, base[index * inner]) }
                    output.base[flat] = finish(total, size)
                }
            }
        }
    }

    /// Sum along `axis`.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduce(axis: axis, keepingDimension: keepingDimension, initial: 0, { $0 + Double($1) }, finish: { total, _ in Float(total) })
    }

    /// Mean along `axis`.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduce(axis: axis, keepingDimension: keepingDimension, initial: 0, { $0 + Double($1) },
               finish: { total, count in Float(total / Double(count)) })
    }

    /// Maximum along `axis`.
    public func max(axis: Int, keepingDimension: Bool = false) -> Tensor {
        reduce(axis: axis, keepingDimension: keepingDimension, initial: -.infinity, { Swift.max($0, Double($1)) },
               finish: { total, _ in Float(total) })
    }

    /// Variance along `axis` (biased, as `torch.var(unbiased=False)`, or unbiased with Bessel's correction).
    public func variance(axis: Int, unbiased: Bool = false, keepingDimension: Bool = false) -> Tensor {
        let axisIndex = normalizedAxis(axis)
        let mean = self.mean(axis: axisIndex, keepingDimension: true)
        let deviations = (self - mean).squared()
        let size = shape[axisIndex]
        let divisor = Double(unbiased ? Swift.max(1, size - 1) : size)
        return deviations.reduce(axis: axisIndex, keepingDimension: keepingDimension, initial: 0, { $0 + Double($1) },
                                 finish: { total, _ in Float(total / divisor) })
    }

    /// Sum of all elements, in Float64.
    public func sumAll() -> Double { scalars.reduce(0.0) { $0 + Double($1) } }

    /// How many elements are NaN or infinite.
    public var nonFiniteCount: Int { scalars.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }

    /// Largest absolute element (0 for an empty tensor).
    public func maximumAbsolute() -> Float {
        withUnsafeBufferPointer { buffer in buffer.isEmpty ? 0 : VectorMath.maximumMagnitude(buffer.baseAddress!, count: buffer.count) }
    }

    /// Softmax along the last axis, computed as exp(x − max) / Σ exp(x − max) per row.
    public func softmax() -> Tensor {
        let length = shape.last ?? 1
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            Tensor.softmaxRows(SendablePointer(buffer), rows: count / Swift.max(1, length), length: length)
        }
        return result
    }

    /// In-place row softmax over `rows × length` contiguous elements, split across cores by row.
    static func softmaxRows(_ data: SendablePointer<Float>, rows: Int, length: Int) {
        ConcurrentWork.forEachRange(rows, minimumRange: Swift.max(1, 8192 / Swift.max(1, length))) { range in
            for row in range { softmaxRow(data.base + row * length, length: length) }
        }
    }

    /// softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x), in place (max and Σ by `VectorMath`'s lane reductions).
    @inline(__always) static func softmaxRow(_ row: UnsafeMutablePointer<Float>, length: Int) {
        var largest = VectorMath.maximum(row, count: length)
        if largest == -.infinity { largest = 0 }
        for index in 0..<length { row[index] = VectorMath.exponential(row[index] - largest) }
        let inverse = 1 / VectorMath.sum(row, count: length)
        for index in 0..<length { row[index] *= inverse }
    }
}

#if canImport(Glibc)
import Glibc
#endif
