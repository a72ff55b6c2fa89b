/*
 * sandbox_zygote: the fork server, embedded in the binary at build time so
 * that reval never reads it from disk: its C core (the C files of
 * graders/code/sandbox/zygote/, an extension module the fork server loads from a memfd),
 * which carries its Python source (graders/code/sandbox/zygote/zygote.py), and the few
 * lines python3 runs to load the one and run the other.  Static, never freed.
 */
#ifndef REVAL_SANDBOX_ZYGOTE_H
#define REVAL_SANDBOX_ZYGOTE_H

#include <stddef.h>

extern const char sbx_zygote_boot[];
extern const unsigned char sbx_zygote_core[];
extern const size_t sbx_zygote_core_len;

#endif
