import SAAudio

/// Compares an estimate with its reference (suite B).
public enum PairedAnalyzer {
    public static let parameters = PairedParameters()

    /// Paired metrics per channel and their mean; the result's `error` says why a pair could not be compared.
    public static func compare(estimate: AudioBuffer, reference: AudioBuffer, referencePath: String) -> PairedScore {
        var score = PairedScore(referencePath: referencePath)
        score.estimateFrames = estimate.frameCount
        score.referenceFrames = reference.frameCount
        guard estimate.sampleRate == reference.sampleRate else {
            score.error = "sample rates differ (\(estimate.sampleRate) Hz vs reference \(reference.sampleRate) Hz); paired metrics need equal rates and nothing is resampled"
            return score
        }
        guard estimate.channelCount == reference.channelCount else {
            score.error = "channel counts differ (\(estimate.channelCount) vs reference \(reference.channelCount))"
            return score
        }
        let frames = Swift.min(estimate.frameCount, reference.frameCount)
        score.comparedFrames = frames
        guard frames > 1024 else {
            score.error = "too short: \(frames) common frames; the paired metrics need more than 1024"
            return score
        }
        let nonFinite = estimate.samples.scalars.contains { !$0.isFinite } || reference.samples.scalars.contains { !$0.isFinite }
        guard !nonFinite else {
            score.error = "NaN/Inf samples in the estimate or the reference"
            return score
        }
        do {
            try estimate.samples.withUnsafeBufferPointer { estimateAll in
                try reference.samples.withUnsafeBufferPointer { referenceAll in
                    for channel in 0..<estimate.channelCount {
                        let e = UnsafeBufferPointer(rebasing: estimateAll[(channel * estimate.frameCount)..<(channel * estimate.frameCount + frames)])
                        let r = UnsafeBufferPointer(rebasing: referenceAll[(channel * reference.frameCount)..<(channel * reference.frameCount + frames)])
                        let lsd = try LogSpectralDistance.distance(estimate: e, reference: r, sampleRate: estimate.sampleRate)
                        score.channels.append(PairedChannelMetrics(
                            multiResolutionSTFT: try MultiResolutionSTFTDistance.distance(estimate: e, reference: r),
                            melDistance: try MelDistance.distance(estimate: e, reference: r, sampleRate: estimate.sampleRate),
                            logSpectralDistance: lsd, logSpectralDistanceDecibels: 10 * lsd,
                            scaleInvariantSDR: ScaleInvariantSDR.ratio(estimate: e, reference: r)))
                    }
                }
            }
        } catch {
            score.error = "\(error)"
            return score
        }
        func mean(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }
            guard present.count == values.count, !present.isEmpty else { return nil }
            return present.reduce(0, +) / Double(present.count)
        }
        score.mean = PairedChannelMetrics(
            multiResolutionSTFT: mean(score.channels.map(\.multiResolutionSTFT)),
            melDistance: mean(score.channels.map(\.melDistance)),
            logSpectralDistance: mean(score.channels.map(\.logSpectralDistance)),
            logSpectralDistanceDecibels: mean(score.channels.map(\.logSpectralDistanceDecibels)),
            scaleInvariantSDR: mean(score.channels.map(\.scaleInvariantSDR)))
        return score
    }
}
