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

