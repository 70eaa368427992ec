#if canImport(Glibc)
import Glibc
#endif

/// DAC-style multi-scale mel distance.
///
/// This implementation matches: `dac.nn.loss.MelSpectrogramLoss()` defaults as used by descript-audio-codec's
/// evaluation (audiotools): window lengths [2048, 512] with hop = window/4, periodic Hann, `torch.stft(center=True,
/// pad_mode='reflect')`, magnitude |X| (no floor), librosa Slaney mel banks of [150, 80] bands over 0…fs/2 applied to
/// the magnitude, and per scale `mean|log10(max(M_x, 1e-5)²) − log10(max(M_y, 1e-5)²)| + mean|M_x − M_y|`, summed over
/// the two scales. Applied per channel (the loss on a [1, 1, T] signal).
/// Limitations: Float32 FFT and Float64 mel accumulation (agreement with torch Float32 ≈ 1e-5 relative); signals must be
/// longer than 1024 samples.
public enum MelDistance {
    public static let scales: [(windowLength: Int, melCount: Int)] = [(2048, 150), (512, 80)]
    public static let clampFloor = 1e-5

    public static func distance(estimate: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>, sampleRate: Int) throws -> Double {
        var total = 0.0
        for scale in scales {
            let configuration = STFTConfiguration(fftSize: scale.windowLength, hopLength: scale.windowLength / 4, window: .periodicHann,
                                                  center: true, padding: .reflect)
            let transform = try ShortTimeFourierTransform(configuration)
            let bank = try MelFilterBank(MelConfiguration(sampleRate: sampleRate, fftSize: scale.windowLength, melCount: scale.melCount))
            let bins = transform.binCount, mels = scale.melCount
            var magnitudes = [[Float]](repeating: [Float](repeating: 0, count: bins), count: 2)
            var melValues = [[Float]](repeating: [Float](repeating: 0, count: mels), count: 2)
            var logDifference = 0.0, magnitudeDifference = 0.0, count = 0
            try transform.forEachFrame([estimate, reference]) { _, spectra in
                for signal in 0..<2 {
                    let spectrum = spectra[signal]
                    magnitudes[signal].withUnsafeMutableBufferPointer { magnitude in
                        for bin in 0..<bins {
                            let re = spectrum[2 * bin], im = spectrum[2 * bin + 1]
                            magnitude[bin] = (re * re + im * im).squareRoot()
                        }
                    }
                    magnitudes[signal].withUnsafeBufferPointer { magnitude in
                        melValues[signal].withUnsafeMutableBufferPointer { output in
                            bank.apply(magnitude.baseAddress!, into: output.baseAddress!)
                        }
                    }
                }
                for mel in 0..<mels {
                    let x = Double(melValues[0][mel]), y = Double(melValues[1][mel])
                    // log10(max(M, 1e-5)²)
                    let logX = 2 * log10(Swift.max(x, clampFloor)), logY = 2 * log10(Swift.max(y, clampFloor))
                    logDifference += Swift.abs(logX - logY)
                    magnitudeDifference += Swift.abs(x - y)
                }
                count += mels
            }
            total += logDifference / Double(count) + magnitudeDifference / Double(count)
        }
        return total
    }
}
