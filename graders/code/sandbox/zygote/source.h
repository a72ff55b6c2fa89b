/*
 * source: the fork server's Python source, zygote.py, embedded in its C core
 * (source.c); not NUL-terminated.
 */
#ifndef REVAL_ZYGOTE_SOURCE_H
#define REVAL_ZYGOTE_SOURCE_H

#include <stddef.h>

extern const char zygote_source[];
extern const size_t zygote_source_len;

#endif
