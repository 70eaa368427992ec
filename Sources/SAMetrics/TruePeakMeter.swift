import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// True peak (dBTP) by 4× polyphase oversampling with a Kaiser-windowed sinc interpolator.
///
/// This implementation matches: ITU-R BS.1770-4 Annex 2 (oversample 4×, low-pass, take the largest |·|), whose
/// example 48-tap filter is "implementation defined" in libebur128's words. The interpolator here is the ideal sinc
/// `sinc(t)` (cut-off at the input Nyquist frequency) under a Kaiser window (β = 7) spanning 32 input samples, i.e. a
/// 129-tap prototype at 4·fs; its phase 0 is the input itself, so only phases 1–3 are computed. The response is flat
/// within 0.001 dB up to 0.4·fs and −0.19 dB at 0.45·fs (19.8 kHz at 44.1 kHz), and image rejection is 33 dB at
/// 0.55·fs. EBU Tech 3341 cases 15–23 read within 0.01 dB of an ideal (FFT) 4× interpolation, well inside the
/// +0.2/−0.4 dB tolerance; the BS.1770 48-tap example reads up to 0.3 dB lower on case 17. Limitations: Float32
/// accumulation; 4× at every sample rate (the standard allows 2× from 96 kHz).
public enum TruePeakMeter {
    public static let oversampling = 4
    /// Input samples the interpolator spans.
    public static let tapsPerPhase = 32
    public static let kaiserBeta = 7.0

    /// `phaseCoefficients[p − 1][t]` weights x[n + t − 15] for the value at time n + p/4.
    static let phaseCoefficients: [[Float]] = {
        let half = tapsPerPhase / 2 * oversampling  // prototype taps j ∈ [−64, 64]
        return (1..<oversampling).map { phase in
            (0..<tapsPerPhase).map { tap in
                // value at n + p/L = Σ_r x[n + r]·sinc(r − p/L)·w(L·r − p), r = tap − 15
                let r = Double(tap - (tapsPerPhase / 2 - 1))
                let offset = r - Double(phase) / Double(oversampling)
                let j = Double(oversampling) * offset
                return Float(normalizedSinc(offset) * kaiser(j, halfLength: Double(half), beta: kaiserBeta))
            }
        }
    }()

    /// sin(πx)/(πx)
    static func normalizedSinc(_ x: Double) -> Double {
        x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
    }

    /// Kaiser window at offset j from the centre of a (2·halfLength + 1)-tap window: I0(β·√(1 − (j/halfLength)²))/I0(β).
    static func kaiser(_ j: Double, halfLength: Double, beta: Double) -> Double {
        let ratio = j / halfLength
        guard abs(ratio) <= 1 else { return 0 }
        return besselI0(beta * (1 - ratio * ratio).squareRoot()) / besselI0(beta)
    }

    /// Modified Bessel function of the first kind, order 0: Σ_k ((x/2)^k / k!)².
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        while term > 1e-17 * sum {
            term *= (x / (2 * k)) * (x / (2 * k))
            sum += term
            k += 1
        }
        return sum
    }

    /// Σ_t |c_p[t]| of the largest phase: |interpolated value| ≤ this × max |x| over the 32 input samples it spans.
    static let largestPhaseGain: Float = phaseCoefficients.map { $0.reduce(0) { $0 + Swift.abs($1) } }.max() ?? 1

    /// Largest |x| over the samples and the interpolated points of one channel (linear, not dB).
    ///
    /// Blocks of 256 outputs whose inputs cannot exceed the running peak (max |x| over the block's input span times
    /// `largestPhaseGain`, with a 1e-5 relative margin for rounding) are skipped; the result is the same as
    /// interpolating everything.
    public static func peak(of channel: UnsafeBufferPointer<Float>) -> Float {
        let count = channel.count
        guard count > 0 else { return 0 }
        let lead = tapsPerPhase / 2 - 1  // 15 samples of zeros before, 16 after (plus SIMD slack)
        let block = 8
        let blocks = (count + block - 1) / block
        var padded = [Float](repeating: 0, count: lead + blocks * block + tapsPerPhase + block)
        padded.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: lead).update(from: channel.baseAddress!, count: count) }
        let c1 = phaseCoefficients[0], c2 = phaseCoefficients[1], c3 = phaseCoefficients[2]
        // Phase 0 is the input itself: start from the sample peak.
        let samplePeak = VectorMath.maximumMagnitude(channel.baseAddress!, count: count)
        var largest = SIMD8<Float>(repeating: samplePeak)
        let gain = largestPhaseGain * (1 + 1e-5)
        let groupBlocks = 32  // 256 outputs per skip test
        padded.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            c1.withUnsafeBufferPointer { p1 in
                c2.withUnsafeBufferPointer { p2 in
                    c3.withUnsafeBufferPointer { p3 in
                        var group = 0
                        while group < blocks {
                            let groupEnd = Swift.min(blocks, group + groupBlocks)
                            // Inputs used by outputs n ∈ [group·8, groupEnd·8): padded[n ..< n + 32 + 8).
                            let local = VectorMath.maximumMagnitude(buffer.baseAddress! + group * block,
                                                                    count: (groupEnd - group) * block + tapsPerPhase)
                            if local * gain <= largest.max() {
                                group = groupEnd
                                continue
                            }
                            for blockIndex in group..<groupEnd {
                                let n = blockIndex * block
                                var a1 = SIMD8<Float>(repeating: 0), a2 = a1, a3 = a1
                                for tap in 0..<tapsPerPhase {
                                    let x = base.loadUnaligned(fromByteOffset: (n + tap) * 4, as: SIMD8<Float>.self)
                                    a1 += x * p1[tap]
                                    a2 += x * p2[tap]
                                    a3 += x * p3[tap]
                                }
                                let m = maximum(maximum(magnitude(a1), magnitude(a2)), magnitude(a3))
                                largest = maximum(largest, m)
                            }
                            group = groupEnd
                        }
                    }
                }
            }
        }
        // Outputs past the last sample interpolate between the signal's tail and silence, as a meter fed trailing
        // silence would see them.
        return largest.max()
    }

    // Compare-and-blend forms: `pointwiseMax` compiles to per-lane branches (about 100× slower, measured).
    @inline(__always) private static func magnitude(_ value: SIMD8<Float>) -> SIMD8<Float> {
        value.replacing(with: -value, where: value .< 0)
    }

    @inline(__always) private static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: b .> a)
    }

    /// 20·log10 of a linear peak; nil for 0.
    public static func decibels(_ linear: Float) -> Double? {
        linear > 0 ? 20 * log10(Double(linear)) : nil
    }
}
