import Foundation
import SAModels
import SANN

/// Builds the text conditioners named in a model's config: SAT's `t5` (T5 weights from a Hugging Face folder,
/// since SAT checkpoints never contain them) and this project's `t5_local` (weights inside the checkpoint,
/// tokenizer beside it).
public enum PromptConditionerLoader {
    /// The factory for `ConditionedDiffusionModel`. For `t5`, the T5 folder is `textEncoderDirectory` when given,
    /// else `<model folder>/t5`, else `$STABLE_AUDIO_T5_DIR`.
    public static func factory(textEncoderDirectory: String?) -> PromptConditionerFactory {
        { specification, conditionDimension, scope, folder in
            let width = specification.outputDimension(default: conditionDimension)
            switch specification.type {
            case "t5_local":
                guard let folder else { throw PipelineError("t5_local conditioner '\(specification.id)' needs its model folder") }
                return try T5Conditioner(local: try specification.config.decode(LocalT5ConditionerConfiguration.self), outputDimension: width,
                                         checkpoint: scope, modelDirectory: folder.path)
            case "t5":
                let candidates = [textEncoderDirectory, folder.map { ($0.path as NSString).appendingPathComponent("t5") },
                                  ProcessInfo.processInfo.environment["STABLE_AUDIO_T5_DIR"]].compactMap { $0 }
                guard let directory = candidates.first(where: { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("config.json")) }) else {
                    throw PipelineError("conditioner '\(specification.id)' is SAT's t5, whose weights are not in stable-audio-tools checkpoints: put a Hugging Face T5 folder (config.json, spiece.model or tokenizer.json, model.safetensors) at \(folder.map { $0.path + "/t5" } ?? "MODEL_DIR/t5"), pass --text-encoder DIR, or set STABLE_AUDIO_T5_DIR")
                }
                return try T5Conditioner(sat: try specification.config.decode(T5ConditionerConfiguration.self), outputDimension: width,
                                         checkpoint: scope, textEncoderDirectory: directory)
            default:
                throw ModelConfigurationError.unsupported(key: "conditioning '\(specification.id)' type", value: specification.type, supported: ["t5", "t5_local"])
            }
        }
    }
}
