/// Resizing along the last axis of `[B, C, T]` tensors, as `F.interpolate` for 1-D inputs.
extension Tensor {
    /// Nearest-neighbour resize to `size` frames (`mode="nearest"`): source index ⌊i · T/size⌋.
    public func interpolateNearest(size: Int) -> Tensor {
        let length = shape.last ?? 1
        precondition(size > 0 && length > 0, "interpolate: sizes must be positive (\(length) → \(size))")
        let scale = Double(length) / Double(size)
        let sources = (0..<size).map { Swift.min(length - 1, Int((Double($0) * scale).rounded(.down))) }
        return resampledRows(size: size) { row, output in
            for index in 0..<size { output[index] = row[sources[index]] }
        }
    }

    /// Linear resize to `size` frames (`mode="linear"`, `align_corners=False`): source position
    /// (i + ½)·T/size − ½, clamped at 0, blended between its two neighbours.
    public func interpolateLinear(size: Int) -> Tensor {
        let length = shape.last ?? 1
        precondition(size > 0 && length > 0, "interpolate: sizes must be positive (\(length) → \(size))")
        let scale = Double(length) / Double(size)
        let taps: [(Int, Int, Float)] = (0..<size).map { index in
            let position = Swift.max(0, (Double(index) + 0.5) * scale - 0.5)
            let lower = Swift.min(length - 1, Int(position))
            let upper = Swift.min(length - 1, lower + 1)
            return (lower, upper, Float(position - Double(lower)))
        }
        return resampledRows(size: size) { row, output in
            for index in 0..<size {
                let (lower, upper, weight) = taps[index]
                output[index] = row[lower] * (1 - weight) + row[upper] * weight
            }
        }
    }

    private func resampledRows(size: Int, _ body: @escaping @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let length = shape.last ?? 1
        let rows = count / length
        return withUnsafeBufferPointer { source in
            let input = SendablePointer(source)
            return Tensor(uninitializedShape: Array(shape.dropLast()) + [size]) { destination in
                let output = SendablePointer(destination)
                ConcurrentWork.forEach(rows, minimumRange: Swift.max(1, 16384 / size)) { row in
                    body(UnsafePointer(input.base + row * length), output.base + row * size)
                }
            }
        }
    }
}
