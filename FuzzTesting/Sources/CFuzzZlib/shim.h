#ifndef WSK_CFUZZZLIB_SHIM_H
#define WSK_CFUZZZLIB_SHIM_H
#include <zlib.h>

// A reference raw inflater for FuzzInflate: the window it is given is the largest distance
// it accepts, so a stream that reaches further back than the agreed window fails here.
static inline int fuzz_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
