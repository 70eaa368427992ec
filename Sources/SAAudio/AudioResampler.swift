import Foundation
import SATensor

/// Band-limited resampling between integer rates: torchaudio's `transforms.Resample` with its defaults (method
/// `sinc_interp_hann`, `lowpass_filter_width` 6, `rolloff` 0.99), which SAT's `prepare_audio` builds for init audio.
/// Checked against torchaudio 2.11 (`Tests/Fixtures/make_resample_fixtures.py`).
///
/// With the reduced rates `down = from / g`, `up = to / g` (g = gcd), the cutoff `b = min(down, up) · rolloff` and
/// the half-width `w = ⌈lowpass · down / b⌉` input samples, output sample `n = i·up + p` (phase p < up) is
///
///     y[n] = Σ_k h_p[k] · x[i·down + k − w],   k = 0 … 2w + down − 1   (x = 0 outside the input)
///     h_p[k] = (b / down) · sinc(π τ) · cos²(π τ / (2 · lowpass)),  τ = clamp(b · ((k − w) / down − p / up), ±lowpass)
///
/// and the output has ⌈up · T / down⌉ frames. The filter bank is computed in double precision and stored as Float,
/// as `transforms.Resample` does (its `p / up` term is a float32 division there, and here too).
///
/// Limitations: only that method (no Kaiser window, no other widths); the bank holds up × (2w + down) values, so a
/// pair of rates whose reduced ratio is large (44,101 → 44,100) is refused rather than allocated.
public struct AudioResampler: Sendable {
    public let sourceRate: Int
    public let targetRate: Int
    /// Reduced rates: `sourceRate / gcd` and `targetRate / gcd`.
    let down: Int
    let up: Int
    /// Half-width `w` of each filter, in input samples.
    public let width: Int
    /// The filter bank, `up` rows of `2·width + down` taps.
    public let kernel: Tensor

    /// Largest filter bank built, in values (64 MB of Float).
    public static let maximumKernelSize = 1 << 24

    /// A resampler from `sourceRate` to `targetRate` (both positive). Throws for a pair whose filter bank would exceed
    /// `maximumKernelSize`.
    public init(from sourceRate: Int, to targetRate: Int) throws {
        guard sourceRate > 0, targetRate > 0 else {
            throw AudioConversionError("resampling needs positive rates, got \(sourceRate) Hz → \(targetRate) Hz")
        }
        let lowpassWidth = 6.0, rolloff = 0.99
        let divisor = Self.greatestCommonDivisor(sourceRate, targetRate)
        let down = sourceRate / divisor, up = targetRate / divisor
        let cutoff = Double(min(down, up)) * rolloff
        let width = Int((lowpassWidth * Double(down) / cutoff).rounded(.up))
        let taps = 2 * width + down
        let (kernelSize, overflow) = up.multipliedReportingOverflow(by: taps)
        guard !overflow, kernelSize <= Self.maximumKernelSize else {
            throw AudioConversionError("resampling \(sourceRate) Hz → \(targetRate) Hz needs a \(up) × \(taps) filter bank (the reduced ratio \(down):\(up) is too large); convert the file with another tool first")
        }
        self.sourceRate = sourceRate
        self.targetRate = targetRate
        self.down = down
        self.up = up
        self.width = width
        // h_p[k] = (b / down) · sinc(π τ) · cos²(π τ / (2 · lowpass)), τ = clamp(b · ((k − w) / down − p / up), ±lowpass)
        kernel = Tensor(uninitializedShape: [up, taps]) { output in
            for phase in 0..<up {
                let phaseOffset = Double(Float(-phase) / Float(up))  // float32 in torchaudio (an int64 arange / int)
                for tap in 0..<taps {
                    var tau = (Double(tap - width) / Double(down) + phaseOffset) * cutoff
                    tau = min(max(tau, -lowpassWidth), lowpassWidth)
                    let cosine = cos(tau * Double.pi / lowpassWidth / 2), window = cosine * cosine
                    let angle = tau * Double.pi
                    let sinc = angle == 0 ? 1.0 : sin(angle) / angle
                    output[phase * taps + tap] = Float(sinc * (window * (cutoff / Double(down))))
                }
            }
        }
    }

    /// Output frames for `frames` input frames: ⌈up · frames / down⌉.
    public func outputFrameCount(_ frames: Int) -> Int { (up * frames + down - 1) / down }

    /// Input frames that the first `outputFrames` outputs read, so that a caller needing only a prefix can resample
    /// only that much: output n (block ⌊n/up⌋) reads inputs up to ⌊n/up⌋·down + w + down − 1.
    public func inputFramesRead(forOutputFrames outputFrames: Int) -> Int {
        outputFrames <= 0 ? 0 : (outputFrames - 1) / up * down + width + down
    }

    /// Resamples each row of `samples` `[C, T]` to `[C, ⌈up · T / down⌉]`; the identity when the rates are equal.
    public func resample(_ samples: Tensor) -> Tensor {
        precondition(samples.rank == 2, "resample expects [channels, frames], got \(samples.shape)")
        if sourceRate == targetRate { return samples }
        let channels = samples.shape[0], frames = samples.shape[1]
        let outputFrames = outputFrameCount(frames), taps = kernel.shape[1]
        let (up, down, width) = (self.up, self.down, self.width)
        return Tensor(uninitializedShape: [channels, outputFrames]) { output in
            samples.withUnsafeBufferPointer { input in
                kernel.withUnsafeBufferPointer { bank in
                    for channel in 0..<channels {
                        let row = input.baseAddress! + channel * frames
                        for n in 0..<outputFrames {
                            let block = n / up, phase = n - block * up
                            // taps k with 0 ≤ block·down + k − w < frames
                            let start = block * down - width
                            let first = max(0, -start), last = min(taps, frames - start)
                            let filter = bank.baseAddress! + phase * taps
                            output[channel * outputFrames + n] = first < last
                                ? VectorMath.dot(filter + first, row + start + first, count: last - first) : 0
                        }
                    }
                }
            }
        }
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
