import SATensor

/// Classifier-free guidance settings and SAT's combination rule, shared by the U-Net and the DiT.
///
///     out = u + (c − u) · scale
///     rescaled (φ > 0):  out = φ · out · (std_c(c) / std_c(out)) + (1 − φ) · out     (std over channels, unbiased)
public struct ClassifierFreeGuidance: Sendable {
    public var scale: Float
    /// CFG-rescale φ; 0 turns it off.
    public var rescale: Float
    /// The negative prompt's conditioning `[B, N, D]`, replacing the null condition.
    public var negativeEmbedding: Tensor?
    /// Which negative tokens are real `[B, N]` (1 = keep); elsewhere the model's null condition is used.
    public var negativeMask: Tensor?

    public init(scale: Float, rescale: Float = 0, negativeEmbedding: Tensor? = nil, negativeMask: Tensor? = nil) {
        self.scale = scale
        self.rescale = rescale
        self.negativeEmbedding = negativeEmbedding
        self.negativeMask = negativeMask
    }

    /// No guidance: one conditional pass.
    public static let none = ClassifierFreeGuidance(scale: 1)

    /// Combines conditional and unconditional outputs `[B, C, L]`.
    public func combine(conditional: Tensor, unconditional: Tensor) -> Tensor {
        let guided = unconditional + (conditional - unconditional) * scale
        guard rescale != 0 else { return guided }
        let conditionalDeviation = conditional.variance(axis: 1, unbiased: true, keepingDimension: true).squareRoot()
        let guidedDeviation = guided.variance(axis: 1, unbiased: true, keepingDimension: true).squareRoot()
        return (guided * (conditionalDeviation / guidedDeviation)) * rescale + guided * (1 - rescale)
    }
}
