import SAAudio
import SAMetrics
import SANN
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// The input features of sfx-clap-mini's audio tower.
///
/// This implementation matches: `Features.forward` of `models/training/train_clap.py` on the clip's first `window`
/// samples, zero padded (`load_clip(…, 0, WINDOW)`):
///
///     mid = (L + R)/2;  X = torch.stft(s, n_fft, hop, hann_window(n_fft), center=True, pad_mode="reflect")
///     mel_s = log(fb @ |X_s|² + 1e-5)                              for s ∈ {mid, L, R}   [n_mels, frames]
///     f = [mel_mid, mel_L − mel_R];  f_c = (f_c − mean_c) / std_c                                [2, n_mels, frames]
///
/// `fb` is the checkpoint's `features.fb` buffer, checked at load time against the filterbank the config describes
/// (`models/training/common.py` `mel_filterbank`: HTK mel points from `mel_fmin` to sr/2, triangles over
/// `rfftfreq` bins, each filter divided by its sum), and `features.win` against the periodic Hann window.
/// Mono input is read as L = R (so the second channel is 0 before normalisation).
/// Audio at another sample rate is first resampled to the config's (`AudioResampler`: torchaudio's `Resample`
/// defaults, Hann-windowed sinc, width 6, rolloff 0.99); the model was trained at 44.1 kHz only, so such scores carry
/// the resampler's band limit (0.99 × the lower Nyquist).
/// Limitations: at most 2 channels; single-precision FFT (FFTW), so log-mel values agree with PyTorch to about 1e-5
/// where the power is well above the 1e-5 floor.
public struct AudioTextFeatureExtractor: Sendable {
    public let configuration: AudioTextConfiguration
    /// `[n_mels, n_fft/2 + 1]` row-major (`features.fb`).
    let filterBank: Tensor
    /// `features.mean`, `features.std` (one per feature channel).
    public let mean: [Float]
    public let standardDeviation: [Float]
    let transform: ShortTimeFourierTransform

    /// Largest |difference| accepted between the stored buffers and the recomputed filterbank / window.
    public static let bufferTolerance = 1e-5

    public init(_ scope: ParameterScope, configuration: AudioTextConfiguration) throws {
        self.configuration = configuration
        let bins = configuration.fftSize / 2 + 1
        filterBank = try scope.tensor("fb", shape: [configuration.melCount, bins])
        let window = try scope.tensor("win", shape: [configuration.fftSize])
        mean = try scope.tensor("mean", shape: [2]).scalars
        standardDeviation = try scope.tensor("std", shape: [2]).scalars
        if let channel = standardDeviation.firstIndex(where: { !($0 > 0) }) {
            throw AudioTextModelError(path: scope.store.sourceName, key: scope.key("std"),
                                      reason: "feature standard deviation \(standardDeviation[channel]) of channel \(channel) is not positive")
        }
        let expectedBank = try Self.filterBank(configuration)
        if let (index, difference) = Self.largestDifference(filterBank.scalars, expectedBank), difference > Self.bufferTolerance {
            throw AudioTextModelError(path: scope.store.sourceName, key: scope.key("fb"),
                                      reason: "does not match the \(configuration.melCount)-band filterbank of the config (n_fft \(configuration.fftSize), \(configuration.minimumFrequency) Hz – sr/2): |difference| \(difference) at [\(index / bins), \(index % bins)]")
        }
        let expectedWindow = WindowFunction.periodicHann.coefficients(length: configuration.fftSize)
        if let (index, difference) = Self.largestDifference(window.scalars, expectedWindow), difference > Self.bufferTolerance {
            throw AudioTextModelError(path: scope.store.sourceName, key: scope.key("win"),
                                      reason: "is not a periodic Hann window of \(configuration.fftSize) samples: |difference| \(difference) at \(index)")
        }
        transform = try ShortTimeFourierTransform(STFTConfiguration(fftSize: configuration.fftSize, hopLength: configuration.hopLength,
                                                                    window: .periodicHann, center: true, padding: .reflect))
    }

    /// `mel_filterbank(sr, n_fft, n_mels, fmin)` of `models/training/common.py`, row-major `[n_mels, n_fft/2 + 1]`:
    /// librosa-style HTK triangles without area normalisation (SAMetrics' `MelFilterBank`), then each row divided by
    /// max(its sum, 1e-9).
    public static func filterBank(_ configuration: AudioTextConfiguration) throws -> [Double] {
        let bank = try MelFilterBank(MelConfiguration(sampleRate: configuration.sampleRate, fftSize: configuration.fftSize,
                                                      melCount: configuration.melCount, minimumFrequency: configuration.minimumFrequency,
                                                      scale: .htk, normalization: .none))
        var dense = bank.denseWeights()
        let bins = bank.binCount
        for mel in 0..<configuration.melCount {
            // fb /= max(fb.sum(axis=1), 1e-9)
            let sum = dense[(mel * bins)..<((mel + 1) * bins)].reduce(0, +)
            for bin in 0..<bins { dense[mel * bins + bin] /= Swift.max(sum, 1e-9) }
        }
        return dense
    }

    static func largestDifference(_ actual: [Float], _ expected: [Double]) -> (Int, Double)? {
        guard actual.count == expected.count, !actual.isEmpty else { return nil }
        var worst = (0, 0.0)
        for index in 0..<actual.count {
            let difference = Swift.abs(Double(actual[index]) - expected[index])
            if difference > worst.1 || difference.isNaN { worst = (index, difference) }
        }
        return worst
    }

    /// Normalised features `[2, n_mels, frames]` of a mono or stereo clip (resampled first when at another rate).
    public func callAsFunction(_ input: AudioBuffer, source: String = "audio") throws -> Tensor {
        guard input.channelCount == 1 || input.channelCount == 2 else {
            throw AudioTextModelError(path: source, reason: "\(input.channelCount) channels; sfx-clap-mini takes mono or stereo audio")
        }
        let nonFinite = input.samples.nonFiniteCount
        guard nonFinite == 0 else { throw AudioTextModelError(path: source, reason: "\(nonFinite) NaN or infinite samples") }
        // only the input that the window reads is resampled
        let audio: AudioBuffer
        do {
            audio = try input.converted(toSampleRate: configuration.sampleRate, channelCount: input.channelCount,
                                        prefixFrames: configuration.windowLength).audio
        } catch let error as AudioConversionError {
            throw AudioTextModelError(path: source, reason: error.reason)
        }

        // The first `window` samples of L and R, zero padded; mono is L = R; mid = (L + R)/2.
        let length = configuration.windowLength, frames = audio.frameCount, used = Swift.min(frames, length)
        var left = [Float](repeating: 0, count: length), right = [Float](repeating: 0, count: length)
        var middle = [Float](repeating: 0, count: length)
        audio.samples.withUnsafeBufferPointer { samples in
            let secondChannel = audio.channelCount == 2 ? frames : 0
            for index in 0..<used {
                left[index] = samples[index]
                right[index] = samples[secondChannel + index]
                middle[index] = (left[index] + right[index]) / 2
            }
        }

        // P_s[t, b] = |X_s[t, b]|²
        let bins = transform.binCount, frameCount = transform.frameCount(sampleCount: length)
        var power = [[Float]](repeating: [Float](repeating: 0, count: frameCount * bins), count: 3)
        try middle.withUnsafeBufferPointer { m in
            try left.withUnsafeBufferPointer { l in
                try right.withUnsafeBufferPointer { r in
                    try transform.forEachFrame([m, l, r]) { frame, spectra in
                        for signal in 0..<3 {
                            let spectrum = spectra[signal]
                            power[signal].withUnsafeMutableBufferPointer { output in
                                let row = output.baseAddress! + frame * bins
                                for bin in 0..<bins {
                                    row[bin] = spectrum[2 * bin] * spectrum[2 * bin] + spectrum[2 * bin + 1] * spectrum[2 * bin + 1]
                                }
                            }
                        }
                    }
                }
            }
        }

        // mel_s = log(fb @ P_sᵀ + 1e-5)   [n_mels, frames]
        let mels = configuration.melCount
        let logMel: [[Float]] = power.map { spectrogram in
            var mel = [Float](repeating: 0, count: mels * frameCount)
            filterBank.withUnsafeBufferPointer { fb in
                spectrogram.withUnsafeBufferPointer { p in
                    mel.withUnsafeMutableBufferPointer { output in
                        GEMM.multiply(transposeB: true, m: mels, n: frameCount, k: bins, a: fb.baseAddress!, lda: bins,
                                      b: p.baseAddress!, ldb: bins, c: output.baseAddress!, ldc: frameCount)
                    }
                }
            }
            return mel.map { logf($0 + 1e-5) }
        }

        // f = [mel_mid, mel_L − mel_R], (f_c − mean_c) / std_c
        let plane = mels * frameCount
        return Tensor(uninitializedShape: [2, mels, frameCount]) { output in
            for index in 0..<plane {
                output[index] = (logMel[0][index] - mean[0]) / standardDeviation[0]
                output[plane + index] = ((logMel[1][index] - logMel[2][index]) - mean[1]) / standardDeviation[1]
            }
        }
    }
}
