import SATensor

/// Group normalization, matching `torch.nn.GroupNorm` on `[B, C, ...]`.
public struct GroupNorm: Sendable {
    public let groupCount: Int
    public let weight: Tensor?
    public let bias: Tensor?
    public let epsilon: Float

    public init(groupCount: Int, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) {
        self.groupCount = groupCount
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// Loads `weight` and `bias` (when `affine`) from `scope`; a group count that does not divide `channels` is a
    /// `WeightLoadingError.inconsistentModule`.
    public init(_ scope: ParameterScope, groupCount: Int, channels: Int, epsilon: Float = 1e-5, affine: Bool = true) throws {
        try scope.requireLayout(groupCount > 0 && channels % groupCount == 0,
                                "GroupNorm of \(channels) channels cannot be split into \(groupCount) groups")
        self.init(groupCount: groupCount,
                  weight: affine ? try scope.tensor("weight", shape: [channels]) : nil,
                  bias: affine ? try scope.tensor("bias", shape: [channels]) : nil, epsilon: epsilon)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.groupNorm(groupCount: groupCount, weight: weight, bias: bias, epsilon: epsilon)
    }
}

/// Layer normalization over the last dimension, matching `torch.nn.LayerNorm(dim)`.
///
/// Parameter names are configurable because stable-audio-tools' transformer stores them as `gamma` and a
/// zero `beta` buffer instead of `weight` and `bias`.
public struct LayerNorm: Sendable {
    public let weight: Tensor?
    public let bias: Tensor?
    public let epsilon: Float

    public init(weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) {
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// Loads the affine parameters from `scope` (`weightName` always; `biasName` when given).
    public init(_ scope: ParameterScope, dimension: Int, epsilon: Float = 1e-5,
                weightName: String? = "weight", biasName: String? = "bias") throws {
        self.init(weight: try weightName.map { try scope.tensor($0, shape: [dimension]) },
                  bias: try biasName.map { try scope.tensor($0, shape: [dimension]) }, epsilon: epsilon)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.layerNorm(weight: weight, bias: bias, epsilon: epsilon) }
}

/// Root-mean-square normalization over the last dimension, matching T5's `T5LayerNorm` (weight only, no mean).
public struct RMSNorm: Sendable {
    public let weight: Tensor
    public let epsilon: Float

    public init(weight: Tensor, epsilon: Float = 1e-6) {
        self.weight = weight
        self.epsilon = epsilon
    }

    public init(_ scope: ParameterScope, dimension: Int, epsilon: Float = 1e-6) throws {
        self.init(weight: try scope.tensor("weight", shape: [dimension]), epsilon: epsilon)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.rmsNorm(weight: weight, epsilon: epsilon) }
}
