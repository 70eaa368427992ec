// Port of https://github.com/Stability-AI/stable-audio-tools/blob/v0.0.19/stable_audio_tools/inference/sampling.py
// (sample, eta = 0: "v-ddim") and MeLoDy (arXiv:2305.15719) eq. 12.
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import SATensor

/// Deterministic DDIM for the v-objective, in MeLoDy's angle form.
///
/// This implementation matches: `stable_audio_tools.inference.sampling.sample(model, x, steps, eta=0)`, SAT's
/// `v-ddim` (through `sample(velocityState:angles:velocity:progress:)` on `UniformAngleSchedule` angles), and
/// MeLoDy's DDIM (arXiv:2305.15719, eq. 12) with any angle ladder.
///
/// In v-space (z_δ = α·x₀ + σ_v·ε with α = cos δ, σ_v = sin δ, δ = t·π/2) one step from δ to δ − ω rotates the
/// state against the predicted velocity v̂ = v(z_δ, t):
///
///     z_{δ−ω} = cos(ω)·z_δ − sin(ω)·v̂                                      (MeLoDy eq. 12)
///
/// which is SAT's `pred = α·z − σ_v·v̂,  eps = σ_v·z + α·v̂,  z′ = α′·pred + σ_v′·eps` (η = 0) written as a
/// rotation. The final step to δ = 0 returns `pred` (x₀), as SAT does.
///
/// As a `Sampler` (k-diffusion scaling, x = z/cos δ, σ = tan δ, denoiser D = x₀ estimate) the same step is
///
///     v̂ = (cos δ·z − D)/sin δ,   z′ = cos(ω)·z − sin(ω)·v̂,   x′ = z′/cos δ′
///       ⇔  x′ = (σᵢ₊₁/σᵢ)·x + (1 − σᵢ₊₁/σᵢ)·Dᵢ                                (σᵢ₊₁ = 0 ⇒ x′ = Dᵢ)
///
/// (expand sin(δ−δ′)/(sin δ·cos δ′) = 1 − tan δ′/tan δ); this form is evaluated because it stays well
/// conditioned as δ → 0 and at δ₀ = π/2 (σ₀ = tan(π/2) ≈ 1.6e16 in Float64).
///
/// Limitations: η = 0 only (SAT's `sample_k` always passes eta = 0); no `v-ddim-cfgpp` (CFG++ needs the
/// unconditional output separately); no `dist_shift`.
public struct DDIMSampler: Sampler, Equatable {
    public init() {}

    public var name: String { "ddim" }
    public var isStochastic: Bool { false }

    public func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                       noise: inout some NoiseSource, progress: (SamplerStep) -> Bool) throws -> Tensor {
        try Validate.sigmaLadder(sigmas)
        var x = x
        for i in 0..<(sigmas.count - 1) {
            let denoised = try evaluate(x, step: i, sigmas: sigmas, denoise: denoise, progress: progress)
            let sigma = sigmas[i], sigmaNext = sigmas[i + 1]
            if sigmaNext == 0 {
                // δ′ = 0: z′ = cos δ·z − sin δ·v̂ = x₀ = Dᵢ
                x = denoised
            } else {
                // x′ = (σᵢ₊₁/σᵢ)·x + (1 − σᵢ₊₁/σᵢ)·Dᵢ   (the angle-form rotation in k-diffusion scaling)
                let ratio = sigmaNext / sigma
                x = Tensor.weightedSum([(ratio, x), (1 - ratio, denoised)])
            }
        }
        return x
    }

    /// DDIM directly on the v-prediction, in v-space: SAT's `sample()` / MeLoDy eq. 12.
    ///
    /// - `z`: the v-space state at angle δ₀ (for pure noise at δ₀ = π/2: the noise itself, unscaled, as SAT's
    ///   v-ddim starts; with init audio SAT uses init·cos δ₀ + noise·sin δ₀).
    /// - `angles`: δ₀ > δ₁ > … > δ_N ≥ 0 in radians, δ₀ ≤ π/2 (e.g. `UniformAngleSchedule().angles(stepCount:)`;
    ///   for a sigma ladder, δ = atan σ).
    /// - `velocity`: the v-prediction v(z, t) with t = δ·2/π per batch item.
    /// - `progress`: as for `sample`; `SamplerStep.x` is z, `.denoised` is pred = cos δ·z − sin δ·v̂, and the
    ///   sigmas are tan δ.
    ///
    /// Per step, with ω = δᵢ − δᵢ₊₁:
    ///
    ///     v̂ = v(z, δᵢ·2/π);   pred = cos δᵢ·z − sin δᵢ·v̂
    ///     δᵢ₊₁ > 0:  z ← cos(ω)·z − sin(ω)·v̂
    ///     δᵢ₊₁ = 0:  return pred
    ///
    /// Returns pred of the last step when δ_N = 0, else the state z at δ_N.
    public func sample(velocityState z: Tensor, angles: [Double], velocity: VelocityModel,
                       progress: (SamplerStep) -> Bool = { _ in true }) throws -> Tensor {
        try Self.validateAngles(angles)
        precondition(z.rank >= 1, "DDIM state must have a batch dimension, got shape \(z.shape)")
        var z = z
        for i in 0..<(angles.count - 1) {
            let angle = angles[i], angleNext = angles[i + 1]
            let time = [Float](repeating: Float(angle / (Double.pi / 2)), count: z.shape[0])
            let v = try velocity(z, time)
            precondition(v.shape == z.shape, "velocity model returned shape \(v.shape) for state \(z.shape)")
            // pred = cos δ·z − sin δ·v̂
            let pred = Tensor.weightedSum([(cos(angle), z), (-sin(angle), v)])
            let step = SamplerStep(index: i, stepCount: angles.count - 1, sigma: tan(angle),
                                   sigmaNext: angleNext == 0 ? 0 : tan(angleNext), x: z, denoised: pred)
            guard progress(step) else { throw CancellationError() }
            if angleNext == 0 { return pred }
            // z_{δ−ω} = cos(ω)·z_δ − sin(ω)·v̂
            let omega = angle - angleNext
            z = Tensor.weightedSum([(cos(omega), z), (-sin(omega), v)])
        }
        return z
    }

    static func validateAngles(_ angles: [Double]) throws {
        guard angles.count >= 2 else {
            throw SamplingError.invalidSigmas("need at least 2 angles (one step), got \(angles.count)", index: -1)
        }
        for (index, angle) in angles.enumerated() {
            guard angle.isFinite, angle >= 0, angle <= Double.pi / 2 else {
                throw SamplingError.invalidSigmas("angle is \(angle), must lie in [0, π/2]", index: index)
            }
            if index > 0, !(angle < angles[index - 1]) {
                throw SamplingError.invalidSigmas(
                    "angles must decrease strictly (δ[\(index - 1)] = \(angles[index - 1]), δ[\(index)] = \(angle))", index: index)
            }
        }
    }
}
