/* A stand-in for zlib: its version call. */
#include "zlib.h"

const char *zlibVersion(void) { return ZLIB_VERSION; }
