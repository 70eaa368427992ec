import SANN
import SATensor

/// SAT's `OobleckDecoder` (`models/autoencoders.py`, stable-audio-tools 0.0.19): latents `[B, latent_dim, L]` →
/// audio `[B, Cout, L · Π strides]`.
///
///     layers.0            WNConv1d(latent_dim, mₙ·C, k7, p3)              with m = [1] + c_mults
///     layers.1…n          DecoderBlock(mᵢ·C → mᵢ₋₁·C, stride sᵢ₋₁), i = n…1:
///                           act, WNConvTranspose1d(k = 2s, stride s, padding ⌈s/2⌉), 3 residual units (d = 1, 3, 9)
///     layers.n+1          act(m₀·C)
///     layers.n+2          WNConv1d(m₀·C, Cout, k7, p3, no bias)
///     layers.n+3          Tanh when final_tanh (SAO sets it false: Identity, no keys)
///
/// Limitations: no anti-aliased activations and no nearest-neighbour upsampling variant.
public struct OobleckDecoder: Sendable {
    struct Block: Sendable {
        let activation: ChannelActivation
        let upsample: ConvTranspose1d
        let residualUnits: [OobleckResidualUnit]
    }

    let inputConvolution: Conv1d
    let blocks: [Block]
    let finalActivation: ChannelActivation
    let outputConvolution: Conv1d
    public let configuration: OobleckDecoderConfiguration

    public init(_ scope: ParameterScope, configuration: OobleckDecoderConfiguration) throws {
        self.configuration = configuration
        let layers = scope.child("layers")
        let multipliers = [1] + configuration.channelMultipliers
        let widths = multipliers.map { $0 * configuration.channels }
        let depth = widths.count
        inputConvolution = try Conv1d(layers.child(0), inChannels: configuration.latentDimension, outChannels: widths[depth - 1],
                                      kernelSize: 7, padding: 3)
        blocks = try (1..<depth).reversed().enumerated().map { position, level in
            let block = layers.child(position + 1).child("layers")
            let inWidth = widths[level], outWidth = widths[level - 1], stride = configuration.strides[level - 1]
            return Block(
                activation: try ChannelActivation(block.child(0), channels: inWidth, useSnake: configuration.useSnake),
                upsample: try ConvTranspose1d(block.child(1), inChannels: inWidth, outChannels: outWidth, kernelSize: 2 * stride,
                                              stride: stride, padding: (stride + 1) / 2),
                residualUnits: try [1, 3, 9].enumerated().map { offset, dilation in
                    try OobleckResidualUnit(block.child(offset + 2), channels: outWidth, dilation: dilation, useSnake: configuration.useSnake)
                })
        }
        finalActivation = try ChannelActivation(layers.child(depth), channels: widths[0], useSnake: configuration.useSnake)
        outputConvolution = try Conv1d(layers.child(depth + 1), inChannels: widths[0], outChannels: configuration.outChannels,
                                       kernelSize: 7, padding: 3, hasBias: false)
    }

    /// Audio samples per latent frame.
    public var upsamplingRatio: Int { configuration.strides.reduce(1, *) }

    public func callAsFunction(_ latents: Tensor) -> Tensor {
        var x = inputConvolution(latents)
        for block in blocks {
            x = block.upsample(block.activation(x))
            for unit in block.residualUnits { x = unit(x) }
        }
        x = outputConvolution(finalActivation(x))
        return configuration.finalTanh ? x.tanh() : x
    }
}
