import COpenBLAS

/// A dense, contiguous, row-major Float32 tensor with PyTorch's dimension order.
///
/// Audio and feature maps are channels-first `[B, C, T]`; weights keep PyTorch's layouts (Linear `[out, in]`,
/// Conv1d `[Cout, Cin/groups, K]`, ConvTranspose1d `[Cin, Cout/groups, K]`) so checkpoint shapes compare 1:1.
/// Storage is a Swift array, so copies are copy-on-write and a `Tensor` is a plain `Sendable` value.
///
/// Shape errors in ops are programmer errors and stop with a `precondition` naming the shapes; anything that
/// comes from a file is validated by the loaders and reported as a thrown error instead.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The size of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public private(set) var scalars: [Float]

    /// A tensor with the given shape and elements.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(Tensor.elementCount(shape) == scalars.count,
                     "shape \(shape) holds \(Tensor.elementCount(shape)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor filled with one value.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.elementCount(shape)))
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// A scalar (rank-0) tensor.
    public init(scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor whose elements are written by `initializer`, which must set every element.
    public init(uninitializedShape shape: [Int], initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = Tensor.elementCount(shape)
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            initializer(buffer)
            initializedCount = count
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// The number of elements a shape holds.
    @inlinable public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The size of dimension `axis`; negative axes count from the end.
    public func size(_ axis: Int) -> Int { shape[normalizedAxis(axis)] }

    /// Resolves a possibly negative axis against this tensor's rank.
    public func normalizedAxis(_ axis: Int) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of range for shape \(shape)")
        return resolved
    }

    /// Row-major strides of a shape, in elements.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Calls `body` with the elements.
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements, mutably.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// The same elements viewed with another shape; one dimension may be -1 and is then inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "reshape \(shape) → \(newShape): more than one -1")
        if let axis = inferred.first {
            let known = newShape.enumerated().filter { $0.offset != axis }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[axis] = count / known
        }
        var copy = self
        copy.shape = resolved
        precondition(Tensor.elementCount(resolved) == count, "cannot reshape \(shape) to \(newShape)")
        return copy
    }

    /// The element at a multi-dimensional index (slow; for tests and small lookups).
    public subscript(index: [Int]) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) has the wrong rank for shape \(shape)")
        var flat = 0
        for axis in 0..<rank {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "index \(index) out of bounds for shape \(shape)")
            flat = flat * shape[axis] + index[axis]
        }
        return flat
    }

    public var description: String {
        let preview = scalars.prefix(6).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 6 ? ", …" : "")])"
    }
}
