import SATensor

/// A 2-D convolution, matching `torch.nn.Conv2d(in, out, kernel, stride=1, padding=p)` with zero padding, no
/// dilation and no groups. Limitations: stride 1 only (see `Tensor.conv2d`).
public struct Conv2d: Sendable {
    /// `[out, in, KH, KW]`, PyTorch's layout.
    public let weight: Tensor
    /// `[out]`, or nil for `bias=False`.
    public let bias: Tensor?
    public let padding: (height: Int, width: Int)

    public init(weight: Tensor, bias: Tensor?, padding: (height: Int, width: Int) = (0, 0)) {
        precondition(weight.rank == 4, "Conv2d weight must be [out, in, KH, KW], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        self.padding = padding
    }

    /// Loads `weight` `[out, in, k, k]` (and `bias` when `hasBias`) from `scope`, checking their shapes.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, padding: Int = 0, hasBias: Bool = true) throws {
        self.init(weight: try scope.tensor("weight", shape: [outChannels, inChannels, kernelSize, kernelSize]),
                  bias: hasBias ? try scope.tensor("bias", shape: [outChannels]) : nil, padding: (padding, padding))
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }

    /// `[B, in, H, W]` → `[B, out, H', W']`.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.conv2d(weight: weight, bias: bias, padding: padding) }
}
