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
