#if canImport(Glibc)
import Glibc
#endif

/// Log-spectral distance in bels (and dB = 10 × bels).
///
/// This implementation matches: the formula of ssr_eval `AudioMetrics.lsd` (NVSR/AudioSR lineage):
/// `LSD = mean_t √(mean_f (log10(|T|²/(|E| + 1e-12)² + 1e-12))²)` on `librosa.stft` magnitudes with
/// n_fft = ⌊2048/(44100/fs)⌋, hop = ⌊fs/100⌋, periodic Hann, centred with zero padding (librosa ≥ 0.10); T is the
/// reference and E the estimate. The value is in bels (log10 of a power ratio without ×10); many papers quote dB,
/// `√(mean_f (10·log10 P_ref − 10·log10 P_est)²)`, which is 10× this. Closed form: x = g·y gives 2|log10 g| bels.
/// Limitations: only the formula — ssr_eval's preprocessing (dropping 1120 samples, mean removal, peak normalisation)
/// is not applied, since the inputs here are already aligned.
public enum LogSpectralDistance {
    public static let epsilon = 1e-12

    public static func configuration(sampleRate: Int) -> STFTConfiguration {
        let fftSize = Int(2048.0 / (44100.0 / Double(sampleRate)))
        return STFTConfiguration(fftSize: fftSize, hopLength: sampleRate / 100, window: .periodicHann, center: true, padding: .zeros)
    }

    /// LSD of `estimate` against `reference` in bels.
    public static func distance(estimate: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>, sampleRate: Int) throws -> Double {
        let transform = try ShortTimeFourierTransform(configuration(sampleRate: sampleRate))
        let bins = transform.binCount
        var sum = 0.0, frames = 0
        try transform.forEachFrame([estimate, reference]) { _, spectra in
            let e = spectra[0], t = spectra[1]
            var frameSum = 0.0
            for bin in 0..<bins {
                let estimateMagnitude = Double((e[2 * bin] * e[2 * bin] + e[2 * bin + 1] * e[2 * bin + 1]).squareRoot())
                let targetMagnitude = Double((t[2 * bin] * t[2 * bin] + t[2 * bin + 1] * t[2 * bin + 1]).squareRoot())
                // (log10(T²/(E + ε)² + ε))²
                let ratio = targetMagnitude * targetMagnitude / ((estimateMagnitude + epsilon) * (estimateMagnitude + epsilon))
                let value = log10(ratio + epsilon)
                frameSum += value * value
            }
            sum += (frameSum / Double(bins)).squareRoot()
            frames += 1
        }
        return frames > 0 ? sum / Double(frames) : 0
    }
}
