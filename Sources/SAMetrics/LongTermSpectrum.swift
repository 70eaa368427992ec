/// The long-term average spectrum of a file by Welch's method, with the stereo cross-spectrum.
///
/// This implementation matches: `scipy.signal.welch(x, fs, window='hann', nperseg=4096, noverlap=2048,
/// detrend=False, scaling='density', average='mean')` (one-sided PSD: |X_k|²/(fs·Σw²), doubled except at DC and
/// Nyquist; full segments only) and, for stereo, the real part of `scipy.signal.csd(L, R, …)` with the same settings.
/// Limitations: single-precision FFT, so PSD values agree with scipy's Float64 to about 1e-6 relative, not 1e-9;
/// signals shorter than one segment (4096 samples) have no spectrum.
public struct LongTermSpectrum: Sendable {
    public static let segmentLength = 4096
    public static let overlap = 2048

    public let sampleRate: Int
    /// Number of averaged segments.
    public let segmentCount: Int
    /// One-sided PSD per channel, `segmentLength/2 + 1` bins (units²/Hz).
    public let channelDensities: [[Double]]
    /// One-sided cross-spectral density Re(CSD(L, R)) for stereo input, else nil.
    public let crossDensity: [Double]?
    /// Segments where both channels are above −70 dBFS RMS (stereo only).
    public let activeSegmentCount: Int
    /// Active segments whose zero-lag windowed correlation is below −0.3 (stereo only).
    public let negativelyCorrelatedSegmentCount: Int

    public var binCount: Int { LongTermSpectrum.segmentLength / 2 + 1 }
    /// Frequency of bin k: k·fs/N.
    public func frequency(ofBin bin: Int) -> Double { Double(bin) * Double(sampleRate) / Double(LongTermSpectrum.segmentLength) }

    /// The average of the channel PSDs.
    public var meanDensity: [Double] {
        var mean = [Double](repeating: 0, count: binCount)
        for density in channelDensities { for bin in 0..<binCount { mean[bin] += density[bin] / Double(channelDensities.count) } }
        return mean
    }

    public init(channels: [UnsafeBufferPointer<Float>], sampleRate: Int) throws {
        let length = LongTermSpectrum.segmentLength, hop = length - LongTermSpectrum.overlap
        let frames = channels.first?.count ?? 0
        guard frames >= length else {
            throw MetricsError("", "spectrum: \(frames) samples is shorter than one \(length)-sample Welch segment")
        }
        self.sampleRate = sampleRate
        let segments = 1 + (frames - length) / hop
        segmentCount = segments
        let transform = try RealFourierTransform.shared(size: length)
        let window = WindowFunction.periodicHann.coefficients(length: length).map { Float($0) }
        let windowEnergy = WindowFunction.periodicHann.coefficients(length: length).reduce(0) { $0 + $1 * $1 }
        let bins = length / 2 + 1
        let channelCount = channels.count
        let stereo = channelCount == 2
        var sums = [[Double]](repeating: [Double](repeating: 0, count: bins), count: channelCount)
        var cross = [Double](repeating: 0, count: stereo ? bins : 0)
        var active = 0, negative = 0
        let input = AlignedBuffer(count: length)
        let outputs = (0..<channelCount).map { _ in AlignedBuffer(count: length + 2) }
        // Silence floor for the per-segment correlation: windowed mean square below −70 dBFS (1e-7) is inactive.
        let activeFloor = 1e-7 * windowEnergy * Double(length)
        for segment in 0..<segments {
            let start = segment * hop
            for channel in 0..<channelCount {
                let source = channels[channel].baseAddress! + start
                for index in 0..<length { input.pointer[index] = source[index] * window[index] }
                transform.forward(input.pointer, outputs[channel].pointer)
                let spectrum = outputs[channel].pointer
                sums[channel].withUnsafeMutableBufferPointer { sum in
                    for bin in 0..<bins {
                        let re = Double(spectrum[2 * bin]), im = Double(spectrum[2 * bin + 1])
                        sum[bin] += re * re + im * im
                    }
                }
            }
            if stereo {
                let left = outputs[0].pointer, right = outputs[1].pointer
                // Parseval with one-sided weights c_k (1 at DC and Nyquist, else 2): Σ_n (w·l)(w·r) = Σ_k c_k Re(L_k R_k*)/N
                var leftEnergy = 0.0, rightEnergy = 0.0, product = 0.0
                cross.withUnsafeMutableBufferPointer { crossSum in
                    for bin in 0..<bins {
                        let lr = Double(left[2 * bin]), li = Double(left[2 * bin + 1])
                        let rr = Double(right[2 * bin]), ri = Double(right[2 * bin + 1])
                        // Re(L·R*) = lr·rr + li·ri
                        let real = lr * rr + li * ri
                        crossSum[bin] += real
                        let weight = (bin == 0 || bin == bins - 1) ? 1.0 : 2.0
                        product += weight * real
                        leftEnergy += weight * (lr * lr + li * li)
                        rightEnergy += weight * (rr * rr + ri * ri)
                    }
                }
                if leftEnergy >= activeFloor, rightEnergy >= activeFloor {
                    active += 1
                    // ρ = Σ(w·l)(w·r) / √(Σ(w·l)² Σ(w·r)²)
                    if product / (leftEnergy * rightEnergy).squareRoot() < -0.3 { negative += 1 }
                }
            }
        }
        // PSD_k = mean over segments of |X_k|²/(fs·Σw²), ×2 for 0 < k < N/2
        let scale = 1.0 / (Double(sampleRate) * windowEnergy * Double(segments))
        func oneSided(_ values: [Double]) -> [Double] {
            values.enumerated().map { bin, value in value * scale * ((bin == 0 || bin == bins - 1) ? 1 : 2) }
        }
        channelDensities = sums.map(oneSided)
        crossDensity = stereo ? oneSided(cross) : nil
        activeSegmentCount = active
        negativelyCorrelatedSegmentCount = negative
    }
}
