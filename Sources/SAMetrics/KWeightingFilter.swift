#if canImport(Glibc)
import Glibc
#endif

/// The ITU-R BS.1770-4 K-weighting pre-filter (high shelf, then RLB high-pass) at any sample rate.
///
/// This implementation matches: libebur128 and pyloudnorm `Meter(filter_class='DeMan')`, which derive both biquads from
/// the analog prototype with the bilinear transform (`K = tan(π f0/fs)`). At 48 kHz this reproduces the BS.1770 table
/// (shelf b = [1.53512485958697, −2.69169618940638, 1.19839281085285], a = [1, −1.69065929318241, 0.73248077421585];
/// high-pass b = [1, −2, 1], a = [1, −1.99004745483398, 0.99007225036621]) to about 1e-15.
/// Limitations: pyloudnorm's default RBJ-cookbook filters differ and read about 0.04 LU lower; that offset is theirs.
public struct KWeightingFilter: Sendable, Equatable {
    public let sampleRate: Int
    public let shelf: BiquadCoefficients
    public let highPass: BiquadCoefficients

    // ref: libebur128 ebur128.c ebur128_init_filter; Brecht De Man's loudness.py constants
    static let shelfFrequency = 1681.974450955533
    static let shelfGainDecibels = 3.999843853973347
    static let shelfQuality = 0.7071752369554196
    static let shelfBandExponent = 0.4996667741545416
    static let highPassFrequency = 38.13547087602444
    static let highPassQuality = 0.5003270373238773

    public init(sampleRate: Int) {
        self.sampleRate = sampleRate
        let fs = Double(sampleRate)
        do {
            // K = tan(π f0/fs); Vh = 10^(G/20); Vb = Vh^0.49966…; a0 = 1 + K/Q + K²
            // b = [Vh + Vb·K/Q + K², 2(K² − Vh), Vh − Vb·K/Q + K²]/a0; a = [1, 2(K² − 1)/a0, (1 − K/Q + K²)/a0]
            let k = tan(Double.pi * KWeightingFilter.shelfFrequency / fs)
            let q = KWeightingFilter.shelfQuality
            let vh = pow(10.0, KWeightingFilter.shelfGainDecibels / 20.0)
            let vb = pow(vh, KWeightingFilter.shelfBandExponent)
            let a0 = 1.0 + k / q + k * k
            shelf = BiquadCoefficients(b0: (vh + vb * k / q + k * k) / a0, b1: 2.0 * (k * k - vh) / a0,
                                       b2: (vh - vb * k / q + k * k) / a0,
                                       a1: 2.0 * (k * k - 1.0) / a0, a2: (1.0 - k / q + k * k) / a0)
        }
        do {
            // b = [1, −2, 1]; a = [1, 2(K² − 1)/d, (1 − K/Q + K²)/d] with d = 1 + K/Q + K²
            let k = tan(Double.pi * KWeightingFilter.highPassFrequency / fs)
            let q = KWeightingFilter.highPassQuality
            let d = 1.0 + k / q + k * k
            highPass = BiquadCoefficients(b0: 1, b1: -2, b2: 1, a1: 2.0 * (k * k - 1.0) / d, a2: (1.0 - k / q + k * k) / d)
        }
    }
}
