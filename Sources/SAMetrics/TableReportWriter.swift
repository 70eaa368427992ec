/// Renders a `ScoreReport` as a human-readable plain-text table (the CLI's default output).
public enum TableReportWriter {
    public static func render(_ report: ScoreReport) -> String {
        var lines: [String] = []
        lines.append("stable-audio score — metrics v\(report.tool.metricsVersion) (\(report.tool.fftw), \(report.tool.libsndfile))")
        if !report.files.isEmpty {
            lines.append("")
            lines += fileTable(report.files)
            let paired = report.files.filter { $0.paired != nil }
            if !paired.isEmpty {
                lines.append("")
                lines += pairedTable(paired)
            }
        }
        if let set = report.set {
            lines.append("")
            lines += setSummary(set)
        }
        if let classes = report.classDistribution {
            lines.append("")
            lines.append("class distributions (provided probabilities, \(classes.rowCount) rows × \(classes.classCount) classes, rows paired by order):")
            lines.append("  KL(ref‖gen) = \(fixed(classes.referenceToGenerated, decimals: 4))   (audiocraft / audioldm_eval direction, ε = 1e-6 on gen)")
            lines.append("  KL(gen‖ref) = \(fixed(classes.generatedToReference, decimals: 4))   (stable-audio-metrics direction, ε = 1e-6 on ref)")
        }
        if let audioText = report.audioText {
            lines.append("")
            lines += audioTextSummary(audioText)
        }
        for error in report.errors { lines.append("error: \(error)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func audioTextSummary(_ score: AudioTextScore) -> [String] {
        let step = score.model.step.map { ", step \($0)" } ?? ""
        var lines = ["\(score.model.name)\(step), \(score.model.path):"]
        // Inputs, and set files with a prompt or a problem; the other set files are in the JSON/CSV/HTML reports.
        let shown = score.files.filter { $0.group == "input" || $0.prompt != nil || $0.error != nil }
        if !shown.isEmpty {
            let nameWidth = Swift.min(48, Swift.max(4, shown.map { $0.path.count }.max() ?? 4))
            let familyWidth = Swift.max(6, shown.compactMap { $0.family?.count }.max() ?? 6)
            lines.append(pad("file", nameWidth, left: true) + "  " + pad("group", 9, left: true) + "  " + pad("family", familyWidth, left: true)
                         + "  " + pad("p", 5) + "  " + pad("cosine", 7) + "  prompt")
            for file in shown {
                var name = file.path
                if name.count > nameWidth { name = "…" + name.suffix(nameWidth - 1) }
                var line = pad(name, nameWidth, left: true) + "  " + pad(file.group, 9, left: true) + "  "
                if let error = file.error, file.family == nil {
                    lines.append(line + "error: \(error)")
                    continue
                }
                line += pad(file.family ?? "–", familyWidth, left: true) + "  " + pad(cell(file.familyProbability, 2), 5) + "  "
                    + pad(cell(file.textAudioCosine, 4), 7)
                if let prompt = file.prompt { line += "  " + (prompt.count > 60 ? String(prompt.prefix(59)) + "…" : prompt) }
                lines.append(line)
                if let error = file.error { lines.append(String(repeating: " ", count: nameWidth) + "  error: \(error)") }
            }
            lines.append("family/p: predicted family and its probability; cosine: sfx_clap_mini_text_audio_cosine of the file and its prompt.")
        }
        if shown.count < score.files.count {
            lines.append("(\(score.files.count - shown.count) more set files without a prompt: their families are in the JSON, CSV and HTML reports)")
        }
        if let set = score.set {
            lines.append("set comparison on sfx-clap-mini audio embeddings: \(set.generatedPath) (generated, \(set.generatedFileCount) files) vs \(set.referencePath) (reference, \(set.referenceFileCount) files)")
            lines.append("  sfx_clap_mini_frechet_distance = \(cell(set.frechetDistance, 4))")
            lines.append("  sfx_clap_mini_kl = \(cell(set.kl, 4))   (KL(ref‖gen) of family distributions, ε = 1e-6 on gen, mean over \(set.pairedFileCount) pairs by file name); KL(gen‖ref) = \(cell(set.klGeneratedToReference, 4))")
            if !set.unpairedFiles.isEmpty { lines.append("  \(set.unpairedFiles.count) generated file(s) without a reference of the same name (left out of the KL)") }
            for note in set.notes { lines.append("  note: \(note)") }
            for error in set.errors { lines.append("  error: \(error)") }
        }
        for error in score.errors { lines.append("error: \(error)") }
        return lines
    }

    static func cell(_ value: Double?, _ decimals: Int = 1) -> String {
        guard let value else { return "–" }
        return fixed(value, decimals: decimals)
    }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text }
        let padding = String(repeating: " ", count: width - count)
        return left ? text + padding : padding + text
    }

    static func fileName(_ path: String) -> String { path }

    static func fileTable(_ files: [FileScore]) -> [String] {
        let columns: [(String, Int, (FileScore) -> String)] = [
            ("dur s", 7, { cell($0.duration, 1) }),
            ("LUFS", 6, { cell($0.level?.integratedLoudness) }),
            ("M max", 6, { cell($0.level?.momentaryMaximum) }),
            ("S max", 6, { cell($0.level?.shortTermMaximum) }),
            ("LRA", 5, { cell($0.level?.loudnessRange) }),
            ("dBTP", 6, { cell($0.level?.truePeak, 2) }),
            ("clip", 5, { $0.hygiene.map { String($0.clippedRunCount) } ?? "–" }),
            ("sil %", 6, { cell($0.hygiene?.silenceRatio.map { $0 * 100 }) }),
            ("BW kHz", 7, { cell($0.spectrum?.effectiveBandwidth.map { $0 / 1000 }) }),
            (">16k %", 7, { cell($0.spectrum?.highFrequencyEnergyRatio.map { $0 * 100 }, 2) }),
            ("cent Hz", 8, { cell($0.spectrum?.centroid, 0) }),
            ("ICC", 6, { cell($0.stereo?.correlation, 2) }),
            ("S/M dB", 7, { cell($0.stereo?.sideToMidRatio) }),
            ("mono LU", 8, { cell($0.stereo?.monoCompatibilityLoss, 2) }),
        ]
        let nameWidth = Swift.min(48, Swift.max(4, files.map { $0.path.count }.max() ?? 4))
        var lines = [pad("file", nameWidth, left: true) + columns.map { "  " + pad($0.0, $0.1) }.joined()]
        for file in files {
            var name = file.path
            if name.count > nameWidth { name = "…" + name.suffix(nameWidth - 1) }
            if let error = file.error, file.level == nil {
                lines.append(pad(name, nameWidth, left: true) + "  error: \(error)")
                continue
            }
            lines.append(pad(name, nameWidth, left: true) + columns.map { "  " + pad($0.2(file), $0.1) }.joined())
            if let error = file.error { lines.append(String(repeating: " ", count: nameWidth) + "  error: \(error)") }
            for warning in file.warnings { lines.append(String(repeating: " ", count: nameWidth) + "  note: \(warning)") }
        }
        lines.append("LUFS: BS.1770-4 integrated; M/S max: momentary/short-term maxima; LRA: EBU 3342; dBTP: 4× true peak; clip: runs ≥ 3 at |x| ≥ 0.9999;")
        lines.append("sil: 400 ms blocks ≤ −70 LUFS; BW: effective bandwidth (−60 dB re 1–4 kHz); >16k: energy share above 16 kHz; ICC: L/R correlation;")
        lines.append("S/M: side/mid energy; mono LU: loudness of (L+R)/2 on both channels − stereo loudness.")
        return lines
    }

    static func pairedTable(_ files: [FileScore]) -> [String] {
        let nameWidth = Swift.min(48, Swift.max(4, files.map { $0.path.count }.max() ?? 4))
        let headers = [("MR-STFT", 8), ("mel", 8), ("LSD B", 7), ("LSD dB", 7), ("SI-SDR dB", 10)]
        var lines = ["paired metrics against --reference (mean over channels):",
                     pad("file", nameWidth, left: true) + headers.map { "  " + pad($0.0, $0.1) }.joined() + "  reference"]
        for file in files {
            guard let paired = file.paired else { continue }
            var name = file.path
            if name.count > nameWidth { name = "…" + name.suffix(nameWidth - 1) }
            if let error = paired.error {
                lines.append(pad(name, nameWidth, left: true) + "  error: \(error)")
                continue
            }
            let mean = paired.mean
            let values = [cell(mean?.multiResolutionSTFT, 4), cell(mean?.melDistance, 4), cell(mean?.logSpectralDistance, 4),
                          cell(mean?.logSpectralDistanceDecibels, 3), cell(mean?.scaleInvariantSDR, 2)]
            lines.append(pad(name, nameWidth, left: true) + zip(values, headers).map { "  " + pad($0.0, $0.1.1) }.joined() + "  " + paired.referencePath)
        }
        lines.append("MR-STFT: auraloss defaults; mel: DAC mel distance; LSD in bels (ssr_eval) and dB (×10); SI-SDR zero-mean. Per-channel values are in the JSON/CSV.")
        return lines
    }

    static func setSummary(_ set: SetScore) -> [String] {
        var lines = ["set comparison: \(set.generatedPath) (generated) vs \(set.referencePath) (reference), \(set.kind)"]
        if set.kind == "audio" {
            lines.append("  files: \(set.generatedFileCount) generated, \(set.referenceFileCount) reference; feature rows \(set.generatedRowCount) / \(set.referenceRowCount), \(set.dimension)-d")
            lines.append("  features: \(set.featureDescription)")
        } else {
            lines.append("  rows: \(set.generatedRowCount) generated, \(set.referenceRowCount) reference, \(set.dimension)-d")
        }
        if let distance = set.frechetDistance {
            var text = "  \(set.frechetLabel) = \(fixed(distance, decimals: 4))"
            lines.append(text)
            if let interval = set.bootstrap {
                lines.append("    bootstrap over \(interval.resampledUnit) (\(interval.replicateCount) resamples, seed \(interval.seed)): 95% percentile interval [\(fixed(interval.lower, decimals: 4)), \(fixed(interval.upper, decimals: 4))], replicate mean \(fixed(interval.replicateMean, decimals: 4));")
                lines.append("    bias-corrected (basic) interval [\(fixed(interval.basicLower, decimals: 4)), \(fixed(interval.basicUpper, decimals: 4))] — resampling repeats \(interval.resampledUnit), which raises FD")
            }
        }
        if let infinity = set.frechetInfinity {
            lines.append("  \(set.frechetLabel)-∞ = \(fixed(infinity.intercept, decimals: 4))   (slope \(fixed(infinity.slope, decimals: 2)), R² \(fixed(infinity.rSquared, decimals: 3)), seed \(infinity.seed))")
        }
        if let kernel = set.kernelDistance {
            let label = set.kind == "audio" ? "KID-mel" : "KID (provided embeddings)"
            lines.append("  \(label) = \(fixed(kernel.mean, decimals: 6)) ± \(fixed(kernel.standardDeviation, decimals: 6))   (\(kernel.subsetCount) subsets of \(kernel.subsetSize), seed \(kernel.seed))")
        }
        if set.kind == "audio" {
            lines.append("  (model-free: FD-mel/KID-mel compare log-mel envelope statistics; they are not a FAD of any learned encoder)")
            let distances = set.descriptorDistances.map { "\($0.name) \(cell($0.wasserstein, 3)) \($0.unit)" }
            if !distances.isEmpty { lines.append("  Wasserstein-1 of per-file descriptors: " + distances.joined(separator: ", ")) }
        }
        for error in set.errors { lines.append("  error: \(error)") }
        return lines
    }
}
