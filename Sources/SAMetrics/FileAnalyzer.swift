import SAAudio
#if canImport(Glibc)
import Glibc
#endif

/// Scores one decoded file with suite A (level, loudness, hygiene, spectrum, stereo).
///
/// Problems that make the metrics meaningless are reported in `FileScore.error` and leave the affected metrics nil:
/// no frames; NaN/Inf samples (only the hygiene counts are kept); digital silence; every block under the −70 LUFS gate.
public enum FileAnalyzer {
    public static let parameters = FileAnalysisParameters()

    public static func analyze(_ audio: AudioBuffer, path: String, format: String? = nil) -> FileScore {
        var score = FileScore(path: path)
        score.format = format
        score.sampleRate = audio.sampleRate
        score.channelCount = audio.channelCount
        score.frameCount = audio.frameCount
        score.duration = audio.duration
        let frames = audio.frameCount
        guard frames > 0 else {
            score.error = "empty: the file has no audio frames"
            return score
        }
        let parameters = FileAnalyzer.parameters
        return audio.samples.withUnsafeBufferPointer { all in
            let channels = (0..<audio.channelCount).map { UnsafeBufferPointer(rebasing: all[($0 * frames)..<(($0 + 1) * frames)]) }
            let silenceThreshold = Float(pow(10, parameters.silenceThresholdDecibels / 20))
            let statistics = channels.map {
                ChannelStatistics($0, clipThreshold: parameters.clipThreshold, minimumClipRun: parameters.minimumClipRun,
                                  silenceThreshold: silenceThreshold)
            }
            let nonFinite = statistics.reduce(0) { $0 + $1.nonFiniteCount }
            let firstAudible = statistics.compactMap(\.firstAudibleIndex).min()
            let lastAudible = statistics.compactMap(\.lastAudibleIndex).max()
            let rate = Double(audio.sampleRate)
            var hygiene = HygieneMetrics(
                nonFiniteCount: nonFinite,
                clippedRunCount: statistics.reduce(0) { $0 + $1.clippedRunCount },
                clippedSampleCount: statistics.reduce(0) { $0 + $1.clippedSampleCount },
                dcOffset: statistics.map { $0.sum / Double(frames) },
                dcOffsetDecibels: statistics.map { $0.sum != 0 ? 20 * log10(Swift.abs($0.sum / Double(frames))) : nil },
                silenceRatio: nil,
                leadingSilence: Double(firstAudible ?? frames) / rate,
                trailingSilence: Double(lastAudible.map { frames - 1 - $0 } ?? frames) / rate)
            if nonFinite > 0 {
                let where_ = statistics.enumerated().compactMap { channel, value in
                    value.firstNonFiniteIndex.map { "channel \(channel + 1) at \(formatSeconds(Double($0) / rate))" }
                }.first ?? ""
                hygiene.dcOffset = []
                hygiene.dcOffsetDecibels = []
                score.hygiene = hygiene
                score.error = "\(nonFinite) NaN/Inf samples (first: \(where_)); level, spectral and stereo metrics skipped"
                return score
            }
            let samplePeak = statistics.map(\.peak).max() ?? 0
            guard samplePeak > 0 else {
                hygiene.silenceRatio = 1
                score.hygiene = hygiene
                score.error = "silent: every sample is zero"
                return score
            }

            var level = LevelMetrics(integratedLoudness: nil, momentaryMaximum: nil, shortTermMaximum: nil, loudnessRange: nil,
                                     truePeak: nil, samplePeak: TruePeakMeter.decibels(samplePeak), channelLoudness: [])
            let truePeak = channels.map { TruePeakMeter.peak(of: $0) }.max() ?? 0
            level.truePeak = TruePeakMeter.decibels(Swift.max(truePeak, samplePeak))

            var loudness: LoudnessMeasurement? = nil
            do {
                let measured = try LoudnessMeter.measure(channels: channels, sampleRate: audio.sampleRate)
                loudness = measured
                level.integratedLoudness = measured.integrated
                level.momentaryMaximum = measured.momentaryMaximum
                level.shortTermMaximum = measured.shortTermMaximum
                level.loudnessRange = measured.loudnessRange
                level.channelLoudness = measured.channelIntegrated
                if measured.blockCount > 0 {
                    hygiene.silenceRatio = Double(measured.silentBlockCount) / Double(measured.blockCount)
                }
                if measured.blockCount == 0 {
                    score.error = "too short: \(formatSeconds(audio.duration)) is less than one 400 ms loudness block"
                } else if measured.integrated == nil {
                    score.error = "silent: every 400 ms block is at or below the −70 LUFS absolute gate (sample peak \(formatDecibels(level.samplePeak)) dBFS)"
                } else if measured.shortTermMaximum == nil {
                    score.warnings.append("shorter than 3 s: no short-term loudness or loudness range")
                }
            } catch {
                score.warnings.append("\(error)")
            }
            score.level = level
            score.hygiene = hygiene

            var spectrum: LongTermSpectrum? = nil
            do {
                let measured = try LongTermSpectrum(channels: channels, sampleRate: audio.sampleRate)
                spectrum = measured
                score.spectrum = SpectralDescriptors(measured)
            } catch {
                score.warnings.append("\(error)")
            }

            if audio.channelCount == 2 {
                var sumLeft = 0.0, sumRight = 0.0, sumProduct = 0.0
                let left = channels[0], right = channels[1]
                var lanes = (SIMD4<Double>(repeating: 0), SIMD4<Double>(repeating: 0), SIMD4<Double>(repeating: 0))
                var index = 0
                while index + 4 <= frames {
                    let l = SIMD4<Double>(Double(left[index]), Double(left[index + 1]), Double(left[index + 2]), Double(left[index + 3]))
                    let r = SIMD4<Double>(Double(right[index]), Double(right[index + 1]), Double(right[index + 2]), Double(right[index + 3]))
                    lanes.0 += l * l
                    lanes.1 += r * r
                    lanes.2 += l * r
                    index += 4
                }
                while index < frames {
                    let l = Double(left[index]), r = Double(right[index])
                    sumLeft += l * l
                    sumRight += r * r
                    sumProduct += l * r
                    index += 1
                }
                sumLeft += lanes.0.sum()
                sumRight += lanes.1.sum()
                sumProduct += lanes.2.sum()
                var stereo = StereoMetrics(
                    correlation: StereoMetrics.correlation(sumLeftSquares: sumLeft, sumRightSquares: sumRight, sumProducts: sumProduct),
                    octaveBandCorrelations: spectrum.map(StereoMetrics.octaveBands) ?? [],
                    sideToMidRatio: StereoMetrics.sideToMidRatio(sumLeftSquares: sumLeft, sumRightSquares: sumRight, sumProducts: sumProduct),
                    balance: nil, monoCompatibilityLoss: nil, negativeCorrelationRatio: nil)
                if let loudness, loudness.channelIntegrated.count == 2,
                   let leftLoudness = loudness.channelIntegrated[0], let rightLoudness = loudness.channelIntegrated[1] {
                    stereo.balance = leftLoudness - rightLoudness
                }
                if let loudness, let stereoLoudness = loudness.integrated, let mono = loudness.monoDownmixIntegrated {
                    stereo.monoCompatibilityLoss = mono - stereoLoudness
                }
                if let spectrum, spectrum.activeSegmentCount > 0 {
                    stereo.negativeCorrelationRatio = Double(spectrum.negativelyCorrelatedSegmentCount) / Double(spectrum.activeSegmentCount)
                }
                score.stereo = stereo
            }
            return score
        }
    }
}

