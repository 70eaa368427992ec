import SATensor

/// SAT's `VAEBottleneck` (`models/bottleneck.py`): the encoder output's channels split into a mean and a raw
/// scale; the posterior standard deviation is softplus(scale) + 1e-4.
///
///     mean, scale = chunk(encoder_output, 2, dim=1)
///     stdev  = softplus(scale) + 1e-4
///     latent = mean + stdev · ε,  ε ~ N(0, 1)        (deterministic encoding uses the mean)
///
/// Decoding is the identity.
public enum VAEBottleneck {
    /// The posterior of pre-bottleneck latents `[B, 2·D, L]`: mean and standard deviation, each `[B, D, L]`.
    public static func posterior(_ preBottleneck: Tensor) -> (mean: Tensor, standardDeviation: Tensor) {
        let halves = preBottleneck.chunked(2, axis: 1)
        return (halves[0], halves[1].softplus() + 1e-4)
    }

    /// mean + stdev · noise, with `noise` of the mean's shape.
    public static func sample(mean: Tensor, standardDeviation: Tensor, noise: Tensor) -> Tensor {
        precondition(noise.shape == mean.shape, "VAE noise \(noise.shape) does not match latents \(mean.shape)")
        return mean + standardDeviation * noise
    }
}
