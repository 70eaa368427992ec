import SAAudio
#if canImport(Glibc)
import Glibc
#endif

/// Model-free frame features for "FD-mel": statistics of a 64-band log-mel spectrogram in 1 s windows.
///
/// Per channel: power mel spectrogram (n_fft 2048, hop ⌊fs/100⌋ = 441 at 44.1 kHz, periodic Hann, centred with zero
/// padding, 64 Slaney bands with Slaney norm over 0…fs/2, power 2), `10·log10(max(S, 1e-10))`; then windows of 100
/// mel frames (1 s) every 50 frames (0.5 s, OpenL3-like framing), and per window the mean and the population
/// standard deviation over time of each band: 128 values. Stereo sets concatenate L‖R (256 values), following
/// stable-audio-metrics' L/R concatenation; a mono file in a stereo set is used for both channels. A file shorter than
/// one window gives one row over all its frames.
/// This implementation matches: the same features computed with `librosa.feature.melspectrogram` +
/// `librosa.power_to_db(top_db=None)`-style flooring in the parity fixture (≤ 1e-4 absolute in dB, Float32 FFT).
/// Limitations: these statistics track the spectral envelope only. A Fréchet distance on them is labelled FD-mel and
/// is not a FAD of any learned encoder; numbers are not comparable with published FAD/FD values.
public enum MelFrameFeatures {
    public static let fftSize = 2048
    public static let melCount = 64
    public static let windowFrames = 100
    public static let hopFrames = 50
    public static let powerFloor: Float = 1e-10

    public static let description = "FD-mel features: 64-band Slaney log-mel (n_fft 2048, hop fs/100, power 2, 10·log10(max(S,1e-10))), 1 s windows every 0.5 s, mean and std per band (128 per channel, L‖R for stereo = 256); model-free, not a learned-embedding FAD"

    /// One feature row per window: `channelLayout` × 128 values.
    public static func extract(_ audio: AudioBuffer, channelLayout: Int) throws -> (values: [Double], rowCount: Int) {
        let frames = audio.frameCount
        guard frames > 0 else { return ([], 0) }
        let hop = audio.sampleRate / 100
        let transform = try ShortTimeFourierTransform(STFTConfiguration(fftSize: fftSize, hopLength: hop, window: .periodicHann,
                                                                       center: true, padding: .zeros))
        let bank = try MelFilterBank(MelConfiguration(sampleRate: audio.sampleRate, fftSize: fftSize, melCount: melCount))
        let channelRows: [[Double]] = try (0..<channelLayout).map { slot in
            let channel = Swift.min(slot, audio.channelCount - 1)
            let samples = Array(audio.samples.scalars[(channel * frames)..<((channel + 1) * frames)])
            let power = try transform.powerSpectrogram(samples)
            let mel = bank.apply(power)
            // 10·log10(max(S, 1e-10))
            let logMel = mel.values.map { 10 * log10(Double(Swift.max($0, powerFloor))) }
            return windowStatistics(logMel, frameCount: mel.frameCount)
        }
        let rowCount = channelRows[0].count / (2 * melCount)
        var values = [Double]()
        values.reserveCapacity(rowCount * 2 * melCount * channelLayout)
        for row in 0..<rowCount {
            for channel in 0..<channelLayout {
                values.append(contentsOf: channelRows[channel][(row * 2 * melCount)..<((row + 1) * 2 * melCount)])
            }
        }
        return (values, rowCount)
    }

    /// Mean and population std per band over each window of `windowFrames` frames (hop `hopFrames`).
    static func windowStatistics(_ logMel: [Double], frameCount: Int) -> [Double] {
        var starts = Array(stride(from: 0, through: frameCount - windowFrames, by: hopFrames))
        var length = windowFrames
        if starts.isEmpty {
            starts = [0]
            length = frameCount
        }
        var result = [Double]()
        for start in starts {
            var means = [Double](repeating: 0, count: melCount), deviations = [Double](repeating: 0, count: melCount)
            for frame in start..<(start + length) {
                for band in 0..<melCount { means[band] += logMel[frame * melCount + band] }
            }
            for band in 0..<melCount { means[band] /= Double(length) }
            for frame in start..<(start + length) {
                for band in 0..<melCount {
                    let difference = logMel[frame * melCount + band] - means[band]
                    deviations[band] += difference * difference
                }
            }
            // std = √(Σ(x − x̄)²/n)
            result.append(contentsOf: means)
            result.append(contentsOf: deviations.map { ($0 / Double(length)).squareRoot() })
        }
        return result
    }
}
