// C shim for single-precision FFTW 3 (Debian's libfftw3-dev, pkg-config "fftw3f").
#ifndef SA_CFFTW3_SHIM_H
#define SA_CFFTW3_SHIM_H
#include <fftw3.h>

/// `fftwf_version` is an incomplete array in fftw3.h, which Swift cannot import; this returns it as a C string.
static inline const char *sa_fftwf_version(void) { return fftwf_version; }
#endif
