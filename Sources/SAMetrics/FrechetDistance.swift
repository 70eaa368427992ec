/// Fréchet distance between two Gaussians fitted to feature sets, with a symmetric eigen formulation in Float64.
///
/// `FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr √(Σ₁Σ₂)`. This implementation matches: the pytorch-fid
/// `calculate_frechet_distance` shared by stable-audio-metrics, gudgud96, audioldm_eval and fadtk, but computes
/// `tr √(Σ₁Σ₂) = Σ_i √λ_i(R Σ₁ R)` with `R = Σ₂^{1/2}` from two symmetric eigen-decompositions (LAPACK `dsyevd`),
/// clamping λ ≥ 0, instead of `scipy.linalg.sqrtm` of the non-symmetric product. The two agree to ≤ 1e-6 relative
/// when N > 2d and to ≤ 1e-5 for rank-deficient covariances (tests); no eps offset is needed, and the result is
/// never complex. Closed forms: 1-D (μ₁ − μ₂)² + (σ₁ − σ₂)²; μ = (0,0) vs (1,1), Σ₁ = diag(1,4), Σ₂ = diag(4,9) → 4.
/// Limitations: the number depends entirely on the features; a Fréchet distance on model-free log-mel statistics
/// ("FD-mel") is not comparable with published FAD numbers of any learned encoder.
public enum FrechetDistance {
    /// A reference distribution prepared once (its covariance square root) for many comparisons.
    public struct Reference: Sendable {
        public let statistics: GaussianStatistics
        /// Σ^{1/2} (row-major, symmetric).
        let root: [Double]
        let trace: Double

        public init(_ statistics: GaussianStatistics) throws {
            self.statistics = statistics
            root = try LinearAlgebra.symmetricSquareRoot(statistics.covariance, dimension: statistics.dimension)
            trace = (0..<statistics.dimension).reduce(0) { $0 + statistics.covariance[$1 * statistics.dimension + $1] }
        }
    }

    public static func distance(_ first: GaussianStatistics, _ second: GaussianStatistics) throws -> Double {
        try distance(first, to: Reference(second))
    }

    public static func distance(_ statistics: GaussianStatistics, to reference: Reference) throws -> Double {
        let d = statistics.dimension
        guard d == reference.statistics.dimension else {
            throw MetricsError("", "Fréchet distance: feature dimensions differ (\(d) vs reference \(reference.statistics.dimension))")
        }
        // ‖μ₁ − μ₂‖²
        var meanTerm = 0.0
        for index in 0..<d {
            let difference = statistics.mean[index] - reference.statistics.mean[index]
            meanTerm += difference * difference
        }
        let trace = (0..<d).reduce(0) { $0 + statistics.covariance[$1 * d + $1] }
        // tr √(Σ₁Σ₂) = Σ √max(λ_i(R Σ₁ R), 0), R = Σ₂^{1/2}
        let inner = LinearAlgebra.product(LinearAlgebra.product(reference.root, statistics.covariance, dimension: d), reference.root, dimension: d)
        let eigenvalues = try LinearAlgebra.symmetricEigen(LinearAlgebra.symmetrized(inner, dimension: d), dimension: d, wantVectors: false).values
        let traceRoot = eigenvalues.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
        // FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂)
        return meanTerm + trace + reference.trace - 2 * traceRoot
    }
}
