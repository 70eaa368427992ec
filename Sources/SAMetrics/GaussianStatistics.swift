/// Mean and unbiased covariance of a set of feature vectors, in Float64.
///
/// This implementation matches: `mu = np.mean(E, axis=0)`, `sigma = np.cov(E, rowvar=False)` (ddof = 1) of the
/// pytorch-fid lineage, where the rows of E are frames pooled over all files. With integer row `weights` it equals the
/// statistics of the matrix in which row i is repeated weights[i] times (bootstrap and resampling use this).
/// Limitations: needs at least 2 (weighted) rows.
public struct GaussianStatistics: Sendable, Equatable {
    public let dimension: Int
    /// Number of (weighted) rows.
    public let count: Int
    public let mean: [Double]
    /// Row-major d×d covariance (ddof = 1).
    public let covariance: [Double]

    public init(dimension: Int, count: Int, mean: [Double], covariance: [Double]) {
        self.dimension = dimension
        self.count = count
        self.mean = mean
        self.covariance = covariance
    }

    public init(_ matrix: FeatureMatrix, weights: [Int]? = nil) throws {
        let d = matrix.dimension, rows = matrix.rowCount
        if let weights { precondition(weights.count == rows, "\(weights.count) weights for \(rows) rows") }
        let total = weights?.reduce(0, +) ?? rows
        guard total >= 2 else {
            throw MetricsError(matrix.source, "statistics need at least 2 feature rows, got \(total)")
        }
        // μ = Σ w_i x_i / Σ w_i
        var mean = [Double](repeating: 0, count: d)
        matrix.values.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                let weight = Double(weights?[row] ?? 1)
                if weight == 0 { continue }
                for column in 0..<d { mean[column] += weight * values[row * d + column] }
            }
        }
        for column in 0..<d { mean[column] /= Double(total) }
        // Σ = Σ_i w_i (x_i − μ)(x_i − μ)ᵀ / (N − 1), via Y = √w ⊙ (X − μ), Σ = YᵀY/(N − 1)
        var centered = [Double](repeating: 0, count: rows * d)
        matrix.values.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                let scale = Double(weights?[row] ?? 1).squareRoot()
                if scale == 0 { continue }
                for column in 0..<d { centered[row * d + column] = scale * (values[row * d + column] - mean[column]) }
            }
        }
        self.dimension = d
        self.count = total
        self.mean = mean
        self.covariance = LinearAlgebra.symmetrized(LinearAlgebra.gram(centered, rows: rows, columns: d, divisor: Double(total - 1)), dimension: d)
    }
}
