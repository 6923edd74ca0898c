#ifndef WSK_CZLIB_SHIM_H
#define WSK_CZLIB_SHIM_H
#include <zlib.h>

// zlib's init macros pass sizeof(z_stream) and the version; Swift cannot call macros.
static inline int wsk_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
// As wsk_deflateInit2, with the strategy chosen by the caller (Z_DEFAULT_STRATEGY, Z_RLE, ...).
static inline int wsk_deflateInit2WithStrategy(z_streamp strm, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, strategy);
}
static inline int wsk_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
