import Foundation
import SAAudio
import SAMetrics
import Testing

/// Suite B against auraloss, the DAC mel loss formula, the ssr_eval LSD formula, numpy SI-SDR, and closed forms.
@Suite struct PairedMetricsTests {
    /// The generator's paired_signals(): estimate and reference, stereo, 1 s at 44.1 kHz.
    static func signals() -> (estimate: AudioBuffer, reference: AudioBuffer) {
        let rate = 44100, count = 44100
        let fs = Double(rate)
        let referenceLeft = TestSignals.add(TestSignals.sine(440, count: count, sampleRate: fs, amplitude: 0.5),
                                            TestSignals.scaled(TestSignals.noise(seed: 21, count: count), 0.1)).map { Float($0) }
        let referenceRight = TestSignals.add(TestSignals.sine(660, count: count, sampleRate: fs, amplitude: 0.3),
                                             TestSignals.scaled(TestSignals.noise(seed: 22, count: count), 0.2)).map { Float($0) }
        let tone = TestSignals.sine(3000, count: count, sampleRate: fs, amplitude: 0.02)
        let estimateLeft = TestSignals.add(referenceLeft.map { 0.8 * Double($0) }, TestSignals.scaled(TestSignals.noise(seed: 23, count: count), 0.05), tone)
        let estimateRight = TestSignals.add(referenceRight.map { 0.8 * Double($0) }, TestSignals.scaled(TestSignals.noise(seed: 24, count: count), 0.05), tone)
        return (TestSignals.buffer([estimateLeft, estimateRight], sampleRate: rate),
                TestSignals.buffer([referenceLeft.map(Double.init), referenceRight.map(Double.init)], sampleRate: rate))
    }

    @Test func matchesPythonReferences() throws {
        let fixture = try Fixtures.json("paired_reference.json")
        let channels = try #require(fixture["channels"] as? [[String: Double]])
        let (estimate, reference) = PairedMetricsTests.signals()
        let score = PairedAnalyzer.compare(estimate: estimate, reference: reference, referencePath: "reference")
        #expect(score.error == nil)
        #expect(score.channels.count == 2)
        for (ours, expected) in zip(score.channels, channels) {
            let mrstft = try #require(ours.multiResolutionSTFT), mel = try #require(ours.melDistance)
            let lsd = try #require(ours.logSpectralDistance), sisdr = try #require(ours.scaleInvariantSDR)
            #expect(relativeError(mrstft, try #require(expected["multi_resolution_stft"])) <= 1e-5, "MR-STFT \(mrstft) vs auraloss")
            #expect(relativeError(mel, try #require(expected["mel_distance"])) <= 1e-4, "mel \(mel) vs DAC formula")
            #expect(relativeError(lsd, try #require(expected["lsd_bels"])) <= 1e-5, "LSD \(lsd) vs ssr_eval formula")
            #expect(Swift.abs(sisdr - (try #require(expected["si_sdr"]))) <= 1e-9, "SI-SDR \(sisdr) vs numpy")
            #expect(Swift.abs(sisdr - (try #require(expected["auraloss_si_sdr"]))) <= 1e-4, "SI-SDR \(sisdr) vs auraloss (Float32, eps)")
            #expect(ours.logSpectralDistanceDecibels == 10 * lsd)
        }
        let mean = try #require(score.mean?.scaleInvariantSDR)
        #expect(Swift.abs(mean - (score.channels[0].scaleInvariantSDR! + score.channels[1].scaleInvariantSDR!) / 2) <= 1e-12)
    }

    @Test func gainLawsAreClosedForm() throws {
        let (_, reference) = PairedMetricsTests.signals()
        let y = Array(reference.samples.scalars[0..<reference.frameCount])
        let x = y.map { 0.7 * $0 }
        let half = y.map { 0.5 * $0 }
        let auraloss = try #require(try Fixtures.json("paired_reference.json")["auraloss_gain_0_7"] as? Double)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeBufferPointer { yp in
                let mrstft = try MultiResolutionSTFTDistance.distance(estimate: xp, reference: yp)
                // |1 − g| + |ln g| at g = 0.7
                #expect(Swift.abs(mrstft - (0.3 + Swift.abs(log(0.7)))) <= 1e-5, "MR-STFT gain law: \(mrstft)")
                #expect(relativeError(mrstft, auraloss) <= 1e-5, "MR-STFT \(mrstft) vs auraloss \(auraloss)")
                try half.withUnsafeBufferPointer { hp in
                    // LSD(0.5·y, y) = 2·|log10 0.5| bels
                    let lsd = try LogSpectralDistance.distance(estimate: hp, reference: yp, sampleRate: 44100)
                    #expect(Swift.abs(lsd - 2 * Swift.abs(log10(0.5))) <= 1e-6, "LSD gain law: \(lsd)")
                }
            }
        }
    }

    @Test func scaleInvariantSDRClosedForms() throws {
        // x = sin 440 + 0.5 sin 3000, e = 0.01 sin 7000, 1 s at 44.1 kHz (orthogonal)
        let fs = 44100.0, count = 44100
        let x = TestSignals.add(TestSignals.sine(440, count: count, sampleRate: fs), TestSignals.sine(3000, count: count, sampleRate: fs, amplitude: 0.5))
        let e = TestSignals.sine(7000, count: count, sampleRate: fs, amplitude: 0.01)
        // Float64 inputs: the closed forms hold to 1e-9 dB.
        let first64 = TestSignals.add(x, e), second64 = TestSignals.add(TestSignals.scaled(x, 0.5), e)
        try x.withUnsafeBufferPointer { r in
            let a = try #require(first64.withUnsafeBufferPointer { ScaleInvariantSDR.ratio(estimate: $0, reference: r) })
            let b = try #require(second64.withUnsafeBufferPointer { ScaleInvariantSDR.ratio(estimate: $0, reference: r) })
            #expect(Swift.abs(a - 40.96910013008056) <= 1e-9, "SI-SDR(x+e, x) = \(a)")
            #expect(Swift.abs(b - 34.94850021680094) <= 1e-9, "SI-SDR(0.5x+e, x) = \(b)")
        }
        // Float32 inputs (as audio files give): within the inputs' rounding, 2e-6 dB (numpy on the same Float32
        // values reads 40.96910150898034 and 34.94850080590496).
        let reference = x.map { Float($0) }
        let first = first64.map { Float($0) }, second = second64.map { Float($0) }
        try reference.withUnsafeBufferPointer { r in
            let a = try #require(first.withUnsafeBufferPointer { ScaleInvariantSDR.ratio(estimate: $0, reference: r) })
            let b = try #require(second.withUnsafeBufferPointer { ScaleInvariantSDR.ratio(estimate: $0, reference: r) })
            #expect(Swift.abs(a - 40.96910150898034) <= 1e-9 && Swift.abs(a - 40.96910013) <= 2e-6, "SI-SDR(x+e, x) = \(a)")
            #expect(Swift.abs(b - 34.94850080590496) <= 1e-9 && Swift.abs(b - 34.94850022) <= 2e-6, "SI-SDR(0.5x+e, x) = \(b)")
            #expect(ScaleInvariantSDR.ratio(estimate: r, reference: r) == .infinity)
        }
    }

    @Test func mismatchedPairsAreRejectedWithAReason() {
        let (estimate, reference) = PairedMetricsTests.signals()
        let other = AudioBuffer(samples: reference.samples, sampleRate: 48000)
        #expect(PairedAnalyzer.compare(estimate: estimate, reference: other, referencePath: "r").error?.contains("sample rates differ") == true)
        let mono = TestSignals.buffer([Array(repeating: 0.1, count: 44100)], sampleRate: 44100)
        #expect(PairedAnalyzer.compare(estimate: estimate, reference: mono, referencePath: "r").error?.contains("channel counts differ") == true)
    }
}
