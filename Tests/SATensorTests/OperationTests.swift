import SATensor
import SATestSupport
import Testing

/// Matmul, normalization, attention, broadcasting, reductions and layout ops against direct loops or
/// hand-computed values.
@Suite struct OperationTests {
    @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 64, 33), (128, 96, 200)])
    func matmulMatchesDirectLoops(m: Int, k: Int, n: Int) {
        let a = randomTensor([m, k], seed: 1), b = randomTensor([k, n], seed: 2)
        let comparison = compare(a.matmul(b), NaiveReference.matmul(a, b), absoluteTolerance: 1e-5, relativeTolerance: 1e-4)
        #expect(comparison.passed, "\(comparison)")
    }

    @Test func batchedMatmulUsesEachItemsMatrices() {
        let a = randomTensor([3, 4, 5], seed: 3), b = randomTensor([3, 5, 2], seed: 4)
        let product = a.matmul(b)
        for item in 0..<3 {
            let expected = NaiveReference.matmul(a.slice(axis: 0, item..<(item + 1)).reshaped([4, 5]),
                                                 b.slice(axis: 0, item..<(item + 1)).reshaped([5, 2]))
            #expect(compare(product.slice(axis: 0, item..<(item + 1)).reshaped([4, 2]), expected, absoluteTolerance: 1e-5, relativeTolerance: 1e-4).passed)
        }
        let shared = a.matmul(b.slice(axis: 0, 0..<1).reshaped([5, 2]))
        #expect(shared.shape == [3, 4, 2])
    }

    @Test func linearIsMatmulWithTransposedWeightPlusBias() {
        let x = randomTensor([2, 3, 6], seed: 5), weight = randomTensor([4, 6], seed: 6), bias = randomTensor([4], seed: 7)
        let expected = NaiveReference.matmul(x.reshaped([6, 6]), weight.transposed(0, 1)).reshaped([2, 3, 4]) + bias
        #expect(compare(x.linear(weight: weight, bias: bias), expected, absoluteTolerance: 1e-5, relativeTolerance: 1e-4).passed)
    }

    @Test(arguments: [(1, 8), (2, 8), (8, 8), (4, 32)])
    func groupNormMatchesDirectLoops(groups: Int, channels: Int) {
        let x = randomTensor([2, channels, 37], seed: 9, scale: 3) + 5
        let weight = randomTensor([channels], seed: 10), bias = randomTensor([channels], seed: 11)
        let comparison = compare(x.groupNorm(groupCount: groups, weight: weight, bias: bias, epsilon: 1e-5),
                                 NaiveReference.groupNorm(x, groups: groups, weight: weight, bias: bias, epsilon: 1e-5),
                                 absoluteTolerance: 1e-5, relativeTolerance: 1e-4)
        #expect(comparison.passed, "\(comparison)")
    }

    @Test func layerNormAndRMSNormHaveUnitStatistics() {
        let x = randomTensor([5, 64], seed: 12, scale: 4) + 2
        let layer = x.layerNorm(weight: nil, bias: nil, epsilon: 1e-5)
        for row in 0..<5 {
            let values = layer.slice(axis: 0, row..<(row + 1))
            #expect(abs(values.sumAll() / 64) < 1e-5)
            #expect(abs(values.squared().sumAll() / 64 - 1) < 1e-3)
        }
        let rms = x.rmsNorm(weight: nil, epsilon: 0)
        for row in 0..<5 { #expect(abs(rms.slice(axis: 0, row..<(row + 1)).squared().sumAll() / 64 - 1) < 1e-4) }
    }

    struct AttentionCase: Sendable, CustomStringConvertible {
        var batch, heads, kvHeads, queries, keys, depth: Int
        var withBias: Bool
        var description: String { "B\(batch) H\(heads)/\(kvHeads) \(queries)×\(keys) D\(depth)\(withBias ? " bias" : "")" }
    }

    @Test(arguments: [
        AttentionCase(batch: 2, heads: 4, kvHeads: 4, queries: 7, keys: 9, depth: 8, withBias: false),
        AttentionCase(batch: 1, heads: 6, kvHeads: 2, queries: 5, keys: 5, depth: 16, withBias: true),
        AttentionCase(batch: 2, heads: 2, kvHeads: 1, queries: 3, keys: 11, depth: 4, withBias: true),
        // Large enough to take the sequential, multithreaded-BLAS path.
        AttentionCase(batch: 1, heads: 2, kvHeads: 2, queries: 256, keys: 256, depth: 64, withBias: false),
    ])
    func attentionMatchesDirectLoops(_ c: AttentionCase) {
        let q = randomTensor([c.batch, c.heads, c.queries, c.depth], seed: 13)
        let k = randomTensor([c.batch, c.kvHeads, c.keys, c.depth], seed: 14)
        let v = randomTensor([c.batch, c.kvHeads, c.keys, c.depth], seed: 15)
        let bias = c.withBias ? randomTensor([c.batch, 1, c.queries, c.keys], seed: 16) : nil
        let scale = 1 / Float(c.depth).squareRoot()
        let comparison = compare(Tensor.scaledDotProductAttention(query: q, key: k, value: v, bias: bias),
                                 NaiveReference.attention(query: q, key: k, value: v, scale: scale, bias: bias),
                                 absoluteTolerance: 1e-5, relativeTolerance: 1e-4)
        #expect(comparison.passed, "\(c): \(comparison)")
    }

    @Test func broadcastingFollowsNumPyRules() {
        let a = Tensor(shape: [2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [1, 4], scalars: [10, 20, 30, 40])
        let sum = a + b
        #expect(sum.shape == [2, 3, 4])
        #expect(sum[[1, 2, 3]] == 6 + 40)
        #expect(sum[[0, 1, 0]] == 2 + 10)
        let channel = Tensor(shape: [1, 3, 1], scalars: [1, 10, 100])
        let scaled = Tensor(repeating: 2, shape: [2, 3, 5]) * channel
        #expect(scaled[[1, 2, 4]] == 200)
        #expect((a - Tensor(scalar: 1))[[1, 0, 0]] == 3)
        #expect(Tensor.broadcastShape([5, 1, 3], [4, 1]) == [5, 4, 3])
    }

    @Test func reductionsMatchHandComputedValues() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.sum(axis: 0) == Tensor(shape: [3], scalars: [5, 7, 9]))
        #expect(x.sum(axis: 1, keepingDimension: true) == Tensor(shape: [2, 1], scalars: [6, 15]))
        #expect(x.mean(axis: -1) == Tensor(shape: [2], scalars: [2, 5]))
        #expect(x.max(axis: 0) == Tensor(shape: [3], scalars: [4, 5, 6]))
        #expect(x.variance(axis: 1) == Tensor(shape: [2], scalars: [2.0 / 3, 2.0 / 3]))
        #expect(x.variance(axis: 1, unbiased: true) == Tensor(shape: [2], scalars: [1, 1]))
        let softmax = Tensor(shape: [1, 3], scalars: [1000, 1000, -Float.infinity]).softmax()
        #expect(softmax.scalars == [0.5, 0.5, 0])
    }

    @Test func layoutOpsRoundTrip() {
        let x = randomTensor([2, 3, 4, 5], seed: 17)
        #expect(x.permuted([3, 1, 0, 2]).permuted([2, 1, 3, 0]) == x)
        #expect(x.transposed(1, 3).shape == [2, 5, 4, 3])
        let parts = x.split(sizes: [1, 3], axis: 2)
        #expect(Tensor.concatenate(parts, axis: 2) == x)
        #expect(Tensor.concatenate(x.chunked(5, axis: -1), axis: -1) == x)
        let padded = x.padded(axis: 1, before: 2, after: 1, value: 7)
        #expect(padded.shape == [2, 6, 4, 5] && padded[[1, 0, 3, 4]] == 7 && padded[[1, 2, 3, 4]] == x[[1, 0, 3, 4]])
        #expect(padded.padded(axis: 1, before: -2, after: -1) == x)
        #expect(x.splittingHeadsRoundTrip())
        let repeated = Tensor(shape: [1, 2, 1], scalars: [1, 2]).repeatingInterleaved(3, axis: 1)
        #expect(repeated.scalars == [1, 1, 1, 2, 2, 2])
        #expect(Tensor(shape: [1, 1, 4], scalars: [1, 2, 3, 4]).paddedReflect(before: 2, after: 3).scalars == [3, 2, 1, 2, 3, 4, 3, 2, 1])
    }

    @Test func interpolationEndpointsAndIdentity() {
        let x = randomTensor([1, 2, 9], seed: 18)
        #expect(x.interpolateLinear(size: 9) == x)
        #expect(x.interpolateNearest(size: 9) == x)
        let up = Tensor(shape: [1, 1, 2], scalars: [0, 1]).interpolateLinear(size: 4)
        #expect(up.scalars == [0, 0.25, 0.75, 1])
    }

    @Test func elementwiseFunctionsMatchDefinitions() {
        let x = Tensor(shape: [5], scalars: [-3, -0.5, 0, 0.5, 25])
        #expect(compare(x.silu(), Tensor(shape: [5], scalars: x.scalars.map { $0 / (1 + exp(-$0)) }), absoluteTolerance: 1e-6).passed)
        #expect(x.softplus().scalars[4] == 25)
        #expect(x.relu().scalars == [0, 0, 0, 0.5, 25])
        #expect(abs(Tensor(scalar: 1).gelu().scalars[0] - 0.8413447) < 1e-6)
        let snake = Tensor(shape: [1, 1, 2], scalars: [0.5, 1]).snake(alpha: [2], inverseBeta: [0.5])
        #expect(abs(snake.scalars[1] - (1 + 0.5 * sin(2) * sin(2))) < 1e-6)
    }

    @Test func halfPrecisionConversions() {
        for value: Float in [0, 1, -2.5, 65504, 1e-7, .infinity] {
            #expect(HalfPrecision.float(fromHalfBits: HalfPrecision.halfBits(from: value)) == Float(Float16(value)))
        }
        #expect(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: 1.0)) == 1.0)
        // 1 + 2⁻⁸ is halfway between two bfloat16 values: rounds to even (1.0); 1 + 3·2⁻⁸ rounds up.
        #expect(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: 1 + 1.0 / 256)) == 1.0)
        #expect(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: 1 + 3.0 / 256)) == 1 + 4.0 / 256)
        #expect(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: .nan)).isNaN)
    }

    @Test func seededGeneratorIsReproducibleAndNormal() {
        var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42), other = SeededGenerator(seed: 43)
        let a = Tensor.randomNormal(shape: [10000], generator: &first)
        #expect(a == Tensor.randomNormal(shape: [10000], generator: &second))
        #expect(a != Tensor.randomNormal(shape: [10000], generator: &other))
        let mean = a.sumAll() / 10000, variance = a.squared().sumAll() / 10000 - mean * mean
        #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.05)
    }
}

extension Tensor {
    fileprivate func splittingHeadsRoundTrip() -> Bool {
        let x = reshaped([2, 3, 20])
        return x.splittingHeads(4).mergingHeads() == x
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The vectorized sine against libm over the ranges Snake activations see, and beyond.
@Suite struct VectorMathTests {
    @Test(arguments: [(Float(-4), Float(4)), (-100, 100), (-8000, 8000), (-1e5, 1e5)])
    func sineMatchesLibm(low: Float, high: Float) {
        var generator = SeededGenerator(seed: 5)
        let inputs = Tensor.randomUniform(shape: [10_003], low: low, high: high, generator: &generator).scalars + [0, -0.0, 1e-30, .pi, -.pi / 2]
        var outputs = [Float](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { input in outputs.withUnsafeMutableBufferPointer { VectorMath.sin(input, into: $0) } }
        var worst: Float = 0
        for (x, y) in zip(inputs, outputs) { worst = max(worst, abs(y - sinf(x))) }
        // A few ulp of 1 for |x| ≤ 8192 (Cody–Waite reduction), libm beyond.
        #expect(worst < 4e-7, "max |VectorMath.sin − sinf| = \(worst) on [\(low), \(high)]")
    }
}

extension VectorMathTests {
    @Test func exponentialMatchesLibm() {
        var generator = SeededGenerator(seed: 6)
        let inputs = Tensor.randomUniform(shape: [20_000], low: -87, high: 88, generator: &generator).scalars + [0, 1, -1, 1e-8, 88.5, -87.2]
        var worst: Float = 0
        for x in inputs { worst = max(worst, abs(VectorMath.exponential(x) - expf(x)) / expf(x)) }
        #expect(worst < 3e-7, "max relative error of VectorMath.exponential: \(worst)")
        #expect(VectorMath.exponential(-200) == 0 && VectorMath.exponential(-.infinity) == 0)
    }
}

extension VectorMathTests {
    /// The sixteen-lane dot product against a Float64 sum, at lengths around the lane width (tail handling).
    @Test(arguments: [0, 1, 15, 16, 17, 174, 1_001])
    func dotMatchesADoubleSum(count: Int) {
        let x = randomTensor([count + 1], seed: 7).scalars, y = randomTensor([count + 1], seed: 8).scalars
        var exact = 0.0
        for index in 0..<count { exact += Double(x[index]) * Double(y[index]) }
        let dot = x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in VectorMath.dot(a.baseAddress!, b.baseAddress!, count: count) } }
        #expect(abs(Double(dot) - exact) <= 1e-5 * max(1, Double(count).squareRoot()), "dot \(dot), Float64 sum \(exact)")
    }
}
