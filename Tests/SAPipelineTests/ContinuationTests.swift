import Foundation
import SAModels
import SANN
import SAPipeline
import SASampling
import SATensor
import SATestSupport
import Testing

/// Long-form continuation on the tiny DiT model (384-sample window = 12 latents): the number of windows, the exact
/// length of the stitched clip, and determinism.
@Suite struct ContinuationTests {
    struct FixedPrompt: PromptConditioner {
        let output: ConditionerOutput
        func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput { output }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SAModelsTests/Resources/tiny_dit_model").path

    func pipeline() throws -> TextToAudioPipeline {
        var generator = SeededGenerator(seed: 3)
        let prompt = ConditionerOutput(embeddings: Tensor.randomNormal(shape: [1, 4, 40], generator: &generator), mask: Tensor(repeating: 1, shape: [1, 4]))
        return try TextToAudioPipeline(modelPath: Self.folder) { _, width, scope, _ in
            _ = try scope.child("proj_out").tensor("weight", shape: [width, 768])
            _ = try scope.child("proj_out").tensor("bias", shape: [width])
            return FixedPrompt(output: prompt)
        }
    }

    @Test func longClipIsExactAndDeterministic() throws {
        let pipeline = try pipeline()
        var configuration = GenerationConfiguration(prompt: "x", seconds: 0.05)  // 2205 frames, 5.7 windows of 384
        configuration.steps = 3
        configuration.sampler = .dpmpp2m
        configuration.seed = 9
        var windows = 0
        let result = try pipeline.generate(configuration) { event in
            if event.stage == .sampling && event.step == 1 { windows += 1 }
            return true
        }
        #expect(result.audio.frameCount == 2_205)
        #expect(result.latentFrames == 69)  // ⌈2205 / 32⌉
        #expect(windows == 8)  // overlap 3, hop 9: windows start at latent 0, 9, …, 63 (the last one 6 long)
        #expect(result.audio.samples.scalars.allSatisfy { $0.isFinite })
        // Same seed, same clip.
        #expect(try pipeline.generate(configuration).audio == result.audio)
    }

    @Test func continuationCanBeRefused() throws {
        var configuration = GenerationConfiguration(prompt: "x", seconds: 0.05)
        configuration.allowContinuation = false
        #expect(throws: PipelineError.self) { try pipeline().generate(configuration) }
    }
}
