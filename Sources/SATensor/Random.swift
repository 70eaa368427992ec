#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Seeded random numbers for noise and test data: xoshiro256** seeded through SplitMix64.
///
/// The stream is fully determined by the seed and is the same on every machine and for any thread count
/// (one generator is never shared across threads). It is not bit-compatible with PyTorch's generators; parity
/// tests inject PyTorch's noise instead.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public mutating func next() -> UInt64 {
        // xoshiro256**: result = rotl(s1 * 5, 7) * 9
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    @inline(__always) private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A pair of independent standard normal values (Box–Muller on two uniforms; u1 in (0, 1]).
    public mutating func nextGaussianPair() -> (Double, Double) {
        let u1 = 1.0 - nextUniform()
        let u2 = nextUniform()
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        return (radius * cos(angle), radius * sin(angle))
    }
}

extension Tensor {
    /// Standard normal samples of the given shape, drawn in row-major order from `generator`.
    public static func randomNormal(shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    generator: inout SeededGenerator) -> Tensor {
        let count = elementCount(shape)
        var values = [Float](repeating: 0, count: count)
        var index = 0
        while index < count {
            let (a, b) = generator.nextGaussianPair()
            values[index] = mean + standardDeviation * Float(a)
            if index + 1 < count { values[index + 1] = mean + standardDeviation * Float(b) }
            index += 2
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Uniform samples in [low, high) of the given shape.
    public static func randomUniform(shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: inout SeededGenerator) -> Tensor {
        let values = (0..<elementCount(shape)).map { _ in low + (high - low) * Float(generator.nextUniform()) }
        return Tensor(shape: shape, scalars: values)
    }
}
