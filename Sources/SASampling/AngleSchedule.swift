#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A schedule defined by angle steps ω₁ … ω_T of the v-objective's angle δ = t·π/2 (α = cos δ, σ_v = sin δ), as
/// MeLoDy (Lam et al. 2023, "Efficient Neural Music Generation", arXiv:2305.15719, §3, eqs. 4 and 12) writes its
/// sampler: δ_T = π/2, and the step at t = T, T−1, … 1 goes from δ_t to δ_t − ω_t.
///
/// Exact mapping to k-diffusion sigmas, used by both angle schedules:
///
///     F_k  = (ω_T + ω_{T−1} + … + ω_{T−k+1}) / (π/2)      fraction of the angle covered after k steps (F_0 = 0,
///                                                         F_T = 1); steps are taken from t = T down to t = 1
///     δ_max = atan(sigmaMax)                               π/2 exactly for sigmaMax = +∞ (the default)
///     δ_k  = δ_max · (1 − F_k)                             k = 0 … T     (δ_T = 0 exactly)
///     σ_k  = tan(δ_k)                                      σ_0 = sigmaMax when finite; σ_T = 0
///
/// So with the default the schedule spans the whole quarter turn from pure noise (δ = π/2) to data (δ = 0); a
/// finite `sigmaMax` scales every angle by δ_max/(π/2) (same proportions, starting at σ = sigmaMax).
/// At δ_0 = π/2, σ_0 = tan(π/2) evaluates to 1.633e16 in Float64: finite, so every sampler runs on these
/// sigmas (x = noise·σ_0, and the v-denoiser scales it back by c_in = 1/√(σ²+1) ≈ 6e-17), and
/// `VDenoiser.time(sigma:)` maps it back to t = 1 exactly.
public protocol AngleSchedule: NoiseSchedule {
    /// The largest sigma (+∞ for the full quarter turn δ_0 = π/2).
    var sigmaMax: Double { get }
    /// Angle step ω_t for t = 1 … T (not yet scaled by δ_max/(π/2)); Σ ω_t = π/2.
    func angleStep(_ t: Int, stepCount: Int) -> Double
    /// F_k: the fraction of the angle covered after the first k steps (steps ω_T, ω_{T−1}, …).
    func coveredFraction(afterSteps k: Int, stepCount: Int) -> Double
}

extension AngleSchedule {
    /// δ_0 = δ_max > δ_1 > … > δ_T = 0, in radians.
    public func angles(stepCount: Int) throws -> [Double] {
        try Validate.stepCount(stepCount)
        guard !sigmaMax.isNaN, sigmaMax > 0 else {
            throw SamplingError.invalidParameter(name: "sigma_max", value: sigmaMax, requirement: "greater than 0 (or +infinity)")
        }
        let maximumAngle = atan(sigmaMax)
        return (0...stepCount).map { k in
            // δ_k = δ_max · (1 − F_k);  δ_T = 0
            k == stepCount ? 0 : maximumAngle * (1 - coveredFraction(afterSteps: k, stepCount: stepCount))
        }
    }

    /// σ_k = tan(δ_k), with σ_0 = sigmaMax when finite and σ_T = 0.
    public func sigmas(stepCount: Int) throws -> [Double] {
        let angles = try angles(stepCount: stepCount)
        return angles.enumerated().map { k, angle in
            if k == 0 && sigmaMax.isFinite { return sigmaMax }
            return k == stepCount ? 0 : tan(angle)
        }
    }
}

/// MeLoDy's linear angle schedule: large angle steps first (near pure noise), small ones near the data.
///
/// This implementation matches: MeLoDy (arXiv:2305.15719) eq. 4, the schedule of its DDIM sampler (eq. 12; the
/// paper has no public code):
///
///     ω_t = π/(6T) + 2π·t/(3T(T+1)),   t = 1 … T,   Σ ω_t = π/6 + π/3 = π/2
///     sampling runs t = T, T−1, … 1, so the first step is the largest: ω_T = π/(6T) + 2π/(3(T+1))
///     F_k = k/(3T) + 2k(2T − k + 1)/(3T(T+1))               (closed form of Σ_{t=T−k+1}^{T} ω_t / (π/2))
///
/// Mapped to sigmas as described in `AngleSchedule`. Limitations: MeLoDy pairs it with its own DDIM in angle
/// form (`DDIMSampler`); with the DPM-Solver++ samplers it is just another sigma ladder.
public struct LinearAngleSchedule: AngleSchedule, Equatable {
    public var sigmaMax: Double

    /// `sigmaMax` = +∞ spans the full quarter turn δ ∈ [0, π/2].
    public init(sigmaMax: Double = .infinity) {
        self.sigmaMax = sigmaMax
    }

    public func angleStep(_ t: Int, stepCount: Int) -> Double {
        let T = Double(stepCount)
        // ω_t = π/(6T) + 2πt/(3T(T+1))
        return Double.pi / (6 * T) + 2 * Double.pi * Double(t) / (3 * T * (T + 1))
    }

    public func coveredFraction(afterSteps k: Int, stepCount: Int) -> Double {
        let T = Double(stepCount), steps = Double(k)
        // F_k = k/(3T) + 2k(2T − k + 1)/(3T(T+1))
        return steps / (3 * T) + 2 * steps * (2 * T - steps + 1) / (3 * T * (T + 1))
    }
}

/// The uniform angle schedule ω = π/(2T): equal steps in t, which is SAT's `v-ddim` time grid
/// (`t = linspace(1, 0, T+1)`, δ = t·π/2).
///
/// This implementation matches: the time grid of `stable_audio_tools.inference.sampling.sample` (v-ddim) with
/// `sigma_max` = 1, and MeLoDy's baseline schedule (arXiv:2305.15719, beside eq. 4):
///
///     ω_t = π/(2T),   F_k = k/T,   δ_k = δ_max·(1 − k/T)
///
/// Mapped to sigmas as described in `AngleSchedule`. SAT's v-ddim `sigma_max` (a time t_max ≤ 1) corresponds to
/// `sigmaMax = tan(t_max·π/2)` here.
public struct UniformAngleSchedule: AngleSchedule, Equatable {
    public var sigmaMax: Double

    /// `sigmaMax` = +∞ spans the full quarter turn δ ∈ [0, π/2].
    public init(sigmaMax: Double = .infinity) {
        self.sigmaMax = sigmaMax
    }

    public func angleStep(_ t: Int, stepCount: Int) -> Double {
        // ω_t = π/(2T)
        Double.pi / (2 * Double(stepCount))
    }

    public func coveredFraction(afterSteps k: Int, stepCount: Int) -> Double {
        // F_k = k/T
        Double(k) / Double(stepCount)
    }
}
