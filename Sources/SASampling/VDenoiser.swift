// Port of https://github.com/crowsonkb/k-diffusion/blob/v0.1.1/k_diffusion/external.py (VDenoiser)
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import SATensor

/// A v-prediction network as SAT calls it (`model.model(x, t, **cond)`): latents `[B, C, L]` and one time
/// t ∈ [0, 1] per batch item in, the predicted velocity v (same shape as x) out. Classifier-free guidance belongs
/// inside this closure (SAT's backbones apply it in their forward pass).
public typealias VelocityModel = (_ x: Tensor, _ time: [Float]) throws -> Tensor

/// Turns a v-prediction model into the denoiser D(x, σ) (an x₀ estimate) that k-diffusion samplers step with.
///
/// This implementation matches: `k_diffusion.external.VDenoiser` with `sigma_data = 1`, as SAT's `sample_k` wraps
/// the diffusion model.
///
///     c_skip = 1/(σ²+1)     c_out = −σ/√(σ²+1)     c_in = 1/√(σ²+1)     t = atan(σ)·2/π   (sigma_to_t)
///     D(x, σ) = v(x·c_in, t)·c_out + x·c_skip
///
/// Why: SAT trains on x_t = α·x₀ + σ_v·ε with α = cos(tπ/2), σ_v = sin(tπ/2) and target v = α·ε − σ_v·x₀. The
/// k-diffusion state is x = x₀ + σ·ε with σ = tan(tπ/2), so x_t = x·c_in, and x₀ = α·x_t − σ_v·v gives D above.
///
/// Scalar scalings are computed in Float64 and rounded to Float32 before they touch tensors (k-diffusion works
/// in float32 throughout; the difference is ≤ 1 ulp per factor).
///
/// Limitations: σ must be finite and ≥ 0 (the sampler's final σ = 0 is never passed to the denoiser by the
/// samplers here, but D(x, 0) = x is well defined). Only `sigma_data = 1`, SAT's value.
public struct VDenoiser {
    /// The preconditioning factors for one σ.
    public struct Scalings: Sendable, Equatable {
        public var cSkip: Double
        public var cOut: Double
        public var cIn: Double
    }

    /// The wrapped v-prediction model.
    public let velocity: VelocityModel

    public init(velocity: @escaping VelocityModel) {
        self.velocity = velocity
    }

    /// c_skip, c_out, c_in for σ (k-diffusion `VDenoiser.get_scalings`, sigma_data = 1).
    public static func scalings(sigma: Double) -> Scalings {
        let variance = sigma * sigma + 1
        // c_skip = 1/(σ²+1);  c_out = −σ/√(σ²+1);  c_in = 1/√(σ²+1)
        return Scalings(cSkip: 1 / variance, cOut: -sigma / variance.squareRoot(), cIn: 1 / variance.squareRoot())
    }

    /// SAT's time t = atan(σ)·2/π for a k-diffusion σ (`sigma_to_t`); t = 1 for σ = +∞.
    public static func time(sigma: Double) -> Double { atan(sigma) / Double.pi * 2 }

    /// The k-diffusion σ = tan(t·π/2) for SAT's time t (`t_to_sigma`).
    public static func sigma(time: Double) -> Double { tan(time * Double.pi / 2) }

    /// D(x, σ) with one σ for the whole batch (what the samplers call).
    public func callAsFunction(_ x: Tensor, sigma: Double) throws -> Tensor {
        precondition(x.rank >= 1, "VDenoiser input must have a batch dimension, got shape \(x.shape)")
        return try callAsFunction(x, sigmas: [Double](repeating: sigma, count: x.shape[0]))
    }

    /// D(x, σ) with one σ per batch item (`sigmas.count == x.shape[0]`).
    public func callAsFunction(_ x: Tensor, sigmas: [Double]) throws -> Tensor {
        precondition(x.rank >= 1 && x.shape[0] == sigmas.count,
                     "VDenoiser: \(sigmas.count) sigmas for input of shape \(x.shape)")
        for (index, sigma) in sigmas.enumerated() {
            guard sigma.isFinite, sigma >= 0 else {
                throw SamplingError.invalidParameter(name: "sigma[\(index)]", value: sigma, requirement: "finite and ≥ 0")
            }
        }
        let scalings = sigmas.map(Self.scalings(sigma:))
        let time = sigmas.map { Float(Self.time(sigma: $0)) }
        // v = model(x·c_in, t)
        let v = try velocity(x.scalingBatchItems(by: scalings.map { Float($0.cIn) }), time)
        precondition(v.shape == x.shape, "velocity model returned shape \(v.shape) for input \(x.shape)")
        // D = v·c_out + x·c_skip
        return v.scalingBatchItems(by: scalings.map { Float($0.cOut) }) + x.scalingBatchItems(by: scalings.map { Float($0.cSkip) })
    }
}
