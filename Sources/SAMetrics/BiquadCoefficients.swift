/// A second-order IIR section `H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`, in Float64.
public struct BiquadCoefficients: Codable, Sendable, Equatable {
    public var b0, b1, b2, a1, a2: Double

    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        self.b0 = b0
        self.b1 = b1
        self.b2 = b2
        self.a1 = a1
        self.a2 = a2
    }

    /// Numerator [b0, b1, b2] and denominator [1, a1, a2], as scipy writes them.
    public var numerator: [Double] { [b0, b1, b2] }
    public var denominator: [Double] { [1, a1, a2] }
}

/// The running state of one biquad in transposed direct form II.
struct BiquadState {
    var s1 = 0.0
    var s2 = 0.0

    /// y = b0·x + s1; s1 = b1·x − a1·y + s2; s2 = b2·x − a2·y
    @inline(__always)
    mutating func process(_ x: Double, _ c: BiquadCoefficients) -> Double {
        let y = c.b0 * x + s1
        s1 = c.b1 * x - c.a1 * y + s2
        s2 = c.b2 * x - c.a2 * y
        return y
    }
}
