import SATensor

/// A 1-D convolution, matching `torch.nn.Conv1d` with zero padding (optionally asymmetric, as `F.pad` followed
/// by an unpadded convolution). Weight-normalized checkpoints (`weight_g`/`weight_v` or parametrizations) are
/// folded into a plain weight at load time.
public struct Conv1d: Sendable {
    /// `[Cout, Cin/groups, K]`.
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: (left: Int, right: Int)
    public let dilation: Int
    public let groups: Int

    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: (left: Int, right: Int) = (0, 0),
                dilation: Int = 1, groups: Int = 1) {
        precondition(weight.rank == 3, "Conv1d weight must be [Cout, Cin/groups, K], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// Loads the layer from `scope`, checking shapes; symmetric `padding`.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int = 0, dilation: Int = 1, groups: Int = 1, hasBias: Bool = true) throws {
        try self.init(scope, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                      padding: (padding, padding), dilation: dilation, groups: groups, hasBias: hasBias)
    }

    /// Loads the layer from `scope`, checking shapes; separate left and right padding. Settings the convolution
    /// cannot run with (stride or dilation below 1, negative padding, groups that do not divide the channels) are a
    /// `WeightLoadingError.inconsistentModule`.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: (left: Int, right: Int), dilation: Int = 1, groups: Int = 1, hasBias: Bool = true) throws {
        try ConvolutionSettings.validate(scope, layer: "Conv1d", inChannels: inChannels, outChannels: outChannels, stride: stride,
                                         dilation: dilation, padding: padding, groups: groups)
        self.init(weight: try scope.weightNormalizedTensor(shape: [outChannels, inChannels / groups, kernelSize]),
                  bias: hasBias ? try scope.tensor("bias", shape: [outChannels]) : nil,
                  stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public var inChannels: Int { weight.shape[1] * groups }
    public var outChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }

    /// `[B, Cin, T]` → `[B, Cout, T']`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.conv1d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
