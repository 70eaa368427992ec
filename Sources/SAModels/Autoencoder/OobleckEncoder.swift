import SANN
import SATensor

/// SAT's `OobleckEncoder` (`models/autoencoders.py`, stable-audio-tools 0.0.19): audio `[B, Cin, T]` →
/// pre-bottleneck latents `[B, latent_dim, T / Π strides]`.
///
///     layers.0            WNConv1d(Cin, m₀·C, k7, p3)                     with m = [1] + c_mults
///     layers.1…n          EncoderBlock(mᵢ·C → mᵢ₊₁·C, stride sᵢ):
///                           3 residual units (d = 1, 3, 9), act, WNConv1d(k = 2s, stride s, padding ⌈s/2⌉)
///     layers.n+1          act(mₙ·C)
///     layers.n+2          WNConv1d(mₙ·C, latent_dim, k3, p1)
///
/// Limitations: no anti-aliased activations (`antialias_activation` must be false).
public struct OobleckEncoder: Sendable {
    struct Block: Sendable {
        let residualUnits: [OobleckResidualUnit]
        let activation: ChannelActivation
        let downsample: Conv1d
    }

    let inputConvolution: Conv1d
    let blocks: [Block]
    let finalActivation: ChannelActivation
    let outputConvolution: Conv1d
    public let configuration: OobleckEncoderConfiguration

    public init(_ scope: ParameterScope, configuration: OobleckEncoderConfiguration) throws {
        self.configuration = configuration
        let layers = scope.child("layers")
        let multipliers = [1] + configuration.channelMultipliers
        let widths = multipliers.map { $0 * configuration.channels }
        inputConvolution = try Conv1d(layers.child(0), inChannels: configuration.inChannels, outChannels: widths[0], kernelSize: 7, padding: 3)
        blocks = try configuration.strides.indices.map { index in
            let block = layers.child(index + 1).child("layers")
            let width = widths[index], stride = configuration.strides[index]
            return Block(
                residualUnits: try [1, 3, 9].enumerated().map { offset, dilation in
                    try OobleckResidualUnit(block.child(offset), channels: width, dilation: dilation, useSnake: configuration.useSnake)
                },
                activation: try ChannelActivation(block.child(3), channels: width, useSnake: configuration.useSnake),
                downsample: try Conv1d(block.child(4), inChannels: width, outChannels: widths[index + 1], kernelSize: 2 * stride,
                                       stride: stride, padding: (stride + 1) / 2))
        }
        let last = widths.count
        finalActivation = try ChannelActivation(layers.child(last), channels: widths[last - 1], useSnake: configuration.useSnake)
        outputConvolution = try Conv1d(layers.child(last + 1), inChannels: widths[last - 1], outChannels: configuration.latentDimension,
                                       kernelSize: 3, padding: 1)
    }

    /// Audio samples per output frame.
    public var downsamplingRatio: Int { configuration.strides.reduce(1, *) }

    public func callAsFunction(_ audio: Tensor) -> Tensor {
        var x = inputConvolution(audio)
        for block in blocks {
            for unit in block.residualUnits { x = unit(x) }
            x = block.downsample(block.activation(x))
        }
        return outputConvolution(finalActivation(x))
    }
}
