import Foundation
import SAAudio
import SATensor
import SATestSupport
import Testing

/// `stable-audio encode` / `decode` end to end on the tiny SAT autoencoder fixtures.
@Suite struct CodecCommandTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SAModelsTests/Resources").path
    let folder: String = {
        let path = NSTemporaryDirectory() + "codec-cli-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func writeAudio(_ name: String, channels: Int = 2, rate: Int = 44_100, frames: Int = 1_000) throws -> String {
        var generator = SeededGenerator(seed: 3)
        let path = "\(folder)/\(name)"
        try AudioFile.write(AudioBuffer(samples: Tensor.randomUniform(shape: [channels, frames], low: -0.5, high: 0.5, generator: &generator),
                                        sampleRate: rate), to: path, format: .wav(.float32))
        return path
    }

    @Test(arguments: ["oobleck_vae", "dac_vae"])
    func encodeThenDecodeKeepsTheLength(model: String) throws {
        let input = try writeAudio("in-\(model).wav", frames: 1_001)
        let latents = "\(folder)/\(model).safetensors", output = "\(folder)/\(model)-out.flac"
        let encoded = try CommandLineTests.run(["encode", input, "-m", "\(Self.models)/\(model)", "-o", latents])
        #expect(encoded.status == 0, "\(encoded.standardError)")
        let decoded = try CommandLineTests.run(["decode", latents, "-m", "\(Self.models)/\(model)", "-o", output, "--bit-depth", "16"])
        #expect(decoded.status == 0, "\(decoded.standardError)")
        let (audio, info) = try AudioFile.read(output)
        #expect(audio.frameCount == 1_001 && audio.channelCount == 2 && audio.sampleRate == 44_100)
        #expect(info.formatName.contains("FLAC"))
        #expect(audio.samples.scalars.allSatisfy { $0.isFinite })
    }

    @Test func otherRatesAndChannelCountsAreConvertedWithANotice() throws {
        let model = "\(Self.models)/oobleck_vae"
        let input = try writeAudio("mono-48k.wav", channels: 1, rate: 48_000, frames: 960)
        let latents = "\(folder)/converted.safetensors", output = "\(folder)/converted-out.wav"
        let encoded = try CommandLineTests.run(["encode", input, "-m", model, "-o", latents])
        #expect(encoded.status == 0, "\(encoded.standardError)")
        #expect(encoded.standardError.contains("notice: \(input): resampled 48000 Hz → 44100 Hz"), "\(encoded.standardError)")
        #expect(encoded.standardError.contains("mono copied to both channels"), "\(encoded.standardError)")
        let metadata = try SafeTensorsFile(path: latents).metadata
        #expect(metadata["source_sample_rate"] == "48000" && metadata["source_channels"] == "1", "\(metadata)")
        #expect(metadata["audio_frames"] == "882" && metadata["conversion"]?.contains("resampled") == true, "\(metadata)")
        #expect(try CommandLineTests.run(["decode", latents, "-m", model, "-o", output]).status == 0)
        let (audio, _) = try AudioFile.read(output)
        #expect(audio.frameCount == 882 && audio.channelCount == 2 && audio.sampleRate == 44_100)
    }

    @Test func wrongInputsAreRejectedWithoutWritingAnything() throws {
        let model = "\(Self.models)/oobleck_vae"
        let oddRate = try writeAudio("odd-rate.wav", rate: 44_101)
        let target = "\(folder)/rejected.safetensors"
        let result = try CommandLineTests.run(["encode", oddRate, "-m", model, "-o", target])
        #expect(result.status != 0)
        #expect(result.standardError.contains("odd-rate.wav: resampling 44101 Hz → 44100 Hz needs a 44100 × 44115 filter bank"),
                "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: target))
        // Latents from the 32× Oobleck fixture do not fit the 8× DAC fixture (same channel count, other ratio).
        let latents = "\(folder)/oobleck-latents.safetensors"
        #expect(try CommandLineTests.run(["encode", try writeAudio("ok.wav"), "-m", model, "-o", latents]).status == 0)
        let mismatch = try CommandLineTests.run(["decode", latents, "-m", "\(Self.models)/dac_vae", "-o", "\(folder)/never.wav"])
        #expect(mismatch.status != 0 && mismatch.standardError.contains("downsampling ratio 32"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/never.wav"))
        // Existing outputs are kept unless --overwrite is given.
        let existing = try writeAudio("existing.wav")
        let refused = try CommandLineTests.run(["decode", latents, "-m", model, "-o", existing])
        #expect(refused.status != 0 && refused.standardError.contains("--overwrite"))
        #expect(try CommandLineTests.run(["decode", latents, "-m", model, "-o", existing, "--overwrite"]).status == 0)
        let float = try CommandLineTests.run(["decode", latents, "-m", model, "-o", "\(folder)/x.flac", "--bit-depth", "32f"])
        #expect(float.status != 0 && float.standardError.contains("FLAC stores at most 24-bit"))
    }
}
