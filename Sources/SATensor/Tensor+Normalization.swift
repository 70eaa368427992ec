/// Normalization ops with PyTorch's formulas. Statistics are accumulated in Float64 per row or group.
extension Tensor {
    /// `F.group_norm`: for a `[B, C, ...]` tensor, each of `groupCount` channel groups per item is normalized
    /// over its channels and positions, then scaled and shifted per channel:
    ///
    ///     y = (x − mean) / √(var + eps) · weight[c] + bias[c]      (biased variance)
    public func groupNorm(groupCount: Int, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
        precondition(rank >= 2, "group_norm expects [B, C, ...], got \(shape)")
        let batch = shape[0], channels = shape[1]
        precondition(groupCount > 0 && channels % groupCount == 0, "group_norm: \(channels) channels not divisible into \(groupCount) groups")
        let length = count / Swift.max(1, batch * channels)
        let channelsPerGroup = channels / groupCount
        let gamma = weight?.scalars ?? [Float](repeating: 1, count: channels)
        let beta = bias?.scalars ?? [Float](repeating: 0, count: channels)
        precondition(gamma.count == channels && beta.count == channels, "group_norm: affine parameters do not have \(channels) channels")
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            let data = SendablePointer(buffer)
            ConcurrentWork.forEach(batch * groupCount) { index in
                let groupStart = data.base + index * channelsPerGroup * length
                let (mean, inverseDeviation) = Tensor.meanAndInverseDeviation(groupStart, count: channelsPerGroup * length, epsilon: epsilon)
                let firstChannel = (index % groupCount) * channelsPerGroup
                for offset in 0..<channelsPerGroup {
                    let scale = inverseDeviation * gamma[firstChannel + offset]
                    let shift = beta[firstChannel + offset] - mean * scale
                    let row = groupStart + offset * length
                    for t in 0..<length { row[t] = row[t] * scale + shift }
                }
            }
        }
        return result
    }

    /// `F.layer_norm` over the last dimension: y = (x − mean) / √(var + eps) · weight + bias.
    public func layerNorm(weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
        let width = shape.last ?? 1
        if let weight { precondition(weight.shape == [width], "layer_norm: weight \(weight.shape) for width \(width)") }
        if let bias { precondition(bias.shape == [width], "layer_norm: bias \(bias.shape) for width \(width)") }
        let gamma = weight?.scalars, beta = bias?.scalars
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            let data = SendablePointer(buffer)
            ConcurrentWork.forEach(count / Swift.max(1, width), minimumRange: Swift.max(1, 16384 / Swift.max(1, width))) { row in
                let x = data.base + row * width
                let (mean, inverseDeviation) = Tensor.meanAndInverseDeviation(x, count: width, epsilon: epsilon)
                for index in 0..<width {
                    var value = (x[index] - mean) * inverseDeviation
                    if let gamma { value *= gamma[index] }
                    if let beta { value += beta[index] }
                    x[index] = value
                }
            }
        }
        return result
    }

    /// RMS norm over the last dimension, as T5's `T5LayerNorm` (no mean subtraction, no bias):
    ///
    ///     y = x / √(mean(x²) + eps) · weight
    public func rmsNorm(weight: Tensor?, epsilon: Float) -> Tensor {
        let width = shape.last ?? 1
        if let weight { precondition(weight.shape == [width], "rms_norm: weight \(weight.shape) for width \(width)") }
        let gamma = weight?.scalars
        var result = self
        result.withUnsafeMutableBufferPointer { buffer in
            let data = SendablePointer(buffer)
            ConcurrentWork.forEach(count / Swift.max(1, width), minimumRange: Swift.max(1, 16384 / Swift.max(1, width))) { row in
                let x = data.base + row * width
                let sumOfSquares = VectorMath.sumOfSquaredDeviations(x, count: width, center: 0)
                let inverse = Float(1 / (sumOfSquares / Double(width) + Double(epsilon)).squareRoot())
                for index in 0..<width { x[index] = x[index] * inverse * (gamma?[index] ?? 1) }
            }
        }
        return result
    }

    /// Mean and 1/√(biased variance + eps) of `count` contiguous values, accumulated in Float64 (two passes).
    @inline(__always) static func meanAndInverseDeviation(_ values: UnsafeMutablePointer<Float>, count: Int,
                                                          epsilon: Float) -> (Float, Float) {
        let mean = VectorMath.sumInDouble(values, count: count) / Double(count)
        let variance = VectorMath.sumOfSquaredDeviations(values, count: count, center: mean) / Double(count)
        return (Float(mean), Float(1 / (variance + Double(epsilon)).squareRoot()))
    }
}
