import SAAudio
import SASampling

/// Everything one generation needs besides the model. Defaults are documented per field; `nil` fields take the
/// model's defaults (`ModelDefaults`).
public struct GenerationConfiguration: Sendable, Equatable {
    /// The description of the sound. Must contain visible text.
    public var prompt: String
    /// What to steer away from (replaces the null condition in classifier-free guidance).
    public var negativePrompt: String?
    /// Clip length in seconds; the output has exactly round(seconds × sample rate) frames per channel.
    public var seconds: Double
    /// Sampling steps (model evaluations), nil = model default.
    public var steps: Int?
    public var sampler: SamplerKind?
    public var schedule: ScheduleKind?
    public var sigmaMin: Double?
    public var sigmaMax: Double?
    public var rho: Double?
    /// Classifier-free guidance scale (1 = off), nil = model default.
    public var guidanceScale: Float?
    /// CFG rescale φ in [0, 1], nil = model default (SAT's: 0.4 for U-Nets through `generate_diffusion_cond`, 0 for DiTs).
    public var guidanceRescale: Float?
    /// Guidance applies only while σ_v = sin(tπ/2) lies in this interval (SAT's `cfg_interval`); outside it a step
    /// costs one model pass instead of two. nil = model default (0…1, every step, unless its config sets one).
    public var guidanceInterval: ClosedRange<Double>?
    /// Seed for the initial and SDE noise; nil draws one (reported in the result).
    public var seed: UInt64?
    /// Audio to start from (SAT's `init_audio`), at the model's rate and channel count.
    public var initAudioPath: String?
    /// σ to start from when `initAudioPath` is set (SAT's `init_noise_level`).
    public var initNoiseLevel: Double = 1
    /// How many latent frames a clip within the model's window samples; nil = the model's default.
    public var window: WindowLength?
    /// Render clips longer than the model's window by overlapping windows (see `TextToAudioPipeline.continuation`).
    public var allowContinuation = true

    public init(prompt: String, seconds: Double) {
        self.prompt = prompt
        self.seconds = seconds
    }

    /// The latent length sampled for a clip that fits in the model's window (`sample_size`).
    public enum WindowLength: String, Sendable, Equatable, CaseIterable {
        /// The shortest latent length that holds the clip, rounded up to the backbone's multiple, so compute scales
        /// with the request (a 5 s clip costs about half a 10 s one). The default, unless the model says otherwise.
        case fit
        /// The whole window, trimmed to the clip after decoding: what stable-audio-tools' `generate_diffusion_cond`
        /// does, and the only length SAT-style models train on (every example is a full window, silent after
        /// `seconds_total`). Slower for short clips; for models that do worse on shorter windows. The session-34
        /// bundled weights were one, and their config says so (as do the session-37 and -39 averages after them): over
        /// three seeds their length bar is 55 of 72 against 22 with `fit` and their pair bar 76.0% against 72.1%
        /// (`eval/default-model/results_s34.json`); the session-6 weights they replaced did no better with it
        /// (`results_s20_window.json`: pairs 57.4% against 61.8%, length 15/24 against 13/24). Clips longer than the
        /// window then render as overlapping whole windows.
        case full
    }
}

/// Per-model sampling defaults: read from an optional `"stable_audio_swift": {…}` object in `model_config.json`
/// (`steps`, `sampler`, `schedule`, `sigma_min`, `sigma_max`, `rho`, `cfg_scale`, `cfg_rescale`, `cfg_interval` as
/// `[lo, hi]`, `window`), falling
/// back to the published values for the backbone: the Stable Audio Open model card for DiTs (100 steps, dpmpp-3m-sde,
/// σ 0.3…500, CFG 7) and stable-audio-tools' UI values for U-Nets (100 steps, dpmpp-3m-sde, σ 0.01…100, CFG 7,
/// rescale 0.4 as `generate_diffusion_cond` applies it), guidance at every step, and the `fit` window.
public struct ModelDefaults: Sendable, Equatable {
    public var steps = 100
    public var sampler = SamplerKind.dpmpp3mSDE
    public var schedule = ScheduleKind.polyexponential
    public var sigmaMin = 0.3
    public var sigmaMax = 500.0
    public var rho = 1.0
    public var guidanceScale: Float = 7
    public var guidanceRescale: Float = 0
    public var guidanceInterval: ClosedRange<Double> = 0...1
    public var window = GenerationConfiguration.WindowLength.fit

    public init() {}
}

/// Where a generation is, for progress reporting and cancellation.
public struct PipelineProgress: Sendable {
    public enum Stage: String, Sendable { case conditioning, sampling, decoding, done }
    public var stage: Stage
    /// Sampling step (1-based) and count; 0 outside sampling.
    public var step: Int
    public var stepCount: Int
    /// The σ of the current step.
    public var sigma: Double
    /// Seconds since the generation started.
    public var elapsed: Double
}

/// A rendered clip.
public struct GenerationResult: Sendable {
    public var audio: AudioBuffer
    public var seed: UInt64
    /// Latent frames sampled (the request rounded up to the backbone's multiple, or the whole window).
    public var latentFrames: Int
    /// Seconds spent conditioning, sampling and decoding.
    public var timings: [String: Double]
    /// The resolved settings (model defaults applied).
    public var steps: Int
    public var sampler: SamplerKind
    public var schedule: ScheduleKind
    public var sigmaMin: Double
    public var sigmaMax: Double
    public var rho: Double
    public var guidanceScale: Float
    public var guidanceRescale: Float
    public var guidanceInterval: ClosedRange<Double>
    public var window: GenerationConfiguration.WindowLength
    /// Things the user should know (e.g. the prompt was longer than the text encoder reads).
    public var notices: [String]
}
