import Foundation
import SAModels
import SAPipeline
import SATestSupport
import Testing

/// `GenerationConfiguration.WindowLength` on the tiny DiT model (384-sample window = 12 latents of 32 samples, length
/// multiple 1): how many latents a clip samples, where the default comes from, and that both lengths give exactly the
/// requested frames, within one window and by continuation.
@Suite struct WindowLengthTests {
    static func configuration(seconds: Double, window: GenerationConfiguration.WindowLength?) -> GenerationConfiguration {
        var configuration = GenerationConfiguration(prompt: "x", seconds: seconds)
        configuration.steps = 2
        configuration.sampler = .dpmpp2m
        configuration.seed = 4
        configuration.window = window
        return configuration
    }

    /// The tiny model with `stable_audio_swift` set to `section`, in a scratch folder named after `name` (unique per
    /// test, since tests run in parallel), removed when `body` returns.
    static func withModel(_ name: String = "window", stableAudioSwift section: [String: Any], _ body: (String) throws -> Void) throws {
        let folder = try RequestValidationTests.temporaryFolder("\(name)-\(section.count)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: RequestValidationTests.folder + "/model.safetensors", toPath: folder + "/model.safetensors")
        let data = try JSONEdit.apply([JSONEdit("stable_audio_swift", section)], toFile: RequestValidationTests.folder + "/model_config.json")
        try data.write(to: URL(fileURLWithPath: folder + "/model_config.json"))
        try body(folder)
    }

    @Test func fitSamplesTheClipAndFullTheWindow() throws {
        let pipeline = try RequestValidationTests.pipeline()
        // 0.005 s = 221 frames: ⌈221 / 32⌉ = 7 latents fitted, 12 for the whole window.
        let fitted = try pipeline.generate(Self.configuration(seconds: 0.005, window: nil))
        let whole = try pipeline.generate(Self.configuration(seconds: 0.005, window: .full))
        #expect(fitted.window == .fit && fitted.latentFrames == 7)
        #expect(whole.window == .full && whole.latentFrames == 12)
        #expect(fitted.audio.frameCount == 221 && whole.audio.frameCount == 221)
        #expect(whole.audio.samples.scalars.allSatisfy { $0.isFinite })
        // Different lengths draw different noise shapes, so the clips differ; each is reproducible.
        #expect(fitted.audio != whole.audio)
        #expect(try pipeline.generate(Self.configuration(seconds: 0.005, window: .full)).audio == whole.audio)
    }

    /// Continuation with whole windows: the last window is sampled whole and cut, and the clip is exact. (Before
    /// session 20 the full window rendered a clip longer than the window as one window, and trimming it trapped.)
    @Test func fullWindowsContinueToTheExactLength() throws {
        let pipeline = try RequestValidationTests.pipeline()
        var windows = 0
        let result = try pipeline.generate(Self.configuration(seconds: 0.05, window: .full)) { event in
            if event.stage == .sampling && event.step == 1 { windows += 1 }
            return true
        }
        #expect(result.audio.frameCount == 2_205)
        #expect(result.latentFrames == 69)
        #expect(windows == 8)  // hop 9: windows start at latent 0, 9, …, 63, each 12 long
        #expect(result.audio.samples.scalars.allSatisfy { $0.isFinite })
    }

    @Test func theModelConfigSetsTheDefault() throws {
        try Self.withModel(stableAudioSwift: ["window": "full"]) { folder in
            let pipeline = try RequestValidationTests.pipeline(modelPath: folder)
            #expect(pipeline.defaults.window == .full)
            #expect(try pipeline.generate(Self.configuration(seconds: 0.005, window: nil)).latentFrames == 12)
            #expect(try pipeline.generate(Self.configuration(seconds: 0.005, window: .fit)).latentFrames == 7)
        }
        try Self.withModel(stableAudioSwift: ["window": "whole"]) { folder in
            do {
                _ = try RequestValidationTests.pipeline(modelPath: folder)
                Issue.record("window 'whole' was accepted")
            } catch let error as ModelConfigurationError {
                #expect(error.description.contains("model_config.json: stable_audio_swift.window: invalid value"), "\(error)")
            }
        }
    }
}
