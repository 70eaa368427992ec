import SATensor

/// One step of a sampling run, reported after the denoiser has been evaluated and before the state is updated
/// (k-diffusion's `callback({'x', 'i', 'sigma', 'denoised'})`).
public struct SamplerStep: Sendable {
    /// 0-based step index i.
    public let index: Int
    /// Total steps N (= sigmas.count − 1).
    public let stepCount: Int
    /// σᵢ, the noise level this step starts from.
    public let sigma: Double
    /// σᵢ₊₁, the noise level it steps to (0 on the last step).
    public let sigmaNext: Double
    /// The state entering the step (k-diffusion x at σᵢ; for `DDIMSampler.sample(velocityState:…)` the
    /// v-space state z at angle δᵢ).
    public let x: Tensor
    /// The denoiser output at this step: D(xᵢ, σᵢ), the x₀ estimate.
    public let denoised: Tensor

    public init(index: Int, stepCount: Int, sigma: Double, sigmaNext: Double, x: Tensor, denoised: Tensor) {
        self.index = index
        self.stepCount = stepCount
        self.sigma = sigma
        self.sigmaNext = sigmaNext
        self.x = x
        self.denoised = denoised
    }
}

/// A sampler: walks the state from σ₀ down the ladder `sigmas` (σ₀ > … > σ_N, σ_N usually 0) with one denoiser
/// call per step, and returns the final state (the sample when σ_N = 0).
///
/// - `x`: the starting state at σ₀, in k-diffusion scaling: `noise·σ₀` (or `init + noise·σ₀` for init audio),
///   as SAT's `sample_k` builds it. Float32 tensor of any shape with the batch first.
/// - `sigmas`: Float64 ladder, validated: at least 2 values, finite, ≥ 0, strictly decreasing
///   (`SamplingError.invalidSigmas` otherwise).
/// - `denoise(x, σ)`: the x₀ estimate D(x, σ); for SAT models a `VDenoiser` around the guided v-prediction.
/// - `noise`: fresh N(0, 1) noise for stochastic samplers (one draw per step with σᵢ₊₁ > 0, in step order);
///   deterministic samplers never touch it.
/// - `progress`: called once per step after the denoiser (see `SamplerStep`); returning false stops the run by
///   throwing `CancellationError` before the state is updated.
///
/// Scalar coefficients are computed in Float64 from the sigmas; tensors stay Float32. The tensor updates are
/// elementwise, so a run is bit-identical for any thread count given the same denoiser outputs and noise.
/// Implementations are value types whose properties are the sampler's settings; they keep no state between calls.
public protocol Sampler: Sendable {
    /// The name SAT's `sample_k` uses for this sampler (`sampler_type`).
    var name: String { get }
    /// Whether `sample` draws from the noise source.
    var isStochastic: Bool { get }

    func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                noise: inout some NoiseSource, progress: (SamplerStep) -> Bool) throws -> Tensor
}

extension Sampler {
    /// `sample` without a progress closure.
    public func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                       noise: inout some NoiseSource) throws -> Tensor {
        try sample(x, sigmas: sigmas, denoise: denoise, noise: &noise, progress: { _ in true })
    }

    /// `sample` for deterministic samplers; a stochastic sampler throws `SamplingError.noiseSourceRequired`.
    public func sample(_ x: Tensor, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                       progress: (SamplerStep) -> Bool = { _ in true }) throws -> Tensor {
        guard !isStochastic else { throw SamplingError.noiseSourceRequired(sampler: name) }
        var none = NoNoiseSource()
        return try sample(x, sigmas: sigmas, denoise: denoise, noise: &none, progress: progress)
    }

    /// The number of noise draws a run over `sigmas` makes (steps with σᵢ₊₁ > 0 for stochastic samplers).
    public func noiseDrawCount(sigmas: [Double]) -> Int {
        isStochastic ? sigmas.dropFirst().filter { $0 > 0 }.count : 0
    }

    /// Evaluates the denoiser for step `index` and reports it; throws `CancellationError` when `progress` says stop.
    func evaluate(_ x: Tensor, step index: Int, sigmas: [Double], denoise: (Tensor, Double) throws -> Tensor,
                  progress: (SamplerStep) -> Bool) throws -> Tensor {
        let denoised = try denoise(x, sigmas[index])
        precondition(denoised.shape == x.shape, "\(name): denoiser returned shape \(denoised.shape) for state \(x.shape)")
        let step = SamplerStep(index: index, stepCount: sigmas.count - 1, sigma: sigmas[index],
                               sigmaNext: sigmas[index + 1], x: x, denoised: denoised)
        guard progress(step) else { throw CancellationError() }
        return denoised
    }

    /// Fresh N(0, 1) noise for the step σᵢ → σᵢ₊₁, shape-checked.
    func draw(like x: Tensor, sigma: Double, sigmaNext: Double, from noise: inout some NoiseSource) throws -> Tensor {
        let xi = try noise.noise(shape: x.shape, sigma: sigma, sigmaNext: sigmaNext)
        guard xi.shape == x.shape else { throw SamplingError.noiseShapeMismatch(expected: x.shape, actual: xi.shape) }
        return xi
    }
}

/// The samplers by their stable-audio-tools names (`sampler_type`), for configuration files and the CLI.
public enum SamplerKind: String, CaseIterable, Sendable {
    /// `DPMSolverPlusPlus3MSDE`: SAT's recommended sampler for SAO.
    case dpmpp3mSDE = "dpmpp-3m-sde"
    /// `DPMSolverPlusPlus2MSDE` (midpoint): `sample_k`'s default.
    case dpmpp2mSDE = "dpmpp-2m-sde"
    /// `DPMSolverPlusPlus2M`: deterministic.
    case dpmpp2m = "dpmpp-2m"
    /// `DDIMSampler`: deterministic; SAT's `v-ddim` on the uniform angle schedule.
    case ddim = "ddim"

    /// The sampler with SAT's default settings (η = 1, s_noise = 1 for the SDE samplers).
    public func makeSampler() -> any Sampler {
        switch self {
        case .dpmpp3mSDE: return DPMSolverPlusPlus3MSDE()
        case .dpmpp2mSDE: return DPMSolverPlusPlus2MSDE()
        case .dpmpp2m: return DPMSolverPlusPlus2M()
        case .ddim: return DDIMSampler()
        }
    }
}

/// The schedules by name, for configuration files and the CLI.
public enum ScheduleKind: String, CaseIterable, Sendable {
    /// `PolyexponentialSchedule` (SAT's).
    case polyexponential
    /// `KarrasSchedule`.
    case karras
    /// `LinearAngleSchedule` (MeLoDy).
    case linearAngle = "linear-angle"
    /// `UniformAngleSchedule` (SAT's v-ddim grid).
    case uniformAngle = "uniform-angle"

    /// The schedule with these parameters. The angle schedules use only `sigmaMax` (pass +∞ for the full quarter
    /// turn from pure noise); polyexponential and Karras use all three.
    public func makeSchedule(sigmaMin: Double, sigmaMax: Double, rho: Double) -> any NoiseSchedule {
        switch self {
        case .polyexponential: return PolyexponentialSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho)
        case .karras: return KarrasSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho)
        case .linearAngle: return LinearAngleSchedule(sigmaMax: sigmaMax)
        case .uniformAngle: return UniformAngleSchedule(sigmaMax: sigmaMax)
        }
    }
}
