import SANN
import SATensor

/// A text conditioner: prompts in, embeddings `[B, N, D]` and a 0/1 mask `[B, N]` out. The T5 port provides the
/// real ones; tests inject precomputed outputs.
public protocol PromptConditioner: Sendable {
    func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput
    /// Tokens `prompt` needs and the conditioner's limit, when it truncates (nil when it cannot tell).
    func tokenUsage(_ prompt: String) throws -> (count: Int, limit: Int)?
}

extension PromptConditioner {
    public func tokenUsage(_ prompt: String) throws -> (count: Int, limit: Int)? { nil }
}

/// Builds the prompt conditioner for a text entry of `model.conditioning.configs`, taking its weights (if any) from
/// `scope` (`conditioner.conditioners.<id>`) and its files from the model folder.
public typealias PromptConditionerFactory = @Sendable (_ specification: ConditionerSpecification, _ conditionDimension: Int,
                                                       _ scope: ParameterScope, _ folder: ModelFolder?) throws -> any PromptConditioner

/// A conditioning value for one batch item, as in SAT's metadata dictionaries.
public enum ConditioningValue: Sendable, Equatable {
    case text(String)
    case number(Double)
}

/// The assembled inputs of a diffusion backbone (SAT's `get_conditioning_inputs`).
public struct ConditioningInputs: Sendable {
    /// Cross-attention tokens `[B, N, D]`: the `cross_attention_cond_ids` outputs concatenated in list order.
    public var crossAttention: Tensor?
    /// Their masks `[B, N]`, concatenated the same way.
    public var crossAttentionMask: Tensor?
    /// Global condition `[B, G]`: the `global_cond_ids` outputs concatenated along channels.
    public var global: Tensor?

    public init(crossAttention: Tensor? = nil, crossAttentionMask: Tensor? = nil, global: Tensor? = nil) {
        self.crossAttention = crossAttention
        self.crossAttentionMask = crossAttentionMask
        self.global = global
    }
}
