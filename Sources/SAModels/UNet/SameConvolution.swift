import SANN
import SATensor

/// audio-diffusion-pytorch's "same" `Conv1d` as SAT's `models/adp.py` defines it: built without padding, it
/// pads zeros at call time so that the output has ⌈T / stride⌉ frames.
///
///     k_eff = (k − 1)·dilation + 1,  total = k_eff − stride
///     right = ⌊total / 2⌋,  left = total − right,  extra = ⌈T/stride⌉·stride − T   (added on the right)
///
/// e.g. k3/s1 → (1, 1); k5/s2 → (2, 1) + extra; k9/s4 → (3, 2) + extra; k1 → (0, 0).
struct SameConvolution: Sendable {
    let convolution: Conv1d

    init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1) throws {
        convolution = try Conv1d(scope, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let stride = convolution.stride, length = input.shape[2]
        let effectiveKernel = (convolution.kernelSize - 1) * convolution.dilation + 1
        let total = effectiveKernel - stride
        let right = total / 2, left = total - right
        let extra = ((length + stride - 1) / stride) * stride - length
        return input.conv1d(weight: convolution.weight, bias: convolution.bias, stride: stride,
                            padding: (left, right + extra), dilation: convolution.dilation, groups: 1)
    }
}

/// audio-diffusion-pytorch's `ConvTranspose1d`: an unpadded transposed convolution whose output is trimmed by
/// k − stride samples, ⌊(k − s)/2⌋ on the right and the rest on the left, giving T·stride frames for k = 2·stride.
struct TrimmedTransposedConvolution: Sendable {
    let convolution: ConvTranspose1d

    init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int) throws {
        convolution = try ConvTranspose1d(scope, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let total = convolution.weight.shape[2] - convolution.stride
        let right = total / 2, left = total - right
        let full = convolution(input)
        return full.slice(axis: 2, left..<(full.shape[2] - right))
    }
}
