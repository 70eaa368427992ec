import Foundation
import SAAudio
import SAMetrics
import Testing

/// Welch spectrum, spectral descriptors and stereo descriptors against scipy / numpy.
@Suite struct SpectrumTests {
    /// The generator's spectrum_signal(): 3 s stereo at 44.1 kHz.
    static func signal() -> AudioBuffer {
        let fs = 44100.0, count = 3 * 44100
        func s(_ f: Double, _ a: Double, _ phase: Double = 0) -> [Double] { TestSignals.sine(f, count: count, sampleRate: fs, amplitude: a, phase: phase) }
        let left = TestSignals.add(s(2000, 0.3), s(500, 0.2), s(11000, 0.003), s(17000, 0.0001),
                                   TestSignals.scaled(TestSignals.noise(seed: 31, count: count), 1e-5), s(90, 0.05))
        let right = TestSignals.add(s(2000, 0.25, 0.7), s(500, 0.2, Double.pi), s(11000, 0.002),
                                    TestSignals.scaled(TestSignals.noise(seed: 32, count: count), 1e-5), s(90, 0.05),
                                    TestSignals.scaled(TestSignals.noise(seed: 33, count: count), 0.01))
        return TestSignals.buffer([left, right], sampleRate: 44100)
    }

    @Test func matchesScipy() throws {
        let fixture = try Fixtures.json("spectrum_reference.json")
        let audio = SpectrumTests.signal()
        let spectrum = try withChannels(audio) { try LongTermSpectrum(channels: $0, sampleRate: 44100) }
        for (ours, key) in [(spectrum.channelDensities[0], "psd_left"), (spectrum.channelDensities[1], "psd_right"),
                            (spectrum.crossDensity ?? [], "csd_real")] {
            let reference = try #require(fixture[key] as? [Double])
            #expect(ours.count == reference.count)
            let largest = reference.map(Swift.abs).max() ?? 1
            for (a, b) in zip(ours, reference) {
                #expect(Swift.abs(a - b) <= 1e-5 * Swift.abs(b) + 1e-9 * largest, "\(key): \(a) vs scipy \(b)")
            }
        }
        let descriptors = SpectralDescriptors(spectrum)
        #expect(relativeError(try #require(descriptors.centroid), try #require(fixture["centroid"] as? Double)) <= 1e-6)
        #expect(descriptors.rollOff == fixture["rolloff"] as? Double)
        #expect(relativeError(try #require(descriptors.highFrequencyEnergyRatio), try #require(fixture["hf_ratio"] as? Double)) <= 1e-5)
        #expect(descriptors.effectiveBandwidth == fixture["bandwidth"] as? Double)

        let report = FileAnalyzer.analyze(audio, path: "spectrum")
        let stereo = try #require(report.stereo)
        #expect(Swift.abs(try #require(stereo.correlation) - (try #require(fixture["icc"] as? Double))) <= 1e-9)
        #expect(Swift.abs(try #require(stereo.sideToMidRatio) - (try #require(fixture["side_mid_db"] as? Double))) <= 1e-9)
        let octave = try #require(fixture["octave_icc"] as? [Double])
        #expect(stereo.octaveBandCorrelations.count == octave.count)
        for (ours, expected) in zip(stereo.octaveBandCorrelations, octave) {
            // Bands holding only window leakage of the tones cancel strongly: Float32 FFT error reaches ~1e-5 there.
            #expect(Swift.abs(try #require(ours.correlation) - expected) <= 5e-5, "octave \(ours.centerFrequency): \(ours.correlation ?? .nan) vs \(expected)")
        }
    }

    @Test func stereoDescriptorsOfSimpleCases() throws {
        let count = 44100
        let tone = TestSignals.sine(1000, count: count, sampleRate: 44100, amplitude: 0.3)
        let identical = FileAnalyzer.analyze(TestSignals.buffer([tone, tone], sampleRate: 44100), path: "identical")
        #expect(identical.stereo?.correlation.map { Swift.abs($0 - 1) <= 1e-12 } == true)
        #expect(identical.stereo?.sideToMidRatio == -.infinity)
        #expect(identical.stereo?.balance.map { Swift.abs($0) <= 1e-9 } == true)
        #expect(identical.stereo?.monoCompatibilityLoss.map { Swift.abs($0) <= 1e-9 } == true)
        let inverted = FileAnalyzer.analyze(TestSignals.buffer([tone, tone.map { -$0 }], sampleRate: 44100), path: "inverted")
        #expect(inverted.stereo?.correlation.map { Swift.abs($0 + 1) <= 1e-12 } == true)
        #expect(inverted.stereo?.negativeCorrelationRatio == 1)
        // (L+R)/2 = 0: the mono downmix is silent, so the loss is undefined rather than a number.
        #expect(inverted.stereo?.monoCompatibilityLoss == nil)
        let quieter = FileAnalyzer.analyze(TestSignals.buffer([tone, TestSignals.scaled(tone, 0.5)], sampleRate: 44100), path: "balance")
        #expect(quieter.stereo?.balance.map { Swift.abs($0 - 20 * log10(2)) <= 1e-6 } == true)
    }
}
