/// The 1-D Wasserstein-1 (earth mover's) distance between two empirical distributions.
///
/// This implementation matches: `scipy.stats.wasserstein_distance(u, v)` (unweighted): with all values sorted,
/// `W₁ = Σ_i |F_u(t_i) − F_v(t_i)|·(t_{i+1} − t_i)`, F the empirical CDFs (right-continuous). Used on per-file
/// descriptor distributions (loudness, LRA, true peak, ICC, S/M ratio, bandwidth, centroid) between sets; the value
/// has the descriptor's unit. Limitations: nil if either side is empty.
public enum WassersteinDistance {
    public static func distance(_ u: [Double], _ v: [Double]) -> Double? {
        guard !u.isEmpty, !v.isEmpty else { return nil }
        let uSorted = u.sorted(), vSorted = v.sorted()
        let all = (u + v).sorted()
        var total = 0.0
        var uIndex = 0, vIndex = 0
        for index in 0..<(all.count - 1) {
            let t = all[index]
            // searchsorted(sorted, t, side='right') / n
            while uIndex < uSorted.count && uSorted[uIndex] <= t { uIndex += 1 }
            while vIndex < vSorted.count && vSorted[vIndex] <= t { vIndex += 1 }
            let difference = Swift.abs(Double(uIndex) / Double(uSorted.count) - Double(vIndex) / Double(vSorted.count))
            total += difference * (all[index + 1] - t)
        }
        return total
    }
}
