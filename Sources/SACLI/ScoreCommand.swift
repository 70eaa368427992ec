import ArgumentParser
import SAMetrics

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
        your own embeddings. Nothing is resampled; files at other rates are rejected with a message. Files that \
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
    }

    func run() throws {
        var request = ScoreRequest(inputs: paths, reference: reference, generatedSet: generatedSet, referenceSet: referenceSet,
                                   generatedClassProbabilities: classProbabilities,
                                   referenceClassProbabilities: referenceClassProbabilities,
                                   bootstrapReplicates: bootstrapReplicates, seed: seed, spectrogramImages: html != nil)
        if let jobs { request.workerCount = jobs }
        var failed = 0
        try reportingErrors {
            let report = try MetricsScorer.score(request)
            if !quiet { FileHandleOutput.standardOutput(TableReportWriter.render(report)) }
            if let json { try JSONReportWriter.write(report, to: json) }
            if let csv { try CSVReportWriter.write(report, to: csv) }
            if let html { try HTMLReportWriter.write(report, to: html) }
            failed = report.failedFiles.count + report.errors.count
        }
        if failed > 0 {
            FileHandleOutput.standardError("stable-audio score: \(failed) file(s) or inputs could not be fully scored; see their error entries\n")
            if strict { throw ExitCode(1) }
        }
    }
}
