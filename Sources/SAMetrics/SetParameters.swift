/// The fixed parameters of suite C; recorded in reports.
public struct SetParameters: Codable, Sendable, Equatable {
    public var features = MelFrameFeatures.description
    public var frechet = "‖μ₁−μ₂‖² + tr Σ₁ + tr Σ₂ − 2 Σ√λ(Σ₂^½ Σ₁ Σ₂^½), Float64, ddof 1, λ clamped ≥ 0 (LAPACK dsyevd)"
    public var frechetInfinity = "fadtk recipe: 25 sizes int(linspace(min(500,N), N, 25)), rows drawn with replacement (SplitMix64(seed)), fit FD = a + b/n, report a"
    public var bootstrap = "bootstrap over generated files (rows for embedding matrices), reference fixed: 95 % percentile interval, replicate mean, and the basic interval [2·FD − q97.5, 2·FD − q2.5]"
    public var bootstrapReplicates: Int
    public var kernelDistance = "unbiased MMD², k(x,y) = (x·y/d + 1)³, 100 subsets of min(1000, N) rows without replacement; for audio sets (KID-mel) on FD-mel features z-scored with the reference set's per-dimension mean and std, for provided embeddings on the rows as given"
    public var seed: UInt64
    public var descriptorDistances = "scipy.stats.wasserstein_distance of per-file LUFS, LRA, dBTP, ICC, S/M ratio, bandwidth, centroid"
    public var classDistribution = "KL(ref‖gen) with ε = 1e-6 on gen (audiocraft / audioldm_eval direction) and KL(gen‖ref) with ε on ref (stable-audio-metrics direction), rows paired by order"
    public var sampleRates = "one rate per comparison: files at another rate than the reference set's most common rate are left out (no resampling)"
    public var naming = "model-free numbers are never labelled with the names of published learned-embedding metrics, which need those third-party models"
    public init(bootstrapReplicates: Int, seed: UInt64) {
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
    }
}
