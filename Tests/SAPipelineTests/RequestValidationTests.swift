import Foundation
import SAModels
import SANN
import SAPipeline
import SATensor
import SATestSupport
import Testing

/// Request values and model-folder values that used to trap in the pipeline (an integer conversion of a huge
/// number, a chunked decode with an empty hop) are errors naming the value, on the tiny DiT model.
@Suite struct RequestValidationTests {
    struct FixedPrompt: PromptConditioner {
        func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput {
            ConditionerOutput(embeddings: Tensor(zeros: [prompts.count, 4, 40]), mask: Tensor(repeating: 1, shape: [prompts.count, 4]))
        }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SAModelsTests/Resources/tiny_dit_model").path

    static func pipeline(modelPath: String = folder) throws -> TextToAudioPipeline {
        try TextToAudioPipeline(modelPath: modelPath) { _, width, scope, _ in
            _ = try scope.child("proj_out").tensor("weight", shape: [width, 768])
            _ = try scope.child("proj_out").tensor("bias", shape: [width])
            return FixedPrompt()
        }
    }

    /// A scratch folder, removed by the caller.
    static func temporaryFolder(_ name: String) throws -> String {
        let folder = NSTemporaryDirectory() + "stable-audio-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func secondsBeyondTheLimitAreAnError() throws {
        let pipeline = try Self.pipeline()
        for seconds in [1e300, TextToAudioPipeline.maximumSeconds + 1] {
            var configuration = GenerationConfiguration(prompt: "rain", seconds: seconds)
            configuration.steps = 1
            do {
                _ = try pipeline.generate(configuration)
                Issue.record("seconds \(seconds) was accepted")
            } catch let error as PipelineError {
                #expect(error.description.contains("seconds must be a positive number of at most 3600"), "\(error)")
                #expect(error.description.contains("got \(seconds)"), "\(error)")
            }
        }
    }

    @Test func chunkedDecodeNeedsAChunkLargerThanItsOverlap() throws {
        let folder = try Self.temporaryFolder("latents")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let latentPath = folder + "/latents.safetensors"
        try SafeTensorsWriter.write([("latents", Tensor(zeros: [1, 8, 20]))], metadata: [:], to: latentPath)
        let codec = try LatentCodec(modelPath: Self.folder)
        for (chunkSize, overlap) in [(0, 32), (8, 8), (8, -1)] {
            do {
                _ = try codec.decode(latentPath: latentPath, chunkSize: chunkSize, overlap: overlap)
                Issue.record("chunk size \(chunkSize) with overlap \(overlap) was accepted")
            } catch let error as PipelineError {
                #expect(error.description.contains("chunk size \(chunkSize) and overlap \(overlap)"), "\(error)")
            }
        }
        #expect(try codec.decode(latentPath: latentPath, chunkSize: 8, overlap: 2).shape == [1, 2, 20 * 32])
    }

    @Test func hugeStepDefaultInTheModelConfigIsAnError() throws {
        let folder = try Self.temporaryFolder("huge-steps")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Self.folder + "/model.safetensors", toPath: folder + "/model.safetensors")
        let configuration = try JSONEdit.apply([JSONEdit("stable_audio_swift", ["steps": 1e300])], toFile: Self.folder + "/model_config.json")
        try configuration.write(to: URL(fileURLWithPath: folder + "/model_config.json"))
        do {
            _ = try Self.pipeline(modelPath: folder)
            Issue.record("steps 1e300 was accepted")
        } catch let error as ModelConfigurationError {
            #expect(error.description.contains("model_config.json: stable_audio_swift.steps: invalid value"), "\(error)")
        }
    }
}
