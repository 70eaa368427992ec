import Foundation
import SAAudio
import SATensor
import SATestSupport
import Testing

/// `AudioResampler` and `AudioBuffer.converted` against torchaudio 2.11's `transforms.Resample` and SAT 0.0.19's
/// `prepare_audio` (fixtures from `Tests/Fixtures/make_resample_fixtures.py`, seed 20261123).
@Suite struct AudioResamplerTests {
    static let fixtures = Result { try FixtureFile(resource: "resample_fixtures.safetensors", in: .module) }

    static var resampleCases: [String] { ((try? fixtures.get())?.caseNames ?? []).filter { $0.hasPrefix("resample_") } }
    static var prepareCases: [String] { ((try? fixtures.get())?.caseNames ?? []).filter { $0.hasPrefix("prepare_") } }

    @Test func fixtureHasTheExpectedCases() throws {
        let names = try Self.fixtures.get().caseNames
        #expect(Self.resampleCases.count == 7 && Self.prepareCases.count == 4, "\(names)")
    }

    @Test(arguments: resampleCases)
    func matchesTorchaudio(caseName: String) throws {
        let fixture = try Self.fixtures.get(), parameters = try fixture.configuration(caseName)
        let resampler = try AudioResampler(from: parameters.int("source_rate")!, to: parameters.int("target_rate")!)
        #expect(resampler.width == parameters.int("width"))
        if fixture.has(caseName, "kernel") {
            let kernel = compare(resampler.kernel, try fixture.tensor(caseName, "kernel"), absoluteTolerance: 1e-7)
            #expect(kernel.passed, "kernel: \(kernel)")
        }
        let output = compare(resampler.resample(try fixture.tensor(caseName, "input")), try fixture.tensor(caseName, "output"),
                             absoluteTolerance: 1e-6)
        #expect(output.passed, "\(output)")
    }

    @Test(arguments: prepareCases)
    func conversionThenPadCropMatchesPrepareAudio(caseName: String) throws {
        let fixture = try Self.fixtures.get(), parameters = try fixture.configuration(caseName)
        let input = AudioBuffer(samples: try fixture.tensor(caseName, "input"), sampleRate: parameters.int("source_rate")!)
        let (audio, change) = try input.converted(toSampleRate: parameters.int("target_rate")!,
                                                  channelCount: parameters.int("target_channels")!)
        #expect(change != nil)
        let length = parameters.int("target_length")!, frames = audio.frameCount
        let padCropped = frames >= length ? audio.samples.slice(axis: 1, 0..<length)
                                          : audio.samples.padded(axis: 1, before: 0, after: length - frames)
        let comparison = compare(padCropped, try fixture.tensor(caseName, "output"), absoluteTolerance: 1e-6)
        #expect(comparison.passed, "\(comparison)")
    }

    @Test func sameRateAndChannelsIsUntouched() throws {
        let audio = AudioBuffer(samples: randomTensor([2, 100], seed: 1), sampleRate: 44_100)
        let (converted, change) = try audio.converted(toSampleRate: 44_100, channelCount: 2)
        #expect(converted == audio && change == nil)
    }

    @Test func aToneKeepsItsFrequencyAndLevel() throws {
        // 1 kHz at 0.5 for 1 s at 48 kHz: after resampling, the 44.1 kHz samples lie on the same sine (away from the
        // zero-padded edges, where the filter sees silence).
        let tone = Tensor(uninitializedShape: [1, 48_000]) { output in
            for n in 0..<48_000 { output[n] = 0.5 * Float(sin(2 * Double.pi * 1000 * Double(n) / 48_000)) }
        }
        let resampled = try AudioResampler(from: 48_000, to: 44_100).resample(tone)
        #expect(resampled.shape == [1, 44_100])
        var worst: Double = 0
        for n in 1_000..<43_100 {
            worst = max(worst, abs(Double(resampled.scalars[n]) - 0.5 * sin(2 * Double.pi * 1000 * Double(n) / 44_100)))
        }
        #expect(worst < 1e-3, "largest deviation from the ideal sine \(worst)")
    }

    @Test func unreasonableRatesAreRefusedWithTheirNumbers() {
        #expect(throws: AudioConversionError.self) { try AudioResampler(from: 0, to: 44_100) }
        do {
            _ = try AudioResampler(from: 44_101, to: 44_100)
            Issue.record("a 44100 × 44115 filter bank was built")
        } catch {
            #expect("\(error)".contains("44101 Hz → 44100 Hz") && "\(error)".contains("filter bank"), "\(error)")
        }
        let quad = AudioBuffer(samples: Tensor(zeros: [4, 10]), sampleRate: 44_100)
        #expect(throws: AudioConversionError.self) { try quad.mixed(toChannelCount: 3) }
    }
}
