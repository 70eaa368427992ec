#if canImport(Glibc)
import Glibc
#endif

/// Model-free stereo-image descriptors of a two-channel file.
///
/// Definitions:
/// - correlation (zero-lag ICC) = Σ L·R / √(Σ L² · Σ R²) over the whole file;
/// - octave-band correlation: the same ratio from the Welch cross- and auto-spectra (`LongTermSpectrum`) summed over
///   the bins in [fc/√2, fc·√2), fc = 62.5 Hz … 16 kHz;
/// - side-to-mid ratio = 10·log10(Σ S² / Σ M²) dB with M = (L+R)/2, S = (L−R)/2 (below −40 dB: near-mono "fake stereo");
/// - balance = integrated loudness of L alone − that of R alone (LU, BS.1770 gating per channel);
/// - mono-compatibility loss = loudness of (L+R)/2 on both channels − loudness of the stereo file (LU; strongly
///   negative means phase cancellation in a mono downmix);
/// - negative-correlation ratio = fraction of active Welch segments (both channels above −70 dBFS RMS) whose
///   windowed zero-lag correlation is below −0.3 (polarity problems).
/// This implementation matches: the same formulas in numpy / `scipy.signal.csd` (parity fixture).
/// Limitations: defined for exactly two channels (L, R); values are nil where a denominator is zero.
public struct StereoMetrics: Codable, Sendable, Equatable {
    public static let octaveCenters: [Double] = (-4...4).map { 1000 * pow(2, Double($0)) }
    public static let negativeCorrelationThreshold = -0.3

    public var correlation: Double?
    public var octaveBandCorrelations: [OctaveBandCorrelation]
    public var sideToMidRatio: Double?
    public var balance: Double?
    public var monoCompatibilityLoss: Double?
    public var negativeCorrelationRatio: Double?

    /// Full-band values from time-domain sums Σ L², Σ R², Σ L·R.
    static func correlation(sumLeftSquares: Double, sumRightSquares: Double, sumProducts: Double) -> Double? {
        let denominator = (sumLeftSquares * sumRightSquares).squareRoot()
        return denominator > 0 ? sumProducts / denominator : nil
    }

    static func sideToMidRatio(sumLeftSquares: Double, sumRightSquares: Double, sumProducts: Double) -> Double? {
        // Σ M² = (ΣL² + 2ΣLR + ΣR²)/4, Σ S² = (ΣL² − 2ΣLR + ΣR²)/4
        let mid = (sumLeftSquares + 2 * sumProducts + sumRightSquares) / 4
        let side = Swift.max(0, (sumLeftSquares - 2 * sumProducts + sumRightSquares) / 4)
        guard mid > 0, side > 0 else { return mid > 0 ? -Double.infinity : nil }
        return 10 * log10(side / mid)
    }

    static func octaveBands(_ spectrum: LongTermSpectrum) -> [OctaveBandCorrelation] {
        guard let cross = spectrum.crossDensity, spectrum.channelDensities.count == 2 else { return [] }
        let left = spectrum.channelDensities[0], right = spectrum.channelDensities[1]
        let nyquist = Double(spectrum.sampleRate) / 2
        return octaveCenters.map { center in
            let low = center / 2.0.squareRoot(), high = center * 2.0.squareRoot()
            var crossSum = 0.0, leftSum = 0.0, rightSum = 0.0, bins = 0
            for bin in 0..<spectrum.binCount {
                let frequency = spectrum.frequency(ofBin: bin)
                guard frequency >= low, frequency < high, frequency <= nyquist else { continue }
                crossSum += cross[bin]
                leftSum += left[bin]
                rightSum += right[bin]
                bins += 1
            }
            let denominator = (leftSum * rightSum).squareRoot()
            return OctaveBandCorrelation(centerFrequency: center, correlation: bins > 0 && denominator > 0 ? crossSum / denominator : nil)
        }
    }
}
