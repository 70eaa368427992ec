// C shim for zlib (Debian's zlib1g-dev, pkg-config "zlib"); SAMetrics uses it to deflate PNG image data.
#ifndef SA_CZLIB_SHIM_H
#define SA_CZLIB_SHIM_H
#include <zlib.h>
#endif
