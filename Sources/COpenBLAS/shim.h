// C shim for OpenBLAS (Debian's libopenblas-dev, pkg-config "openblas").
// cblas.h from OpenBLAS also declares openblas_set_num_threads / openblas_get_config.
#ifndef SA_COPENBLAS_SHIM_H
#define SA_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

// LAPACK symmetric eigensolvers live inside libopenblas as Fortran symbols; Debian ships no LAPACKE.
// Fortran convention: every argument by pointer, the hidden CHARACTER lengths last as size_t.
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

/// Symmetric eigen-decomposition in Float64 (`dsyevd`): eigenvalues ascending in `w`; with `wantVectors`
/// the columns of `a` (column-major, n×n) are replaced by the eigenvectors. Returns LAPACK's `info`.
static inline int sa_dsyevd(int wantVectors, int n, double *a, double *w) {
    const char jobz = wantVectors ? 'V' : 'N';
    const char uplo = 'U';
    int info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
    double workQuery = 0;
    dsyevd_(&jobz, &uplo, &n, a, &n, w, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1);
    if (info != 0) return info;
    lwork = (int)workQuery; liwork = iworkQuery;
    double *work = (double *)__builtin_malloc(sizeof(double) * (size_t)(lwork > 1 ? lwork : 1));
    int *iwork = (int *)__builtin_malloc(sizeof(int) * (size_t)(liwork > 1 ? liwork : 1));
    if (!work || !iwork) { __builtin_free(work); __builtin_free(iwork); return -1000; }
    dsyevd_(&jobz, &uplo, &n, a, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
    __builtin_free(work); __builtin_free(iwork);
    return info;
}
#endif
