// Port of https://github.com/crowsonkb/k-diffusion/blob/v0.1.1/k_diffusion/sampling.py (sample_dpmpp_2m)
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import SATensor

/// DPM-Solver++(2M) (Lu et al. 2022): a deterministic second-order multistep solver of the probability-flow ODE
/// in data-prediction form.
///
/// This implementation matches: `k_diffusion.sampling.sample_dpmpp_2m` (k-diffusion 0.1.1), which SAT's
/// `sample_k(sampler_type="dpmpp-2m")` calls.
///
/// With λ = −ln σ, h = λᵢ₊₁ − λᵢ = ln(σᵢ/σᵢ₊₁) and Dᵢ = D(xᵢ, σᵢ):
///
///     first step, or σᵢ₊₁ = 0:  x ← (σᵢ₊₁/σᵢ)·x − expm1(−h)·Dᵢ               (σᵢ₊₁ = 0 ⇒ x = Dᵢ)
///     otherwise:                r = h_{i−1}/h,   h_{i−1} = ln(σᵢ₋₁/σᵢ)
///                               D′ = (1 + 1/(2r))·Dᵢ − (1/(2r))·Dᵢ₋₁
///                               x ← (σᵢ₊₁/σᵢ)·x − expm1(−h)·D′
///
/// σᵢ₊₁ = 0 is special-cased to x = Dᵢ (torch reaches the same value through IEEE infinities, h = +∞).
///
/// Limitations: no `extra_args`/`disable` (the denoise closure carries the conditioning); draws no noise.
public struct DPMSolverPlusPlus2M: Sampler, Equatable {
    public init() {}

    public var name: String { "dpmpp-2m" }
    public var isStochastic: Bool { false }

    public func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                       noise: inout some NoiseSource, progress: (SamplerStep) -> Bool) throws -> Tensor {
        try Validate.sigmaLadder(sigmas)
        var x = x
        var oldDenoised: Tensor?
        for i in 0..<(sigmas.count - 1) {
            let denoised = try evaluate(x, step: i, sigmas: sigmas, denoise: denoise, progress: progress)
            let sigma = sigmas[i], sigmaNext = sigmas[i + 1]
            if sigmaNext == 0 {
                // σᵢ₊₁ = 0: x = (0/σᵢ)·x − expm1(−∞)·Dᵢ = Dᵢ
                x = denoised
            } else {
                // h = ln(σᵢ/σᵢ₊₁)
                let h = log(sigma / sigmaNext)
                let decay = sigmaNext / sigma, weight = -expm1(-h)
                if let oldDenoised {
                    // r = h_{i−1}/h;  x ← (σᵢ₊₁/σᵢ)·x − expm1(−h)·((1 + 1/(2r))·Dᵢ − (1/(2r))·Dᵢ₋₁)
                    let r = log(sigmas[i - 1] / sigma) / h
                    x = Tensor.weightedSum([(decay, x), (weight * (1 + 1 / (2 * r)), denoised),
                                            (-weight / (2 * r), oldDenoised)])
                } else {
                    // x ← (σᵢ₊₁/σᵢ)·x − expm1(−h)·Dᵢ
                    x = Tensor.weightedSum([(decay, x), (weight, denoised)])
                }
            }
            oldDenoised = denoised
        }
        return x
    }
}
