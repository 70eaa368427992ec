/// Scaled dot-product attention, as `F.scaled_dot_product_attention` (non-causal) with grouped key/value heads.
extension Tensor {
    /// softmax(Q·Kᵀ·scale + bias)·V for `[B, H, Nq, D]` queries and `[B, Hkv, Nk, D]` keys and values.
    ///
    /// - `scale` defaults to 1/√D; T5 passes 1.
    /// - Grouped-query attention: with `H = g·Hkv`, query head h reads key/value head ⌊h/g⌋, which is
    ///   `repeat_interleave(g, dim=1)` on the keys and values.
    /// - `bias` is added to the logits and is `[Bb, Hb, Nq, Nk]` with Bb ∈ {1, B} and Hb ∈ {1, H}: relative
    ///   position biases and additive masks (use a large negative value to mask a key).
    ///
    /// Each (batch, head) pair is one Q·Kᵀ GEMM, a row softmax and one P·V GEMM. With several pairs, the pairs run
    /// in parallel, each with serial GEMMs; a single pair uses `GEMM.multiply`'s blocked parallelism. Either way
    /// the arithmetic per element does not depend on the core count.
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, scale: Float? = nil,
                                                 bias: Tensor? = nil) -> Tensor {
        precondition(query.rank == 4 && key.rank == 4 && value.rank == 4, "attention expects rank-4 q/k/v, got \(query.shape), \(key.shape), \(value.shape)")
        let batch = query.shape[0], heads = query.shape[1], queryLength = query.shape[2], depth = query.shape[3]
        let kvHeads = key.shape[1], keyLength = key.shape[2], valueDepth = value.shape[3]
        precondition(key.shape[0] == batch && value.shape[0] == batch && key.shape[3] == depth
                     && value.shape[1] == kvHeads && value.shape[2] == keyLength && kvHeads > 0 && heads % kvHeads == 0,
                     "attention shapes disagree: q \(query.shape), k \(key.shape), v \(value.shape)")
        let groupSize = heads / kvHeads
        let scale = scale ?? 1 / Float(depth).squareRoot()
        if let bias {
            precondition(bias.rank == 4 && (bias.shape[0] == 1 || bias.shape[0] == batch) && (bias.shape[1] == 1 || bias.shape[1] == heads)
                         && bias.shape[2] == queryLength && bias.shape[3] == keyLength,
                         "attention bias \(bias.shape) does not fit logits [\(batch), \(heads), \(queryLength), \(keyLength)]")
        }
        let biasBatch = bias?.shape[0] ?? 1, biasHeads = bias?.shape[1] ?? 1
        let pairCount = batch * heads
        let parallelPairs = pairCount > 1
        var logits = [Float](repeating: 0, count: (parallelPairs ? pairCount : 1) * queryLength * keyLength)
        let biasScalars = bias?.scalars ?? []
        let output = query.withUnsafeBufferPointer { qBuffer in
            key.withUnsafeBufferPointer { kBuffer in
                value.withUnsafeBufferPointer { vBuffer in
                    biasScalars.withUnsafeBufferPointer { biasBuffer in
                        logits.withUnsafeMutableBufferPointer { logitBuffer in
                            let q = SendablePointer(qBuffer), k = SendablePointer(kBuffer), v = SendablePointer(vBuffer)
                            let scores = SendablePointer(logitBuffer)
                            let biasPointer = biasBuffer.isEmpty ? nil : SendablePointer(biasBuffer)
                            return Tensor(uninitializedShape: [batch, heads, queryLength, valueDepth]) { oBuffer in
                                let o = SendablePointer(oBuffer)
                                let attendPair: @Sendable (Int, UnsafeMutablePointer<Float>, Bool) -> Void = { pair, logitsOfPair, serial in
                                    let multiply = serial ? GEMM.multiplySerial : GEMM.multiply
                                    let item = pair / heads, head = pair % heads
                                    let kvIndex = item * kvHeads + head / groupSize
                                    // S = scale · Q·Kᵀ   [Nq, Nk]
                                    multiply(false, true, queryLength, keyLength, depth, scale,
                                             q.base + pair * queryLength * depth, depth,
                                             k.base + kvIndex * keyLength * depth, depth, 0, logitsOfPair, keyLength)
                                    if let biasPointer {
                                        let biasIndex = (biasBatch == 1 ? 0 : item) * biasHeads + (biasHeads == 1 ? 0 : head)
                                        let b = biasPointer.base + biasIndex * queryLength * keyLength
                                        for index in 0..<(queryLength * keyLength) { logitsOfPair[index] += b[index] }
                                    }
                                    for row in 0..<queryLength { Tensor.softmaxRow(logitsOfPair + row * keyLength, length: keyLength) }
                                    // O = P·V   [Nq, Dv]
                                    multiply(false, false, queryLength, valueDepth, keyLength, 1, logitsOfPair, keyLength,
                                             v.base + kvIndex * keyLength * valueDepth, valueDepth, 0,
                                             o.base + pair * queryLength * valueDepth, valueDepth)
                                }
                                if parallelPairs {
                                    ConcurrentWork.forEach(pairCount) { pair in attendPair(pair, scores.base + pair * queryLength * keyLength, true) }
                                } else {
                                    attendPair(0, scores.base, false)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}

extension Tensor {
    /// `[B, N, H·D]` → `[B, H, N, D]` (einops `b n (h d) -> b h n d`).
    public func splittingHeads(_ headCount: Int) -> Tensor {
        precondition(rank == 3 && shape[2] % headCount == 0, "cannot split \(shape) into \(headCount) heads")
        return reshaped([shape[0], shape[1], headCount, shape[2] / headCount]).permuted([0, 2, 1, 3])
    }

    /// `[B, H, N, D]` → `[B, N, H·D]` (einops `b h n d -> b n (h d)`).
    public func mergingHeads() -> Tensor {
        precondition(rank == 4, "cannot merge heads of \(shape)")
        return permuted([0, 2, 1, 3]).reshaped([shape[0], shape[2], shape[1] * shape[3]])
    }
}
