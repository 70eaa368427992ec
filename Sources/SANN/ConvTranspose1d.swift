import SATensor

/// A 1-D transposed convolution, matching `torch.nn.ConvTranspose1d`. Weight norm is folded at load time with
/// PyTorch's dim = 0, which for this layer means one norm per input channel.
public struct ConvTranspose1d: Sendable {
    /// `[Cin, Cout/groups, K]`.
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public let dilation: Int
    public let groups: Int

    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                dilation: Int = 1, groups: Int = 1) {
        precondition(weight.rank == 3, "ConvTranspose1d weight must be [Cin, Cout/groups, K], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    /// Loads the layer from `scope`, checking shapes. Settings the convolution cannot run with (stride or dilation
    /// below 1, negative padding, groups that do not divide the channels, an output padding outside
    /// 0 ..< max(stride, dilation)) are a `WeightLoadingError.inconsistentModule`.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, hasBias: Bool = true) throws {
        try ConvolutionSettings.validate(scope, layer: "ConvTranspose1d", inChannels: inChannels, outChannels: outChannels, stride: stride,
                                         dilation: dilation, padding: (padding, padding), groups: groups)
        try scope.requireLayout(outputPadding >= 0 && outputPadding < max(stride, dilation),
                                "ConvTranspose1d output padding \(outputPadding) must lie in 0 ..< max(stride \(stride), dilation \(dilation))")
        self.init(weight: try scope.weightNormalizedTensor(shape: [inChannels, outChannels / groups, kernelSize]),
                  bias: hasBias ? try scope.tensor("bias", shape: [outChannels]) : nil,
                  stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation, groups: groups)
    }

    /// `[B, Cin, T]` → `[B, Cout, T']`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.convTranspose1d(weight: weight, bias: bias, stride: stride, padding: padding,
                              outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
