#if canImport(Glibc)
import Glibc
#endif

/// Activation functions with PyTorch's definitions.
extension Tensor {
    /// ReLU: Swift.max(x, 0).
    public func relu() -> Tensor { map { $0 > 0 ? $0 : 0 } }

    /// Logistic sigmoid: 1 / (1 + e^−x).
    public func sigmoid() -> Tensor { applying(SigmoidOperation()) }

    /// SiLU (swish): x · σ(x), as `torch.nn.SiLU`.
    public func silu() -> Tensor { applying(SiLUOperation()) }

    /// Exact GELU: x · ½(1 + erf(x/√2)), as `torch.nn.GELU()` (approximate="none").
    public func gelu() -> Tensor { applying(GELUOperation()) }

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
                                // y = x + m · sin²(f · x): one vectorized pass, then libm where |f·x| is beyond the kernel's range
                                var outOfRange = 0
                                for t in 0..<length {
                                    let s = VectorMath.sine(frequency * x[t])
                                    y[t] = x[t] + magnitude * s * s
                                }
                                for t in 0..<length { outOfRange &+= Swift.abs(frequency * x[t]) <= VectorMath.sineLimit ? 0 : 1 }
                                if outOfRange > 0 {
                                    for t in 0..<length where !(Swift.abs(frequency * x[t]) <= VectorMath.sineLimit) {
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
}

/// Scalar activation formulas shared by the tensor ops and fused loops in layers.
public enum Activation {
    @inlinable public static func sigmoid(_ x: Float) -> Float { 1 / (1 + VectorMath.exponential(-x)) }
    @inlinable public static func silu(_ x: Float) -> Float { x / (1 + VectorMath.exponential(-x)) }
    /// GELU(x) = x · ½(1 + erf(x / √2))
    @inlinable public static func gelu(_ x: Float) -> Float { 0.5 * x * (1 + VectorMath.errorFunction(x * 0.70710678118654752)) }
    /// GELU_tanh(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
    @inlinable public static func geluTanh(_ x: Float) -> Float {
        0.5 * x * (1 + Glibc.tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
    }
    /// softplus(x) = log(1 + eˣ), linear above 20 as PyTorch.
    @inlinable public static func softplus(_ x: Float) -> Float { x > 20 ? x : Glibc.log1pf(Glibc.expf(x)) }
}

/// σ(x) = 1 / (1 + e^−x) as an elementwise operation (vectorized exp).
public struct SigmoidOperation: UnaryElementwiseOperation {
    @inlinable public init() {}
    @inlinable public func apply(_ x: Float) -> Float { Activation.sigmoid(x) }
}

/// GELU(x) = x · ½(1 + erf(x/√2)) as an elementwise operation (vectorized erf).
public struct GELUOperation: UnaryElementwiseOperation {
    @inlinable public init() {}
    @inlinable public func apply(_ x: Float) -> Float { Activation.gelu(x) }
}

/// SiLU(x) = x · σ(x) as an elementwise operation (vectorized exp).
public struct SiLUOperation: UnaryElementwiseOperation {
    @inlinable public init() {}
    @inlinable public func apply(_ x: Float) -> Float { Activation.silu(x) }
}
