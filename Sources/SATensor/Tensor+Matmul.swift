import COpenBLAS

/// Row-major single-precision GEMM through OpenBLAS: C = α·op(A)·op(B) + β·C.
///
/// Every BLAS call in the project goes through here, so thread policy and argument checks live in one place.
public enum GEMM {
    /// `c[m×n] = alpha · op(a) · op(b) + beta · c`, all row-major with the given leading dimensions.
    @inlinable public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Tensor {
    /// Matrix product over the last two dimensions (as `torch.matmul` for rank ≥ 2).
    ///
    /// `self` is `[..., M, K]`; `other` is `[K, N]` (shared by every batch item) or `[..., K, N]` with the same
    /// leading dimensions. The result is `[..., M, N]`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs rank ≥ 2, got \(shape) and \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1]
        let n = other.shape[other.rank - 1]
        precondition(other.shape[other.rank - 2] == k, "matmul inner dimensions differ: \(shape) × \(other.shape)")
        let batchShape = Array(shape.dropLast(2))
        let batch = Tensor.elementCount(batchShape)
        let sharedRight = other.rank == 2
        precondition(sharedRight || Array(other.shape.dropLast(2)) == batchShape,
                     "matmul batch dimensions differ: \(shape) × \(other.shape)")
        if sharedRight {
            // One GEMM over all rows: [batch·M, K] × [K, N].
            return withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in
                    Tensor(uninitializedShape: batchShape + [m, n]) { c in
                        GEMM.multiply(m: batch * m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                      c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                Tensor(uninitializedShape: batchShape + [m, n]) { c in
                    for item in 0..<batch {
                        GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress! + item * m * k, lda: k,
                                      b: b.baseAddress! + item * k * n, ldb: n, c: c.baseAddress! + item * m * n, ldc: n)
                    }
                }
            }
        }
    }

    /// A fully connected layer over the last dimension: y = x·Wᵀ + b (as `F.linear`).
    ///
    /// `self` is `[..., in]`, `weight` is PyTorch's `[out, in]`, `bias` is `[out]`.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && shape.last == weight.shape[1],
                     "linear: input \(shape) does not match weight \(weight.shape)")
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) for weight \(weight.shape)") }
        let rows = count / Swift.max(1, inFeatures)
        let outputShape = Array(shape.dropLast()) + [outFeatures]
        return withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { w in
                Tensor(uninitializedShape: outputShape) { y in
                    var beta: Float = 0
                    if let bias {
                        bias.withUnsafeBufferPointer { b in
                            for row in 0..<rows { (y.baseAddress! + row * outFeatures).update(from: b.baseAddress!, count: outFeatures) }
                        }
                        beta = 1
                    }
                    GEMM.multiply(transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: x.baseAddress!, lda: inFeatures,
                                  b: w.baseAddress!, ldb: inFeatures, beta: beta, c: y.baseAddress!, ldc: outFeatures)
                }
            }
        }
    }
}
