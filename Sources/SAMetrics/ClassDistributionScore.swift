#if canImport(Glibc)
import Glibc
#endif

/// Kullback–Leibler divergence between paired class-probability vectors, in both directions, direction stated.
///
/// `KL(p‖q) = Σ_c p_c·(log p_c − log(q_c + ε))` with ε = 1e-6 added to the second argument (terms with p_c = 0 are 0,
/// as `torch.nn.functional.kl_div`). Directions: audiocraft and audioldm_eval report KL(ref‖gen) (ε on gen);
/// stable-audio-metrics reports KL(gen‖ref) (ε on ref). Both are reported, each labelled, averaged over rows paired by
/// order. Test vectors from stable-audio-metrics `test_kld.py`: KL(P‖Q) = 0.589885181619163 without ε.
/// Limitations: the probabilities must come from the user (any classifier); no classifier ships with the tool, so
/// the result is never "KL_passt" or any named model's KL.
public struct ClassDistributionScore: Codable, Sendable, Equatable {
    public static let epsilon = 1e-6

    /// Mean over rows of KL(reference‖generated), ε on generated (audiocraft / audioldm_eval direction).
    public var referenceToGenerated: Double
    /// Mean over rows of KL(generated‖reference), ε on reference (stable-audio-metrics direction).
    public var generatedToReference: Double
    public var rowCount: Int
    public var classCount: Int
    public var generatedPath: String
    public var referencePath: String

    /// KL(p‖q) with ε added to q.
    public static func divergence(_ p: [Double], _ q: [Double], epsilon: Double = ClassDistributionScore.epsilon) -> Double {
        precondition(p.count == q.count, "KL of vectors with \(p.count) and \(q.count) classes")
        var sum = 0.0
        for index in 0..<p.count where p[index] > 0 {
            sum += p[index] * (log(p[index]) - log(q[index] + epsilon))
        }
        return sum
    }

    public static func compare(generated: FeatureMatrix, reference: FeatureMatrix) throws -> ClassDistributionScore {
        guard generated.dimension == reference.dimension else {
            throw MetricsError(generated.source, "class probabilities have \(generated.dimension) classes, the reference \(reference.dimension)")
        }
        guard generated.rowCount == reference.rowCount, generated.rowCount > 0 else {
            throw MetricsError(generated.source, "class probabilities have \(generated.rowCount) rows, the reference \(reference.rowCount); rows are paired by order")
        }
        let classes = generated.dimension
        for matrix in [generated, reference] {
            for row in 0..<matrix.rowCount {
                let values = Array(matrix.values[(row * classes)..<((row + 1) * classes)])
                let sum = values.reduce(0, +)
                guard values.allSatisfy({ $0 >= 0 && $0.isFinite }), Swift.abs(sum - 1) <= 1e-3 else {
                    throw MetricsError(matrix.source, "row \(row) is not a probability vector (sum \(sum)); give softmax probabilities, not logits")
                }
            }
        }
        var forward = 0.0, backward = 0.0
        for row in 0..<generated.rowCount {
            let g = Array(generated.values[(row * classes)..<((row + 1) * classes)])
            let r = Array(reference.values[(row * classes)..<((row + 1) * classes)])
            forward += divergence(r, g)
            backward += divergence(g, r)
        }
        let rows = Double(generated.rowCount)
        return ClassDistributionScore(referenceToGenerated: forward / rows, generatedToReference: backward / rows,
                                      rowCount: generated.rowCount, classCount: classes,
                                      generatedPath: generated.source, referencePath: reference.source)
    }
}
