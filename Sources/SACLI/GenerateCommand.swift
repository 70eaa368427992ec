import ArgumentParser
import Foundation
import SAAudio
import SAMetrics
import SAPipeline
import SASampling
import SATensor

extension SamplerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension GenerationConfiguration.WindowLength: ExpressibleByArgument {}

/// `stable-audio generate "PROMPT" --seconds S -o out.wav`: a thin layer over `TextToAudioPipeline`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render a stereo clip of exactly the requested length from a description.",
        discussion: """
        The clip has exactly round(seconds × sample rate) frames. Sampling settings default to the model's \
        (model_config.json's optional "stable_audio_swift" section, else the published values for its backbone). \
        The seed is printed and stored in the file's metadata; the same seed, model and settings give a \
        bit-identical file on the same machine. Ctrl-C (or SIGTERM) stops at the next step and writes nothing; a \
        second one quits at once (the output file is still never partly written).
        """
    )

    enum ProgressStyle: String, ExpressibleByArgument { case auto, bar, json, none }

    @Argument(help: "The description of the sound (omit with --batch).")
    var prompt: String?

    @Option(help: "Clip length in seconds (0 < S ≤ 3600; clips longer than the model's window are rendered in overlapping windows).")
    var seconds: Double?

    @Option(name: .shortAndLong, help: "Output file (single clip).")
    var output: String?

    @Option(name: .shortAndLong, help: "Model folder (default: the bundled models/default, looked up in the working directory, then above the executable).")
    var model: String?

    @Option(help: "Hugging Face T5 folder for models with SAT's t5 conditioner (default: MODEL/t5 or $STABLE_AUDIO_T5_DIR).")
    var textEncoder: String?

    @Option(help: "Sampling steps (default: the model's).") var steps: Int?
    @Option(help: "Sampler: dpmpp-3m-sde, dpmpp-2m-sde, dpmpp-2m or ddim.") var sampler: SamplerKind?
    @Option(help: "Noise schedule: polyexponential, karras, linear-angle or uniform-angle.") var schedule: ScheduleKind?
    @Option(help: "Smallest σ of the schedule.") var sigmaMin: Double?
    @Option(help: "Largest σ of the schedule.") var sigmaMax: Double?
    @Option(help: "Schedule exponent ρ.") var rho: Double?
    @Option(help: "Classifier-free guidance scale (1 = off).") var cfgScale: Float?
    @Option(help: "What to steer away from.") var negativePrompt: String?
    @Option(help: "CFG rescale φ in [0, 1].") var cfgRescale: Float?
    @Option(help: "Apply guidance only while σ_v = sin(tπ/2) is in LO,HI (e.g. 0.1,1; default: the model's).") var cfgInterval: String?
    @Option(help: "Seed (default: drawn and printed).") var seed: UInt64?
    @Option(help: "Start from this audio (variation; another sample rate or channel count is converted as stable-audio-tools does, with a notice).") var initAudio: String?
    @Option(help: "σ to start from with --init-audio.") var initNoiseLevel: Double = 1
    @Option(help: "Latent length for a clip within the model's window: fit (the clip rounded up to the backbone's multiple; compute scales with the clip) or full (the whole window, trimmed; as stable-audio-tools samples and trains). Default: the model's.") var window: GenerationConfiguration.WindowLength?
    @Flag(help: "Refuse clips longer than the model's window instead of rendering them by overlapping windows.") var noContinuation = false
    @Option(help: "Normalize to this integrated loudness (LUFS, BS.1770), keeping the sample peak below 0 dBFS.") var loudness: Double?
    @Option(help: "Raised-cosine fade-in over the clip's first S seconds (default 0: none).") var fadeIn: Double = 0
    @Option(help: "Raised-cosine fade-out over the clip's last S seconds, so a sound cut by the exact length does not click (default 0: none).") var fadeOut: Double = 0
    @Option(help: "JSONL or CSV list of items (prompt, seconds, seed, negative_prompt, cfg_scale, steps, name).") var batch: String?
    @Option(help: "Output folder for --batch (files plus manifest.json).") var outDir: String?
    @Option(help: "Progress on stderr: auto (a bar on a terminal), bar, json (NDJSON events) or none.") var progress: ProgressStyle = .auto
    @Option(help: "Container: wav or flac (default: from the output's extension, else wav).") var format: AudioOutputOptions.Container?
    @Option(help: "Sample format: 16, 24 or 32f.") var bitDepth: AudioOutputOptions.BitDepth = .pcm24
    @Flag(help: "Replace existing output files.") var overwrite = false

    func validate() throws {
        if batch == nil {
            guard prompt != nil else { throw ValidationError("give a prompt, or --batch FILE") }
            guard seconds != nil else { throw ValidationError("--seconds is required") }
            guard output != nil else { throw ValidationError("-o/--output is required") }
        } else {
            guard prompt == nil, output == nil else { throw ValidationError("--batch takes its prompts from the file and writes to --out-dir; drop the prompt and -o") }
            guard outDir != nil else { throw ValidationError("--batch needs --out-dir") }
        }
        if let prompt, prompt.contains("\u{FFFD}") { throw ValidationError("the prompt is not valid UTF-8") }
        try AudioOutputOptions.checkCombination(container: AudioOutputOptions.container(format: format, output: output), bitDepth: bitDepth)
        if let loudness, !(loudness.isFinite && loudness < 0 && loudness > -70) { throw ValidationError("--loudness must be between -70 and 0 LUFS") }
        try checkFades(fitIn: seconds)
        _ = try parsedInterval()
    }

    /// Fails when a fade is not a number of seconds ≥ 0, or is longer than a clip of `seconds` when that is known
    /// (checked before rendering).
    func checkFades(fitIn seconds: Double?) throws {
        for (name, value) in [("--fade-in", fadeIn), ("--fade-out", fadeOut)] {
            guard value.isFinite && value >= 0 else { throw ValidationError("\(name) must be a number of seconds ≥ 0, got \(value)") }
            if let seconds, value > seconds { throw ValidationError("\(name) \(value) s is longer than the clip (\(seconds) s)") }
        }
    }

    /// `--cfg-interval` as a range; nil when not given (the model's default applies).
    func parsedInterval() throws -> ClosedRange<Double>? {
        guard let cfgInterval else { return nil }
        let parts = cfgInterval.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low <= high else {
            throw ValidationError("--cfg-interval takes LO,HI with LO ≤ HI, e.g. 0.1,1")
        }
        return low...high
    }

    func run() throws {
        try reportingErrors {
            let interrupt = InterruptFlag.install()
            if let output { try OutputDestination.check(output, overwrite: overwrite) }
            let locator = BundledModelLocator.textToAudio
            guard let modelPath = model ?? locator.installedFolder() else {
                throw ValidationError("no default model found (\(locator.relativeFolder)/\(locator.weightsFileName) in the working directory or above the executable): pass -m MODEL_DIR, a stable-audio-tools model folder")
            }
            let pipeline = try TextToAudioPipeline(modelPath: modelPath, textEncoderDirectory: textEncoder)
            if let batch {
                try runBatch(pipeline: pipeline, listPath: batch, interrupt: interrupt)
                return
            }
            let destination = output!
            var configuration = baseConfiguration(prompt: prompt!, seconds: seconds!)
            configuration.seed = seed ?? UInt64.random(in: 0..<(1 << 32))
            try pipeline.validate(configuration)
            FileHandleOutput.standardError("seed \(configuration.seed!)\n")
            let result = try render(pipeline: pipeline, configuration: configuration, interrupt: interrupt)
            try write(result, configuration: configuration, pipeline: pipeline, to: destination)
            FileHandleOutput.standardOutput("\(destination)\n")
        }
    }

    func baseConfiguration(prompt: String, seconds: Double) -> GenerationConfiguration {
        var configuration = GenerationConfiguration(prompt: prompt, seconds: seconds)
        configuration.negativePrompt = negativePrompt
        configuration.steps = steps
        configuration.sampler = sampler
        configuration.schedule = schedule
        configuration.sigmaMin = sigmaMin
        configuration.sigmaMax = sigmaMax
        configuration.rho = rho
        configuration.guidanceScale = cfgScale
        configuration.guidanceRescale = cfgRescale
        configuration.guidanceInterval = try? parsedInterval()
        configuration.initAudioPath = initAudio
        configuration.initNoiseLevel = initNoiseLevel
        configuration.window = window
        configuration.allowContinuation = !noContinuation
        return configuration
    }

    /// Runs the pipeline with the chosen progress display; Ctrl-C or SIGTERM cancels at the next step.
    func render(pipeline: TextToAudioPipeline, configuration: GenerationConfiguration, interrupt: InterruptFlag) throws -> GenerationResult {
        let style: ProgressStyle = progress == .auto ? (isatty(STDERR_FILENO) != 0 ? .bar : .none) : progress
        let display = ProgressDisplay(style: style)
        do {
            let result = try pipeline.generate(configuration) { event in
                display.show(event)
                return !interrupt.isSet
            }
            display.finish()
            for notice in result.notices { FileHandleOutput.standardError("notice: \(notice)\n") }
            return result
        } catch is CancellationError {
            display.finish()
            FileHandleOutput.standardError("stable-audio: interrupted: nothing was written\n")
            throw ExitCode(128 + interrupt.signalNumber)  // 130 for SIGINT, 143 for SIGTERM, as shells report them
        }
    }

    /// Fades and normalizes (each optionally; the loudness is measured after the fades) and writes atomically, with
    /// the prompt, seed and settings in the metadata.
    func write(_ result: GenerationResult, configuration: GenerationConfiguration, pipeline: TextToAudioPipeline, to path: String) throws {
        var audio = try result.audio.fading(inSeconds: fadeIn, outSeconds: fadeOut)
        if let loudness { audio = try Self.normalize(audio, toLoudness: loudness) }
        var settings = Self.settingsDescription(result, configuration: configuration, modelPath: pipeline.modelPath)
        if fadeIn > 0 { settings += "; fade_in=\(fadeIn)" }
        if fadeOut > 0 { settings += "; fade_out=\(fadeOut)" }
        if let loudness { settings += "; loudness=\(loudness)" }
        let fileFormat = AudioOutputOptions.fileFormat(container: AudioOutputOptions.container(format: format, output: path), bitDepth: bitDepth)
        try AudioFile.write(audio, to: path, format: fileFormat,
                            metadata: AudioMetadata(title: configuration.prompt, comment: settings, software: "stable-audio-swift \(StableAudioVersion.string)"))
    }

    static func settingsDescription(_ result: GenerationResult, configuration: GenerationConfiguration, modelPath: String) -> String {
        var fields = ["seed=\(result.seed)", "seconds=\(configuration.seconds)", "steps=\(result.steps)", "sampler=\(result.sampler.rawValue)",
                      "schedule=\(result.schedule.rawValue)", "sigma_min=\(result.sigmaMin)", "sigma_max=\(result.sigmaMax)", "rho=\(result.rho)",
                      "cfg_scale=\(result.guidanceScale)", "cfg_rescale=\(result.guidanceRescale)", "window=\(result.window.rawValue)",
                      "model=\(modelPath)"]
        if let negative = configuration.negativePrompt { fields.append("negative_prompt=\(negative)") }
        if result.guidanceInterval != 0...1 { fields.append("cfg_interval=\(result.guidanceInterval.lowerBound),\(result.guidanceInterval.upperBound)") }
        if let initAudio = configuration.initAudioPath { fields.append("init_audio=\(initAudio)"); fields.append("init_noise_level=\(configuration.initNoiseLevel)") }
        return fields.joined(separator: "; ")
    }

    /// Gain to `target` LUFS integrated (BS.1770-4), reduced if needed so the sample peak stays below 0 dBFS.
    static func normalize(_ audio: AudioBuffer, toLoudness target: Double) throws -> AudioBuffer {
        let channels = (0..<audio.channelCount).map { audio.samples.slice(axis: 0, $0..<($0 + 1)).scalars }
        let measurement = try withExtendedLifetime(channels) {
            try channels.map { $0 }.withUnsafeBufferPointers { try LoudnessMeter.measure(channels: $0, sampleRate: audio.sampleRate) }
        }
        guard let integrated = measurement.integrated else { return audio }  // silent (gated out): leave as is
        var gain = Float(pow(10, (target - integrated) / 20))
        let peak = audio.samples.maximumAbsolute()
        if peak * gain > 0.999 { gain = 0.999 / peak }
        return AudioBuffer(samples: audio.samples * gain, sampleRate: audio.sampleRate)
    }
}

extension Array where Element == [Float] {
    /// Calls `body` with buffer pointers to every inner array.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
        func recurse(_ index: Int, _ collected: [UnsafeBufferPointer<Float>]) throws -> R {
            guard index < count else { return try body(collected) }
            return try self[index].withUnsafeBufferPointer { try recurse(index + 1, collected + [$0]) }
        }
        return try recurse(0, [])
    }
}

extension GenerateCommand {
    /// Renders every item of a batch list into --out-dir and writes manifest.json; failed items are reported and
    /// the rest still render. Exits non-zero when any item failed.
    func runBatch(pipeline: TextToAudioPipeline, listPath: String, interrupt: InterruptFlag) throws {
        let folder = outDir!
        let entries = try BatchList.read(listPath)  // first, so that an unreadable list leaves no empty folder behind
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fileExtension = (format ?? .wav).rawValue
        var records: [[String: Any]] = []
        var failures = 0
        for (index, entry) in entries.enumerated() {
            if interrupt.isSet { break }
            var record: [String: Any] = ["item": index + 1, "line": entry.line]
            do {
                let item = try entry.item.get()
                let path = (folder as NSString).appendingPathComponent("\(item.name ?? String(format: "item-%04d", index + 1)).\(fileExtension)")
                try OutputDestination.check(path, overwrite: overwrite)
                try checkFades(fitIn: item.seconds)
                var configuration = baseConfiguration(prompt: item.prompt, seconds: item.seconds)
                configuration.seed = item.seed ?? seed.map { $0 &+ UInt64(index) } ?? UInt64.random(in: 0..<(1 << 32))
                if let negative = item.negativePrompt { configuration.negativePrompt = negative }
                if let scale = item.guidanceScale { configuration.guidanceScale = scale }
                if let steps = item.steps { configuration.steps = steps }
                try pipeline.validate(configuration)
                FileHandleOutput.standardError("[\(index + 1)/\(entries.count)] seed \(configuration.seed!): \(item.prompt)\n")
                let result = try render(pipeline: pipeline, configuration: configuration, interrupt: interrupt)
                try write(result, configuration: configuration, pipeline: pipeline, to: path)
                record.merge(["status": "ok", "file": path, "prompt": item.prompt, "seconds": item.seconds, "frames": result.audio.frameCount,
                              "seed": result.seed, "steps": result.steps, "sampler": result.sampler.rawValue, "schedule": result.schedule.rawValue,
                              "sigma_min": result.sigmaMin, "sigma_max": result.sigmaMax, "rho": result.rho,
                              "cfg_scale": Double(result.guidanceScale), "cfg_rescale": Double(result.guidanceRescale),
                              "cfg_interval": [result.guidanceInterval.lowerBound, result.guidanceInterval.upperBound],
                              "window": result.window.rawValue, "latent_frames": result.latentFrames,
                              "negative_prompt": configuration.negativePrompt ?? NSNull(), "timings": result.timings,
                              "notices": result.notices]) { $1 }
            } catch {
                failures += 1
                record["status"] = "failed"
                record["error"] = "\(error)"
                FileHandleOutput.standardError("stable-audio: item \(index + 1) (line \(entry.line)) failed: \(error)\n")
            }
            records.append(record)
        }
        let manifest: [String: Any] = ["model": pipeline.modelPath, "model_files": pipeline.modelIdentity, "software": "stable-audio-swift \(StableAudioVersion.string)",
                                       "list": listPath, "items": records, "failed": failures, "interrupted": interrupt.isSet]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write([UInt8](data), to: (folder as NSString).appendingPathComponent("manifest.json"))
        FileHandleOutput.standardOutput("\((folder as NSString).appendingPathComponent("manifest.json"))\n")
        if interrupt.isSet { throw ValidationError("interrupted after \(records.count) item(s); the manifest lists what was written") }
        if failures > 0 { throw ValidationError("\(failures) of \(entries.count) item(s) failed; see manifest.json") }
    }
}
