// Port of https://github.com/crowsonkb/k-diffusion/blob/v0.1.1/k_diffusion/sampling.py (sample_dpmpp_2m_sde)
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import SATensor

/// DPM-Solver++(2M) SDE: the second-order multistep solver of the reverse SDE in data-prediction form, with
/// fresh noise each step.
///
/// This implementation matches: `k_diffusion.sampling.sample_dpmpp_2m_sde(eta, s_noise, solver_type)`
/// (k-diffusion 0.1.1), which SAT's `sample_k(sampler_type="dpmpp-2m-sde")` calls with the defaults
/// η = 1, s_noise = 1, solver_type "midpoint".
///
/// With h = ln(σᵢ/σᵢ₊₁), Dᵢ = D(xᵢ, σᵢ), ξ ~ N(0, 1) from the noise source:
///
///     σᵢ₊₁ = 0:  x ← Dᵢ                                                  (no noise drawn)
///     else:      x ← (σᵢ₊₁/σᵢ)·e^{−ηh}·x + (−expm1(−h−ηh))·Dᵢ
///                if Dᵢ₋₁ exists:  r = h_{i−1}/h
///                    midpoint:  x ← x + ½·(−expm1(−h−ηh))·(1/r)·(Dᵢ − Dᵢ₋₁)
///                    heun:      x ← x + ((−expm1(−h−ηh))/(−h−ηh) + 1)·(1/r)·(Dᵢ − Dᵢ₋₁)
///                if η ≠ 0:  x ← x + ξ·σᵢ₊₁·√(−expm1(−2ηh))·s_noise
///
/// h_{i−1} is the previous step's h (un-scaled by η).
///
/// Limitations: SAT's default noise is torchsde's Brownian tree; here it comes from `NoiseSource` (iid N(0, 1),
/// the same distribution; inject recorded noise for bitwise-input parity).
public struct DPMSolverPlusPlus2MSDE: Sampler, Equatable {
    /// The second-order correction: k-diffusion's `solver_type`.
    public enum SolverType: String, Sendable, Equatable {
        case midpoint
        case heun
    }

    /// Noise amount η (0 gives the ODE variant and draws no noise).
    public var eta: Double
    /// Noise scale s_noise.
    public var noiseScale: Double
    public var solverType: SolverType

    public init(eta: Double = 1, noiseScale: Double = 1, solverType: SolverType = .midpoint) {
        self.eta = eta
        self.noiseScale = noiseScale
        self.solverType = solverType
    }

    public var name: String { "dpmpp-2m-sde" }
    public var isStochastic: Bool { eta != 0 }

    public func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                       noise: inout some NoiseSource, progress: (SamplerStep) -> Bool) throws -> Tensor {
        try Validate.sigmaLadder(sigmas)
        try Validate.nonNegative(eta, "eta")
        try Validate.nonNegative(noiseScale, "s_noise")
        var x = x
        var oldDenoised: Tensor?
        var hLast: Double?
        for i in 0..<(sigmas.count - 1) {
            let denoised = try evaluate(x, step: i, sigmas: sigmas, denoise: denoise, progress: progress)
            let sigma = sigmas[i], sigmaNext = sigmas[i + 1]
            if sigmaNext == 0 {
                // Denoising step: x ← Dᵢ
                x = denoised
            } else {
                // h = ln(σᵢ/σᵢ₊₁);  ηh = η·h
                let h = log(sigma / sigmaNext), etaH = eta * h
                let dataWeight = -expm1(-h - etaH)
                // x ← (σᵢ₊₁/σᵢ)·e^{−ηh}·x + (−expm1(−h−ηh))·Dᵢ
                var terms: [(coefficient: Double, tensor: Tensor)] = [(sigmaNext / sigma * exp(-etaH), x), (dataWeight, denoised)]
                if let oldDenoised, let hLast {
                    let r = hLast / h
                    let correction: Double
                    switch solverType {
                    case .midpoint:
                        // ½·(−expm1(−h−ηh))·(1/r)
                        correction = 0.5 * dataWeight * (1 / r)
                    case .heun:
                        // ((−expm1(−h−ηh))/(−h−ηh) + 1)·(1/r)
                        correction = (dataWeight / (-h - etaH) + 1) * (1 / r)
                    }
                    // x ← x + correction·(Dᵢ − Dᵢ₋₁)
                    terms.append((correction, denoised - oldDenoised))
                }
                x = Tensor.weightedSum(terms)
                if eta != 0 {
                    // x ← x + ξ·σᵢ₊₁·√(−expm1(−2ηh))·s_noise
                    let xi = try draw(like: x, sigma: sigma, sigmaNext: sigmaNext, from: &noise)
                    x = x.adding(xi, scaledBy: Float(sigmaNext * (-expm1(-2 * etaH)).squareRoot() * noiseScale))
                }
                hLast = h
            }
            oldDenoised = denoised
        }
        return x
    }
}
