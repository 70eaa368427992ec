/// Invalid sampling input: a schedule parameter, a sigma ladder, or a noise source that cannot serve a sampler.
///
/// Thrown (never a `precondition`) because these values come from users and configuration files. Every message
/// names the offending parameter and its value. Cancellation through a progress closure throws Swift's
/// `CancellationError` instead.
public enum SamplingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `stepCount` must be at least 1.
    case invalidStepCount(Int)
    /// A schedule or sampler parameter outside its domain: name, value, and the requirement it broke.
    case invalidParameter(name: String, value: Double, requirement: String)
    /// `sigmaMin` must be strictly below `sigmaMax`.
    case invalidSigmaRange(sigmaMin: Double, sigmaMax: Double)
    /// A sigma ladder a sampler cannot run: the reason and the position (−1 when it concerns the whole list).
    case invalidSigmas(String, index: Int)
    /// A noise source ran out (a recorded source holds fewer draws than the sampler asked for).
    case noiseExhausted(requested: Int, available: Int)
    /// A noise source produced a tensor of the wrong shape.
    case noiseShapeMismatch(expected: [Int], actual: [Int])
    /// A stochastic sampler was called without a noise source.
    case noiseSourceRequired(sampler: String)

    public var description: String {
        switch self {
        case .invalidStepCount(let count):
            return "the number of sampling steps must be at least 1 (got \(count))"
        case .invalidParameter(let name, let value, let requirement):
            return "\(name) must be \(requirement) (got \(value))"
        case .invalidSigmaRange(let sigmaMin, let sigmaMax):
            return "sigma_min must be less than sigma_max (got sigma_min \(sigmaMin), sigma_max \(sigmaMax))"
        case .invalidSigmas(let reason, let index):
            return index >= 0 ? "invalid sigma schedule at index \(index): \(reason)" : "invalid sigma schedule: \(reason)"
        case .noiseExhausted(let requested, let available):
            return "the noise source is exhausted: draw \(requested) requested, \(available) available"
        case .noiseShapeMismatch(let expected, let actual):
            return "the noise source returned shape \(actual), the sampler state has shape \(expected)"
        case .noiseSourceRequired(let sampler):
            return "\(sampler) is stochastic and needs a noise source"
        }
    }
}

/// Parameter checks shared by schedules and samplers.
enum Validate {
    /// A finite value strictly above zero.
    static func positive(_ value: Double, _ name: String) throws {
        guard value.isFinite, value > 0 else {
            throw SamplingError.invalidParameter(name: name, value: value, requirement: "a finite number greater than 0")
        }
    }

    /// A finite value at or above zero.
    static func nonNegative(_ value: Double, _ name: String) throws {
        guard value.isFinite, value >= 0 else {
            throw SamplingError.invalidParameter(name: name, value: value, requirement: "a finite number ≥ 0")
        }
    }

    static func stepCount(_ count: Int) throws {
        guard count >= 1 else { throw SamplingError.invalidStepCount(count) }
    }

    /// `sigmaMin` and `sigmaMax` finite, positive and ordered.
    static func sigmaRange(_ sigmaMin: Double, _ sigmaMax: Double) throws {
        try positive(sigmaMin, "sigma_min")
        try positive(sigmaMax, "sigma_max")
        guard sigmaMin < sigmaMax else { throw SamplingError.invalidSigmaRange(sigmaMin: sigmaMin, sigmaMax: sigmaMax) }
    }

    /// A ladder σ₀ > σ₁ > … > σ_N ≥ 0 with N ≥ 1, all finite: what every sampler here needs. Strictly decreasing
    /// keeps every step size h = ln(σᵢ/σᵢ₊₁) positive (the multistep ratios r = h_prev/h divide by it), and it
    /// implies that only the last sigma may be 0.
    static func sigmaLadder(_ sigmas: [Double]) throws {
        guard sigmas.count >= 2 else {
            throw SamplingError.invalidSigmas("need at least 2 sigmas (one step), got \(sigmas.count)", index: -1)
        }
        for (index, sigma) in sigmas.enumerated() {
            guard sigma.isFinite else { throw SamplingError.invalidSigmas("sigma is \(sigma), must be finite", index: index) }
            guard sigma >= 0 else { throw SamplingError.invalidSigmas("sigma is \(sigma), must be ≥ 0", index: index) }
            if index > 0, !(sigma < sigmas[index - 1]) {
                throw SamplingError.invalidSigmas(
                    "sigmas must decrease strictly (σ[\(index - 1)] = \(sigmas[index - 1]), σ[\(index)] = \(sigma))", index: index)
            }
        }
    }
}
