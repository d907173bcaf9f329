#ifndef ZLIB_H
#define ZLIB_H
#include "zconf.h"
#define ZLIB_VERSION "1.3.1"
const char *zlibVersion(void);
#endif
