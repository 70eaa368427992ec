/// Shape and memory-layout operations: permute, concatenate, split, slice, pad.
extension Tensor {
    /// Reorders dimensions: the result's axis i is this tensor's axis `order[i]` (as `torch.permute`).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank), "bad permutation \(order) for shape \(shape)")
        if order == Array(0..<rank) { return self }
        let outputShape = order.map { shape[$0] }
        let sourceStrides = Tensor.strides(of: shape)
        let permutedStrides = order.map { sourceStrides[$0] }
        let inner = outputShape.last ?? 1
        let innerStride = permutedStrides.last ?? 1
        let outerShape = Array(outputShape.dropLast())
        let outerCount = Tensor.elementCount(outerShape)
        return withUnsafeBufferPointer { source in
            let input = SendablePointer(source)
            return Tensor(uninitializedShape: outputShape) { destination in
                let output = SendablePointer(destination)
                ConcurrentWork.forEachRange(outerCount, minimumRange: Swift.max(1, parallelElementThreshold / Swift.max(1, inner))) { range in
                    for outer in range {
                        var remainder = outer, offset = 0
                        for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                            offset += (remainder % outerShape[axis]) * permutedStrides[axis]
                            remainder /= outerShape[axis]
                        }
                        let row = output.base + outer * inner
                        for index in 0..<inner { row[index] = input.base[offset + index * innerStride] }
                    }
                }
            }
        }
    }

    /// Swaps two dimensions (as `torch.transpose`).
    public func transposed(_ first: Int, _ second: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(first), normalizedAxis(second))
        return permuted(order)
    }

    /// Splits the shape around `axis` into (outer, axis size, inner) element counts.
    func splitAround(_ axis: Int) -> (outer: Int, size: Int, inner: Int) {
        let axis = normalizedAxis(axis)
        return (Tensor.elementCount(Array(shape[..<axis])), shape[axis], Tensor.elementCount(Array(shape[(axis + 1)...])))
    }

    /// Joins tensors along `axis`; all other dimensions must agree (as `torch.cat`).
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
        let first = tensors[0]
        let axis = first.normalizedAxis(axis)
        for tensor in tensors {
            precondition(tensor.rank == first.rank
                && tensor.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] },
                "concatenate along \(axis): shapes \(tensors.map(\.shape)) disagree")
        }
        var outputShape = first.shape
        outputShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = Tensor.elementCount(Array(first.shape[..<axis]))
        let inner = Tensor.elementCount(Array(first.shape[(axis + 1)...]))
        let outputRow = outputShape[axis] * inner
        var result = Tensor(zeros: outputShape)
        result.withUnsafeMutableBufferPointer { destination in
            var columnOffset = 0
            for tensor in tensors {
                let width = tensor.shape[axis] * inner
                tensor.withUnsafeBufferPointer { source in
                    for row in 0..<outer {
                        (destination.baseAddress! + row * outputRow + columnOffset)
                            .update(from: source.baseAddress! + row * width, count: width)
                    }
                }
                columnOffset += width
            }
        }
        return result
    }

    /// The sub-range `range` of dimension `axis` (as `x.narrow(axis, start, length)`, but copied).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice \(range) out of bounds for axis \(axis) of \(shape)")
        let (outer, size, inner) = splitAround(axis)
        var outputShape = shape
        outputShape[axis] = range.count
        let width = range.count * inner
        return withUnsafeBufferPointer { source in
            Tensor(uninitializedShape: outputShape) { destination in
                for row in 0..<outer {
                    (destination.baseAddress! + row * width)
                        .update(from: source.baseAddress! + row * size * inner + range.lowerBound * inner, count: width)
                }
            }
        }
    }

    /// Splits dimension `axis` into consecutive pieces of the given sizes (as `torch.split`).
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let axis = normalizedAxis(axis)
        precondition(sizes.reduce(0, +) == shape[axis], "split sizes \(sizes) do not sum to \(shape[axis]) (shape \(shape))")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start..<(start + size))
        }
    }

    /// Splits dimension `axis` into `count` equal pieces (as `torch.chunk` when the size divides evenly).
    public func chunked(_ count: Int, axis: Int) -> [Tensor] {
        let size = shape[normalizedAxis(axis)]
        precondition(count > 0 && size % count == 0, "cannot chunk size \(size) into \(count) equal parts")
        return split(sizes: [Int](repeating: size / count, count: count), axis: axis)
    }

    /// Pads dimension `axis` with `before` and `after` copies of `value` (as `F.pad(mode="constant")`).
    /// Negative amounts crop instead, as PyTorch allows.
    public func padded(axis: Int, before: Int, after: Int, value: Float = 0) -> Tensor {
        let axis = normalizedAxis(axis)
        var source = self
        if before < 0 || after < 0 {
            let start = Swift.max(0, -before), end = shape[axis] - Swift.max(0, -after)
            precondition(start <= end, "cropping \(-before)/\(-after) from size \(shape[axis]) leaves nothing")
            source = slice(axis: axis, start..<end)
        }
        let padBefore = Swift.max(0, before), padAfter = Swift.max(0, after)
        if padBefore == 0 && padAfter == 0 { return source }
        let (outer, size, inner) = source.splitAround(axis)
        var outputShape = source.shape
        outputShape[axis] = size + padBefore + padAfter
        let outputRow = outputShape[axis] * inner
        var result = Tensor(repeating: value, shape: outputShape)
        result.withUnsafeMutableBufferPointer { destination in
            source.withUnsafeBufferPointer { input in
                for row in 0..<outer {
                    (destination.baseAddress! + row * outputRow + padBefore * inner)
                        .update(from: input.baseAddress! + row * size * inner, count: size * inner)
                }
            }
        }
        return result
    }

    /// Inserts a dimension of size 1 at `axis` (as `unsqueeze`).
    public func expandingDimension(at axis: Int) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        precondition(position >= 0 && position <= rank, "unsqueeze axis \(axis) out of range for \(shape)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(newShape)
    }

    /// Removes a dimension of size 1 at `axis` (as `squeeze(axis)`).
    public func squeezingDimension(_ axis: Int) -> Tensor {
        let axis = normalizedAxis(axis)
        precondition(shape[axis] == 1, "cannot squeeze axis \(axis) of size \(shape[axis])")
        var newShape = shape
        newShape.remove(at: axis)
        return reshaped(newShape)
    }

    /// Repeats each slice along `axis` `times` times in place (as `repeat_interleave(times, dim=axis)`).
    public func repeatingInterleaved(_ times: Int, axis: Int) -> Tensor {
        let axis = normalizedAxis(axis)
        if times == 1 { return self }
        let (outer, size, inner) = splitAround(axis)
        var outputShape = shape
        outputShape[axis] = size * times
        return withUnsafeBufferPointer { source in
            Tensor(uninitializedShape: outputShape) { destination in
                var write = destination.baseAddress!
                for row in 0..<outer {
                    for index in 0..<size {
                        let read = source.baseAddress! + (row * size + index) * inner
                        for _ in 0..<times {
                            write.update(from: read, count: inner)
                            write += inner
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// Reflect padding of the last dimension (as `F.pad(mode="reflect")`): the edge sample is not repeated,
    /// so x[−i] = x[i] and x[T−1+i] = x[T−1−i]. Both amounts must be smaller than the length.
    public func paddedReflect(before: Int, after: Int) -> Tensor {
        let length = shape.last ?? 0
        precondition(before >= 0 && after >= 0 && before < length && after < length,
                     "reflect padding \(before)/\(after) needs a length above both, got \(length)")
        let outputLength = length + before + after
        let rows = count / Swift.max(1, length)
        return withUnsafeBufferPointer { source in
            Tensor(uninitializedShape: Array(shape.dropLast()) + [outputLength]) { destination in
                for row in 0..<rows {
                    let x = source.baseAddress! + row * length, y = destination.baseAddress! + row * outputLength
                    for index in 0..<outputLength {
                        var position = index - before
                        if position < 0 { position = -position }
                        if position >= length { position = 2 * (length - 1) - position }
                        y[index] = x[position]
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// Overwrites the sub-range of dimension `axis` starting at `offset` with `source` (as `x[..., a:b] = source`);
    /// all other dimensions must match.
    public mutating func paste(_ source: Tensor, axis: Int, at offset: Int) {
        let axis = normalizedAxis(axis)
        precondition(source.rank == rank && source.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == shape[$0.offset] }
                     && offset >= 0 && offset + source.shape[axis] <= shape[axis],
                     "cannot paste \(source.shape) into \(shape) at \(offset) along axis \(axis)")
        let (outer, size, inner) = splitAround(axis)
        let width = source.shape[axis] * inner
        source.withUnsafeBufferPointer { input in
            withUnsafeMutableBufferPointer { output in
                for row in 0..<outer {
                    (output.baseAddress! + row * size * inner + offset * inner).update(from: input.baseAddress! + row * width, count: width)
                }
            }
        }
    }
}
