import Foundation
import SATensor

/// T5's learned relative-position attention bias (bidirectional, encoder), from block 0's
/// `relative_attention_bias.weight` `[num_buckets, H]`, shared by every layer.
///
/// This implementation matches: transformers 4.57 `T5Attention._relative_position_bucket(bidirectional=True)` and
/// `compute_bias`, with the bucket arithmetic in Float32 as PyTorch does it:
///
///     r = j − i (key − query);  half = num_buckets / 2;  bucket = half if r > 0 else 0;  n = |r|
///     exact = half / 2
///     bucket += n                                                                        if n < exact
///     bucket += min(half − 1, exact + ⌊log(n / exact) / log(max_distance / exact) · (half − exact)⌋)   otherwise
///     bias[h, i, j] = weight[bucket(j − i), h]
///
/// (`log(max_distance / exact)` is a Python float, cast to Float32 by the tensor division.) Limitations: `logf`
/// here and PyTorch's vectorized log may differ by an ulp; a bucket could then differ only where the quotient is
/// within an ulp of an integer. The tests compare every |r| ≤ 5000 with PyTorch for four settings, t5-base's
/// (32 buckets, max distance 128) included, with no difference.
public struct T5RelativePositionBias: Sendable {
    /// `[num_buckets, H]`.
    public let weight: Tensor
    public let maximumDistance: Int

    public init(weight: Tensor, maximumDistance: Int) {
        precondition(weight.rank == 2, "relative attention bias must be [num_buckets, heads], got \(weight.shape)")
        self.weight = weight
        self.maximumDistance = maximumDistance
    }

    public var bucketCount: Int { weight.shape[0] }
    public var headCount: Int { weight.shape[1] }

    /// The bucket of relative position `relativePosition` = key index − query index.
    public static func bucket(relativePosition: Int, bucketCount: Int, maximumDistance: Int) -> Int {
        let half = bucketCount / 2
        var bucket = relativePosition > 0 ? half : 0
        let distance = abs(relativePosition)
        let exact = half / 2
        if distance < exact { return bucket + distance }
        // log(n / exact) / log(max_distance / exact) · (half − exact), each step rounded to Float32
        let scale = Float(Foundation.log(Double(maximumDistance) / Double(exact)))
        let ratio = Float(distance) / Float(exact)
        let large = exact + Int(Foundation.logf(ratio) / scale * Float(half - exact))
        bucket += min(large, half - 1)
        return bucket
    }

    /// The bias `[1, H, N, N]` for a sequence of `length` positions.
    public func callAsFunction(length: Int) -> Tensor {
        let heads = headCount, buckets = bucketCount
        let table = (-(length - 1)..<length).map {
            Self.bucket(relativePosition: $0, bucketCount: buckets, maximumDistance: maximumDistance)
        }
        let values = weight.scalars
        return Tensor(uninitializedShape: [1, heads, length, length]) { output in
            for head in 0..<heads {
                for query in 0..<length {
                    let row = (head * length + query) * length
                    for key in 0..<length {
                        output[row + key] = values[table[key - query + length - 1] * heads + head]
                    }
                }
            }
        }
    }
}
