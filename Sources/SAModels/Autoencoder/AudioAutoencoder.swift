import SANN
import SATensor

/// SAT's `AudioAutoencoder` with a VAE bottleneck (`models/autoencoders.py`, 0.0.19), as a diffusion model's
/// pretransform or on its own.
///
/// - `encode` zero-pads the audio to a multiple of the downsampling ratio (SAT's
///   `preprocess_audio_for_encoder`), runs the encoder and returns the posterior mean (deterministic), or a
///   sample when noise is given.
/// - `decode` runs the decoder on latents (`pretransform.scale` is 1 in every shipped config and is applied by
///   the caller if a config sets it).
/// - `decodeChunked` reproduces `decode_audio(chunked=True)`: windows of `chunkSize` latents with hop
///   `chunkSize − overlap`, the last window aligned to the end, each decoded alone, and `(overlap / 2)·ratio`
///   samples cut from every interior edge before pasting (a hard cut, no crossfade). Memory is bounded by the
///   window, not the clip.
///
/// Encoders and decoders: Oobleck (Stable Audio Open) or DAC-style (Stable Audio 1.0).
///
/// Limitations: VAE bottleneck only (no RVQ/tanh/FSQ bottlenecks).
public struct AudioAutoencoder: Sendable {
    enum Encoder: Sendable {
        case oobleck(OobleckEncoder), dac(DACEncoder)
        func callAsFunction(_ audio: Tensor) -> Tensor {
            switch self {
            case .oobleck(let encoder): return encoder(audio)
            case .dac(let encoder): return encoder(audio)
            }
        }
    }

    enum Decoder: Sendable {
        case oobleck(OobleckDecoder), dac(DACDecoder)
        func callAsFunction(_ latents: Tensor) -> Tensor {
            switch self {
            case .oobleck(let decoder): return decoder(latents)
            case .dac(let decoder): return decoder(latents)
            }
        }
    }

    public let configuration: AutoencoderConfiguration
    let encoder: Encoder
    let decoder: Decoder

    /// Loads the encoder (`encoder.*`) and decoder (`decoder.*`) under `scope`, after checking that the configuration's
    /// parts fit together (`AutoencoderConfiguration.validateConsistency`; decoding a config file has checked that already).
    public init(_ scope: ParameterScope, configuration: AutoencoderConfiguration) throws {
        try configuration.validateConsistency()
        self.configuration = configuration
        let encoderScope = scope.child("encoder"), decoderScope = scope.child("decoder")
        switch configuration.encoder {
        case .oobleck(let settings):
            encoder = .oobleck(try OobleckEncoder(encoderScope, configuration: settings))
        case .dac(let settings):
            encoder = .dac(try DACEncoder(encoderScope, configuration: settings))
        }
        switch configuration.decoder {
        case .oobleck(let settings):
            decoder = .oobleck(try OobleckDecoder(decoderScope, configuration: settings))
        case .dac(let settings):
            decoder = .dac(try DACDecoder(decoderScope, configuration: settings))
        }
    }

    public var downsamplingRatio: Int { configuration.downsamplingRatio }
    public var latentChannels: Int { configuration.latentDimension }
    public var audioChannels: Int { configuration.ioChannels }

    /// Pre-bottleneck encoder output `[B, 2·D, ⌈T/ratio⌉]` for audio `[B, C, T]`, zero-padded at the end to a
    /// multiple of the downsampling ratio.
    public func encodePreBottleneck(_ audio: Tensor) -> Tensor {
        let length = audio.shape[2]
        let padding = (downsamplingRatio - length % downsamplingRatio) % downsamplingRatio
        return encoder(audio.padded(axis: 2, before: 0, after: padding))
    }

    /// Latents `[B, D, L]`: the posterior mean, or mean + stdev · noise when `noise` is given.
    public func encode(_ audio: Tensor, noise: Tensor? = nil) -> Tensor {
        let (mean, standardDeviation) = VAEBottleneck.posterior(encodePreBottleneck(audio))
        guard let noise else { return mean }
        return VAEBottleneck.sample(mean: mean, standardDeviation: standardDeviation, noise: noise)
    }

    /// Audio `[B, C, L·ratio]` for latents `[B, D, L]`.
    public func decode(_ latents: Tensor) -> Tensor {
        precondition(latents.rank == 3 && latents.shape[1] == latentChannels, "latents \(latents.shape) need \(latentChannels) channels")
        return decoder(latents)
    }

    /// `decode_audio(latents, chunked=True, chunk_size:, overlap:)`; falls back to `decode` when the latents fit in
    /// one window.
    public func decodeChunked(_ latents: Tensor, chunkSize: Int = 128, overlap: Int = 32) -> Tensor {
        precondition(chunkSize > overlap && overlap >= 0, "chunk size \(chunkSize) must exceed overlap \(overlap)")
        let total = latents.shape[2]
        guard total > chunkSize else { return decode(latents) }
        let hop = chunkSize - overlap
        var starts = Array(stride(from: 0, through: total - chunkSize, by: hop))
        if starts.last! + chunkSize != total { starts.append(total - chunkSize) }
        let ratio = downsamplingRatio
        let edge = (overlap / 2) * ratio
        let outputLength = total * ratio
        var output = Tensor(zeros: [latents.shape[0], configuration.ioChannels, outputLength])
        for (index, start) in starts.enumerated() {
            let chunk = decode(latents.slice(axis: 2, start..<(start + chunkSize)))
            let isFirst = index == 0, isLast = index == starts.count - 1
            // Where the window lands in the output (the last one always ends at the end), less the cut edges.
            let outputStart = (isLast ? outputLength - chunk.shape[2] : start * ratio) + (isFirst ? 0 : edge)
            let chunkStart = isFirst ? 0 : edge, chunkEnd = chunk.shape[2] - (isLast ? 0 : edge)
            output.paste(chunk.slice(axis: 2, chunkStart..<chunkEnd), axis: 2, at: outputStart)
        }
        return output
    }
}
