// Port of https://github.com/crowsonkb/k-diffusion/blob/v0.1.1/k_diffusion/sampling.py (get_sigmas_*)
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A noise schedule: the descending k-diffusion sigmas a sampler steps through.
///
/// `sigmas(stepCount: N)` returns N + 1 values σ₀ > σ₁ > … > σ_{N−1} > σ_N = 0 (k-diffusion's `append_zero`), so a
/// sampler makes N denoiser evaluations. Values are computed and returned in **Float64**; k-diffusion computes them
/// in float32, which differs by ≤ 1.3e-6 relative (measured against the fixtures).
///
/// k-diffusion sigma σ and SAT's v-objective time t ∈ [0, 1] are related by σ = tan(t·π/2) (the angle δ = t·π/2,
/// α = cos δ, σ_v = sin δ); see `VDenoiser`.
public protocol NoiseSchedule: Sendable {
    /// `stepCount + 1` descending sigmas ending in 0. Throws `SamplingError` for `stepCount < 1` or invalid parameters.
    func sigmas(stepCount: Int) throws -> [Double]
}

/// k-diffusion's polynomial-in-log-sigma schedule, SAT's only schedule for k-diffusion samplers (`sample_k`).
///
/// This implementation matches: `k_diffusion.sampling.get_sigmas_polyexponential(n, sigma_min, sigma_max, rho)`
///
///     ramp_i  = (1 − i/(n−1))^ρ              i = 0 … n−1   (torch.linspace(1, 0, n)**rho; [1] when n = 1)
///     sigma_i = exp(ramp_i·(ln σmax − ln σmin) + ln σmin),   then append 0
///
/// With ρ = 1 the sigmas are log-linear from σmax down to σmin. SAT defaults: σmin 0.01, σmax 100, ρ 1
/// (`sample_k`); the SAO model card uses σmin 0.3, σmax 500.
///
/// Limitations: requires 0 < σmin < σmax (finite) and ρ > 0.
public struct PolyexponentialSchedule: NoiseSchedule, Equatable {
    public var sigmaMin: Double
    public var sigmaMax: Double
    public var rho: Double

    public init(sigmaMin: Double, sigmaMax: Double, rho: Double = 1) {
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
        self.rho = rho
    }

    public func sigmas(stepCount: Int) throws -> [Double] {
        try Validate.stepCount(stepCount)
        try Validate.sigmaRange(sigmaMin, sigmaMax)
        try Validate.positive(rho, "rho")
        let logMin = log(sigmaMin), logMax = log(sigmaMax)
        var sigmas = (0..<stepCount).map { i -> Double in
            // ramp_i = linspace(1, 0, n)[i] ** rho
            let ramp = pow(linspaceValue(from: 1, to: 0, count: stepCount, index: i), rho)
            // sigma_i = exp(ramp_i * (ln smax - ln smin) + ln smin)
            return exp(ramp * (logMax - logMin) + logMin)
        }
        sigmas.append(0)
        return sigmas
    }
}

/// The schedule of Karras et al. (2022), evenly spaced in σ^(1/ρ).
///
/// This implementation matches: `k_diffusion.sampling.get_sigmas_karras(n, sigma_min, sigma_max, rho=7)`
///
///     ramp_i  = i/(n−1)                       i = 0 … n−1   (torch.linspace(0, 1, n); [0] when n = 1)
///     sigma_i = (σmax^(1/ρ) + ramp_i·(σmin^(1/ρ) − σmax^(1/ρ)))^ρ,   then append 0
///
/// Limitations: requires 0 < σmin < σmax (finite) and ρ > 0.
public struct KarrasSchedule: NoiseSchedule, Equatable {
    public var sigmaMin: Double
    public var sigmaMax: Double
    public var rho: Double

    public init(sigmaMin: Double, sigmaMax: Double, rho: Double = 7) {
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
        self.rho = rho
    }

    public func sigmas(stepCount: Int) throws -> [Double] {
        try Validate.stepCount(stepCount)
        try Validate.sigmaRange(sigmaMin, sigmaMax)
        try Validate.positive(rho, "rho")
        let minInverseRho = pow(sigmaMin, 1 / rho), maxInverseRho = pow(sigmaMax, 1 / rho)
        var sigmas = (0..<stepCount).map { i -> Double in
            let ramp = linspaceValue(from: 0, to: 1, count: stepCount, index: i)
            // sigma_i = (max_inv_rho + ramp_i * (min_inv_rho - max_inv_rho)) ** rho
            return pow(maxInverseRho + ramp * (minInverseRho - maxInverseRho), rho)
        }
        sigmas.append(0)
        return sigmas
    }
}

/// Element `index` of `torch.linspace(start, end, count)`, exact in Float64 (`start` when count = 1).
func linspaceValue(from start: Double, to end: Double, count: Int, index: Int) -> Double {
    guard count > 1 else { return start }
    if index == count - 1 { return end }
    let fraction = Double(index) / Double(count - 1)
    return start + (end - start) * fraction
}
