import SATensor

/// A fully connected layer, matching `torch.nn.Linear`: y = x·Wᵀ + b over the last dimension.
public struct Linear: Sendable {
    /// `[out, in]`, PyTorch's layout.
    public let weight: Tensor
    /// `[out]`, or nil for `bias=False`.
    public let bias: Tensor?

    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
    }

    /// Loads `weight` (and `bias` when `hasBias`) from `scope`, checking their shapes.
    public init(_ scope: ParameterScope, inFeatures: Int, outFeatures: Int, hasBias: Bool = true) throws {
        self.init(weight: try scope.tensor("weight", shape: [outFeatures, inFeatures]),
                  bias: hasBias ? try scope.tensor("bias", shape: [outFeatures]) : nil)
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.linear(weight: weight, bias: bias) }
}
