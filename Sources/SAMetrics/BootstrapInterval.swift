/// A percentile bootstrap confidence interval of a set-level Fréchet distance, resampling files.
///
/// Procedure: draw the generated set's files (row groups) with replacement `replicateCount` times from
/// `SplitMix64(seed)`, recompute the pooled statistics and the FD against the fixed reference each time, and report
/// the 2.5th and 97.5th percentiles (linear interpolation, as `numpy.percentile`). Resampling files rather than frames
/// keeps the frames of one file together, so the interval reflects file-to-file variation. For a plain embedding
/// matrix every row is its own group.
///
/// A resampled set repeats some files, which lowers its diversity and raises the FD, so the replicates are biased
/// upward and the percentile interval can lie entirely above the estimate. The basic (bias-corrected) interval
/// `[2·FD − q_upper, 2·FD − q_lower]` and the replicates' mean are reported with it; read the width as the file-to-file
/// uncertainty. Limitations: needs at least 2 groups; the reference set is held fixed.
public struct BootstrapInterval: Codable, Sendable, Equatable {
    /// Percentile interval: the (1 − confidence)/2 and (1 + confidence)/2 quantiles of the replicates.
    public var lower: Double
    public var upper: Double
    /// Basic bootstrap interval around the full-set estimate: [2·FD − upper, 2·FD − lower].
    public var basicLower: Double
    public var basicUpper: Double
    /// Mean of the replicates (their excess over the estimate is the resampling bias).
    public var replicateMean: Double
    public var confidence: Double
    public var replicateCount: Int
    public var seed: UInt64
    public var resampledUnit: String

    public static func frechet(_ features: FeatureMatrix, reference: FrechetDistance.Reference, replicateCount: Int,
                               seed: UInt64, confidence: Double = 0.95) throws -> BootstrapInterval {
        let groups = features.groups
        guard groups.count >= 2 else { throw MetricsError(features.source, "bootstrap needs at least 2 files, got \(groups.count)") }
        guard replicateCount >= 2 else { throw MetricsError(features.source, "bootstrap needs at least 2 replicates") }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        for _ in 0..<replicateCount {
            var weights = [Int](repeating: 0, count: features.rowCount)
            for _ in 0..<groups.count {
                for row in groups[generator.nextIndex(below: groups.count)] { weights[row] += 1 }
            }
            values.append(try FrechetDistance.distance(GaussianStatistics(features, weights: weights), to: reference))
        }
        let tail = (1 - confidence) / 2 * 100
        let lower = percentile(values, tail), upper = percentile(values, 100 - tail)
        let estimate = try FrechetDistance.distance(GaussianStatistics(features), to: reference)
        return BootstrapInterval(lower: lower, upper: upper, basicLower: 2 * estimate - upper, basicUpper: 2 * estimate - lower,
                                 replicateMean: values.reduce(0, +) / Double(values.count), confidence: confidence,
                                 replicateCount: replicateCount, seed: seed,
                                 resampledUnit: groups.count == features.rowCount ? "rows" : "files")
    }

    /// numpy.percentile (linear): sorted[i] + (sorted[i+1] − sorted[i])·frac at position (n − 1)·p/100.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let position = Double(sorted.count - 1) * p / 100
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
