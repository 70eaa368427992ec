import COpenBLAS
import SATensor

/// Float64 dense linear algebra for the set-level metrics: every BLAS/LAPACK call of SAMetrics lives here.
///
/// Matrices are row-major `[Double]`. Symmetric eigen-decomposition goes through `sa_dsyevd` (LAPACK `dsyevd` inside
/// OpenBLAS); a symmetric matrix is its own transpose, so row- and column-major agree on input, and eigenvectors come
/// back as columns of a column-major array, i.e. as rows of the row-major result.
enum LinearAlgebra {
    /// c[m×n] = alpha·op(a)·op(b) + beta·c (row-major).
    static func multiply(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Double = 1,
                         a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                         beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        GEMM.prepareThreading()  // OpenBLAS's own threading would make results depend on earlier calls
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The n×n product a·b of two square row-major matrices.
    static func product(_ a: [Double], _ b: [Double], dimension n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    multiply(m: n, n: n, k: n, a: pa.baseAddress!, lda: n, b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// Gram matrix aᵀ·a / divisor of a row-major rows×n matrix (n×n result).
    static func gram(_ a: [Double], rows: Int, columns n: Int, divisor: Double) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        guard rows > 0 else { return c }
        a.withUnsafeBufferPointer { pa in
            c.withUnsafeMutableBufferPointer { pc in
                multiply(transposeA: true, m: n, n: n, k: rows, alpha: 1 / divisor, a: pa.baseAddress!, lda: n,
                         b: pa.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
            }
        }
        return c
    }

    /// Eigenvalues (ascending) and, when asked, eigenvectors (row i of the result is eigenvector i) of a symmetric
    /// n×n matrix.
    static func symmetricEigen(_ matrix: [Double], dimension n: Int, wantVectors: Bool) throws -> (values: [Double], vectors: [Double]) {
        guard n > 0 else { return ([], []) }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in GEMM.prepareThreading(); return sa_dsyevd(wantVectors ? 1 : 0, Int32(n), pa.baseAddress!, pw.baseAddress!) }
        }
        guard info == 0 else { throw MetricsError("", "symmetric eigen-decomposition (LAPACK dsyevd, n = \(n)) failed with info \(info)") }
        guard a.allSatisfy({ $0.isFinite }), w.allSatisfy({ $0.isFinite }) else {
            throw MetricsError("", "symmetric eigen-decomposition (n = \(n)) produced non-finite values")
        }
        return (w, wantVectors ? a : [])
    }

    /// The symmetric positive semi-definite square root V·diag(√max(λ, 0))·Vᵀ of a symmetric matrix.
    static func symmetricSquareRoot(_ matrix: [Double], dimension n: Int) throws -> [Double] {
        let (values, vectors) = try symmetricEigen(matrix, dimension: n, wantVectors: true)
        // U = V·diag(λ^{1/4}) (rows of `vectors` are eigenvectors, so U[r][i] = vectors[i][r]·λ_i^{1/4}); root = U·Uᵀ
        var scaled = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            let factor = Swift.max(values[i], 0).squareRoot().squareRoot()
            for r in 0..<n { scaled[r * n + i] = vectors[i * n + r] * factor }
        }
        var root = [Double](repeating: 0, count: n * n)
        scaled.withUnsafeBufferPointer { pu in
            root.withUnsafeMutableBufferPointer { pr in
                multiply(transposeB: true, m: n, n: n, k: n, a: pu.baseAddress!, lda: n, b: pu.baseAddress!, ldb: n,
                         c: pr.baseAddress!, ldc: n)
            }
        }
        return symmetrized(root, dimension: n)
    }

    /// (a + aᵀ)/2
    static func symmetrized(_ a: [Double], dimension n: Int) -> [Double] {
        var result = a
        for row in 0..<n {
            for column in (row + 1)..<Swift.max(row + 1, n) {
                let average = 0.5 * (a[row * n + column] + a[column * n + row])
                result[row * n + column] = average
                result[column * n + row] = average
            }
        }
        return result
    }
}
