/// Why a text encoder could not be loaded or run on its input; each case names the offending value.
public enum TextEncoderError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A token id outside the embedding table.
    case tokenOutOfRange(id: Int, item: Int, position: Int, vocabularySize: Int)
    /// Rows of the batch (or of the mask) with different lengths.
    case raggedBatch(expectedLength: Int, item: Int, length: Int)
    /// A mask whose batch size differs from the ids'.
    case maskBatchMismatch(ids: Int, mask: Int)
    /// A batch with no items or no positions.
    case emptyBatch
    /// A checkpoint with both `shared.weight` and a tied copy that holds different values.
    case untiedEmbeddingCopy(key: String, sharedKey: String, source: String)

    public var description: String {
        switch self {
        case .tokenOutOfRange(let id, let item, let position, let vocabularySize):
            return "token id \(id) (item \(item), position \(position)) is outside the T5 vocabulary of \(vocabularySize)"
        case .raggedBatch(let expectedLength, let item, let length):
            return "batch item \(item) has \(length) positions, expected \(expectedLength) (pad every item to one length)"
        case .maskBatchMismatch(let ids, let mask):
            return "attention mask has \(mask) rows for \(ids) token rows"
        case .emptyBatch:
            return "empty batch: at least one item with at least one token is needed"
        case .untiedEmbeddingCopy(let key, let sharedKey, let source):
            return "\(source): '\(key)' differs from '\(sharedKey)'; T5's encoder embedding is tied to the shared table"
        }
    }
}
