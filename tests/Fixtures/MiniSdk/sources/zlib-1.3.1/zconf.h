#ifndef ZCONF_H
#define ZCONF_H
#endif
