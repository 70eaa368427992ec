import SATensor

/// Writes one CSV row per file (inputs, then generated and reference set files) with suite A and B metrics.
///
/// Numbers keep full precision (Swift's shortest round-trip form); empty cells mean "not defined"; `inf`/`-inf`
/// appear where a metric is infinite. Set-level numbers are in the JSON and HTML reports, not here. The last three
/// columns are sfx-clap-mini's per-file results (empty when the model was not used).
public enum CSVReportWriter {
    static let octaveLabels = ["63", "125", "250", "500", "1k", "2k", "4k", "8k", "16k"]

    public static var header: [String] {
        var columns = ["group", "path", "error", "warnings", "sample_rate", "channels", "duration_s",
                       "integrated_lufs", "momentary_max_lufs", "short_term_max_lufs", "loudness_range_lu", "true_peak_dbtp",
                       "sample_peak_dbfs", "nonfinite_samples", "clipped_runs", "clipped_samples", "dc_offset_max_dbfs",
                       "silence_ratio", "leading_silence_s", "trailing_silence_s",
                       "centroid_hz", "rolloff95_hz", "hf_energy_ratio_16k", "effective_bandwidth_hz",
                       "icc"]
        columns += octaveLabels.map { "icc_\($0)" }
        columns += ["side_mid_db", "balance_lu", "mono_compatibility_lu", "negative_icc_ratio", "reference", "paired_error"]
        for metric in ["mrstft", "mel_distance", "lsd_bels", "lsd_db", "si_sdr_db"] {
            columns += ["\(metric)_mean", "\(metric)_ch1", "\(metric)_ch2"]
        }
        columns += ["sfx_clap_mini_text_audio_cosine", "sfx_clap_mini_family", "sfx_clap_mini_family_probability"]
        return columns
    }

    public static func render(_ report: ScoreReport) -> String {
        var lines = [header.joined(separator: ",")]
        let groups: [(String, [FileScore])] = [("input", report.files), ("generated", report.set?.generatedFiles ?? []),
                                               ("reference", report.set?.referenceFiles ?? [])]
        for (group, files) in groups {
            for file in files {
                let learned = report.audioText?.file(file.path, group: group)
                let cells = row(file, group: group) + [number(learned?.textAudioCosine), learned?.family ?? "", number(learned?.familyProbability)]
                lines.append(cells.map(quoted).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ report: ScoreReport, to path: String) throws {
        try AtomicFile.write(Array(render(report).utf8), to: path)
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }

    static func row(_ file: FileScore, group: String) -> [String] {
        var cells = [group, file.path, file.error ?? "", file.warnings.joined(separator: "; "),
                     file.sampleRate.map(String.init) ?? "", file.channelCount.map(String.init) ?? "", number(file.duration)]
        let level = file.level
        cells += [level?.integratedLoudness, level?.momentaryMaximum, level?.shortTermMaximum, level?.loudnessRange,
                  level?.truePeak, level?.samplePeak].map(number)
        let hygiene = file.hygiene
        cells += [hygiene.map { String($0.nonFiniteCount) } ?? "", hygiene.map { String($0.clippedRunCount) } ?? "",
                  hygiene.map { String($0.clippedSampleCount) } ?? ""]
        cells += [number(hygiene?.dcOffsetDecibels.compactMap { $0 }.max()), number(hygiene?.silenceRatio),
                  number(hygiene?.leadingSilence), number(hygiene?.trailingSilence)]
        let spectrum = file.spectrum
        cells += [spectrum?.centroid, spectrum?.rollOff, spectrum?.highFrequencyEnergyRatio, spectrum?.effectiveBandwidth].map(number)
        let stereo = file.stereo
        cells.append(number(stereo?.correlation))
        for index in 0..<octaveLabels.count {
            let bands = stereo?.octaveBandCorrelations ?? []
            cells.append(number(index < bands.count ? bands[index].correlation : nil))
        }
        cells += [stereo?.sideToMidRatio, stereo?.balance, stereo?.monoCompatibilityLoss, stereo?.negativeCorrelationRatio].map(number)
        let paired = file.paired
        cells += [paired?.referencePath ?? "", paired?.error ?? ""]
        let metrics: [(PairedChannelMetrics) -> Double?] = [\.multiResolutionSTFT, \.melDistance, \.logSpectralDistance,
                                                            \.logSpectralDistanceDecibels, \.scaleInvariantSDR]
        for metric in metrics {
            let channels = paired?.channels ?? []
            cells.append(number(paired?.mean.flatMap(metric)))
            cells.append(number(channels.count > 0 ? metric(channels[0]) : nil))
            cells.append(number(channels.count > 1 ? metric(channels[1]) : nil))
        }
        return cells
    }

    /// RFC 4180 quoting for cells holding commas, quotes or line breaks.
    static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacing("\"", with: "\"\"") + "\""
    }
}
