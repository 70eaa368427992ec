#if canImport(Glibc)
import Glibc
#endif

/// An ITU-R BS.1770-4 / EBU R128 loudness meter for whole files.
///
/// This implementation matches: libebur128 and pyloudnorm `Meter(rate, filter_class='DeMan')` for integrated loudness
/// (block length 4·⌊(fs+5)/10⌋ samples, 100 ms step, incomplete blocks discarded, absolute gate −70 LUFS, relative
/// gate −10 LU), and the EBU Tech 3342 MATLAB reference for loudness range (3 s short-term values every 100 ms, gates
/// −70 LUFS and −20 LU, nearest-rank 10th and 95th percentiles). Tolerances tested: EBU Tech 3341 cases 1–6, 9, 10,
/// 12, 13 and Tech 3342 cases 1–4 at 48 and 44.1 kHz (±0.1 LU / ±1 LU), pyloudnorm DeMan within 0.01 LU.
/// Limitations: pyloudnorm's default filters read about 0.04 LU lower (RBJ biquads, theirs); pyloudnorm's
/// `loudness_range` uses a 0.09 s step, appended silence and linear percentiles, so its LRA differs on short files.
/// Layouts: mono, stereo, 3.0, 5.0 and 5.1 (LFE 4th, excluded); other channel counts, and rates below 8 kHz, are
/// rejected with a message.
public enum LoudnessMeter {
    /// BS.1770 channel weights G_i by channel count.
    public static func channelWeights(channelCount: Int) throws -> [Double] {
        switch channelCount {
        case 1: return [1]
        case 2: return [1, 1]
        case 3: return [1, 1, 1]
        case 5: return [1, 1, 1, 1.41, 1.41]
        case 6: return [1, 1, 1, 0, 1.41, 1.41]
        default:
            throw MetricsError("", "loudness: \(channelCount) channels is not a BS.1770 layout this meter knows (1, 2, 3, 5 or 6 channels)")
        }
    }

    /// `−0.691 + 10·log10(z)`: loudness of a weighted mean square z; nil for z ≤ 0.
    static func loudness(_ energy: Double) -> Double? {
        energy > 0 ? -0.691 + 10 * log10(energy) : nil
    }

    /// Measures `channels` (planar, equal lengths) at `sampleRate`.
    public static func measure(channels: [UnsafeBufferPointer<Float>], sampleRate: Int) throws -> LoudnessMeasurement {
        let channelCount = channels.count
        let weights = try channelWeights(channelCount: channelCount)
        // The K-filter's shelf sits at 1.68 kHz; below 8 kHz the bilinear design is no longer the BS.1770 response.
        guard sampleRate >= 8000 else {
            throw MetricsError("", "loudness: \(sampleRate) Hz is below the 8 kHz this BS.1770 meter supports (nothing is resampled)")
        }
        let frames = channels.first?.count ?? 0
        guard channels.allSatisfy({ $0.count == frames }) else { throw MetricsError("", "loudness: channels differ in length") }
        let filter = KWeightingFilter(sampleRate: sampleRate)

        // ref: libebur128 — 100 ms segments of ⌊(fs+5)/10⌋ samples; a 400 ms block is 4 segments, 3 s is 30.
        let segmentLength = (sampleRate + 5) / 10
        let momentaryWindow = 4 * segmentLength
        let shortTermWindow = 30 * segmentLength
        let segmentCount = frames / segmentLength
        var segmentEnergy = [[Double]](repeating: [Double](repeating: 0, count: segmentCount), count: channelCount)
        var monoSegmentEnergy = [Double](repeating: 0, count: channelCount == 2 ? segmentCount : 0)

        var states = [(BiquadState, BiquadState)](repeating: (BiquadState(), BiquadState()), count: channelCount)
        let chunkLength = 4096
        var filtered = [[Double]](repeating: [Double](repeating: 0, count: chunkLength), count: channelCount)
        var squares = [Double](repeating: 0, count: chunkLength)
        var power = [Double](repeating: 0, count: chunkLength)
        var ring = [Double](repeating: 0, count: shortTermWindow)
        var momentarySum = 0.0, shortTermSum = 0.0
        var momentaryMaximumSum = -Double.infinity, shortTermMaximumSum = -Double.infinity
        var ringIndex = 0  // g mod shortTermWindow
        var momentaryTailIndex = shortTermWindow - momentaryWindow  // (g − momentaryWindow) mod shortTermWindow

        var chunkStart = 0
        while chunkStart < frames {
            let count = Swift.min(chunkLength, frames - chunkStart)
            for index in 0..<count { power[index] = 0 }
            for channel in 0..<channelCount {
                let source = channels[channel]
                var shelfState = states[channel].0, highPassState = states[channel].1
                filtered[channel].withUnsafeMutableBufferPointer { output in
                    for index in 0..<count {
                        let shelved = shelfState.process(Double(source[chunkStart + index]), filter.shelf)
                        output[index] = highPassState.process(shelved, filter.highPass)
                    }
                }
                states[channel] = (shelfState, highPassState)
                let weight = weights[channel]
                filtered[channel].withUnsafeBufferPointer { values in
                    for index in 0..<count {
                        let square = values[index] * values[index]
                        squares[index] = square
                        power[index] += weight * square
                    }
                }
                accumulateSegments(squares, count: count, globalStart: chunkStart, segmentLength: segmentLength, into: &segmentEnergy[channel])
            }
            if channelCount == 2 {
                for index in 0..<count {
                    // mono downmix m = (L + R)/2 (K-filtering is linear, so filter(m) = (filter(L) + filter(R))/2)
                    let mono = 0.5 * (filtered[0][index] + filtered[1][index])
                    squares[index] = mono * mono
                }
                accumulateSegments(squares, count: count, globalStart: chunkStart, segmentLength: segmentLength, into: &monoSegmentEnergy)
            }
            // Sliding sums of Σ_i G_i y_i² over the last 0.4 s and 3 s, one sample at a time.
            power.withUnsafeBufferPointer { powerValues in
                ring.withUnsafeMutableBufferPointer { history in
                    for index in 0..<count {
                        let global = chunkStart + index
                        let value = powerValues[index]
                        momentarySum += value
                        shortTermSum += value
                        if global >= momentaryWindow { momentarySum -= history[momentaryTailIndex] }
                        if global >= shortTermWindow { shortTermSum -= history[ringIndex] }
                        history[ringIndex] = value
                        ringIndex += 1
                        if ringIndex == shortTermWindow { ringIndex = 0 }
                        momentaryTailIndex += 1
                        if momentaryTailIndex == shortTermWindow { momentaryTailIndex = 0 }
                        if global >= momentaryWindow - 1, momentarySum > momentaryMaximumSum { momentaryMaximumSum = momentarySum }
                        if global >= shortTermWindow - 1, shortTermSum > shortTermMaximumSum { shortTermMaximumSum = shortTermSum }
                    }
                }
            }
            chunkStart += count
        }

        // Block energies z_j = Σ_i G_i · (Σ of 4 segments)/blockLength.
        let blockCount = Swift.max(0, segmentCount - 3)
        func windowEnergies(_ segments: [Double], length: Int) -> [Double] {
            let windowCount = Swift.max(0, segments.count - length + 1)
            guard windowCount > 0 else { return [] }
            var result = [Double](repeating: 0, count: windowCount)
            for start in 0..<windowCount {
                var sum = 0.0
                for offset in 0..<length { sum += segments[start + offset] }
                result[start] = sum / Double(length * segmentLength)
            }
            return result
        }
        var weightedSegments = [Double](repeating: 0, count: segmentCount)
        for channel in 0..<channelCount where weights[channel] != 0 {
            for segment in 0..<segmentCount { weightedSegments[segment] += weights[channel] * segmentEnergy[channel][segment] }
        }
        let blockEnergies = windowEnergies(weightedSegments, length: 4)
        let shortTermEnergies = windowEnergies(weightedSegments, length: 30)
        let momentarySeries = blockEnergies.map { loudness($0) ?? -Double.infinity }
        let shortTermSeries = shortTermEnergies.map { loudness($0) ?? -Double.infinity }

        let integrated = gatedLoudness(blockEnergies)
        let channelIntegrated: [Double?] = (0..<channelCount).map { gatedLoudness(windowEnergies(segmentEnergy[$0], length: 4)) }
        let monoDownmix: Double? = channelCount == 2
            ? gatedLoudness(windowEnergies(monoSegmentEnergy, length: 4).map { 2 * $0 }) : nil
        let silentBlocks = momentarySeries.filter { $0 <= -70 }.count
        return LoudnessMeasurement(
            integrated: integrated,
            momentaryMaximum: momentaryMaximumSum.isFinite ? loudness(momentaryMaximumSum / Double(momentaryWindow)) : nil,
            shortTermMaximum: shortTermMaximumSum.isFinite ? loudness(shortTermMaximumSum / Double(shortTermWindow)) : nil,
            loudnessRange: loudnessRange(shortTermSeries),
            channelIntegrated: channelIntegrated, monoDownmixIntegrated: monoDownmix,
            blockCount: blockCount, silentBlockCount: silentBlocks,
            momentarySeries: momentarySeries, shortTermSeries: shortTermSeries)
    }

    private static func accumulateSegments(_ squares: [Double], count: Int, globalStart: Int, segmentLength: Int, into sums: inout [Double]) {
        var index = 0
        while index < count {
            let segment = (globalStart + index) / segmentLength
            let end = Swift.min(count, (segment + 1) * segmentLength - globalStart)
            if segment < sums.count {
                var sum = 0.0
                for position in index..<end { sum += squares[position] }
                sums[segment] += sum
            }
            index = end
        }
    }

    /// BS.1770-4 two-stage gating of block energies z_j (already channel-weighted).
    static func gatedLoudness(_ blockEnergies: [Double]) -> Double? {
        // l_j = −0.691 + 10·log10(z_j); J_a = {j : l_j > −70}
        let absolute = blockEnergies.filter { (loudness($0) ?? -Double.infinity) > -70 }
        guard !absolute.isEmpty else { return nil }
        // Γr = −0.691 + 10·log10(mean_{J_a} z_j) − 10
        guard let relativeGate = loudness(absolute.reduce(0, +) / Double(absolute.count)).map({ $0 - 10 }) else { return nil }
        // I = −0.691 + 10·log10(mean z_j over {l_j > Γa and l_j > Γr})
        let gated = absolute.filter { (loudness($0) ?? -Double.infinity) > relativeGate }
        guard !gated.isEmpty else { return nil }
        return loudness(gated.reduce(0, +) / Double(gated.count))
    }

    /// EBU Tech 3342 loudness range of short-term loudness values (LUFS, 100 ms step).
    static func loudnessRange(_ shortTerm: [Double]) -> Double? {
        // Absolute gate: keep S ≥ −70 LUFS.
        let absolute = shortTerm.filter { $0 >= -70 }
        guard !absolute.isEmpty else { return nil }
        // Relative gate: 10·log10(mean 10^(S/10)) − 20 LU.
        let powerMean = absolute.reduce(0) { $0 + pow(10, $1 / 10) } / Double(absolute.count)
        let relativeGate = 10 * log10(powerMean) - 20
        let kept = absolute.filter { $0 >= relativeGate }.sorted()
        guard !kept.isEmpty else { return nil }
        // Nearest rank: sorted[round((n−1)·p/100)] (0-based).
        func percentile(_ p: Double) -> Double {
            kept[Int((Double(kept.count - 1) * p / 100 + 0.5).rounded(.down))]
        }
        // LRA = P95 − P10
        return percentile(95) - percentile(10)
    }
}
