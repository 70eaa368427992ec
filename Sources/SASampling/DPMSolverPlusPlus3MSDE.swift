// Port of https://github.com/crowsonkb/k-diffusion/blob/v0.1.1/k_diffusion/sampling.py (sample_dpmpp_3m_sde)
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import SATensor

/// DPM-Solver++(3M) SDE: the third-order multistep solver of the reverse SDE in data-prediction form, with fresh
/// noise each step. SAT's recommended sampler for Stable Audio Open (gradio UI and model card default).
///
/// This implementation matches: `k_diffusion.sampling.sample_dpmpp_3m_sde(eta, s_noise)` (k-diffusion 0.1.1),
/// which SAT's `sample_k(sampler_type="dpmpp-3m-sde")` calls with η = 1, s_noise = 1.
///
/// With h = ln(σᵢ/σᵢ₊₁), Dᵢ = D(xᵢ, σᵢ), ξ ~ N(0, 1) from the noise source, and h₁, h₂ the previous two
/// (un-scaled) step sizes:
///
///     σᵢ₊₁ = 0:  x ← Dᵢ                                                  (no noise drawn)
///     else:      h_η = h·(η + 1)
///                x ← e^{−h_η}·x + (−expm1(−h_η))·Dᵢ
///                φ₂ = expm1(−h_η)/h_η + 1
///                if h₂ exists:  r₀ = h₁/h,  r₁ = h₂/h
///                               d1₀ = (Dᵢ − Dᵢ₋₁)/r₀,   d1₁ = (Dᵢ₋₁ − Dᵢ₋₂)/r₁
///                               d1 = d1₀ + (d1₀ − d1₁)·r₀/(r₀ + r₁),   d2 = (d1₀ − d1₁)/(r₀ + r₁)
///                               φ₃ = φ₂/h_η − ½
///                               x ← x + φ₂·d1 − φ₃·d2
///                elif h₁ exists:  r = h₁/h,  x ← x + φ₂·(Dᵢ − Dᵢ₋₁)/r
///                if η ≠ 0:  x ← x + ξ·σᵢ₊₁·√(−expm1(−2hη))·s_noise
///
/// Limitations: SAT's default noise is torchsde's Brownian tree; here it comes from `NoiseSource` (iid N(0, 1),
/// the same distribution; inject recorded noise for bitwise-input parity).
public struct DPMSolverPlusPlus3MSDE: Sampler, Equatable {
    /// Noise amount η (0 gives the ODE variant and draws no noise).
    public var eta: Double
    /// Noise scale s_noise.
    public var noiseScale: Double

    public init(eta: Double = 1, noiseScale: Double = 1) {
        self.eta = eta
        self.noiseScale = noiseScale
    }

    public var name: String { "dpmpp-3m-sde" }
    public var isStochastic: Bool { eta != 0 }

    public func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                       noise: inout some NoiseSource, progress: (SamplerStep) -> Bool) throws -> Tensor {
        try Validate.sigmaLadder(sigmas)
        try Validate.nonNegative(eta, "eta")
        try Validate.nonNegative(noiseScale, "s_noise")
        var x = x
        var denoised1: Tensor?, denoised2: Tensor?
        var h1: Double?, h2: Double?
        for i in 0..<(sigmas.count - 1) {
            let denoised = try evaluate(x, step: i, sigmas: sigmas, denoise: denoise, progress: progress)
            let sigma = sigmas[i], sigmaNext = sigmas[i + 1]
            if sigmaNext == 0 {
                // Denoising step: x ← Dᵢ
                x = denoised
            } else {
                // h = ln(σᵢ/σᵢ₊₁);  h_η = h·(η + 1)
                let h = log(sigma / sigmaNext), hEta = h * (eta + 1)
                // φ₂ = expm1(−h_η)/h_η + 1
                let phi2 = expm1(-hEta) / hEta + 1
                // x ← e^{−h_η}·x + (−expm1(−h_η))·Dᵢ
                var terms: [(coefficient: Double, tensor: Tensor)] = [(exp(-hEta), x), (-expm1(-hEta), denoised)]
                if let h1, let h2, let denoised1, let denoised2 {
                    let r0 = h1 / h, r1 = h2 / h
                    // d1₀ = (Dᵢ − Dᵢ₋₁)/r₀;  d1₁ = (Dᵢ₋₁ − Dᵢ₋₂)/r₁
                    let d10 = (denoised - denoised1) * Float(1 / r0)
                    let d11 = (denoised1 - denoised2) * Float(1 / r1)
                    let difference = d10 - d11
                    // d1 = d1₀ + (d1₀ − d1₁)·r₀/(r₀ + r₁);  d2 = (d1₀ − d1₁)/(r₀ + r₁)
                    let d1 = d10.adding(difference, scaledBy: Float(r0 / (r0 + r1)))
                    let d2 = difference * Float(1 / (r0 + r1))
                    // φ₃ = φ₂/h_η − ½;  x ← x + φ₂·d1 − φ₃·d2
                    let phi3 = phi2 / hEta - 0.5
                    terms += [(phi2, d1), (-phi3, d2)]
                } else if let h1, let denoised1 {
                    // r = h₁/h;  x ← x + φ₂·(Dᵢ − Dᵢ₋₁)/r
                    let r = h1 / h
                    terms.append((phi2 / r, denoised - denoised1))
                }
                x = Tensor.weightedSum(terms)
                if eta != 0 {
                    // x ← x + ξ·σᵢ₊₁·√(−expm1(−2hη))·s_noise
                    let xi = try draw(like: x, sigma: sigma, sigmaNext: sigmaNext, from: &noise)
                    x = x.adding(xi, scaledBy: Float(sigmaNext * (-expm1(-2 * h * eta)).squareRoot() * noiseScale))
                }
                h2 = h1
                h1 = h
            }
            denoised2 = denoised1
            denoised1 = denoised
        }
        return x
    }
}
