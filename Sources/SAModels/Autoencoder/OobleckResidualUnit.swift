import SANN
import SATensor

/// SAT's Oobleck `ResidualUnit` (`models/autoencoders.py`): a dilated k7 convolution and a pointwise one, each
/// after an activation, around a residual connection; length-preserving.
///
///     y = x + conv₁( act( conv₇,d( act(x) ) ) )      padding of conv₇,d = 3d
///
/// Keys under the unit: `layers.0` (act), `layers.1` (k7, weight-normalized), `layers.2` (act), `layers.3` (k1).
struct OobleckResidualUnit: Sendable {
    let firstActivation: ChannelActivation
    let dilatedConvolution: Conv1d
    let secondActivation: ChannelActivation
    let pointwiseConvolution: Conv1d

    init(_ scope: ParameterScope, channels: Int, dilation: Int, useSnake: Bool) throws {
        let layers = scope.child("layers")
        firstActivation = try ChannelActivation(layers.child(0), channels: channels, useSnake: useSnake)
        dilatedConvolution = try Conv1d(layers.child(1), inChannels: channels, outChannels: channels, kernelSize: 7,
                                        padding: (dilation * 6) / 2, dilation: dilation)
        secondActivation = try ChannelActivation(layers.child(2), channels: channels, useSnake: useSnake)
        pointwiseConvolution = try Conv1d(layers.child(3), inChannels: channels, outChannels: channels, kernelSize: 1)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        input + pointwiseConvolution(secondActivation(dilatedConvolution(firstActivation(input))))
    }
}
