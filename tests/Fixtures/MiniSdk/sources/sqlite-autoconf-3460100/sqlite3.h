#ifndef SQLITE3_H
#define SQLITE3_H
#define SQLITE_VERSION        "3.46.1"
#define SQLITE_VERSION_NUMBER 3046001
const char *sqlite3_libversion(void);
int sqlite3_libversion_number(void);
#endif
