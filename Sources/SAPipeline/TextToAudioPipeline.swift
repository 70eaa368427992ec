import Foundation
import SAAudio
import SAModels
import SANN
import SASampling
import SATensor

/// Text in, exact-length audio out: stable-audio-tools' `generate_diffusion_cond`, ported.
///
/// 1. Conditioning: the prompt (and negative prompt) through the model's conditioners with `seconds_start = 0`
///    and `seconds_total = S`, assembled as SAT does.
/// 2. Latent length: the request's frames round(S·rate) rounded up to whole latent frames and to the backbone's
///    length multiple (so a 5 s clip costs about half a 10 s one), or the whole window (`sample_size`, as SAT
///    samples it) where the configuration or the model asks for `WindowLength.full`. Clips longer than the window
///    are rendered by continuation.
/// 3. Sampling: x = ε·σ₀ (or init latents + ε·σ₀ with σ₀ = init noise level), the chosen k-diffusion sampler on the
///    chosen schedule, each step denoised through the v-objective `VDenoiser` with classifier-free guidance (batch
///    CFG; guidance only where σ_v is inside the CFG interval). All noise comes from one `SeededNoiseSource`.
/// 4. Decoding: the pretransform decodes (in SAT-style chunks of 128 latents with 32 overlap beyond 128), and the
///    audio is trimmed to exactly round(S·rate) frames.
///
/// Init audio: converted as SAT's `prepare_audio` converts it (resampled with torchaudio's `Resample` filter, then
/// mono copied to stereo or channels averaged; a notice says so), then zero-padded at the end or cropped from the
/// start to the sampled length, as its non-random `PadCrop` does (with `WindowLength.full` that length is the whole
/// window, as in SAT; with `fit` it is the request's latent length).
///
/// Limitations: init audio works within one window (no continuation); it is encoded with the posterior mean (SAT
/// samples the VAE posterior).
public final class TextToAudioPipeline: @unchecked Sendable {
    public let model: ConditionedDiffusionModel
    public let defaults: ModelDefaults
    public let modelPath: String
    /// SHA-256-free identity of the weights: file names and sizes (cheap; recorded in manifests).
    public let modelIdentity: String

    /// Loads a model folder; `textEncoderDirectory` is where SAT `t5` conditioners find their T5 weights.
    public convenience init(modelPath: String, textEncoderDirectory: String? = nil) throws {
        try self.init(modelPath: modelPath, promptConditionerFactory: PromptConditionerLoader.factory(textEncoderDirectory: textEncoderDirectory))
    }

    /// Loads a model folder with a custom prompt-conditioner factory (tests inject precomputed embeddings).
    public init(modelPath: String, promptConditionerFactory: PromptConditionerFactory) throws {
        let folder = try ModelFolder(path: modelPath)
        model = try ConditionedDiffusionModel(folder: folder, promptConditionerFactory: promptConditionerFactory)
        defaults = try TextToAudioPipeline.defaults(folder: folder, model: model)
        self.modelPath = modelPath
        modelIdentity = folder.weightFiles.map { "\(($0.path as NSString).lastPathComponent):\($0.fileSize)" }.joined(separator: ",")
    }

    /// The longest clip `generate` renders, in seconds (one hour): it bounds the latents and audio a request can
    /// allocate, and keeps seconds × sample rate far inside `Int`.
    public static let maximumSeconds = 3600.0

    public var sampleRate: Int { model.configuration.sampleRate }
    public var audioChannels: Int { model.pretransform.audioChannels }
    /// The longest clip one window holds, in seconds (nil when the config sets no `sample_size`).
    public var windowSeconds: Double? { model.configuration.sampleSize.map { Double($0) / Double(sampleRate) } }

    /// Renders one clip. `progress` is called at each stage and sampling step; returning false cancels with
    /// `CancellationError`.
    public func generate(_ configuration: GenerationConfiguration,
                         progress: (PipelineProgress) -> Bool = { _ in true }) throws -> GenerationResult {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        func report(_ stage: PipelineProgress.Stage, step: Int = 0, of count: Int = 0, sigma: Double = 0) throws {
            guard progress(PipelineProgress(stage: stage, step: step, stepCount: count, sigma: sigma, elapsed: elapsed())) else { throw CancellationError() }
        }
        let settings = try resolve(configuration)
        let frames = Int((configuration.seconds * Double(sampleRate)).rounded())
        let latentFrames = latentLength(frames: frames, window: settings.window)
        let seed = configuration.seed ?? UInt64.random(in: 0..<(1 << 32))

        // 1. Conditioning
        try report(.conditioning)
        var notices: [String] = []
        for prompt in [configuration.prompt] + (configuration.negativePrompt.map { [$0] } ?? []) {
            for truncation in try model.promptTruncations(prompt) {
                notices.append("prompt needs \(truncation.count) tokens but conditioner '\(truncation.id)' reads \(truncation.limit): the rest is ignored")
            }
        }
        let conditioningStart = elapsed()
        let model = self.model
        let windowLatents = model.configuration.sampleSize.map { $0 / model.pretransform.downsamplingRatio }
        let continues = windowLatents.map { latentFrames > $0 } ?? false
        // One window: condition once here. Continuation conditions each window on its own start time.
        let (inputs, negative) = continues ? (ConditioningInputs(), nil) : try conditioning(configuration, secondsStart: 0)
        let conditioningSeconds = elapsed() - conditioningStart

        // 2–3. Sampling, one window or several
        let samplingStart = elapsed()
        var noise = SeededNoiseSource(seed: seed)
        let latents: Tensor
        if continues, let windowLatents {
            latents = try continuation(configuration, settings: settings, totalLatents: latentFrames, windowLatents: windowLatents,
                                       noise: &noise, elapsed: elapsed, progress: progress)
        } else {
            var initLatents: Tensor? = nil
            if let initPath = configuration.initAudioPath {
                let (encoded, conversion) = try encodeInitAudio(initPath, latentFrames: latentFrames)
                initLatents = encoded
                if let conversion { notices.append("init audio \(conversion)") }
            }
            latents = try sampleWindow(configuration, settings: settings, latentFrames: latentFrames, inputs: inputs, negative: negative,
                                       initLatents: initLatents, known: nil, noise: &noise, elapsed: elapsed, progress: progress)
        }
        let samplingSeconds = elapsed() - samplingStart

        // 4. Decoding
        try report(.decoding)
        let decodingStart = elapsed()
        let scaled = model.configuration.pretransformScale == 1 ? latents : latents * model.configuration.pretransformScale
        let decoded = latents.shape[2] > 128 ? model.pretransform.decodeChunked(scaled, chunkSize: 128, overlap: 32) : model.pretransform.decode(scaled)
        let samples = decoded.squeezingDimension(0).slice(axis: 1, 0..<frames)
        let decodingSeconds = elapsed() - decodingStart
        try report(.done)
        return GenerationResult(audio: AudioBuffer(samples: samples, sampleRate: sampleRate), seed: seed, latentFrames: latentFrames,
                                timings: ["conditioning": conditioningSeconds, "sampling": samplingSeconds, "decoding": decodingSeconds, "total": elapsed()],
                                steps: settings.steps, sampler: settings.sampler, schedule: settings.schedule, sigmaMin: settings.sigmaMin,
                                sigmaMax: settings.sigmaMax, rho: settings.rho, guidanceScale: settings.guidanceScale,
                                guidanceRescale: settings.guidanceRescale, guidanceInterval: settings.guidanceInterval, window: settings.window,
                                notices: notices)
    }

    /// Samples one window of `latentFrames` latents.
    ///
    /// - `initLatents`: start from these plus noise at σ₀ = the init noise level (variation).
    /// - `known`: latents pinned at the start of the window (continuation): wherever they apply, the denoised
    ///   estimate D(x, σ) is replaced by them, so along DPM-Solver's update x' = (σ'/σ)·x − expm1(−h)·D the pinned
    ///   frames stay exactly on x₀ + σ·ε and the model fills the rest consistently with them.
    func sampleWindow(_ configuration: GenerationConfiguration, settings: Settings, latentFrames: Int, inputs: ConditioningInputs,
                      negative: ConditioningInputs?, initLatents: Tensor?, known: Tensor?, noise: inout SeededNoiseSource,
                      elapsed: () -> Double, progress: (PipelineProgress) -> Bool) throws -> Tensor {
        let shape = [1, model.latentChannels, latentFrames]
        let sigmaMax = initLatents == nil ? settings.sigmaMax : configuration.initNoiseLevel
        let sigmas = try settings.schedule.makeSchedule(sigmaMin: settings.sigmaMin, sigmaMax: sigmaMax, rho: settings.rho).sigmas(stepCount: settings.steps)
        var x = noise.draw(shape: shape) * Float(sigmas[0])
        if let initLatents { x = initLatents + x }
        if let known { x.paste(known + x.slice(axis: 2, 0..<known.shape[2]), axis: 2, at: 0) }
        let interval = settings.guidanceInterval
        // Conditioning-only work (the U-Net's cross-attention keys and values) is done once for all steps.
        let guided = model.velocityFunction(inputs: inputs, guidanceScale: settings.guidanceScale, rescale: settings.guidanceRescale,
                                            negative: negative)
        let unguided = settings.guidanceScale == 1 || (interval.lowerBound <= 0 && interval.upperBound >= 1)  // σ_v ∈ [0, 1]
            ? guided : model.velocityFunction(inputs: inputs, guidanceScale: 1, rescale: settings.guidanceRescale, negative: negative)
        let denoiser = VDenoiser { x, time in
            // σ_v = sin(tπ/2) of the first item decides whether guidance applies (as SAT's DiT does).
            let sigmaV = sin(Double(time[0]) * Double.pi / 2)
            return interval.contains(sigmaV) ? guided(x, time) : unguided(x, time)
        }
        var cancelled = false
        let result = try settings.sampler.makeSampler().sample(x, sigmas: sigmas, denoise: { x, sigma in
            var denoised = try denoiser(x, sigma: sigma)
            if let known { denoised.paste(known, axis: 2, at: 0) }
            return denoised
        }, noise: &noise) { step in
            let keepGoing = progress(PipelineProgress(stage: .sampling, step: step.index + 1, stepCount: step.stepCount, sigma: step.sigma, elapsed: elapsed()))
            cancelled = !keepGoing
            return keepGoing
        }
        if cancelled { throw CancellationError() }
        return result
    }

    /// Long-form generation by overlapping windows (inpainting-style continuation).
    ///
    /// Window k starts at latent frame k·hop (hop = window − overlap, overlap = a quarter window rounded to the
    /// backbone's multiple) and is conditioned with `seconds_start` = its start time and `seconds_total` = the
    /// whole clip, as SAT trains on random crops of longer files. Its first `overlap` frames are pinned to the
    /// previous window's last ones (see `sampleWindow`), so the only seam is where newly sampled frames begin, and
    /// those were sampled knowing the pinned context. With `WindowLength.fit` the last window is shortened to what
    /// remains (rounded up to the multiple); with `full` it is a whole window too, its frames past the clip's end
    /// dropped (as SAT trains on crops that run past a file's end into silence). Memory stays at one window plus the
    /// (small) latent track; decoding is chunked.
    func continuation(_ configuration: GenerationConfiguration, settings: Settings, totalLatents: Int, windowLatents: Int,
                      noise: inout SeededNoiseSource, elapsed: () -> Double,
                      progress: (PipelineProgress) -> Bool) throws -> Tensor {
        let multiple = model.latentLengthMultiple
        let overlap = max(multiple, (windowLatents / 4) / multiple * multiple)
        let hop = windowLatents - overlap
        guard hop > 0 else { throw PipelineError("the model's window (\(windowLatents) latents) is too short for continuation") }
        let secondsPerLatent = Double(model.pretransform.downsamplingRatio) / Double(sampleRate)
        var track = Tensor(zeros: [1, model.latentChannels, 0])
        var start = 0
        while track.shape[2] < totalLatents {
            let remaining = totalLatents - start
            let length = settings.window == .full ? windowLatents : min(windowLatents, roundedUpToMultiple(latents: remaining))
            let (inputs, negative) = try conditioning(configuration, secondsStart: Double(start) * secondsPerLatent)
            let known = start == 0 ? nil : track.slice(axis: 2, start..<min(track.shape[2], start + overlap))
            let window = try sampleWindow(configuration, settings: settings, latentFrames: length, inputs: inputs, negative: negative,
                                          initLatents: nil, known: known, noise: &noise, elapsed: elapsed, progress: progress)
            let newFrames = window.slice(axis: 2, (known?.shape[2] ?? 0)..<length)
            track = Tensor.concatenate([track, newFrames], axis: 2)
            start += hop
        }
        return track.slice(axis: 2, 0..<totalLatents)
    }

    /// Latent frames for `frames` audio frames: the whole window for a clip within it with `WindowLength.full`, else
    /// whole latents rounded up to the backbone's multiple (for a clip longer than the window, the continuation's
    /// track, whose windows `continuation` sizes).
    public func latentLength(frames: Int, window: GenerationConfiguration.WindowLength) -> Int {
        let ratio = model.pretransform.downsamplingRatio
        if window == .full, let sampleSize = model.configuration.sampleSize, frames <= sampleSize { return sampleSize / ratio }
        return roundedUpToMultiple(latents: (frames + ratio - 1) / ratio)
    }

    /// `latents` rounded up to the backbone's length multiple m, at least one multiple: max(m, ⌈latents / m⌉ · m).
    func roundedUpToMultiple(latents: Int) -> Int {
        let multiple = model.latentLengthMultiple
        return max(multiple, (latents + multiple - 1) / multiple * multiple)
    }

    struct Settings {
        var steps: Int, sampler: SamplerKind, schedule: ScheduleKind
        var sigmaMin: Double, sigmaMax: Double, rho: Double
        var guidanceScale: Float, guidanceRescale: Float, guidanceInterval: ClosedRange<Double>
        var window: GenerationConfiguration.WindowLength
    }

    /// Checks `configuration` as `generate` does (model defaults applied) without rendering anything; the error names
    /// the bad parameter. The CLI calls it before it prints a seed, so a rejected request reports only its error.
    public func validate(_ configuration: GenerationConfiguration) throws {
        _ = try resolve(configuration)
    }

    /// Applies model defaults and validates everything, naming the bad parameter.
    func resolve(_ c: GenerationConfiguration) throws -> Settings {
        let settings = Settings(steps: c.steps ?? defaults.steps, sampler: c.sampler ?? defaults.sampler, schedule: c.schedule ?? defaults.schedule,
                                sigmaMin: c.sigmaMin ?? defaults.sigmaMin, sigmaMax: c.sigmaMax ?? defaults.sigmaMax, rho: c.rho ?? defaults.rho,
                                guidanceScale: c.guidanceScale ?? defaults.guidanceScale, guidanceRescale: c.guidanceRescale ?? defaults.guidanceRescale,
                                guidanceInterval: c.guidanceInterval ?? defaults.guidanceInterval, window: c.window ?? defaults.window)
        guard !c.prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw PipelineError("the prompt is empty") }
        guard c.seconds.isFinite, c.seconds > 0, c.seconds <= Self.maximumSeconds else {
            throw PipelineError("seconds must be a positive number of at most \(Int(Self.maximumSeconds)) (one hour), got \(c.seconds)")
        }
        let frames = Int((c.seconds * Double(sampleRate)).rounded())
        guard frames > 0 else { throw PipelineError("seconds \(c.seconds) is shorter than one sample at \(sampleRate) Hz") }
        if settings.window == .full, let window = windowSeconds, window > Self.maximumSeconds {
            throw PipelineError(String(format: "the model's window of %.4g s", window)
                                + " (sample_size \(model.configuration.sampleSize ?? 0)) is longer than the \(Int(Self.maximumSeconds)) s a clip may have; render with --window fit")
        }
        if let window = windowSeconds, let sampleSize = model.configuration.sampleSize, frames > sampleSize, !c.allowContinuation {
            throw PipelineError(String(format: "seconds %.4g exceeds the model's window of %.4g s (%d samples); enable continuation to render longer clips", c.seconds, window, sampleSize))
        }
        if c.allowContinuation, c.initAudioPath != nil, let sampleSize = model.configuration.sampleSize, frames > sampleSize {
            throw PipelineError("init audio works within one window (\(sampleSize) samples); continuation does not support it")
        }
        guard settings.steps >= 1, settings.steps <= 10_000 else { throw PipelineError("steps must be between 1 and 10000, got \(settings.steps)") }
        guard settings.guidanceScale.isFinite, settings.guidanceScale >= 0 else { throw PipelineError("cfg scale must be ≥ 0, got \(settings.guidanceScale)") }
        guard settings.guidanceRescale.isFinite, (0...1).contains(settings.guidanceRescale) else {
            throw PipelineError("cfg rescale must be in [0, 1], got \(settings.guidanceRescale)")
        }
        guard settings.sigmaMin > 0, settings.sigmaMax > settings.sigmaMin, settings.sigmaMax.isFinite, settings.rho > 0 else {
            throw PipelineError("need 0 < sigma-min < sigma-max and rho > 0 (got \(settings.sigmaMin), \(settings.sigmaMax), \(settings.rho))")
        }
        guard settings.guidanceInterval.lowerBound >= 0, settings.guidanceInterval.upperBound <= 1 else {
            throw PipelineError("cfg interval must lie within 0…1 (σ_v), got \(settings.guidanceInterval)")
        }
        if c.initAudioPath != nil {
            guard c.initNoiseLevel.isFinite, c.initNoiseLevel > settings.sigmaMin else {
                throw PipelineError("init noise level must exceed sigma-min \(settings.sigmaMin), got \(c.initNoiseLevel)")
            }
        }
        return settings
    }

    /// The assembled conditioning for the prompt (and the negative prompt, when set) at `secondsStart`, with
    /// `seconds_total` = the whole clip. The prompt is given to every text conditioner, whatever its id.
    func conditioning(_ configuration: GenerationConfiguration, secondsStart: Double) throws -> (ConditioningInputs, ConditioningInputs?) {
        let textIDs = model.conditioning.conditioners.filter(\.isText).map(\.id)
        func inputs(prompt: String) throws -> ConditioningInputs {
            var item: [String: ConditioningValue] = ["seconds_start": .number(secondsStart), "seconds_total": .number(configuration.seconds)]
            for id in textIDs { item[id] = .text(prompt) }
            return try model.condition([item])
        }
        return (try inputs(prompt: configuration.prompt), try configuration.negativePrompt.map { try inputs(prompt: $0) })
    }

    /// Encodes init audio (posterior mean) to `latentFrames` latents, converting it to the model's rate and channels
    /// and padding or cropping it to `latentFrames` × the downsampling ratio first; also returns the conversion made.
    func encodeInitAudio(_ path: String, latentFrames: Int) throws -> (latents: Tensor, conversion: String?) {
        let input = try AudioInput(path: path, sampleRate: sampleRate, channelCount: audioChannels)
        let audio = input.audio
        let ratio = model.pretransform.downsamplingRatio
        let target = latentFrames * ratio
        var samples = audio.samples
        samples = samples.shape[1] >= target ? samples.slice(axis: 1, 0..<target) : samples.padded(axis: 1, before: 0, after: target - samples.shape[1])
        var latents = model.pretransform.encode(samples.expandingDimension(at: 0))
        if model.configuration.pretransformScale != 1 { latents = latents / model.configuration.pretransformScale }
        return (latents, input.conversion)
    }

    /// Defaults from the model config's optional `stable_audio_swift` section, else per backbone.
    static func defaults(folder: ModelFolder, model: ConditionedDiffusionModel) throws -> ModelDefaults {
        var defaults = ModelDefaults()
        if case .unet = model.backbone {
            defaults.sigmaMin = 0.01
            defaults.sigmaMax = 100
            defaults.guidanceRescale = 0.4
        }
        guard let path = folder.configurationPath, let data = FileManager.default.contents(atPath: path),
              let section = try JSONDecoder().decode(JSONValue.self, from: data)["stable_audio_swift"] else { return defaults }
        func invalid(_ key: String) -> ModelConfigurationError {
            ModelConfigurationError(path: path, key: "stable_audio_swift.\(key)", reason: "invalid value")
        }
        if let value = section["steps"] { guard let steps = value.intValue else { throw invalid("steps") }; defaults.steps = steps }
        if let value = section["sampler"] { guard let kind = value.stringValue.flatMap(SamplerKind.init) else { throw invalid("sampler") }; defaults.sampler = kind }
        if let value = section["schedule"] { guard let kind = value.stringValue.flatMap(ScheduleKind.init) else { throw invalid("schedule") }; defaults.schedule = kind }
        if let value = section["sigma_min"] { guard let number = value.doubleValue else { throw invalid("sigma_min") }; defaults.sigmaMin = number }
        if let value = section["sigma_max"] { guard let number = value.doubleValue else { throw invalid("sigma_max") }; defaults.sigmaMax = number }
        if let value = section["rho"] { guard let number = value.doubleValue else { throw invalid("rho") }; defaults.rho = number }
        if let value = section["cfg_scale"] { guard let number = value.doubleValue else { throw invalid("cfg_scale") }; defaults.guidanceScale = Float(number) }
        if let value = section["cfg_rescale"] { guard let number = value.doubleValue else { throw invalid("cfg_rescale") }; defaults.guidanceRescale = Float(number) }
        if let value = section["cfg_interval"] {
            // [lo, hi] with 0 ≤ lo ≤ hi ≤ 1 (σ_v = sin(tπ/2), as SAT's cfg_interval)
            guard case .array(let bounds) = value, bounds.count == 2, let low = bounds[0].doubleValue, let high = bounds[1].doubleValue,
                  low >= 0, low <= high, high <= 1 else {
                throw ModelConfigurationError(path: path, key: "stable_audio_swift.cfg_interval",
                                              reason: "expected [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, got \(value.jsonText)")
            }
            defaults.guidanceInterval = low...high
        }
        if let value = section["window"] {
            guard let window = value.stringValue.flatMap(GenerationConfiguration.WindowLength.init) else { throw invalid("window") }
            defaults.window = window
        }
        return defaults
    }
}
