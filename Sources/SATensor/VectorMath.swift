#if canImport(Glibc)
import Glibc
#endif

/// Vectorizable elementary functions for hot elementwise loops (Snake activations run sin on every sample of
/// every channel of the VAE decoder). libm's `sinf` is an opaque call per element; `sine` is branch-free
/// arithmetic that LLVM's loop vectorizer turns into SIMD code.
public enum VectorMath {
    /// Largest |x| for which `sine` is accurate; callers fall back to libm beyond it.
    public static let sineLimit: Float = 8192

    /// sin(x) following Cephes' `sinf`: Cody–Waite reduction by π/2 in three parts, minimax polynomials for sin and
    /// cos on [−π/4, π/4] chosen by quadrant. Error ≤ 2 ulp for |x| ≤ `sineLimit`.
    ///
    ///     j = round(x · 2/π),  r = ((x − j·P₁) − j·P₂) − j·P₃        P₁ + P₂ + P₃ ≈ π/2
    ///     sin r ≈ r + r³(s₁ + r²(s₂ + r²·s₃)),  cos r ≈ 1 − r²/2 + r⁴(c₁ + r²(c₂ + r²·c₃))
    ///     sin x = [sin r, cos r, −sin r, −cos r][j mod 4]
    ///
    /// j is rounded by adding and subtracting 1.5·2²³, whose low mantissa bits then hold j mod 4 — no conversion
    /// or branch, so loops over it vectorize.
    @inline(__always) public static func sine(_ x: Float) -> Float {
        let shifted = x * 0.63661977236758134 + 12_582_912
        let quadrant = shifted.bitPattern & 3
        let j = shifted - 12_582_912
        var r = x - j * 1.5703125
        r = r - j * 4.837512969970703125e-4
        r = r - j * 7.54978995489188216e-8
        let r2 = r * r
        let sinePart = r + r * r2 * (-1.6666654611e-1 + r2 * (8.3321608736e-3 + r2 * -1.9515295891e-4))
        let cosinePart = 1 - 0.5 * r2 + r2 * r2 * (4.166664568298827e-2 + r2 * (-1.388731625493765e-3 + r2 * 2.443315711809948e-5))
        let value = (quadrant & 1) == 0 ? sinePart : cosinePart
        return Float(bitPattern: value.bitPattern ^ ((quadrant & 2) << 30))
    }

    /// eˣ following Cephes' `expf`: x clamped to [−87.3, 88.7], n = round(x·log₂e), r = x − n·ln2 (two-part ln2),
    /// a degree-6 polynomial for eʳ on [−ln2/2, ln2/2], and 2ⁿ put into the exponent bits. Error ≤ 2 ulp; branch-free
    /// so loops over it vectorize. Inputs below −87.3 (where eˣ is denormal) give exactly 0, so masked logits (−∞)
    /// vanish from a softmax as in PyTorch.
    ///
    ///     eˣ = 2ⁿ · eʳ,  eʳ ≈ 1 + r + r²(½ + r(p₁ + r(p₂ + r(p₃ + r(p₄ + r·p₅)))))
    @inline(__always) public static func exponential(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -87.3), 88.7)
        let shifted = x * 1.44269504088896341 + 12_582_912
        let n = shifted - 12_582_912
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        let r2 = r * r
        let polynomial = 1 + r + r2 * (0.5 + r * (1.6666665459e-1 + r * (4.1665795894e-2 + r * (8.3334519073e-3
            + r * (1.3981999507e-3 + r * 1.9875691500e-4)))))
        // 2ⁿ: n (from the shifter's low mantissa bits, as a signed integer) added to the exponent field
        let exponentBits = (shifted.bitPattern &- 0x4B40_0000) << 23
        let result = Float(bitPattern: polynomial.bitPattern &+ exponentBits)
        return value < -87.3 ? 0 : result
    }

    /// erf(x) by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷), the formula PyTorch's vectorized CPU kernels use
    /// for `erf` and hence for exact GELU. Branch-free, so loops over it vectorize:
    ///
    ///     t = 1 / (1 + p·|x|),  erf(x) = sign(x) · (1 − t(a₁ + t(a₂ + t(a₃ + t(a₄ + t·a₅)))) · e^(−x²))
    @inline(__always) public static func errorFunction(_ x: Float) -> Float {
        let magnitude = Swift.abs(x)
        let t = 1 / (1 + 0.3275911 * magnitude)
        let polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
        let value = 1 - polynomial * exponential(-magnitude * magnitude)
        return Float(bitPattern: value.bitPattern | (x.bitPattern & 0x8000_0000))
    }

    /// Largest of `count` floats (−∞ when empty). Sixteen running maxima (lane i takes elements ≡ i mod 16), then
    /// the tail: the order of comparisons depends only on `count`.
    @inline(__always) public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>(repeating: -.infinity)
        var index = 0
        while index + 16 <= count {
            // `replace(with:where:)` compiles to compare-and-blend; `pointwiseMax` and `Swift.max` compile to per-lane
            // branches (measured 100× slower on a 432-float row).
            let values = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD16<Float>.self)
            lanes.replace(with: values, where: values .> lanes)
            index += 16
        }
        var largest = lanes.max()
        while index < count { largest = Swift.max(largest, x[index]); index += 1 }
        return largest
    }

    /// Largest |x| of `count` floats (0 when empty), with the same lane scheme as `maximum`.
    @inline(__always) public static func maximumMagnitude(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var index = 0
        while index + 16 <= count {
            let values = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD16<Float>.self)
            let magnitudes = values.replacing(with: -values, where: values .< 0)
            lanes.replace(with: magnitudes, where: magnitudes .> lanes)
            index += 16
        }
        var largest = lanes.max()
        while index < count { largest = Swift.max(largest, Swift.abs(x[index])); index += 1 }
        return largest
    }

    /// Σ x over `count` floats in Float32: sixteen partial sums (lane i sums elements ≡ i mod 16) added pairwise,
    /// then the tail. The summation order depends only on `count`, so results are reproducible.
    @inline(__always) public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        laneOrderedSum(count: count) { UnsafeRawPointer(x + $0).loadUnaligned(as: SIMD16<Float>.self) } element: { x[$0] }
    }

    /// Σ x·y over `count` floats in Float32: sixteen partial sums (lane i sums products of elements ≡ i mod 16) added
    /// pairwise, then the tail; the order depends only on `count`, so results are reproducible.
    @inline(__always) public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        laneOrderedSum(count: count) {
            UnsafeRawPointer(x + $0).loadUnaligned(as: SIMD16<Float>.self) * UnsafeRawPointer(y + $0).loadUnaligned(as: SIMD16<Float>.self)
        } element: { x[$0] * y[$0] }
    }

    /// Σ over `count` terms: the sixteen-lane blocks `lanes(i)` (terms i … i + 15) summed lane-wise, the lanes added
    /// pairwise, then the tail terms `element(i)` in order; the order depends only on `count`.
    @inline(__always) static func laneOrderedSum(count: Int, lanes block: (Int) -> SIMD16<Float>, element: (Int) -> Float) -> Float {
        var lanes = SIMD16<Float>()
        var index = 0
        while index + 16 <= count {
            lanes += block(index)
            index += 16
        }
        var total = lanes.sum()
        while index < count { total += element(index); index += 1 }
        return total
    }

    /// Σ (x − center)² over `count` floats, accumulated in Float64 with eight partial sums (lane i takes elements
    /// ≡ i mod 8), then the tail. With `center` 0 it is the sum of squares.
    @inline(__always) public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, count: Int, center: Double) -> Double {
        var lanes = SIMD8<Double>()
        let centers = SIMD8<Double>(repeating: center)
        var index = 0
        while index + 8 <= count {
            let deviation = SIMD8<Double>(UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)) - centers
            lanes += deviation * deviation
            index += 8
        }
        var total = lanes.sum()
        while index < count { total += (Double(x[index]) - center) * (Double(x[index]) - center); index += 1 }
        return total
    }

    /// Σ x over `count` floats, accumulated in Float64 with eight partial sums (lane i takes elements ≡ i mod 8).
    @inline(__always) public static func sumInDouble(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>()
        var index = 0
        while index + 8 <= count {
            lanes += SIMD8<Double>(UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self))
            index += 8
        }
        var total = lanes.sum()
        while index < count { total += Double(x[index]); index += 1 }
        return total
    }

    /// sin over a buffer: the vectorized kernel, then libm for the rare |x| > `sineLimit`.
    public static func sin(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let count = min(input.count, output.count)
        for index in 0..<count { output[index] = sine(input[index]) }
        for index in 0..<count where !(Swift.abs(input[index]) <= sineLimit) { output[index] = Glibc.sinf(input[index]) }
    }
}
