// C shim for libsndfile (Debian's libsndfile1-dev, pkg-config "sndfile").
#ifndef SA_CSNDFILE_SHIM_H
#define SA_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
