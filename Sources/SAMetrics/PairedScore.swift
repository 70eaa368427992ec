import SAAudio

/// Paired (reconstruction / regression) metrics of one channel, or their mean over channels.
public struct PairedChannelMetrics: Codable, Sendable, Equatable {
    /// auraloss default multi-resolution STFT distance (lower is better).
    public var multiResolutionSTFT: Double?
    /// DAC-style two-scale mel distance (lower is better).
    public var melDistance: Double?
    /// Log-spectral distance in bels (ssr_eval definition).
    public var logSpectralDistance: Double?
    /// The same in dB (10 × bels).
    public var logSpectralDistanceDecibels: Double?
    /// Zero-mean SI-SDR in dB (higher is better).
    public var scaleInvariantSDR: Double?

    public init(multiResolutionSTFT: Double? = nil, melDistance: Double? = nil, logSpectralDistance: Double? = nil,
                logSpectralDistanceDecibels: Double? = nil, scaleInvariantSDR: Double? = nil) {
        self.multiResolutionSTFT = multiResolutionSTFT
        self.melDistance = melDistance
        self.logSpectralDistance = logSpectralDistance
        self.logSpectralDistanceDecibels = logSpectralDistanceDecibels
        self.scaleInvariantSDR = scaleInvariantSDR
    }
}

/// Paired metrics of a file against its reference (suite B).
public struct PairedScore: Codable, Sendable, Equatable {
    public var referencePath: String
    /// Why the pair could not be compared; nil when it was.
    public var error: String?
    /// Frames compared (the shorter of the two).
    public var comparedFrames: Int?
    public var estimateFrames: Int?
    public var referenceFrames: Int?
    public var channels: [PairedChannelMetrics]
    /// Arithmetic mean over channels of each metric.
    public var mean: PairedChannelMetrics?

    public init(referencePath: String, error: String? = nil) {
        self.referencePath = referencePath
        self.error = error
        self.channels = []
    }
}

/// The fixed parameters of suite B; recorded in reports.
public struct PairedParameters: Codable, Sendable, Equatable {
    public var alignment = "time-aligned from the first sample, cut to the shorter length; equal sample rates and channel counts required (no resampling)"
    public var multiResolutionSTFT = "auraloss MultiResolutionSTFTLoss defaults: fft [1024, 2048, 512], hop [120, 240, 50], win [600, 1200, 240], periodic Hann, reflect-centred, SC + log-mag L1, mean over resolutions; per channel"
    public var melDistance = "DAC MelSpectrogramLoss defaults: windows [2048, 512], hop win/4, mels [150, 80] Slaney 0–fs/2 on magnitude, log10(max(M,1e-5)²) L1 + magnitude L1, summed over scales; per channel"
    public var logSpectralDistance = "ssr_eval formula, bels (dB = ×10): n_fft ⌊2048·fs/44100⌋, hop ⌊fs/100⌋, Hann, zero-padded centre; no preprocessing"
    public var scaleInvariantSDR = "zero-mean, Float64, no epsilon: 10·log10(‖αs‖²/‖αs−ŝ‖²), α = ⟨ŝ,s⟩/‖s‖²"
    public init() {}
}

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
