import CFFTW3
import Foundation

/// A forward real-to-complex FFT of one size through single-precision FFTW (`fftwf_plan_dft_r2c_1d`).
///
/// Output is unnormalised (as `numpy.fft.rfft`): `X[k] = Σ_n x[n]·e^{−2πikn/N}` for `k = 0…N/2`, stored as
/// interleaved (re, im) pairs, `2·(⌊N/2⌋ + 1)` floats. Plans are made once per size under a lock, because FFTW's planner is
/// not thread-safe (and Swift Testing runs tests in parallel); executing a plan on new arrays
/// (`fftwf_execute_dft_r2c`) is thread-safe, so one shared transform serves every worker, each with its own
/// `AlignedBuffer`s. Plans use `FFTW_ESTIMATE`, which is deterministic: the same input gives bit-identical output on
/// every run (`FFTW_MEASURE` times candidate algorithms and may pick a different one each run).
public final class RealFourierTransform: @unchecked Sendable {
    /// The transform length N.
    public let size: Int
    /// Number of complex bins, ⌊N/2⌋ + 1.
    public var binCount: Int { size / 2 + 1 }
    private let plan: fftwf_plan

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Int: RealFourierTransform] = [:]

    private init(size: Int, plan: fftwf_plan) {
        self.size = size
        self.plan = plan
    }

    /// The shared transform of length `size` (≥ 2), planned on first use.
    public static func shared(size: Int) throws -> RealFourierTransform {
        guard size >= 2 else { throw MetricsError("", "FFT size must be at least 2, got \(size)") }
        lock.lock()
        defer { lock.unlock() }
        if let existing = cache[size] { return existing }
        let input = AlignedBuffer(count: size)
        let output = AlignedBuffer(count: 2 * (size / 2 + 1))
        let made = output.pointer.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) { complex in
            fftwf_plan_dft_r2c_1d(Int32(size), input.pointer, complex, UInt32(FFTW_ESTIMATE))
        }
        guard let made else { throw MetricsError("", "FFTW could not plan a real FFT of size \(size)") }
        let transform = RealFourierTransform(size: size, plan: made)
        cache[size] = transform
        return transform
    }

    /// FFTW's version string, e.g. "fftw-3.3.10-sse2-avx".
    public static var libraryVersion: String { String(cString: sa_fftwf_version()) }

    /// Transforms `input` (`size` floats) into `output` (`2·binCount` floats, interleaved complex).
    /// Both must come from `AlignedBuffer` (64-byte aligned), as the plan's arrays did.
    func forward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        output.withMemoryRebound(to: fftwf_complex.self, capacity: binCount) { complex in
            fftwf_execute_dft_r2c(plan, input, complex)
        }
    }
}
