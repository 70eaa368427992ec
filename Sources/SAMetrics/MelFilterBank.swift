#if canImport(Glibc)
import Glibc
#endif

/// A bank of triangular mel filters over FFT bins, in Float64.
///
/// This implementation matches: `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm)` (librosa 0.10/0.11)
/// step by step: `n_mels + 2` points equally spaced in mel (numpy `linspace`), converted to Hz; bin frequencies from
/// `numpy.fft.rfftfreq`; weights `max(0, min((f − f_{m−1})/(f_m − f_{m−1}), (f_{m+1} − f)/(f_{m+1} − f_m)))`; then the
/// optional Slaney area normalisation. Agreement with librosa's Float64 filters is about 1e-15 relative (libm `log`/`exp`
/// may differ from numpy's by an ulp); librosa's default Float32 output agrees to its own rounding (≤ 1e-7 relative).
/// Limitations: librosa's float-valued `norm` (unit p-norm filters) is not offered.
public struct MelFilterBank: Sendable {
    public let configuration: MelConfiguration
    /// Filter m covers bins `firstBins[m] ..< firstBins[m] + weights[m].count`.
    public let firstBins: [Int]
    public let weights: [[Double]]
    /// The filter-edge frequencies in Hz (`melCount + 2` values).
    public let edgeFrequencies: [Double]

    public var binCount: Int { configuration.fftSize / 2 + 1 }

    public init(_ configuration: MelConfiguration) throws {
        let sampleRate = Double(configuration.sampleRate)
        let maximum = configuration.maximumFrequency ?? sampleRate / 2
        guard configuration.melCount > 0, configuration.fftSize >= 2, configuration.minimumFrequency >= 0,
              maximum > configuration.minimumFrequency else {
            throw MetricsError("", "invalid mel filter bank: \(configuration.melCount) mels, fft \(configuration.fftSize), \(configuration.minimumFrequency)–\(maximum) Hz")
        }
        self.configuration = configuration
        let bins = configuration.fftSize / 2 + 1
        // numpy.fft.rfftfreq: k · (1 / (n · (1/sr)))
        let binSpacing = 1.0 / (Double(configuration.fftSize) * (1.0 / sampleRate))
        let binFrequencies = (0..<bins).map { Double($0) * binSpacing }

        // numpy.linspace(min_mel, max_mel, n_mels + 2): start + i·step, last point set to stop.
        let pointCount = configuration.melCount + 2
        let minimumMel = MelFilterBank.hertzToMel(configuration.minimumFrequency, scale: configuration.scale)
        let maximumMel = MelFilterBank.hertzToMel(maximum, scale: configuration.scale)
        let step = (maximumMel - minimumMel) / Double(pointCount - 1)
        var mels = (0..<pointCount).map { Double($0) * step + minimumMel }
        mels[pointCount - 1] = maximumMel
        let edges = mels.map { MelFilterBank.melToHertz($0, scale: configuration.scale) }
        edgeFrequencies = edges

        var firstBins: [Int] = []
        var weights: [[Double]] = []
        for mel in 0..<configuration.melCount {
            let lowerWidth = edges[mel + 1] - edges[mel]
            let upperWidth = edges[mel + 2] - edges[mel + 1]
            // Slaney norm: 2 / (f_{m+1} − f_{m−1})
            let area = configuration.normalization == .slaney ? 2.0 / (edges[mel + 2] - edges[mel]) : 1.0
            var row: [Double] = []
            var first = -1
            for bin in 0..<bins {
                // lower = −(f_{m−1} − f)/(f_m − f_{m−1}); upper = (f_{m+1} − f)/(f_{m+1} − f_m)
                let lower = -(edges[mel] - binFrequencies[bin]) / lowerWidth
                let upper = (edges[mel + 2] - binFrequencies[bin]) / upperWidth
                let weight = Swift.max(0, Swift.min(lower, upper))
                if weight > 0 {
                    if first < 0 { first = bin }
                    // Bins between two non-zero weights are kept (zeros included) so each row is contiguous.
                    while first + row.count < bin { row.append(0) }
                    row.append(weight * area)
                }
            }
            firstBins.append(Swift.max(0, first))
            weights.append(row)
        }
        self.firstBins = firstBins
        self.weights = weights
    }

    /// Hz → mel on `scale` (librosa `hz_to_mel`).
    public static func hertzToMel(_ frequency: Double, scale: MelScale) -> Double {
        switch scale {
        case .htk:
            // mel = 2595·log10(1 + f/700)
            return 2595.0 * log10(1.0 + frequency / 700.0)
        case .slaney:
            // linear part: f/(200/3); log part above 1 kHz: 15 + ln(f/1000)/(ln 6.4/27)
            let linearSpacing = 200.0 / 3
            let logStart = 1000.0, logStartMel = (1000.0 - 0.0) / linearSpacing
            let logStep = log(6.4) / 27.0
            if frequency >= logStart { return logStartMel + log(frequency / logStart) / logStep }
            return (frequency - 0.0) / linearSpacing
        }
    }

    /// mel → Hz on `scale` (librosa `mel_to_hz`).
    public static func melToHertz(_ mel: Double, scale: MelScale) -> Double {
        switch scale {
        case .htk:
            // f = 700·(10^(mel/2595) − 1)
            return 700.0 * (pow(10.0, mel / 2595.0) - 1.0)
        case .slaney:
            let linearSpacing = 200.0 / 3
            let logStart = 1000.0, logStartMel = (1000.0 - 0.0) / linearSpacing
            let logStep = log(6.4) / 27.0
            if mel >= logStartMel { return logStart * exp(logStep * (mel - logStartMel)) }
            return 0.0 + linearSpacing * mel
        }
    }

    /// The dense `[melCount, binCount]` weight matrix, row-major.
    public func denseWeights() -> [Double] {
        var dense = [Double](repeating: 0, count: configuration.melCount * binCount)
        for mel in 0..<configuration.melCount {
            for (offset, weight) in weights[mel].enumerated() { dense[mel * binCount + firstBins[mel] + offset] = weight }
        }
        return dense
    }

    /// Applies the bank to one spectrum frame (`binCount` values), writing `melCount` values; Float64 accumulation.
    public func apply(_ spectrum: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        for mel in 0..<weights.count {
            let first = firstBins[mel]
            var sum = 0.0
            weights[mel].withUnsafeBufferPointer { row in
                for offset in 0..<row.count { sum += row[offset] * Double(spectrum[first + offset]) }
            }
            output[mel] = Float(sum)
        }
    }

    /// Mel spectrogram of a linear spectrogram (`binCount` must match).
    public func apply(_ spectrogram: Spectrogram) -> Spectrogram {
        precondition(spectrogram.binCount == binCount, "mel bank for \(binCount) bins applied to \(spectrogram.binCount) bins")
        let mels = configuration.melCount
        var values = [Float](repeating: 0, count: spectrogram.frameCount * mels)
        spectrogram.values.withUnsafeBufferPointer { input in
            values.withUnsafeMutableBufferPointer { output in
                for frame in 0..<spectrogram.frameCount {
                    apply(input.baseAddress! + frame * binCount, into: output.baseAddress! + frame * mels)
                }
            }
        }
        return Spectrogram(frameCount: spectrogram.frameCount, binCount: mels, values: values)
    }
}
