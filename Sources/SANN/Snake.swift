import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// The Snake activation family on `[B, C, T]`: y = x + 1/(b + 1e-9) · sin²(a · x) with per-channel a and b.
///
/// - `.logScaleAlphaBeta` matches stable-audio-tools' `SnakeBeta(alpha_logscale=True)` (from BigVGAN):
///   parameters `alpha`, `beta` of shape `[C]` store log a and log b.
/// - `.linearAlpha` matches DAC's `Snake1d`: one parameter `alpha` of shape `[1, C, 1]`, and b = a.
/// a and 1/(b + 1e-9) are computed once at load.
public struct Snake: Sendable {
    public enum Parameterization: Sendable { case logScaleAlphaBeta, linearAlpha }

    public let frequency: [Float]
    public let inverseMagnitude: [Float]

    public init(frequency: [Float], inverseMagnitude: [Float]) {
        precondition(frequency.count == inverseMagnitude.count, "Snake parameter counts differ")
        self.frequency = frequency
        self.inverseMagnitude = inverseMagnitude
    }

    public init(_ scope: ParameterScope, channels: Int, parameterization: Parameterization = .logScaleAlphaBeta) throws {
        switch parameterization {
        case .logScaleAlphaBeta:
            let alpha = try scope.tensor("alpha", shape: [channels]).scalars
            let beta = try scope.tensor("beta", shape: [channels]).scalars
            // a = exp(alpha), 1 / (exp(beta) + 1e-9)
            self.init(frequency: alpha.map { expf($0) }, inverseMagnitude: beta.map { 1 / (expf($0) + 1e-9) })
        case .linearAlpha:
            let alpha = try scope.tensor("alpha", shape: [1, channels, 1]).scalars
            // a = alpha, 1 / (alpha + 1e-9)
            self.init(frequency: alpha, inverseMagnitude: alpha.map { 1 / ($0 + 1e-9) })
        }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.snake(alpha: frequency, inverseBeta: inverseMagnitude) }
}
