import SANN
import SATensor

/// The activation between Oobleck convolutions: `SnakeBeta` with log-scale parameters when the config sets
/// `use_snake`, otherwise parameter-free `nn.ELU()` (α = 1), as SAT's `get_activation`.
public enum ChannelActivation: Sendable {
    case snake(Snake)
    case elu

    /// Loads the activation at `scope` for `channels` channels.
    public init(_ scope: ParameterScope, channels: Int, useSnake: Bool) throws {
        self = useSnake ? .snake(try Snake(scope, channels: channels, parameterization: .logScaleAlphaBeta)) : .elu
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch self {
        case .snake(let snake): return snake(input)
        case .elu: return input.elu()
        }
    }
}
