/*
 * sandbox_zygote: the Python fork server (harness/sandbox_zygote.py),
 * embedded in the binary at build time so that reval never reads it from
 * disk.  NUL-terminated, static, never freed.
 */
#ifndef REVAL_SANDBOX_ZYGOTE_H
#define REVAL_SANDBOX_ZYGOTE_H

extern const char sbx_zygote_src[];

#endif
