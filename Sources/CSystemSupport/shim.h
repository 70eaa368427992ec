// C shim for libc facilities the Glibc module does not expose.
#ifndef SA_CSYSTEMSUPPORT_SHIM_H
#define SA_CSYSTEMSUPPORT_SHIM_H
#include <malloc.h>
#include <limits.h>

/// Serve every allocation from the heap (no per-block mmap) and never trim it, so large freed blocks are reused.
static inline void sa_keep_large_blocks_in_heap(void) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
}
#endif
