/// Scaled dot-product attention, as `F.scaled_dot_product_attention` (non-causal) with grouped key/value heads.
///
/// One kernel serves two memory layouts. Element (item b, head h, token n, channel d) of an operand lives at
/// `b·itemStride + h·headStride + n·rowStride + d`:
/// - head-major `[B, H, N, D]` (`scaledDotProductAttention`): itemStride H·N·D, headStride N·D, rowStride D;
/// - token-major `[B, N, C]` with the heads side by side in a channel range (`tokenMajorAttention`): itemStride N·C,
///   headStride D, rowStride C. This reads projections such as a packed k|v in place and writes `[B, N, H·D]`
///   directly, with no head split, merge or chunk copies.
/// The GEMMs take the row stride as their leading dimension, so both layouts run the same arithmetic.
extension Tensor {
    /// softmax(Q·Kᵀ·scale + bias)·V for `[B, H, Nq, D]` queries and `[B, Hkv, Nk, D]` keys and values.
    ///
    /// - `scale` defaults to 1/√D; T5 passes 1.
    /// - Grouped-query attention: with `H = g·Hkv`, query head h reads key/value head ⌊h/g⌋, which is
    ///   `repeat_interleave(g, dim=1)` on the keys and values.
    /// - `bias` is added to the logits and is `[Bb, Hb, Nq, Nk]` with Bb ∈ {1, B} and Hb ∈ {1, H}: relative
    ///   position biases and additive masks (use a large negative value to mask a key).
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, scale: Float? = nil,
                                                 bias: Tensor? = nil) -> Tensor {
        precondition(query.rank == 4 && key.rank == 4 && value.rank == 4, "attention expects rank-4 q/k/v, got \(query.shape), \(key.shape), \(value.shape)")
        let batch = query.shape[0], heads = query.shape[1], queryLength = query.shape[2], depth = query.shape[3]
        let kvHeads = key.shape[1], keyLength = key.shape[2], valueDepth = value.shape[3]
        precondition(key.shape[0] == batch && value.shape[0] == batch && key.shape[3] == depth
                     && value.shape[1] == kvHeads && value.shape[2] == keyLength && kvHeads > 0 && heads % kvHeads == 0,
                     "attention shapes disagree: q \(query.shape), k \(key.shape), v \(value.shape)")
        let problem = AttentionProblem(batch: batch, heads: heads, kvHeads: kvHeads, queryLength: queryLength, keyLength: keyLength,
                                       depth: depth, valueDepth: valueDepth, scale: scale ?? 1 / Float(depth).squareRoot())
        func headMajor(_ tokens: Int, _ heads: Int, _ depth: Int, start: Int = 0) -> AttentionOperandLayout {
            AttentionOperandLayout(start: start, itemStride: heads * tokens * depth, headStride: tokens * depth, rowStride: depth)
        }
        return attend(problem, query: query, headMajor(queryLength, heads, depth), key: key, headMajor(keyLength, kvHeads, depth),
                      value: value, headMajor(keyLength, kvHeads, valueDepth), bias: bias,
                      outputShape: [batch, heads, queryLength, valueDepth], outputLayout: headMajor(queryLength, heads, valueDepth))
    }

    /// Multi-head attention on token-major activations, heads read in place: `[B, Nq, H·Dv]` out.
    ///
    /// - Queries are channels `queryChannelStart ..< queryChannelStart + H·D` of `query` `[B, Nq, Cq]`, with
    ///   D = `headDepth` (default: all of `query`'s channels are heads, D = Cq/H).
    /// - Keys are channels `keyChannelStart ..< keyChannelStart + Hkv·D` of `key` `[B, Nk, Ck]`, values channels
    ///   `valueChannelStart ..< valueChannelStart + Hkv·Dv` of `value` `[B, Nk, Cv]`. The three may be one packed
    ///   q|k|v or k|v projection. Query head h reads key/value head ⌊h/g⌋ (g = H/Hkv).
    /// - `scale` and `bias` as in `scaledDotProductAttention`.
    /// - Same results as splitting heads, `scaledDotProductAttention` and merging heads.
    public static func tokenMajorAttention(query: Tensor, queryChannelStart: Int = 0, key: Tensor, keyChannelStart: Int = 0,
                                           value: Tensor, valueChannelStart: Int = 0, headCount: Int, headDepth: Int? = nil,
                                           keyValueHeadCount: Int? = nil, valueDepth: Int? = nil, scale: Float? = nil,
                                           bias: Tensor? = nil) -> Tensor {
        precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "token-major attention expects [B, N, C] operands, got \(query.shape), \(key.shape), \(value.shape)")
        let batch = query.shape[0], queryLength = query.shape[1], queryChannels = query.shape[2]
        let keyLength = key.shape[1], kvHeads = keyValueHeadCount ?? headCount
        precondition(headCount > 0 && kvHeads > 0 && headCount % kvHeads == 0 && (headDepth != nil || queryChannels % headCount == 0),
                     "token-major attention: \(queryChannels) query channels, \(headCount) heads, \(kvHeads) key/value heads")
        let depth = headDepth ?? queryChannels / headCount, valueDepth = valueDepth ?? depth
        precondition(key.shape[0] == batch && value.shape[0] == batch && value.shape[1] == keyLength
                     && queryChannelStart >= 0 && queryChannelStart + headCount * depth <= queryChannels
                     && keyChannelStart >= 0 && keyChannelStart + kvHeads * depth <= key.shape[2]
                     && valueChannelStart >= 0 && valueChannelStart + kvHeads * valueDepth <= value.shape[2],
                     "token-major attention: q \(query.shape) from channel \(queryChannelStart), k \(key.shape) from channel \(keyChannelStart), v \(value.shape) from channel \(valueChannelStart) disagree")
        let problem = AttentionProblem(batch: batch, heads: headCount, kvHeads: kvHeads, queryLength: queryLength, keyLength: keyLength,
                                       depth: depth, valueDepth: valueDepth, scale: scale ?? 1 / Float(depth).squareRoot())
        func tokenMajor(_ tokens: Int, _ channels: Int, _ depth: Int, start: Int = 0) -> AttentionOperandLayout {
            AttentionOperandLayout(start: start, itemStride: tokens * channels, headStride: depth, rowStride: channels)
        }
        return attend(problem, query: query, tokenMajor(queryLength, queryChannels, depth, start: queryChannelStart),
                      key: key, tokenMajor(keyLength, key.shape[2], depth, start: keyChannelStart),
                      value: value, tokenMajor(keyLength, value.shape[2], valueDepth, start: valueChannelStart), bias: bias,
                      outputShape: [batch, queryLength, headCount * valueDepth],
                      outputLayout: tokenMajor(queryLength, headCount * valueDepth, valueDepth))
    }

    /// Each (item, head) pair is one Q·Kᵀ GEMM, a row softmax and one P·V GEMM. With several pairs, the pairs run
    /// in parallel, each with serial GEMMs; a single pair uses `GEMM.multiply`'s blocked parallelism. Either way the
    /// arithmetic per element does not depend on the core count.
    private static func attend(_ p: AttentionProblem, query: Tensor, _ queryLayout: AttentionOperandLayout,
                               key: Tensor, _ keyLayout: AttentionOperandLayout, value: Tensor, _ valueLayout: AttentionOperandLayout,
                               bias: Tensor?, outputShape: [Int], outputLayout: AttentionOperandLayout) -> Tensor {
        if let bias {
            precondition(bias.rank == 4 && (bias.shape[0] == 1 || bias.shape[0] == p.batch) && (bias.shape[1] == 1 || bias.shape[1] == p.heads)
                         && bias.shape[2] == p.queryLength && bias.shape[3] == p.keyLength,
                         "attention bias \(bias.shape) does not fit logits [\(p.batch), \(p.heads), \(p.queryLength), \(p.keyLength)]")
        }
        let biasBatch = bias?.shape[0] ?? 1, biasHeads = bias?.shape[1] ?? 1
        let pairCount = p.batch * p.heads
        let parallelPairs = pairCount > 1
        let logitCount = p.queryLength * p.keyLength
        var logits = [Float](repeating: 0, count: (parallelPairs ? pairCount : 1) * logitCount)
        let biasScalars = bias?.scalars ?? []
        let groupSize = p.heads / p.kvHeads
        return query.withUnsafeBufferPointer { qBuffer in
            key.withUnsafeBufferPointer { kBuffer in
                value.withUnsafeBufferPointer { vBuffer in
                    biasScalars.withUnsafeBufferPointer { biasBuffer in
                        logits.withUnsafeMutableBufferPointer { logitBuffer in
                            let q = SendablePointer(qBuffer), k = SendablePointer(kBuffer), v = SendablePointer(vBuffer)
                            let scores = SendablePointer(logitBuffer)
                            let biasPointer = biasBuffer.isEmpty ? nil : SendablePointer(biasBuffer)
                            return Tensor(uninitializedShape: outputShape) { oBuffer in
                                let o = SendablePointer(oBuffer)
                                let attendPair: @Sendable (Int, UnsafeMutablePointer<Float>, Bool) -> Void = { pair, logitsOfPair, serial in
                                    let multiply = serial ? GEMM.multiplySerial : GEMM.multiply
                                    let item = pair / p.heads, head = pair % p.heads, kvHead = head / groupSize
                                    // S = scale · Q·Kᵀ   [Nq, Nk]
                                    multiply(false, true, p.queryLength, p.keyLength, p.depth, p.scale,
                                             q.base + queryLayout.offset(item: item, head: head), queryLayout.rowStride,
                                             k.base + keyLayout.offset(item: item, head: kvHead), keyLayout.rowStride,
                                             0, logitsOfPair, p.keyLength)
                                    if let biasPointer {
                                        let biasIndex = (biasBatch == 1 ? 0 : item) * biasHeads + (biasHeads == 1 ? 0 : head)
                                        let b = biasPointer.base + biasIndex * logitCount
                                        for index in 0..<logitCount { logitsOfPair[index] += b[index] }
                                    }
                                    for row in 0..<p.queryLength { Tensor.softmaxRow(logitsOfPair + row * p.keyLength, length: p.keyLength) }
                                    // O = P·V   [Nq, Dv]
                                    multiply(false, false, p.queryLength, p.valueDepth, p.keyLength, 1, logitsOfPair, p.keyLength,
                                             v.base + valueLayout.offset(item: item, head: kvHead), valueLayout.rowStride, 0,
                                             o.base + outputLayout.offset(item: item, head: head), outputLayout.rowStride)
                                }
                                if parallelPairs {
                                    ConcurrentWork.forEach(pairCount) { pair in attendPair(pair, scores.base + pair * logitCount, true) }
                                } else {
                                    attendPair(0, scores.base, false)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Sizes of one attention call.
struct AttentionProblem: Sendable {
    let batch: Int, heads: Int, kvHeads: Int, queryLength: Int, keyLength: Int, depth: Int, valueDepth: Int
    let scale: Float
}

/// Where an attention operand's heads live: element (b, h, n, d) is at start + b·itemStride + h·headStride + n·rowStride + d.
struct AttentionOperandLayout: Sendable {
    let start: Int, itemStride: Int, headStride: Int, rowStride: Int

    @inline(__always) func offset(item: Int, head: Int) -> Int { start + item * itemStride + head * headStride }
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
