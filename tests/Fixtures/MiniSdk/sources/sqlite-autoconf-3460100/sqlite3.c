/* A stand-in for SQLite's amalgamation: the version calls of the real API. */
#include "sqlite3.h"

const char *sqlite3_libversion(void) { return SQLITE_VERSION; }

int sqlite3_libversion_number(void) { return SQLITE_VERSION_NUMBER; }
