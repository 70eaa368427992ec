import SAModels
import SANN
import SATensor

/// sfx-clap-mini's text tower: token embeddings plus learned positions, a 2-layer pre-norm transformer, a final
/// LayerNorm, a masked mean over the real tokens and a normalised projection.
///
/// This implementation matches: `TextTower.forward` of `models/training/train_clap.py` (keys `text.*`) in eval mode:
///
///     h = emb(ids) + pos[:L];  h = norm(enc(h, src_key_padding_mask=~mask))
///     embedding = normalize(proj(Σ_t mask_t·h_t / max(Σ_t mask_t, 1)))
///
/// Tokens come from `SPTokenizer` (`T5Tokenizer.sentencePieceOnly`): `sp.encode(text)[:max_length−1] + [</s>]`,
/// padded to max_length. Padded positions are never attended to and are left out of the mean, so the layers run
/// on the real tokens only, which gives the same values for those positions. Widths come from the weight shapes
/// (d 128, ff 512 in the Python class); the layer count (2) and head count (4) are the Python class's.
public struct AudioTextTextTower: Sendable {
    public static let layerCount = 2
    public static let headCount = 4

    public let tokenEmbedding: Embedding
    /// `[max_length, d]` (`text.pos`).
    public let positions: Tensor
    public let layers: [TransformerEncoderLayer]
    public let finalNorm: LayerNorm
    public let projection: Linear

    public init(_ scope: ParameterScope, vocabularySize: Int, embeddingDimension: Int, maximumTokenCount: Int) throws {
        tokenEmbedding = try Embedding(scope.child("emb"), count: vocabularySize, dimension: embeddingDimension)
        positions = try scope.tensor("pos", shape: [maximumTokenCount, embeddingDimension])
        let firstFeedForward = scope.child("enc").child("layers").child(0).child("linear1").key("weight")
        guard let shape = scope.store.shape(of: firstFeedForward) else {
            throw WeightLoadingError.missingKey(firstFeedForward, source: scope.store.sourceName)
        }
        let feedForwardDimension = shape.first ?? 0
        layers = try (0..<Self.layerCount).map { index in
            try TransformerEncoderLayer(scope.child("enc").child("layers").child(index), dimension: embeddingDimension,
                                        headCount: Self.headCount, feedForwardDimension: feedForwardDimension)
        }
        finalNorm = try LayerNorm(scope.child("norm"), dimension: embeddingDimension)
        projection = try Linear(scope.child("proj"), inFeatures: embeddingDimension, outFeatures: embeddingDimension)
    }

    /// The normalised embedding of one tokenised text: `ids` and `mask` of length ≤ max_length.
    public func callAsFunction(ids: [Int], mask: [Bool]) -> [Float] {
        let real = zip(ids, mask).filter(\.1).map(\.0)
        let positionsUsed = (0..<ids.count).filter { mask[$0] }
        let dimension = tokenEmbedding.dimension
        guard !real.isEmpty else {
            // Python divides the zero sum by clamp(0, min=1): proj(0) = the bias.
            return AudioTextAudioTower.normalized(projection(Tensor(zeros: [1, dimension])).scalars)
        }
        // h = emb(ids) + pos (at each token's own position)
        let embedded = tokenEmbedding(real, shape: [1, real.count])
        let positionRows = Tensor(uninitializedShape: [1, real.count, dimension]) { output in
            for (row, position) in positionsUsed.enumerated() {
                for column in 0..<dimension { output[row * dimension + column] = positions.scalars[position * dimension + column] }
            }
        }
        var h = embedded + positionRows
        for layer in layers { h = layer(h) }
        h = finalNorm(h)
        // masked mean over the real tokens
        let mean = h.mean(axis: 1)
        return AudioTextAudioTower.normalized(projection(mean).scalars)
    }
}
