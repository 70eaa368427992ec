import SATensor

/// Where stochastic samplers get their fresh noise ξ: one standard-normal tensor per call.
///
/// The call mirrors k-diffusion's `noise_sampler(sigma, sigma_next)`: samplers call it once per step that adds
/// noise (every step with σᵢ₊₁ > 0 for the SDE samplers here), in step order, with the step's σ pair. A source
/// may ignore the sigmas (iid sources) or use them (a Brownian-tree source would).
public protocol NoiseSource {
    /// N(0, 1) noise of `shape` for the step σ → σ_next.
    mutating func noise(shape: [Int], sigma: Double, sigmaNext: Double) throws -> Tensor
}

/// iid N(0, 1) noise from the project's seeded generator (xoshiro256** + Box–Muller, `SATensor.SeededGenerator`).
///
/// - Not bit-compatible with k-diffusion's `BrownianTreeNoiseSampler` (torchsde) that SAT's SDE samplers use by
///   default. That sampler returns (W(σᵢ₊₁) − W(σᵢ))/√|σᵢ₊₁ − σᵢ| over disjoint intervals, i.e. iid N(0, 1)
///   values, so this source has the same distribution; exact torch parity needs recorded noise
///   (`RecordedNoiseSource`).
/// - Bit-identical across runs and thread counts on one machine: the stream is a pure function of the seed and
///   the sequence of shapes drawn, filled serially in row-major order (each Box–Muller pair fills two elements;
///   an odd element count discards the last pair's second value).
///
/// The same source can draw the initial noise first (`draw(shape:)`) and then serve the sampler, so one seed
/// determines a whole generation, as one `torch.manual_seed` does in SAT's `generate_diffusion_cond`.
public struct SeededNoiseSource: NoiseSource, Sendable {
    /// The generator state; advancing it is the only effect of drawing.
    public private(set) var generator: SeededGenerator
    /// How many tensors have been drawn so far.
    public private(set) var drawCount = 0

    public init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    public init(generator: SeededGenerator) {
        self.generator = generator
    }

    /// N(0, 1) noise of `shape`.
    public mutating func draw(shape: [Int]) -> Tensor {
        drawCount += 1
        return Tensor.randomNormal(shape: shape, generator: &generator)
    }

    public mutating func noise(shape: [Int], sigma: Double, sigmaNext: Double) throws -> Tensor {
        draw(shape: shape)
    }
}

/// Replays given tensors in call order: the noise a reference run drew (k-diffusion's `noise_sampler` calls,
/// recorded by the fixture scripts), for bitwise-input parity tests.
///
/// Throws `SamplingError.noiseExhausted` when asked for more draws than it holds and
/// `SamplingError.noiseShapeMismatch` when a recorded tensor's shape differs from the requested one.
public struct RecordedNoiseSource: NoiseSource, Sendable {
    public let draws: [Tensor]
    /// How many draws have been handed out.
    public private(set) var usedCount = 0
    /// The σ pair of every call so far, in order.
    public private(set) var calls: [(sigma: Double, sigmaNext: Double)] = []

    public init(_ draws: [Tensor]) {
        self.draws = draws
    }

    /// Splits a stacked tensor `[count, …]` into `count` draws along axis 0.
    public init(stacked: Tensor) {
        precondition(stacked.rank >= 1, "stacked noise needs a leading draw axis, got shape \(stacked.shape)")
        let count = stacked.shape[0]
        self.init((0..<count).map { stacked.slice(axis: 0, $0..<($0 + 1)).squeezingDimension(0) })
    }

    /// Draws not yet handed out.
    public var remainingCount: Int { draws.count - usedCount }

    public mutating func noise(shape: [Int], sigma: Double, sigmaNext: Double) throws -> Tensor {
        guard usedCount < draws.count else {
            throw SamplingError.noiseExhausted(requested: usedCount + 1, available: draws.count)
        }
        let draw = draws[usedCount]
        guard draw.shape == shape else { throw SamplingError.noiseShapeMismatch(expected: shape, actual: draw.shape) }
        usedCount += 1
        calls.append((sigma, sigmaNext))
        return draw
    }
}

/// A source for deterministic samplers: any request is an error (`SamplingError.noiseSourceRequired`).
public struct NoNoiseSource: NoiseSource, Sendable {
    public init() {}

    public mutating func noise(shape: [Int], sigma: Double, sigmaNext: Double) throws -> Tensor {
        throw SamplingError.noiseSourceRequired(sampler: "this sampler")
    }
}
