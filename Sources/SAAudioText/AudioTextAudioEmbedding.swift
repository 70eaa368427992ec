/// What the audio tower says about one clip.
public struct AudioTextAudioEmbedding: Sendable, Equatable {
    /// The L2-normalised audio embedding (`embed_dim` values).
    public var embedding: [Float]
    /// Family logits in the config's family order.
    public var familyLogits: [Float]
    /// softmax of the logits.
    public var familyProbabilities: [Double]

    /// The index of the most probable family.
    public var predictedFamily: Int { familyProbabilities.indices.max { familyProbabilities[$0] < familyProbabilities[$1] } ?? 0 }
}
