import Foundation
import SAAudio
import SAPipeline
import SATensor
import SATestSupport
import Testing

/// Init audio on the tiny DiT model (44.1 kHz stereo): a file at another rate and channel count is converted as SAT's
/// `prepare_audio` converts it, with a notice, and gives exactly the clip that the converted file gives.
@Suite struct InitAudioTests {
    static func configuration(initAudio: String?) -> GenerationConfiguration {
        var configuration = GenerationConfiguration(prompt: "x", seconds: 0.005)
        configuration.steps = 2
        configuration.sampler = .dpmpp2m
        configuration.seed = 11
        configuration.initAudioPath = initAudio
        configuration.initNoiseLevel = 1
        return configuration
    }

    @Test func otherRatesAndChannelsAreConvertedWithANotice() throws {
        let folder = try RequestValidationTests.temporaryFolder("init-audio")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 0.02 s of a 440 Hz tone plus noise at 48 kHz, mono; and the same after conversion, as the model's format
        let tone = Tensor(uninitializedShape: [1, 960]) { output in
            for n in 0..<960 { output[n] = 0.4 * Float(sin(2 * Double.pi * 440 * Double(n) / 48_000)) }
        }
        let source = AudioBuffer(samples: tone + randomTensor([1, 960], seed: 5, scale: 0.05), sampleRate: 48_000)
        let (converted, change) = try source.converted(toSampleRate: 44_100, channelCount: 2)
        #expect(converted.frameCount == 882 && change != nil)
        let sourcePath = folder + "/mono-48k.wav", convertedPath = folder + "/stereo-44k.wav"
        try AudioFile.write(source, to: sourcePath, format: .wav(.float32))
        try AudioFile.write(converted, to: convertedPath, format: .wav(.float32))

        let pipeline = try RequestValidationTests.pipeline()
        let fromSource = try pipeline.generate(Self.configuration(initAudio: sourcePath))
        let fromConverted = try pipeline.generate(Self.configuration(initAudio: convertedPath))
        let withoutInit = try pipeline.generate(Self.configuration(initAudio: nil))
        #expect(fromSource.notices.contains { $0.contains("init audio \(sourcePath): resampled 48000 Hz → 44100 Hz") && $0.contains("mono copied to both channels") },
                "\(fromSource.notices)")
        #expect(fromConverted.notices.isEmpty, "\(fromConverted.notices)")
        #expect(fromSource.audio == fromConverted.audio)
        #expect(fromSource.audio != withoutInit.audio)  // the init audio reaches the sampler
        #expect(fromSource.audio.frameCount == 221)
    }

    @Test func anUnconvertibleFileIsAnErrorNamingIt() throws {
        let folder = try RequestValidationTests.temporaryFolder("init-audio-odd")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/odd.wav"
        try AudioFile.write(AudioBuffer(samples: randomTensor([2, 500], seed: 6, scale: 0.1), sampleRate: 44_101), to: path, format: .wav(.float32))
        do {
            _ = try RequestValidationTests.pipeline().generate(Self.configuration(initAudio: path))
            Issue.record("a 44101 Hz init file was accepted")
        } catch {
            #expect("\(error)".contains("odd.wav: resampling 44101 Hz → 44100 Hz"), "\(error)")
        }
    }
}
