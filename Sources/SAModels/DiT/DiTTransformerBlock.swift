import SANN
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// One block of SAT's `ContinuousTransformer` (`models/transformer.py`) as the SAO DiT uses it: pre-norm
/// self-attention with partial rotary embeddings, cross-attention with grouped key/value heads, and a SwiGLU
/// feed-forward, each around a residual.
///
///     h = h + to_out( SDPA( RoPE(q), RoPE(k), v ) )         q | k | v = chunk(to_qkv(LN₁(h)), 3)
///     h = h + to_out( SDPA( to_q(LN₂(h)), k_c, v_c ) )      k_c | v_c = chunk(to_kv(ctx), 2); kv heads = dim_ctx / d_head
///     h = h + W₂( a · SiLU(g) )                             a | g = chunk(W₁(LN₃(h)), 2)
///
/// LayerNorms have a learned `gamma` and a stored all-zero `beta` buffer (eps 1e-5). No masks are applied (SAT
/// drops them). Limitations: no adaLN global conditioning, qk-norm, layer scale or conformer module.
struct DiTTransformerBlock: Sendable {
    let preNorm: LayerNorm
    let selfQKV: Linear
    let selfOut: Linear
    let crossNorm: LayerNorm?
    let crossQuery: Linear?
    let crossKeyValue: Linear?
    let crossOut: Linear?
    let feedForwardNorm: LayerNorm
    let feedForwardIn: Linear
    let feedForwardOut: Linear
    let headCount: Int
    let headDimension: Int

    init(_ scope: ParameterScope, dimension: Int, headCount: Int, contextDimension: Int?) throws {
        self.headCount = headCount
        headDimension = dimension / headCount
        func norm(_ name: String) throws -> LayerNorm {
            try LayerNorm(scope.child(name), dimension: dimension, weightName: "gamma", biasName: "beta")
        }
        preNorm = try norm("pre_norm")
        selfQKV = try Linear(scope.child("self_attn").child("to_qkv"), inFeatures: dimension, outFeatures: 3 * dimension, hasBias: false)
        selfOut = try Linear(scope.child("self_attn").child("to_out"), inFeatures: dimension, outFeatures: dimension, hasBias: false)
        if let contextDimension {
            crossNorm = try norm("cross_attend_norm")
            let cross = scope.child("cross_attn")
            crossQuery = try Linear(cross.child("to_q"), inFeatures: dimension, outFeatures: dimension, hasBias: false)
            crossKeyValue = try Linear(cross.child("to_kv"), inFeatures: contextDimension, outFeatures: 2 * contextDimension, hasBias: false)
            crossOut = try Linear(cross.child("to_out"), inFeatures: dimension, outFeatures: dimension, hasBias: false)
        } else {
            crossNorm = nil; crossQuery = nil; crossKeyValue = nil; crossOut = nil
        }
        feedForwardNorm = try norm("ff_norm")
        let inner = 4 * dimension
        feedForwardIn = try Linear(scope.child("ff").child("ff").child(0).child("proj"), inFeatures: dimension, outFeatures: 2 * inner)
        feedForwardOut = try Linear(scope.child("ff").child("ff").child(2), inFeatures: inner, outFeatures: dimension)
    }

    /// `h` `[B, N, D]`, `context` `[B, M, Dc]`, rotary tables `[N, R/2]`.
    func callAsFunction(_ input: Tensor, context: Tensor?, rotary: RotaryTables) -> Tensor {
        var h = input
        let qkv = selfQKV(preNorm(h)).chunked(3, axis: 2)
        let query = rotary.apply(qkv[0].splittingHeads(headCount)), key = rotary.apply(qkv[1].splittingHeads(headCount))
        h = h + selfOut(Tensor.scaledDotProductAttention(query: query, key: key, value: qkv[2].splittingHeads(headCount)).mergingHeads())
        if let crossNorm, let crossQuery, let crossKeyValue, let crossOut, let context {
            let keyValue = crossKeyValue(context)  // [B, M, 2·Hkv·D]: keys, then values
            let inner = keyValue.shape[2] / 2
            h = h + crossOut(Tensor.tokenMajorAttention(query: crossQuery(crossNorm(h)), key: keyValue, value: keyValue, valueChannelStart: inner,
                                                        headCount: headCount, keyValueHeadCount: inner / headDimension))
        }
        let projected = feedForwardIn(feedForwardNorm(h)).chunked(2, axis: 2)
        return h + feedForwardOut(projected[0] * projected[1].silu())
    }
}

/// Cosine and sine tables for SAT's partial rotary embedding over positions 0..<N.
///
///     θ[p, j] = p · inv_freq[j],  j < R/2
///     out[j]       = t[j]·cos θ − t[j + R/2]·sin θ
///     out[j + R/2] = t[j + R/2]·cos θ + t[j]·sin θ        for j < R/2; dimensions ≥ R pass through
struct RotaryTables: Sendable {
    let cosines: [Float]
    let sines: [Float]
    let half: Int
    let positions: Int

    init(inverseFrequencies: [Float], positions: Int) {
        half = inverseFrequencies.count
        self.positions = positions
        var cosines = [Float](repeating: 0, count: positions * half), sines = cosines
        for position in 0..<positions {
            for index in 0..<half {
                let angle = Float(position) * inverseFrequencies[index]
                cosines[position * half + index] = cosf(angle)
                sines[position * half + index] = sinf(angle)
            }
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// Rotates the first 2·half dimensions of each head of `[B, H, N, D]`.
    func apply(_ tensor: Tensor) -> Tensor {
        let depth = tensor.shape[3], length = tensor.shape[2]
        precondition(length == positions && depth >= 2 * half, "rotary tables for \(positions)×\(2 * half) do not fit \(tensor.shape)")
        var result = tensor
        let rows = tensor.count / depth
        result.withUnsafeMutableBufferPointer { buffer in
            let data = SendablePointer(buffer)
            let cosines = self.cosines, sines = self.sines, half = self.half
            ConcurrentWork.forEachRange(rows, minimumRange: 256) { range in
                for row in range {
                    let position = row % length
                    let t = data.base + row * depth
                    for index in 0..<half {
                        let c = cosines[position * half + index], s = sines[position * half + index]
                        let first = t[index], second = t[index + half]
                        t[index] = first * c - second * s
                        t[index + half] = second * c + first * s
                    }
                }
            }
        }
        return result
    }
}
