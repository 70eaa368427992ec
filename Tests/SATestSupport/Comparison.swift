import SATensor

/// The result of comparing two tensors element by element.
public struct TensorComparison: CustomStringConvertible, Sendable {
    public let maximumAbsoluteDifference: Float
    public let worstIndex: Int
    public let violations: Int
    public let firstPairs: [(Float, Float)]
    public let shapesMatch: Bool
    public let detail: String

    public var description: String { detail }
}

/// Compares `actual` with `expected`: |a − e| ≤ atol + rtol·|e| for every element (NumPy's `allclose` rule).
/// The description reports the largest difference, its index and the first pairs, as llm.c's checks do.
public func compare(_ actual: Tensor, _ expected: Tensor, absoluteTolerance: Float, relativeTolerance: Float = 0) -> TensorComparison {
    guard actual.shape == expected.shape else {
        return TensorComparison(maximumAbsoluteDifference: .infinity, worstIndex: -1, violations: max(actual.count, expected.count),
                                firstPairs: [], shapesMatch: false, detail: "shape \(actual.shape) ≠ expected \(expected.shape)")
    }
    var worst: Float = 0, worstIndex = 0, violations = 0
    for index in 0..<actual.count {
        let a = actual.scalars[index], e = expected.scalars[index]
        let difference = abs(a - e)
        if !(difference <= absoluteTolerance + relativeTolerance * abs(e)) { violations += 1 }
        if difference > worst || difference.isNaN { worst = difference.isNaN ? .nan : difference; worstIndex = index }
    }
    let pairs = (0..<min(5, actual.count)).map { (actual.scalars[$0], expected.scalars[$0]) }
    let detail = "max|diff| \(worst) at \(worstIndex) (actual \(actual.count > 0 ? actual.scalars[worstIndex] : 0), expected \(expected.count > 0 ? expected.scalars[worstIndex] : 0)); \(violations) of \(actual.count) outside atol \(absoluteTolerance) rtol \(relativeTolerance); first pairs \(pairs)"
    return TensorComparison(maximumAbsoluteDifference: worst, worstIndex: worstIndex, violations: violations,
                            firstPairs: pairs, shapesMatch: true, detail: detail)
}

extension TensorComparison {
    /// Whether every element is within tolerance and the shapes agree.
    public var passed: Bool { shapesMatch && violations == 0 && !maximumAbsoluteDifference.isNaN }
}

/// A tensor of N(0, 1) values from a fixed seed, for tests.
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape: shape, standardDeviation: scale, generator: &generator)
}
