import ArgumentParser
import Foundation
import SAPipeline

/// `stable-audio encode IN.wav -m MODEL_DIR -o latents.safetensors`.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode audio to latents with a model's autoencoder (deterministic: the posterior mean).",
        discussion: "MODEL_DIR is an autoencoder model folder or a diffusion model folder (its pretransform is used). Audio at another sample rate or channel count is converted as stable-audio-tools converts init audio (torchaudio's Resample filter; mono copied to stereo, or channels averaged to mono), with a notice."
    )

    @Argument(help: "Input audio file (WAV, FLAC, AIFF, OGG).")
    var input: String

    @Option(name: .shortAndLong, help: "Model folder (model_config.json + .safetensors).")
    var model: String

    @Option(name: .shortAndLong, help: "Output latent file (.safetensors).")
    var output: String

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    func run() throws {
        try reportingErrors {
            try OutputDestination.check(output, overwrite: overwrite)
            let codec = try LatentCodec(modelPath: model)
            if let conversion = try codec.encode(audioPath: input, to: output) {
                FileHandleOutput.standardError("notice: \(conversion)\n")
            }
            FileHandleOutput.standardError("wrote \(output)\n")
        }
    }
}
