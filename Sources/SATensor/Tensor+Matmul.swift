import COpenBLAS
import Dispatch

/// Row-major single-precision GEMM through OpenBLAS: C = α·op(A)·op(B) + β·C.
///
/// Every BLAS call in the project goes through here. OpenBLAS's own threading changes results in the last bits
/// depending on its thread count, so GEMMs are parallelized here instead: OpenBLAS runs single-threaded and a
/// large product is cut into blocks of output rows or columns whose boundaries depend only on the problem's
/// shape, each block one single-threaded GEMM, spread over `ConcurrentWork`'s workers. Every output element is
/// then computed by the same kernel sequence whatever the core count, so results are bit-identical for any
/// number of threads. `ConcurrentWork` must not call back into `multiply` from inside its workers; code that is
/// already parallel calls `multiplySerial`.
public enum GEMM {
    /// Blocks per parallel product. Fixed (not the core count) so that results never depend on the machine;
    /// 4 keeps two cores balanced while OpenBLAS's per-call packing of the unsplit operand stays cheap.
    public static let blockCount = 4
    /// Smallest block edge (rows or columns) worth a separate call.
    public static let minimumBlockEdge = 64
    /// Products below this many multiply-adds run as one serial call.
    public static let parallelThreshold = 1 << 21

    /// Configures OpenBLAS for this scheme (one thread per call). Runs before the first GEMM.
    static let configureOnce: Void = { BLASRuntime.setThreadCount(1) }()

    /// Puts OpenBLAS in the engine's single-threaded-call mode. Code that calls BLAS or LAPACK directly (double
    /// precision, eigensolvers) calls this first, so its results never depend on which op ran earlier.
    public static func prepareThreading() { _ = configureOnce }

    /// How a product is cut: along columns or rows, into how many blocks (a function of the shape only).
    ///
    /// Splitting columns makes every block repack all of op(A) (m·k values); splitting rows repacks op(B)
    /// (k·n values), so the dimension whose split repacks less is cut.
    public static func partition(m: Int, n: Int, k: Int) -> (splitColumns: Bool, blocks: Int) {
        let splitColumns = m <= n
        let edge = splitColumns ? n : m
        guard m * n * max(k, 1) >= parallelThreshold else { return (splitColumns, 1) }
        return (splitColumns, max(1, min(blockCount, edge / minimumBlockEdge)))
    }

    /// The half-open range of block `index` of `blocks` over `total`; boundaries are multiples of 16 so every
    /// block runs OpenBLAS's full-width kernels.
    public static func blockRange(_ index: Int, of blocks: Int, total: Int) -> Range<Int> {
        let start = (total * index / blocks) & ~15
        let end = index == blocks - 1 ? total : (total * (index + 1) / blocks) & ~15
        return start..<max(start, end)
    }

    /// `c[m×n] = alpha · op(a) · op(b) + beta · c`, all row-major with the given leading dimensions, parallel
    /// over shape-determined blocks.
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = configureOnce
        guard m > 0, n > 0 else { return }
        let (splitColumns, blocks) = partition(m: m, n: n, k: k)
        if blocks == 1 {
            multiplySerial(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                           b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let left = SendablePointer(UnsafeMutablePointer(mutating: a)), right = SendablePointer(UnsafeMutablePointer(mutating: b))
        let output = SendablePointer(c)
        DispatchQueue.concurrentPerform(iterations: blocks) { block in
            let range = blockRange(block, of: blocks, total: splitColumns ? n : m)
            guard !range.isEmpty else { return }
            let start = range.lowerBound
            if splitColumns {
                // Columns [start, end) of op(B) and C.
                let bOffset = transposeB ? start * ldb : start
                multiplySerial(transposeA: transposeA, transposeB: transposeB, m: m, n: range.count, k: k, alpha: alpha,
                               a: left.base, lda: lda, b: right.base + bOffset, ldb: ldb, beta: beta, c: output.base + start, ldc: ldc)
            } else {
                // Rows [start, end) of op(A) and C.
                let aOffset = transposeA ? start : start * lda
                multiplySerial(transposeA: transposeA, transposeB: transposeB, m: range.count, n: n, k: k, alpha: alpha,
                               a: left.base + aOffset, lda: lda, b: right.base, ldb: ldb, beta: beta, c: output.base + start * ldc, ldc: ldc)
            }
        }
    }

    /// One OpenBLAS call on the calling thread.
    public static func multiplySerial(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = configureOnce
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
