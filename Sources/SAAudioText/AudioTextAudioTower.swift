import SANN
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// sfx-clap-mini's audio tower: a small 2-D CNN over the log-mel features, an embedding head and a family head.
///
/// This implementation matches: `AudioTower.forward` of `models/training/train_clap.py` (keys `audio.*`):
///
///     h = 4 × [Conv2d(3×3, padding 1) → ReLU → MaxPool2d(2)]       channels 2 → c₁ → c₂ → c₃ → c₄   (conv.0/3/6/9)
///     pooled = concat(mean over (freq, time), max over (freq, time))                              [2·c₄]
///     embedding = normalize(proj(pooled)),  family_logits = cls(pooled)
///
/// with `normalize(v) = v / max(‖v‖₂, 1e-12)` (`F.normalize`). Channel widths are read from the weight shapes
/// (32, 64, 128, 192 in the Python class); the block count (4), kernel (3×3) and pooling are the Python class's.
/// The mean is accumulated in Float64 (PyTorch sums in Float32; the difference is far below the test tolerance).
public struct AudioTextAudioTower: Sendable {
    public static let blockCount = 4
    /// `nn.Sequential` indices of the convolutions (Conv2d, ReLU, MaxPool2d per block).
    static let convolutionIndices = [0, 3, 6, 9]

    public let convolutions: [Conv2d]
    public let projection: Linear
    public let familyHead: Linear

    public init(_ scope: ParameterScope, embeddingDimension: Int, familyCount: Int) throws {
        var convolutions: [Conv2d] = []
        var channels = 2
        for index in Self.convolutionIndices {
            let layer = scope.child("conv").child(index)
            // The output width is whatever the checkpoint has; the input width must chain from the previous block.
            guard let shape = layer.store.shape(of: layer.key("weight")) else {
                throw WeightLoadingError.missingKey(layer.key("weight"), source: scope.store.sourceName)
            }
            let outChannels = shape.first ?? 0
            guard outChannels > 0 else {
                throw WeightLoadingError.shapeMismatch(key: layer.key("weight"), expected: [-1, channels, 3, 3], actual: shape, source: scope.store.sourceName)
            }
            convolutions.append(try Conv2d(layer, inChannels: channels, outChannels: outChannels, kernelSize: 3, padding: 1))
            channels = outChannels
        }
        self.convolutions = convolutions
        projection = try Linear(scope.child("proj"), inFeatures: 2 * channels, outFeatures: embeddingDimension)
        guard let headShape = scope.store.shape(of: scope.child("cls").key("weight")) else {
            throw WeightLoadingError.missingKey(scope.child("cls").key("weight"), source: scope.store.sourceName)
        }
        guard headShape.count == 2, headShape[0] == familyCount else {
            throw AudioTextModelError(path: scope.store.sourceName, key: scope.child("cls").key("weight"),
                                      reason: "has shape \(headShape), but the config lists \(familyCount) families (expected [\(familyCount), \(2 * channels)])")
        }
        familyHead = try Linear(scope.child("cls"), inFeatures: 2 * channels, outFeatures: familyCount)
    }

    /// The pooled vector `[2·c₄]` of features `[2, n_mels, frames]`.
    public func pooled(_ features: Tensor) -> [Float] {
        var h = features.reshaped([1] + features.shape)
        for convolution in convolutions { h = convolution(h).relu().maxPool2d(kernelSize: 2) }
        let channels = h.shape[1], plane = h.shape[2] * h.shape[3]
        var result = [Float](repeating: 0, count: 2 * channels)
        h.withUnsafeBufferPointer { values in
            for channel in 0..<channels {
                var sum = 0.0, maximum = -Float.infinity
                for index in 0..<plane {
                    let value = values[channel * plane + index]
                    sum += Double(value)
                    if value > maximum || value.isNaN { maximum = value }
                }
                result[channel] = Float(sum / Double(plane))
                result[channels + channel] = maximum
            }
        }
        return result
    }

    /// (normalised embedding, family logits) of a pooled vector.
    public func heads(_ pooled: [Float]) -> (embedding: [Float], familyLogits: [Float]) {
        let input = Tensor(shape: [1, pooled.count], scalars: pooled)
        return (Self.normalized(projection(input).scalars), familyHead(input).scalars)
    }

    /// `F.normalize(v, dim=-1)`: v / max(‖v‖₂, 1e-12), the norm accumulated in Float64.
    public static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let divisor = Swift.max(norm, 1e-12)
        return vector.map { Float(Double($0) / divisor) }
    }
}
