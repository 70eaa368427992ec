import Foundation
import SAAudio
import SAMetrics
import SATensor
import Testing

/// Suite C: Fréchet distance, FD-∞, bootstrap, KID, Wasserstein-1, KL and the embedding readers.
@Suite struct SetMetricsTests {
    static func frechetReference(_ pair: String) throws -> (sqrtm: Double, eig: Double) {
        let table = try #require(try Fixtures.json("set_reference.json")["frechet"] as? [String: [String: Double]])
        let entry = try #require(table[pair])
        return (try #require(entry["pytorch_fid_sqrtm"]), try #require(entry["fadtk_eig"]))
    }

    @Test func frechetMatchesPytorchFidSqrtm() throws {
        let a = try Fixtures.matrix("embeddings_a.npy"), b = try Fixtures.matrix("embeddings_b.npy")
        let c = try Fixtures.matrix("embeddings_c_rank_deficient.npy"), e = try Fixtures.matrix("embeddings_e_rank_deficient.npy")
        #expect(a.rowCount == 600 && a.dimension == 64)
        let cases: [(String, FeatureMatrix, FeatureMatrix, Double)] = [("a_b", a, b, 1e-6), ("c_e", c, e, 1e-5), ("a_c", a, c, 1e-5)]
        for (name, x, y, tolerance) in cases {
            let ours = try FrechetDistance.distance(GaussianStatistics(x), GaussianStatistics(y))
            let reference = try SetMetricsTests.frechetReference(name)
            #expect(relativeError(ours, reference.sqrtm) <= tolerance, "\(name): \(ours) vs sqrtm \(reference.sqrtm)")
            #expect(relativeError(ours, reference.eig) <= tolerance, "\(name): \(ours) vs fadtk eig \(reference.eig)")
        }
        // Self-distance is 0 up to rounding: FD = tr Σ + tr Σ − 2·tr √(Σ·Σ). The eigenvalues of Σ² carry absolute
        // rounding ~ε·λ_max², which the square root turns into ~ε·λ_max²/(2λ) for small λ, so the residue is bounded
        // relative to tr Σ by the conditioning of Σ (measured 3.5e-11·tr Σ here), not by ε.
        let statistics = try GaussianStatistics(a)
        let trace = (0..<statistics.dimension).reduce(0.0) { $0 + statistics.covariance[$1 * statistics.dimension + $1] }
        let selfDistance = try FrechetDistance.distance(statistics, statistics)
        #expect(Swift.abs(selfDistance) <= 1e-9 * trace, "FD(a, a) = \(selfDistance), tr Σ = \(trace)")
    }

    @Test func frechetClosedForms() throws {
        // 1-D: (μ₁ − μ₂)² + (σ₁ − σ₂)²; rows [−1, 1] (μ 0, σ² 2) and [2, 5, 8] (μ 5, σ² 9)
        let one = FeatureMatrix(source: "one", rowCount: 2, dimension: 1, values: [-1, 1])
        let two = FeatureMatrix(source: "two", rowCount: 3, dimension: 1, values: [2, 5, 8])
        let expected = 25 + (2.0.squareRoot() - 3) * (2.0.squareRoot() - 3)
        #expect(Swift.abs(try FrechetDistance.distance(GaussianStatistics(one), GaussianStatistics(two)) - expected) <= 1e-12)
        // μ = (0,0) vs (1,1), Σ₁ = diag(1,4), Σ₂ = diag(4,9) → 2 + 5 + 13 − 2·(2 + 6) = 4
        let first = GaussianStatistics(dimension: 2, count: 10, mean: [0, 0], covariance: [1, 0, 0, 4])
        let second = GaussianStatistics(dimension: 2, count: 10, mean: [1, 1], covariance: [4, 0, 0, 9])
        #expect(Swift.abs(try FrechetDistance.distance(first, second) - 4) <= 1e-12)
    }

    @Test func weightedStatisticsEqualRepeatedRows() throws {
        let a = try Fixtures.matrix("embeddings_c_rank_deficient.npy")
        var weights = [Int](repeating: 0, count: a.rowCount)
        var repeated: [Int] = []
        for row in 0..<a.rowCount {
            weights[row] = row % 3
            repeated += Array(repeating: row, count: row % 3)
        }
        let weighted = try GaussianStatistics(a, weights: weights), explicit = try GaussianStatistics(a.rows(repeated))
        #expect(weighted.count == explicit.count)
        for (x, y) in zip(weighted.covariance, explicit.covariance) { #expect(Swift.abs(x - y) <= 1e-12) }
    }

    @Test func extrapolationAndBootstrapAreSeededAndSane() throws {
        let a = try Fixtures.matrix("embeddings_a.npy"), b = try Fixtures.matrix("embeddings_b.npy")
        // Against its own statistics the finite-sample FD is pure bias (≈ c/n), so FD-∞ must be near 0.
        let own = try FrechetDistance.Reference(GaussianStatistics(a))
        let first = try FrechetExtrapolation.extrapolate(a, reference: own, seed: 7)
        let second = try FrechetExtrapolation.extrapolate(a, reference: own, seed: 7)
        #expect(first == second)
        #expect(first.sampleSizes.count == 25 && first.sampleSizes.first == 500 && first.sampleSizes.last == 600)
        #expect(first.slope > 0, "slope \(first.slope)")
        #expect(Swift.abs(first.intercept) < 0.2 * (first.values.min() ?? 0), "FD-∞ \(first.intercept) vs values \(first.values.min() ?? 0)")
        let reference = try FrechetDistance.Reference(GaussianStatistics(b))
        let full = try FrechetDistance.distance(GaussianStatistics(a), to: reference)
        let interval = try BootstrapInterval.frechet(a, reference: reference, replicateCount: 50, seed: 3)
        #expect(interval.lower < interval.upper)
        #expect(Swift.abs((interval.basicUpper - interval.basicLower) - (interval.upper - interval.lower)) <= 1e-9)
        #expect(Swift.abs((interval.basicLower + interval.upper) / 2 - full) <= 1e-9 * full)
        #expect(interval.replicateMean >= interval.lower && interval.replicateMean <= interval.upper)
        #expect(interval.lower <= full * 1.5 && interval.upper >= full * 0.5)
        #expect(interval == (try BootstrapInterval.frechet(a, reference: reference, replicateCount: 50, seed: 3)))
        let small = FeatureMatrix(source: "small", rowCount: 100, dimension: 64, values: (0..<6400).map { Double($0 % 7) })
        #expect(throws: MetricsError.self) { try FrechetExtrapolation.extrapolate(small, reference: reference, seed: 1) }
    }

    @Test func kernelDistanceMatchesReferenceAtFixedSubsets() throws {
        let fixture = try Fixtures.json("set_reference.json")
        let subsets = try #require(fixture["kid_subsets"] as? [[String: [Int]]])
        let values = try #require(fixture["kid_values"] as? [Double])
        let a = try Fixtures.matrix("embeddings_a.npy"), b = try Fixtures.matrix("embeddings_b.npy")
        for (subset, expected) in zip(subsets, values) {
            let ours = try KernelDistance.unbiasedMMD(a.rows(try #require(subset["generated"])), b.rows(try #require(subset["reference"])))
            #expect(relativeError(ours, expected) <= 1e-9, "KID subset: \(ours) vs \(expected)")
        }
        let seeded = try KernelDistance.compute(a, b, subsetCount: 5, subsetSize: 30, seed: 11)
        #expect(seeded == (try KernelDistance.compute(a, b, subsetCount: 5, subsetSize: 30, seed: 11)))
        #expect(seeded.mean > 0)
    }

    @Test func kernelStandardizationUsesTheReferenceScale() throws {
        let a = try Fixtures.matrix("embeddings_a.npy"), b = try Fixtures.matrix("embeddings_b.npy")
        let (x, y) = KernelDistance.standardized(a, b)
        for column in [0, 17, 63] {
            let values = (0..<y.rowCount).map { y.values[$0 * y.dimension + column] }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            #expect(Swift.abs(mean) <= 1e-12 && Swift.abs(variance - 1) <= 1e-12)
        }
        #expect(x.rowCount == a.rowCount && x.values != a.values)
    }

    @Test func wassersteinMatchesScipy() throws {
        let fixture = try #require(try Fixtures.json("set_reference.json")["wasserstein"] as? [String: Any])
        let u = try #require(fixture["u"] as? [Double]), v = try #require(fixture["v"] as? [Double])
        let expected = try #require(fixture["value"] as? Double)
        #expect(Swift.abs(try #require(WassersteinDistance.distance(u, v)) - expected) <= 1e-12)
        #expect(WassersteinDistance.distance([1, 2, 3], [1, 2, 3]) == 0)
        #expect(WassersteinDistance.distance([], [1]) == nil)
    }

    @Test func klVectorsFromStableAudioMetrics() throws {
        // src/test_kld.py
        let p = [0.05, 0.1, 0.2, 0.05, 0.15, 0.25, 0.08, 0.12], q = [0.3, 0.1, 0.2, 0.1, 0.1, 0.02, 0.08, 0.1]
        #expect(Swift.abs(ClassDistributionScore.divergence(p, q, epsilon: 0) - 0.589885181619163) <= 1e-12)
        #expect(relativeError(ClassDistributionScore.divergence(p, q), 0.5898663401603699) <= 1e-6)
        let p2 = [0.1, 0.4, 0.5], q2 = [0.8, 0.15, 0.05]
        #expect(Swift.abs(ClassDistributionScore.divergence(p2, q2, epsilon: 0) - 1.3356800935337299) <= 1e-12)
        #expect(relativeError(ClassDistributionScore.divergence(p2, q2), 1.335667371749878) <= 1e-6)
        // Directions: stable-audio-metrics computes KL(gen‖ref) with ε on ref; audiocraft KL(ref‖gen) with ε on gen.
        let generated = FeatureMatrix(source: "gen", rowCount: 1, dimension: 8, values: p)
        let reference = FeatureMatrix(source: "ref", rowCount: 1, dimension: 8, values: q)
        let score = try ClassDistributionScore.compare(generated: generated, reference: reference)
        #expect(relativeError(score.generatedToReference, 0.5898663401603699) <= 1e-6)
        #expect(Swift.abs(score.referenceToGenerated - ClassDistributionScore.divergence(q, p)) <= 1e-15)
        let logits = FeatureMatrix(source: "logits.npy", rowCount: 1, dimension: 8, values: p.map { $0 * 3 })
        #expect(throws: MetricsError.self) { try ClassDistributionScore.compare(generated: logits, reference: reference) }
    }

    @Test func embeddingReaders() throws {
        let fixture = try Fixtures.json("set_reference.json")
        let small = try #require(fixture["small_fortran_float64"] as? [[Double]])
        let matrix = try Fixtures.matrix("small_fortran_float64.npy")
        #expect(matrix.rowCount == 5 && matrix.dimension == 3)
        // (Foundation's JSON parser can be an ulp or two off, so the comparison allows 1e-15 relative.)
        for (a, b) in zip(matrix.values, small.flatMap { $0 }) { #expect(Swift.abs(a - b) <= 1e-15 * Swift.abs(b)) }

        let directory = try temporaryDirectory("readers")
        let path = directory + "/embeddings.safetensors"
        let tensor = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) * 0.25 })
        try SafeTensorsWriter.write([(name: "embeddings", tensor: tensor), (name: "other", tensor: Tensor(zeros: [2]))], to: path)
        let read = try EmbeddingMatrixReader.read(path)
        #expect(read.rowCount == 4 && read.dimension == 3 && read.values == tensor.scalars.map(Double.init))
        #expect(throws: MetricsError.self) { try EmbeddingMatrixReader.read(directory + "/missing.npy") }
        try Data("not numpy".utf8).write(to: URL(fileURLWithPath: directory + "/bad.npy"))
        #expect(throws: MetricsError.self) { try EmbeddingMatrixReader.read(directory + "/bad.npy") }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func melFrameFeaturesMatchLibrosa() throws {
        let fixture = try Fixtures.json("set_reference.json")
        let expected = try #require(fixture["fd_mel_features"] as? [[Double]])
        let fs = 44100.0, count = Int(2.5 * 44100)
        let left = TestSignals.add(TestSignals.sine(440, count: count, sampleRate: fs, amplitude: 0.3), TestSignals.scaled(TestSignals.noise(seed: 41, count: count), 0.05))
        let right = TestSignals.add(TestSignals.sine(880, count: count, sampleRate: fs, amplitude: 0.2), TestSignals.scaled(TestSignals.noise(seed: 42, count: count), 0.1))
        let audio = TestSignals.buffer([left, right], sampleRate: 44100)
        let features = try MelFrameFeatures.extract(audio, channelLayout: 2)
        #expect(features.rowCount == expected.count)
        var worst = 0.0
        for (row, values) in expected.enumerated() {
            for (column, value) in values.enumerated() { worst = Swift.max(worst, Swift.abs(features.values[row * 256 + column] - value)) }
        }
        #expect(worst <= 1e-4, "FD-mel features: max |Δ| = \(worst) dB")
    }
}
