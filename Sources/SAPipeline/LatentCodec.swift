import Foundation
import SAAudio
import SAModels
import SATensor

/// Audio files ⇄ latent files through a model folder's autoencoder (an autoencoder-only folder, or the
/// pretransform of a diffusion model).
///
/// - Encoding is deterministic: the VAE posterior mean, divided by `pretransform.scale` as SAT's
///   `AutoencoderPretransform.encode` does. Audio at another rate or channel count is converted first as SAT's
///   `prepare_audio` converts init audio (`AudioBuffer.converted(toSampleRate:channelCount:)`); the latent file's
///   metadata records the conversion (`conversion`, `source_sample_rate`, `source_channels`), and `audio_frames` is
///   the converted length, so decoding gives the audio at the model's rate.
/// - Latent files are safetensors with one tensor `latents` `[B, D, L]` and metadata recording the sample rate, the
///   original frame count (so decoding trims the padding back off), the downsampling ratio and the model folder.
/// - Decoding multiplies by the scale, decodes (in SAT-style chunks of `chunkSize` latents with `overlap` when
///   the latents are longer than one chunk, so memory stays bounded), trims to the recorded frame count, and writes
///   the audio atomically.
public struct LatentCodec: Sendable {
    public let autoencoder: AudioAutoencoder
    public let sampleRate: Int
    public let scale: Float
    public let modelPath: String

    /// Loads the autoencoder of `modelPath`.
    public init(modelPath: String) throws {
        let folder = try ModelFolder(path: modelPath)
        guard let configurationPath = folder.configurationPath else {
            throw PipelineError("\(modelPath): not a model folder (no model_config.json)")
        }
        let configuration = try ModelConfiguration(contentsOf: configurationPath)
        autoencoder = try AudioAutoencoder(folder: folder)
        sampleRate = configuration.sampleRate
        scale = configuration.pretransformScale
        self.modelPath = modelPath
    }

    /// Encodes an audio file; returns latents `[1, D, L]` and the metadata for a latent file.
    public func encode(audioPath: String) throws -> (latents: Tensor, metadata: [String: String]) {
        let input = try AudioInput(path: audioPath, sampleRate: sampleRate, channelCount: autoencoder.audioChannels)
        let audio = input.audio
        var latents = autoencoder.encode(audio.samples.expandingDimension(at: 0))
        if scale != 1 { latents = latents / scale }
        var metadata = [
            "format": "stable-audio-latents", "sample_rate": String(sampleRate), "audio_frames": String(audio.frameCount),
            "audio_channels": String(audio.channelCount), "downsampling_ratio": String(autoencoder.downsamplingRatio),
            "latent_channels": String(autoencoder.latentChannels), "source": audioPath, "model": modelPath,
            "software": "stable-audio-swift \(StableAudioVersion.string)",
        ]
        if let conversion = input.conversion {
            metadata["conversion"] = conversion
            metadata["source_sample_rate"] = String(input.sourceSampleRate)
            metadata["source_channels"] = String(input.sourceChannelCount)
        }
        return (latents, metadata)
    }

    /// Encodes `audioPath` and writes the latent file atomically; returns the conversion made to the audio, if any.
    @discardableResult
    public func encode(audioPath: String, to latentPath: String) throws -> String? {
        let (latents, metadata) = try encode(audioPath: audioPath)
        try SafeTensorsWriter.write([("latents", latents)], metadata: metadata, to: latentPath)
        return metadata["conversion"]
    }

    /// Decodes a latent file to audio `[B, C, T]`, trimmed to its recorded frame count when present. `chunkSize` must
    /// be positive and larger than `overlap` ≥ 0 (otherwise a `PipelineError`).
    public func decode(latentPath: String, chunkSize: Int = 128, overlap: Int = 32) throws -> Tensor {
        guard chunkSize > 0, overlap >= 0, overlap < chunkSize else {
            throw PipelineError("chunk size \(chunkSize) and overlap \(overlap): the chunk size must be positive and larger than the overlap, which must be at least 0")
        }
        let file = try SafeTensorsFile(path: latentPath)
        guard file.entries["latents"] != nil else {
            throw PipelineError("\(latentPath): no tensor named 'latents' (found: \(file.names.prefix(5).joined(separator: ", ")))")
        }
        var latents = try file.tensor(named: "latents")
        if latents.rank == 2 { latents = latents.expandingDimension(at: 0) }
        guard latents.rank == 3, latents.shape[0] > 0, latents.shape[1] == autoencoder.latentChannels, latents.shape[2] > 0 else {
            throw PipelineError("\(latentPath): latents have shape \(latents.shape), but this model decodes [batch, \(autoencoder.latentChannels), frames]")
        }
        let nonFinite = latents.nonFiniteCount
        guard nonFinite == 0 else { throw PipelineError("\(latentPath): latents hold \(nonFinite) NaN or infinite values") }
        if let rate = file.metadata["sample_rate"].flatMap(Int.init), rate != sampleRate {
            throw PipelineError("\(latentPath): latents were made for \(rate) Hz, this model works at \(sampleRate) Hz")
        }
        if let ratio = file.metadata["downsampling_ratio"].flatMap(Int.init), ratio != autoencoder.downsamplingRatio {
            throw PipelineError("\(latentPath): latents were made by an autoencoder with downsampling ratio \(ratio); this model's is \(autoencoder.downsamplingRatio)")
        }
        if scale != 1 { latents = latents * scale }
        var audio = latents.shape[2] > chunkSize ? autoencoder.decodeChunked(latents, chunkSize: chunkSize, overlap: overlap)
                                                 : autoencoder.decode(latents)
        if let frames = file.metadata["audio_frames"].flatMap(Int.init), frames > 0, frames < audio.shape[2] {
            audio = audio.slice(axis: 2, 0..<frames)
        }
        return audio
    }
}
