import ArgumentParser
import SAAudioText
import SAMetrics
import SATensor

/// `stable-audio score`: offline, model-free evaluation of audio files, pairs and sets (a thin layer over SAMetrics).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score audio with bundled, model-free metrics (loudness, true peak, spectrum, stereo, paired and set distances).",
        discussion: """
        Per file (FILES|DIRS): BS.1770-4/EBU R128 loudness (integrated, momentary/short-term maxima, LRA), true peak \
        (4× oversampling), sample peak, clipping, DC offset, silence, NaN/Inf counts, Welch spectral descriptors and \
        stereo descriptors. With --reference: multi-resolution STFT distance, DAC mel distance, log-spectral distance \
        and SI-SDR per channel. With --set and --reference-set (audio directories): FD-mel (a model-free Fréchet \
        distance on log-mel statistics, not a FAD), FD-mel-∞, a bootstrap 95% interval, KID-mel and Wasserstein-1 \
        distances of per-file descriptors; with .npy/.safetensors matrices instead: the same Fréchet/KID metrics on \
        your own embeddings. With sfx-clap-mini, this project's own small audio-text model (models/sfx-clap-mini, or \
        --audio-text-model DIR; not LAION-CLAP): every file's predicted family, sfx_clap_mini_text_audio_cosine for \
        files with a prompt (--prompt or --prompts), and for audio sets sfx_clap_mini_frechet_distance and \
        sfx_clap_mini_kl (family distributions of files paired by name). Nothing is resampled; files at other rates are rejected with a message. Files that \
        cannot be scored (empty, silent, NaN/Inf, truncated) are reported one by one and the rest are still scored.
        """
    )

    @Argument(help: "Audio files or directories (searched recursively) to score.")
    var paths: [String] = []

    @Option(help: "Reference file or directory for paired metrics (pairs by relative path or file name).")
    var reference: String?

    @Option(name: .customLong("set"), help: "Generated set: an audio directory, or a .npy/.safetensors embedding matrix.")
    var generatedSet: String?

    @Option(name: .customLong("reference-set"), help: "Reference set, of the same kind as --set.")
    var referenceSet: String?

    @Option(name: .customLong("class-probabilities"), help: "Generated class probabilities (.npy/.safetensors, N×classes) for KL.")
    var classProbabilities: String?

    @Option(name: .customLong("reference-class-probabilities"), help: "Reference class probabilities, rows paired by order.")
    var referenceClassProbabilities: String?

    @Option(name: .customLong("audio-text-model"),
            help: "sfx-clap-mini model folder (default: models/sfx-clap-mini in the working directory or in the checkout of this executable).")
    var audioTextModel: String?

    @Flag(name: .customLong("no-audio-text-model"), help: "Skip the learned metrics of sfx-clap-mini.")
    var noAudioTextModel = false

    @Option(help: "Prompt of every scored file (and of the generated set): reports sfx_clap_mini_text_audio_cosine.")
    var prompt: String?

    @Option(help: "Prompts per file: JSONL ({\"file\": …, \"prompt\": …} per line) or CSV with columns file,prompt.")
    var prompts: String?

    @Option(help: "Write the full report (every parameter recorded) as JSON.")
    var json: String?

    @Option(help: "Write one CSV row per file.")
    var csv: String?

    @Option(help: "Write an HTML report with a log-mel spectrogram per file and histograms for set comparisons.")
    var html: String?

    @Option(name: .customLong("bootstrap"), help: "Bootstrap resamples for the set-level confidence interval (0 disables).")
    var bootstrapReplicates: Int = 200

    @Option(help: "Seed for FD-∞ resampling, the bootstrap and KID subsets.")
    var seed: UInt64 = 0

    @Option(help: "Files scored in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Do not print the table to standard output.")
    var quiet = false

    @Flag(help: "Exit with status 1 when any file or pair could not be scored.")
    var strict = false

    func validate() throws {
        if paths.isEmpty && generatedSet == nil && classProbabilities == nil {
            throw ValidationError("give FILES|DIRS to score, --set with --reference-set, or --class-probabilities with --reference-class-probabilities")
        }
        if (generatedSet == nil) != (referenceSet == nil) { throw ValidationError("--set and --reference-set go together") }
        if (classProbabilities == nil) != (referenceClassProbabilities == nil) {
            throw ValidationError("--class-probabilities and --reference-class-probabilities go together")
        }
        if reference != nil && paths.isEmpty { throw ValidationError("--reference needs FILES|DIRS to compare with it") }
        if bootstrapReplicates < 0 { throw ValidationError("--bootstrap must be ≥ 0") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
        if prompt != nil && prompts != nil { throw ValidationError("give --prompt or --prompts, not both") }
        if let prompt, prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("--prompt is empty") }
        if noAudioTextModel && (audioTextModel != nil || prompt != nil || prompts != nil) {
            throw ValidationError("--no-audio-text-model cannot be combined with --audio-text-model, --prompt or --prompts")
        }
    }

    func run() throws {
        var request = ScoreRequest(inputs: paths, reference: reference, generatedSet: generatedSet, referenceSet: referenceSet,
                                   generatedClassProbabilities: classProbabilities,
                                   referenceClassProbabilities: referenceClassProbabilities,
                                   bootstrapReplicates: bootstrapReplicates, seed: seed, spectrogramImages: html != nil)
        if let jobs { request.workerCount = jobs }
        var failed = 0
        try reportingErrors {
            // Check the report paths and load the learned model and the prompts first, so that a mistyped folder or a
            // broken model folder fails before any scoring. (Reports replace existing files, as before.)
            for path in [json, csv, html].compactMap({ $0 }) { try AtomicFile.checkWritable(path) }
            let promptList = try prompts.map { try AudioTextPromptList(contentsOf: $0) }
            var model: AudioTextModel? = nil
            if !noAudioTextModel {
                if let folder = audioTextModel ?? BundledModelLocator.audioText.installedFolder() {
                    model = try AudioTextModel(directory: folder)
                } else {
                    FileHandleOutput.standardError("stable-audio score: note: sfx-clap-mini not found (\(BundledModelLocator.audioText.relativeFolder)); learned metrics skipped (give --audio-text-model DIR)\n")
                }
            }
            var report = try MetricsScorer.score(request)
            if let model {
                report.audioText = AudioTextScorer.score(AudioTextScorer.Request(inputs: paths, prompt: prompt, prompts: promptList,
                                                                                 generatedSet: generatedSet, referenceSet: referenceSet),
                                                         model: model)
            }
            if !quiet { FileHandleOutput.standardOutput(TableReportWriter.render(report)) }
            if let json { try JSONReportWriter.write(report, to: json) }
            if let csv { try CSVReportWriter.write(report, to: csv) }
            if let html { try HTMLReportWriter.write(report, to: html) }
            let failedPaths = Set(report.failedFiles.map(\.path))
            failed = report.failedFiles.count + report.errors.count + (report.audioText?.failureCount(excluding: failedPaths) ?? 0)
        }
        if failed > 0 {
            FileHandleOutput.standardError("stable-audio score: \(failed) file(s) or inputs could not be fully scored; see their error entries\n")
            if strict { throw ExitCode(1) }
        }
    }
}
