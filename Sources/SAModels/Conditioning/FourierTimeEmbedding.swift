import SANN
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// SAT's `TimePositionalEmbedding(dim, out)` from `models/adp.py`: a `LearnedPositionalEmbedding` followed by a
/// Linear layer, used for the U-Net's time input and by `NumberEmbedder` (the number conditioners).
///
///     f = [x, sin(2π·x·w), cos(2π·x·w)]          w: `0.weights` [dim/2]    (order: x, sin, cos)
///     y = Linear(dim + 1 → out)(f)               `1.weight`, `1.bias`
///
/// No activation follows inside this module (callers add one where SAT does).
public struct FourierTimeEmbedding: Sendable {
    let frequencies: [Float]
    let projection: Linear

    public init(_ scope: ParameterScope, dimension: Int, outFeatures: Int) throws {
        frequencies = try scope.child(0).tensor("weights", shape: [dimension / 2]).scalars
        projection = try Linear(scope.child(1), inFeatures: dimension + 1, outFeatures: outFeatures)
    }

    /// The `[B, dim + 1]` features before the projection, computed in Float32 as PyTorch does.
    public func features(_ values: [Float]) -> Tensor {
        let half = frequencies.count
        return Tensor(uninitializedShape: [values.count, 2 * half + 1]) { output in
            for (row, x) in values.enumerated() {
                let base = row * (2 * half + 1)
                output[base] = x
                for index in 0..<half {
                    // freqs = x · w · 2 · π  (evaluated left to right in Float32, as torch does)
                    let angle = x * frequencies[index] * 2 * Float.pi
                    output[base + 1 + index] = sinf(angle)
                    output[base + 1 + half + index] = cosf(angle)
                }
            }
        }
    }

    /// `[B] → [B, out]`.
    public func callAsFunction(_ values: [Float]) -> Tensor { projection(features(values)) }
}
