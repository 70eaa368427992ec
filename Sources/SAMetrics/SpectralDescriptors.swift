#if canImport(Glibc)
import Glibc
#endif

/// Descriptors of a file's long-term spectrum (the mean of its channels' Welch PSDs).
///
/// Definitions (every sum is over the one-sided PSD bins P_k at f_k = k·fs/4096):
/// - centroid = Σ f_k P_k / Σ P_k (Hz);
/// - 95 % roll-off = the lowest f_k whose cumulative Σ_{i≤k} P_i reaches 0.95·Σ P (Hz);
/// - high-frequency energy ratio = Σ_{f_k > 16 kHz} P_k / Σ P_k (nil when fs/2 ≤ 16 kHz);
/// - effective bandwidth = the highest f_k whose smoothed PSD (moving average over 9 bins, ±43 Hz at 44.1 kHz) is
///   within 60 dB of the mean PSD over 1–4 kHz; it exposes generators band-limited at 16 or 22.05 kHz.
/// This implementation matches: the same formulas in numpy over `scipy.signal.welch` (see `LongTermSpectrum`).
/// Limitations: the bandwidth needs energy in 1–4 kHz (nil otherwise); all values are nil for a silent spectrum.
public struct SpectralDescriptors: Codable, Sendable, Equatable {
    public static let highFrequencyLimit = 16_000.0
    public static let bandwidthThresholdDecibels = 60.0
    public static let bandwidthSmoothingBins = 9
    public static let bandwidthReferenceBand = 1000.0...4000.0
    public static let rollOffFraction = 0.95

    public var centroid: Double?
    public var rollOff: Double?
    public var highFrequencyEnergyRatio: Double?
    public var effectiveBandwidth: Double?
    /// Welch segments averaged.
    public var segmentCount: Int

    public init(_ spectrum: LongTermSpectrum) {
        let density = spectrum.meanDensity
        let bins = density.count
        let total = density.reduce(0, +)
        segmentCount = spectrum.segmentCount
        guard total > 0 else { return }
        var weighted = 0.0
        for bin in 0..<bins { weighted += spectrum.frequency(ofBin: bin) * density[bin] }
        centroid = weighted / total
        var cumulative = 0.0
        for bin in 0..<bins {
            cumulative += density[bin]
            if cumulative >= SpectralDescriptors.rollOffFraction * total {
                rollOff = spectrum.frequency(ofBin: bin)
                break
            }
        }
        if Double(spectrum.sampleRate) / 2 > SpectralDescriptors.highFrequencyLimit {
            var high = 0.0
            for bin in 0..<bins where spectrum.frequency(ofBin: bin) > SpectralDescriptors.highFrequencyLimit { high += density[bin] }
            highFrequencyEnergyRatio = high / total
        }
        let referenceBins = (0..<bins).filter { SpectralDescriptors.bandwidthReferenceBand.contains(spectrum.frequency(ofBin: $0)) }
        guard !referenceBins.isEmpty else { return }
        let reference = referenceBins.reduce(0) { $0 + density[$1] } / Double(referenceBins.count)
        guard reference > 0 else { return }
        // threshold = reference · 10^(−60/10)
        let threshold = reference * pow(10, -SpectralDescriptors.bandwidthThresholdDecibels / 10)
        let half = SpectralDescriptors.bandwidthSmoothingBins / 2
        for bin in stride(from: bins - 1, through: 0, by: -1) {
            let low = Swift.max(0, bin - half), high = Swift.min(bins - 1, bin + half)
            var sum = 0.0
            for neighbour in low...high { sum += density[neighbour] }
            if sum / Double(high - low + 1) >= threshold {
                effectiveBandwidth = spectrum.frequency(ofBin: bin)
                break
            }
        }
    }

    public init(centroid: Double?, rollOff: Double?, highFrequencyEnergyRatio: Double?, effectiveBandwidth: Double?, segmentCount: Int) {
        self.centroid = centroid
        self.rollOff = rollOff
        self.highFrequencyEnergyRatio = highFrequencyEnergyRatio
        self.effectiveBandwidth = effectiveBandwidth
        self.segmentCount = segmentCount
    }
}
