import SATensor

/// The cross-attention keys and values of every U-Net transformer block for one conditioning, in the order the
/// forward pass visits the transformers (down levels, bottleneck, up levels).
///
/// `to_kv(norm_context(context))·mask` depends only on the conditioning, not on the latents or the time, so a
/// sampler projects the context once per generation (`UNet1D.projectContext`) and every step reuses it. SAT
/// recomputes it at every step; the values are identical.
public struct UNetContextProjection: Sendable {
    let downsamples: [[Tensor?]]
    let bottleneck: [Tensor?]
    let upsamples: [[Tensor?]]
    /// Batch size of the projected context; the latents of a forward pass must have the same.
    public let batch: Int
}
