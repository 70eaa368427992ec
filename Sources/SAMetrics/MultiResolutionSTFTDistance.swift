#if canImport(Glibc)
import Glibc
#endif

/// Multi-resolution STFT distance (spectral convergence + log-magnitude L1, averaged over resolutions).
///
/// This implementation matches: `auraloss.freq.MultiResolutionSTFTLoss()` with its defaults (auraloss 0.4): FFT sizes
/// [1024, 2048, 512], hops [120, 240, 50], windows [600, 1200, 240] (periodic Hann zero-padded to the FFT size),
/// `torch.stft(center=True, pad_mode='reflect')`, magnitude `√max(re² + im², 1e-8)`, per resolution
/// `‖|Y| − |X|‖_F/‖|Y|‖_F + mean|ln|X| − ln|Y||` with Y the reference, then the mean over resolutions.
/// It is applied to one channel at a time (auraloss on a [1, 1, T] input); the suite reports each channel and their
/// mean. Closed form: for x = g·y, the distance is |1 − g| + |ln g| (the clamp aside).
/// Limitations: Float32 FFT (auraloss runs torch in Float32 too; agreement ≈ 1e-5 relative); signals must be longer
/// than 1024 samples (reflect padding of the 2048-point resolution).
public enum MultiResolutionSTFTDistance {
    public static let resolutions: [STFTConfiguration] = [(1024, 120, 600), (2048, 240, 1200), (512, 50, 240)].map {
        STFTConfiguration(fftSize: $0.0, hopLength: $0.1, windowLength: $0.2, window: .periodicHann, center: true, padding: .reflect)
    }
    public static let magnitudeFloor: Float = 1e-8

    /// The distance of `estimate` from `reference` (equal lengths).
    public static func distance(estimate: UnsafeBufferPointer<Float>, reference: UnsafeBufferPointer<Float>) throws -> Double {
        var total = 0.0
        for configuration in resolutions {
            let transform = try ShortTimeFourierTransform(configuration)
            let bins = transform.binCount
            var differenceSquares = 0.0, referenceSquares = 0.0, logDifference = 0.0, count = 0
            try transform.forEachFrame([estimate, reference]) { _, spectra in
                let x = spectra[0], y = spectra[1]
                for bin in 0..<bins {
                    // |X| = √max(re² + im², 1e-8), in Float32 as torch
                    let xPower = x[2 * bin] * x[2 * bin] + x[2 * bin + 1] * x[2 * bin + 1]
                    let yPower = y[2 * bin] * y[2 * bin] + y[2 * bin + 1] * y[2 * bin + 1]
                    let xMagnitude = Double(Swift.max(xPower, magnitudeFloor).squareRoot())
                    let yMagnitude = Double(Swift.max(yPower, magnitudeFloor).squareRoot())
                    differenceSquares += (yMagnitude - xMagnitude) * (yMagnitude - xMagnitude)
                    referenceSquares += yMagnitude * yMagnitude
                    logDifference += Swift.abs(log(xMagnitude) - log(yMagnitude))
                }
                count += bins
            }
            // SC = ‖|Y| − |X|‖_F / ‖|Y|‖_F;  L_log = mean |ln|X| − ln|Y||
            total += (differenceSquares / referenceSquares).squareRoot() + logDifference / Double(count)
        }
        return total / Double(resolutions.count)
    }
}
