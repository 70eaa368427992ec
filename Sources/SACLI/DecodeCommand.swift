import ArgumentParser
import Foundation
import SAAudio
import SAPipeline
import SATensor

/// `stable-audio decode latents.safetensors -m MODEL_DIR -o out.wav`.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode latents to audio with a model's autoencoder.",
        discussion: "Long latents are decoded in overlapping chunks (stable-audio-tools' chunked decode) so memory stays bounded."
    )

    @Argument(help: "Latent file written by `stable-audio encode` (a safetensors file with a `latents` tensor [B, D, L]).")
    var input: String

    @Option(name: .shortAndLong, help: "Model folder (model_config.json + .safetensors).")
    var model: String

    @OptionGroup var outputOptions: AudioOutputOptions

    @Option(help: "Latent frames per decoded chunk (stable-audio-tools' chunk_size).")
    var chunkSize = 128

    @Option(help: "Latent frames shared by neighbouring chunks (stable-audio-tools' overlap).")
    var overlap = 32

    func validate() throws {
        guard chunkSize > 0, overlap >= 0, overlap < chunkSize else {
            throw ValidationError("--overlap must be at least 0 and smaller than --chunk-size")
        }
    }

    func run() throws {
        try reportingErrors {
            try outputOptions.checkDestination()
            let codec = try LatentCodec(modelPath: model)
            let audio = try codec.decode(latentPath: input, chunkSize: chunkSize, overlap: overlap)
            guard audio.shape[0] == 1 else {
                throw ValidationError("\(input) holds \(audio.shape[0]) items; decoding writes one file, so pass a single item")
            }
            let buffer = AudioBuffer(samples: audio.squeezingDimension(0), sampleRate: codec.sampleRate)
            try AudioFile.write(buffer, to: outputOptions.output, format: outputOptions.fileFormat,
                                metadata: AudioMetadata(comment: "decoded from \(input)", software: "stable-audio-swift \(StableAudioVersion.string)"))
            FileHandleOutput.standardError("wrote \(outputOptions.output) (\(buffer.frameCount) frames, \(buffer.channelCount) channels, \(codec.sampleRate) Hz)\n")
        }
    }
}
