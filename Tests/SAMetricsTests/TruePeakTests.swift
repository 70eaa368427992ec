import Foundation
import SAAudio
import SAMetrics
import SATensor
import Testing

/// EBU Tech 3341 true-peak cases 15–23 (tolerance +0.2/−0.4 dB); the values are fs-relative, so both rates are run.
@Suite struct TruePeakTests {
    /// Stereo sine at fs/divisor, amplitude, phase in degrees, 10 ms linear fades, 0.5 s.
    static func sineCase(rate: Int, divisor: Double, amplitude: Double, phaseDegrees: Double) -> AudioBuffer {
        let count = rate / 2, fade = rate / 100
        let samples = (0..<count).map { n -> Double in
            let envelope = n < fade ? Double(n) / Double(fade) : (n >= count - fade ? Double(count - 1 - n) / Double(fade) : 1)
            return envelope * amplitude * sin(2 * Double.pi * Double(n) / divisor + phaseDegrees * Double.pi / 180)
        }
        return TestSignals.buffer([samples, samples], sampleRate: rate)
    }

    static func truePeak(_ audio: AudioBuffer) -> Double {
        withChannels(audio) { channels in TruePeakMeter.decibels(channels.map { TruePeakMeter.peak(of: $0) }.max() ?? 0) ?? -.infinity }
    }

    @Test(arguments: [48000, 44100]) func cases15To19(rate: Int) {
        let cases: [(Int, Double, Double, Double, Double)] = [
            (15, 4, 0.5, 0, -6), (16, 4, 0.5, 45, -6), (17, 6, 0.5, 60, -6), (18, 8, 0.5, 67.5, -6), (19, 4, 1.41, 45, 3),
        ]
        for (number, divisor, amplitude, phase, expected) in cases {
            let measured = TruePeakTests.truePeak(TruePeakTests.sineCase(rate: rate, divisor: divisor, amplitude: amplitude, phaseDegrees: phase))
            #expect(measured - expected <= 0.2 && expected - measured <= 0.4, "case \(number) at \(rate): \(measured) dBTP")
            // The interpolator is close to ideal: an ideal 4× reconstruction reads 20·log10(amplitude).
            #expect(Swift.abs(measured - 20 * log10(amplitude)) <= 0.02, "case \(number) at \(rate): \(measured) vs ideal")
        }
    }

    @Test(arguments: [48000, 44100]) func cases20To23(rate: Int) throws {
        let cases = try Fixtures.matrix("true_peak_cases_20_23.npy")
        let ideal = try #require(try Fixtures.json("true_peak_reference.json")["ideal_fft_4x_dbtp_20_23"] as? [Double])
        for index in 0..<4 {
            let row = cases.values[(index * cases.dimension)..<((index + 1) * cases.dimension)].map { $0 }
            let measured = TruePeakTests.truePeak(TestSignals.buffer([row, row], sampleRate: rate))
            #expect(measured <= 0.2 && measured >= -0.4, "case \(20 + index) at \(rate): \(measured) dBTP")
            #expect(Swift.abs(measured - ideal[index]) <= 0.05, "case \(20 + index): \(measured) vs FFT-ideal \(ideal[index])")
        }
    }

    @Test func interpolatorPhaseZeroIsTheInput() {
        // A lone impulse: the true peak is the sample itself (sinc zeros at the other input samples).
        var samples = [Float](repeating: 0, count: 64)
        samples[20] = 0.5
        let peak = samples.withUnsafeBufferPointer { TruePeakMeter.peak(of: $0) }
        #expect(peak == 0.5)
    }
}
