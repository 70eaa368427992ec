/// Conversions between Float32 and the 16-bit formats found in checkpoints.
public enum HalfPrecision {
    /// IEEE 754 binary16 bits → Float32 (exact).
    @inlinable public static func float(fromHalfBits bits: UInt16) -> Float { Float(Float16(bitPattern: bits)) }

    /// Float32 → IEEE 754 binary16 bits, rounded to nearest even.
    @inlinable public static func halfBits(from value: Float) -> UInt16 { Float16(value).bitPattern }

    /// bfloat16 bits → Float32 (exact: bfloat16 is the top half of a Float32).
    @inlinable public static func float(fromBFloat16Bits bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Float32 → bfloat16 bits, rounded to nearest even (NaN stays a quiet NaN), as PyTorch rounds.
    @inlinable public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }
}
