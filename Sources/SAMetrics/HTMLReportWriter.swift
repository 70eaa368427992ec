import Foundation
import SATensor

/// Renders a `ScoreReport` as one self-contained HTML page: a log-mel spectrogram PNG per input file (embedded as a
/// data URI), the per-file and paired tables, the set comparison with histograms (inline SVG) of every per-file
/// descriptor for the generated and reference sets, and every parameter.
public enum HTMLReportWriter {
    public static func render(_ report: ScoreReport) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>stable-audio score report</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
        table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
        th{background:#f3f3f3}td.name{text-align:left;font-family:monospace}
        .error{color:#b00020}.note{color:#666;font-size:12px}.card{margin:1em 0;padding:.5em;border:1px solid #ddd}
        .card img{max-width:100%;image-rendering:pixelated;display:block}.hist{display:inline-block;margin:6px}
        pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto}
        </style></head><body>
        <h1>stable-audio score</h1>
        <p class="note">metrics v\(escape(report.tool.metricsVersion)) · \(escape(report.tool.fftw)) · \(escape(report.tool.libsndfile))</p>

        """
        if !report.files.isEmpty {
            html += "<h2>Files</h2>\n" + fileTable(report.files)
            if report.files.contains(where: { $0.paired != nil }) { html += "<h2>Paired metrics</h2>\n" + pairedTable(report.files) }
            html += "<h2>Spectrograms</h2>\n<p class=\"note\">128-band log-mel (n_fft 2048, hop 512), 80 dB range, low frequencies at the bottom; left channel above right.</p>\n"
            for file in report.files {
                html += "<div class=\"card\"><div class=\"name\"><code>\(escape(file.path))</code></div>"
                if let image = report.spectrogramImages[file.path] {
                    html += "<img alt=\"log-mel spectrogram of \(escape(file.path))\" src=\"data:image/png;base64,\(Data(image).base64EncodedString())\">"
                } else if let error = file.error {
                    html += "<div class=\"error\">\(escape(error))</div>"
                }
                html += "</div>\n"
            }
        }
        if let set = report.set { html += setSection(set) }
        if let classes = report.classDistribution {
            html += """
            <h2>Class distributions</h2>
            <p>Provided class probabilities, \(classes.rowCount) rows × \(classes.classCount) classes, rows paired by order.</p>
            <table><tr><th>KL(ref‖gen), ε on gen (audiocraft / audioldm_eval direction)</th><td>\(number(classes.referenceToGenerated, 6))</td></tr>
            <tr><th>KL(gen‖ref), ε on ref (stable-audio-metrics direction)</th><td>\(number(classes.generatedToReference, 6))</td></tr></table>

            """
        }
        if let audioText = report.audioText { html += audioTextSection(audioText) }
        for error in report.errors { html += "<p class=\"error\">\(escape(error))</p>\n" }
        html += "<h2>Parameters</h2>\n<details><summary>every metric's parameters</summary><pre>\(escape(parametersText(report)))</pre></details>\n"
        html += "</body></html>\n"
        return html
    }

    static func audioTextSection(_ score: AudioTextScore) -> String {
        var html = "<h2>sfx-clap-mini (learned metrics)</h2>\n<p>\(escape(score.model.name))\(score.model.step.map { ", step \($0)" } ?? ""), <code>\(escape(score.model.path))</code>.</p>\n"
        if !score.files.isEmpty {
            html += "<table><tr><th>file</th><th>group</th><th>sfx_clap_mini_family</th><th>probability</th><th>sfx_clap_mini_text_audio_cosine</th><th>prompt</th></tr>\n"
            for file in score.files {
                if let error = file.error, file.family == nil {
                    html += "<tr><td>\(escape(file.path))</td><td>\(file.group)</td><td colspan=\"4\" class=\"error\">\(escape(error))</td></tr>\n"
                    continue
                }
                html += "<tr><td>\(escape(file.path))</td><td>\(file.group)</td><td>\(escape(file.family ?? "–"))</td><td>\(number(file.familyProbability, 3))</td><td>\(number(file.textAudioCosine, 4))</td><td>\(escape(file.prompt ?? ""))</td></tr>\n"
            }
            html += "</table>\n"
        }
        if let set = score.set {
            html += "<table><tr><th>sfx_clap_mini_frechet_distance</th><td>\(number(set.frechetDistance, 4))</td></tr>"
            html += "<tr><th>sfx_clap_mini_kl (KL(ref‖gen), ε on gen, \(set.pairedFileCount) pairs by name)</th><td>\(number(set.kl, 4))</td></tr>"
            html += "<tr><th>KL(gen‖ref), ε on ref</th><td>\(number(set.klGeneratedToReference, 4))</td></tr></table>\n"
            for note in set.notes { html += "<p class=\"note\">\(escape(note))</p>\n" }
            for error in set.errors { html += "<p class=\"error\">\(escape(error))</p>\n" }
        }
        for error in score.errors { html += "<p class=\"error\">\(escape(error))</p>\n" }
        return html
    }

    public static func write(_ report: ScoreReport, to path: String) throws {
        try AtomicFile.write(Array(render(report).utf8), to: path)
    }

    static func parametersText(_ report: ScoreReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report.parameters), let text = String(data: data, encoding: .utf8) else { return "" }
        return text
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    static func number(_ value: Double?, _ decimals: Int = 2) -> String {
        guard let value else { return "–" }
        return fixed(value, decimals: decimals)
    }

    static func fileTable(_ files: [FileScore]) -> String {
        let headers = ["file", "dur s", "LUFS", "M max", "S max", "LRA", "dBTP", "sample pk", "clip runs", "NaN/Inf", "silence %",
                       "lead s", "trail s", "centroid Hz", "roll-off Hz", ">16 kHz %", "BW Hz", "ICC", "S/M dB", "balance LU", "mono LU"]
        var html = "<table><tr>" + headers.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for file in files {
            html += "<tr><td class=\"name\">\(escape(file.path))</td>"
            if let error = file.error, file.level == nil {
                html += "<td colspan=\"\(headers.count - 1)\" class=\"error\" style=\"text-align:left\">\(escape(error))</td></tr>\n"
                continue
            }
            let cells: [String] = [
                number(file.duration, 2), number(file.level?.integratedLoudness), number(file.level?.momentaryMaximum),
                number(file.level?.shortTermMaximum), number(file.level?.loudnessRange), number(file.level?.truePeak),
                number(file.level?.samplePeak), file.hygiene.map { String($0.clippedRunCount) } ?? "–",
                file.hygiene.map { String($0.nonFiniteCount) } ?? "–", number(file.hygiene?.silenceRatio.map { $0 * 100 }, 1),
                number(file.hygiene?.leadingSilence, 3), number(file.hygiene?.trailingSilence, 3),
                number(file.spectrum?.centroid, 0), number(file.spectrum?.rollOff, 0),
                number(file.spectrum?.highFrequencyEnergyRatio.map { $0 * 100 }, 3), number(file.spectrum?.effectiveBandwidth, 0),
                number(file.stereo?.correlation, 3), number(file.stereo?.sideToMidRatio), number(file.stereo?.balance),
                number(file.stereo?.monoCompatibilityLoss),
            ]
            html += cells.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
            if let error = file.error {
                html += "<tr><td></td><td colspan=\"\(headers.count - 1)\" class=\"error\" style=\"text-align:left\">\(escape(error))</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }

    static func pairedTable(_ files: [FileScore]) -> String {
        var html = "<table><tr><th>file</th><th>channel</th><th>MR-STFT</th><th>mel distance</th><th>LSD (bels)</th><th>LSD (dB)</th><th>SI-SDR (dB)</th><th>reference</th></tr>\n"
        for file in files {
            guard let paired = file.paired else { continue }
            if let error = paired.error {
                html += "<tr><td class=\"name\">\(escape(file.path))</td><td colspan=\"7\" class=\"error\" style=\"text-align:left\">\(escape(error))</td></tr>\n"
                continue
            }
            var rows = paired.channels.enumerated().map { ("ch \($0.offset + 1)", $0.element) }
            if let mean = paired.mean { rows.append(("mean", mean)) }
            for (label, metrics) in rows {
                html += "<tr><td class=\"name\">\(escape(file.path))</td><td>\(label)</td><td>\(number(metrics.multiResolutionSTFT, 4))</td>"
                html += "<td>\(number(metrics.melDistance, 4))</td><td>\(number(metrics.logSpectralDistance, 4))</td>"
                html += "<td>\(number(metrics.logSpectralDistanceDecibels, 3))</td><td>\(number(metrics.scaleInvariantSDR, 2))</td>"
                html += "<td class=\"name\">\(escape(paired.referencePath))</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }

    static func setSection(_ set: SetScore) -> String {
        var html = "<h2>Set comparison</h2>\n<p><code>\(escape(set.generatedPath))</code> (generated) vs <code>\(escape(set.referencePath))</code> (reference): \(escape(set.kind)).</p>\n"
        html += "<p class=\"note\">\(escape(set.featureDescription))</p>\n<table>"
        func row(_ label: String, _ value: String) { html += "<tr><th style=\"text-align:left\">\(escape(label))</th><td>\(value)</td></tr>" }
        row("files (generated / reference)", "\(set.generatedFileCount) / \(set.referenceFileCount)")
        row("feature rows (generated / reference), dimension", "\(set.generatedRowCount) / \(set.referenceRowCount), \(set.dimension)")
        row(set.frechetLabel, number(set.frechetDistance, 4))
        if let interval = set.bootstrap {
            row("\(set.frechetLabel) bootstrap 95% percentile interval", "[\(number(interval.lower, 4)), \(number(interval.upper, 4))] (\(interval.replicateCount) resamples of \(interval.resampledUnit), seed \(interval.seed); replicate mean \(number(interval.replicateMean, 4)))")
            row("\(set.frechetLabel) bias-corrected (basic) bootstrap interval", "[\(number(interval.basicLower, 4)), \(number(interval.basicUpper, 4))] (resampling repeats \(interval.resampledUnit), which raises FD)")
        }
        if let infinity = set.frechetInfinity {
            row("\(set.frechetLabel)-∞ (slope, R²)", "\(number(infinity.intercept, 4)) (\(number(infinity.slope, 2)), \(number(infinity.rSquared, 3)))")
        }
        if let kernel = set.kernelDistance {
            row(set.kind == "audio" ? "KID-mel" : "KID (provided embeddings)",
                "\(number(kernel.mean, 6)) ± \(number(kernel.standardDeviation, 6)) (\(kernel.subsetCount) × \(kernel.subsetSize))")
        }
        for distance in set.descriptorDistances {
            row("W₁ \(distance.name) (\(distance.unit))", "\(number(distance.wasserstein, 4)) (n = \(distance.generatedCount) / \(distance.referenceCount))")
        }
        html += "</table>\n"
        if set.kind == "audio" {
            html += "<p class=\"note\">FD-mel and KID-mel are model-free statistics of log-mel envelopes; they are not a FAD of any learned encoder and are not comparable with published FAD numbers.</p>\n"
            html += "<h3>Per-file descriptor distributions</h3>\n<p class=\"note\"><span style=\"color:#1f77b4\">■</span> generated <span style=\"color:#ff7f0e\">■</span> reference</p>\n"
            for descriptor in SetScore.descriptors {
                let generated = set.generatedFiles.filter { $0.error == nil }.compactMap(descriptor.value)
                let reference = set.referenceFiles.filter { $0.error == nil }.compactMap(descriptor.value)
                html += histogram(title: "\(descriptor.name) (\(descriptor.unit))", generated: generated, reference: reference)
            }
        }
        for error in set.errors { html += "<p class=\"error\">\(escape(error))</p>\n" }
        return html
    }

    /// An inline SVG with two overlaid 20-bin histograms (normalised to each set's count).
    static func histogram(title: String, generated: [Double], reference: [Double]) -> String {
        let width = 360.0, height = 150.0, plotTop = 20.0, plotBottom = 125.0
        let all = generated + reference
        guard let low = all.min(), let high = all.max() else {
            return "<div class=\"hist\"><svg width=\"\(Int(width))\" height=\"40\"><text x=\"4\" y=\"14\" font-size=\"12\">\(escape(title)): no values</text></svg></div>\n"
        }
        let binCount = 20
        let span = high > low ? high - low : 1
        func counts(_ values: [Double]) -> [Double] {
            var bins = [Double](repeating: 0, count: binCount)
            for value in values { bins[Swift.min(binCount - 1, Int((value - low) / span * Double(binCount)))] += 1 }
            return bins.map { values.isEmpty ? 0 : $0 / Double(values.count) }
        }
        let g = counts(generated), r = counts(reference)
        let peak = Swift.max(g.max() ?? 0, r.max() ?? 0, 1e-12)
        let barWidth = (width - 20) / Double(binCount)
        var svg = "<div class=\"hist\"><svg width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<text x=\"10\" y=\"14\" font-size=\"12\">\(escape(title))</text>"
        for (values, color, shift) in [(g, "#1f77b4", 0.0), (r, "#ff7f0e", barWidth / 2)] {
            for (bin, fraction) in values.enumerated() where fraction > 0 {
                let barHeight = fraction / peak * (plotBottom - plotTop)
                let x = 10 + Double(bin) * barWidth + shift
                svg += "<rect x=\"\(fixed(x, decimals: 1))\" y=\"\(fixed(plotBottom - barHeight, decimals: 1))\" width=\"\(fixed(barWidth / 2, decimals: 1))\" height=\"\(fixed(barHeight, decimals: 1))\" fill=\"\(color)\" fill-opacity=\"0.8\"/>"
            }
        }
        svg += "<line x1=\"10\" y1=\"\(plotBottom)\" x2=\"\(width - 10)\" y2=\"\(plotBottom)\" stroke=\"#444\"/>"
        svg += "<text x=\"10\" y=\"142\" font-size=\"11\">\(fixed(low, decimals: 2))</text>"
        svg += "<text x=\"\(width - 10)\" y=\"142\" font-size=\"11\" text-anchor=\"end\">\(fixed(high, decimals: 2))</text>"
        svg += "<text x=\"\(width / 2)\" y=\"142\" font-size=\"11\" text-anchor=\"middle\">n = \(generated.count) / \(reference.count)</text>"
        return svg + "</svg></div>\n"
    }
}
