/// FD-∞: the Fréchet distance extrapolated to an infinite sample, removing the small-sample bias.
///
/// This implementation matches: fadtk `score_inf` (Jayasumana et al. / Chong & Forsyth's FID-∞ recipe): pool all
/// generated feature rows (N), take 25 sample sizes n = int(linspace(min(500, N), N, 25)), draw n rows **with
/// replacement** at each size, compute FD against the fixed reference statistics, fit FD = a + b/n by least squares
/// (`np.polyfit(1/n, FD, 1)`), and report the intercept a as FD-∞ with the slope b and R². Difference: fadtk draws
/// with an unseeded numpy generator; here the draws come from `SplitMix64(seed)`, so a run is reproducible from the
/// recorded seed. Limitations: needs N > 500 rows (otherwise every n is N and the fit is undefined).
public struct FrechetExtrapolation: Codable, Sendable, Equatable {
    public static let stepCount = 25
    public static let minimumSampleSize = 500

    /// FD-∞ (the intercept at 1/n = 0).
    public var intercept: Double
    public var slope: Double
    public var rSquared: Double
    public var sampleSizes: [Int]
    public var values: [Double]
    public var seed: UInt64

    public static func extrapolate(_ features: FeatureMatrix, reference: FrechetDistance.Reference, seed: UInt64) throws -> FrechetExtrapolation {
        let total = features.rowCount
        let smallest = Swift.min(minimumSampleSize, total)
        guard total > smallest else {
            throw MetricsError(features.source, "FD-∞ needs more than \(minimumSampleSize) feature rows, got \(total)")
        }
        // int(linspace(lo, hi, 25))
        let sizes = (0..<stepCount).map { step -> Int in
            step == stepCount - 1 ? total : Int(Double(smallest) + Double(step) * Double(total - smallest) / Double(stepCount - 1))
        }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        for size in sizes {
            var weights = [Int](repeating: 0, count: total)
            for _ in 0..<size { weights[generator.nextIndex(below: total)] += 1 }
            values.append(try FrechetDistance.distance(GaussianStatistics(features, weights: weights), to: reference))
        }
        // Least squares on x = 1/n: b = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)², a = ȳ − b·x̄, R² = 1 − SS_res/SS_tot
        let xs = sizes.map { 1.0 / Double($0) }
        let meanX = xs.reduce(0, +) / Double(xs.count), meanY = values.reduce(0, +) / Double(values.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (x, y) in zip(xs, values) {
            sxy += (x - meanX) * (y - meanY)
            sxx += (x - meanX) * (x - meanX)
            syy += (y - meanY) * (y - meanY)
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        let intercept = meanY - slope * meanX
        var residual = 0.0
        for (x, y) in zip(xs, values) { residual += (y - intercept - slope * x) * (y - intercept - slope * x) }
        return FrechetExtrapolation(intercept: intercept, slope: slope, rSquared: syy > 0 ? 1 - residual / syy : 1,
                                    sampleSizes: sizes, values: values, seed: seed)
    }
}
