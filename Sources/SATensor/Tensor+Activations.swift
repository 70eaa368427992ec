#if canImport(Glibc)
import Glibc
#endif

/// Activation functions with PyTorch's definitions.
extension Tensor {
    /// ReLU: Swift.max(x, 0).
    public func relu() -> Tensor { map { $0 > 0 ? $0 : 0 } }

    /// Logistic sigmoid: 1 / (1 + e^−x).
    public func sigmoid() -> Tensor { map { Activation.sigmoid($0) } }

    /// SiLU (swish): x · σ(x), as `torch.nn.SiLU`.
    public func silu() -> Tensor { map { Activation.silu($0) } }

    /// Exact GELU: x · ½(1 + erf(x/√2)), as `torch.nn.GELU()` (approximate="none").
    public func gelu() -> Tensor { map { Activation.gelu($0) } }

    /// GELU with the tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as `GELU(approximate="tanh")`
    /// and Hugging Face's "gelu_new" (used by T5 v1.1's gated feed-forward).
    public func geluTanh() -> Tensor { map { Activation.geluTanh($0) } }

    /// Softplus with PyTorch's defaults (β = 1, threshold 20): log(1 + eˣ), or x itself when x > 20.
    public func softplus() -> Tensor { map { Activation.softplus($0) } }

    /// ELU with α = 1: x for x > 0, eˣ − 1 otherwise.
    public func elu() -> Tensor { map { $0 > 0 ? $0 : Glibc.expm1f($0) } }

    /// Snake activation over channels of a `[B, C, T]` (or `[C, T]`) tensor:
    ///
    ///     y = x + inverseBeta[c] · sin²(alpha[c] · x)
    ///
    /// `alpha` is the frequency a and `inverseBeta` the already-inverted magnitude 1/(b + 1e-9); layers derive
    /// both from their stored parameters once (SnakeBeta's log-scale form, or DAC's Snake1d with b = a).
    public func snake(alpha: [Float], inverseBeta: [Float]) -> Tensor {
        precondition(rank >= 2, "snake expects [B, C, T] or [C, T], got \(shape)")
        let channels = shape[rank - 2], length = shape[rank - 1]
        precondition(alpha.count == channels && inverseBeta.count == channels,
                     "snake: \(channels) channels but alpha \(alpha.count), inverseBeta \(inverseBeta.count)")
        let rows = count / Swift.max(1, length)
        return withUnsafeBufferPointer { source in
            alpha.withUnsafeBufferPointer { alphaBuffer in
                inverseBeta.withUnsafeBufferPointer { betaBuffer in
                    let input = SendablePointer(source)
                    let a = SendablePointer(alphaBuffer), b = SendablePointer(betaBuffer)
                    return Tensor(uninitializedShape: shape) { destination in
                        let output = SendablePointer(destination)
                        ConcurrentWork.forEachRange(rows, minimumRange: Swift.max(1, 4096 / Swift.max(1, length))) { range in
                            for row in range {
                                let channel = row % channels
                                let frequency = a.base[channel], magnitude = b.base[channel]
                                let x = input.base + row * length, y = output.base + row * length
                                for t in 0..<length {
                                    let s = Glibc.sinf(frequency * x[t])
                                    y[t] = x[t] + magnitude * s * s
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Scalar activation formulas shared by the tensor ops and fused loops in layers.
public enum Activation {
    @inlinable public static func sigmoid(_ x: Float) -> Float { 1 / (1 + Glibc.expf(-x)) }
    @inlinable public static func silu(_ x: Float) -> Float { x / (1 + Glibc.expf(-x)) }
    /// GELU(x) = x · ½(1 + erf(x / √2))
    @inlinable public static func gelu(_ x: Float) -> Float { 0.5 * x * (1 + Glibc.erff(x * 0.70710678118654752)) }
    /// GELU_tanh(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
    @inlinable public static func geluTanh(_ x: Float) -> Float {
        0.5 * x * (1 + Glibc.tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
    }
    /// softplus(x) = log(1 + eˣ), linear above 20 as PyTorch.
    @inlinable public static func softplus(_ x: Float) -> Float { x > 20 ? x : Glibc.log1pf(Glibc.expf(x)) }
}
