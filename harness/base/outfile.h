/*
 * outfile: writing a file the user named on the command line (--html F,
 * --csv F, --md F, --junit F ...), where F may be anything a shell can name.
 *
 *   "-"                     standard output.
 *   a new path              its missing parent directories are created, then
 *                           it is written atomically (F.tmp, fsync, rename).
 *   a regular file          replaced atomically the same way.
 *   a symbolic link         never replaced: a link to a regular file has its
 *                           target replaced atomically (the link stays); a
 *                           link to a FIFO or character device is written
 *                           through; a dangling link is refused.
 *   a FIFO, a char device   opened and written in place (/dev/stdout,
 *                           /dev/null, a pipe a reader waits on).
 *   anything else           (directory, block device, socket) refused.
 *
 * outfile_write prints its own one-line diagnostic naming the path and
 * returns RV_EIO on failure.
 */
#ifndef REVAL_OUTFILE_H
#define REVAL_OUTFILE_H

#include <stddef.h>

#include "harness/base/err.h"

enum reval_err outfile_write(const char *path, const void *data, size_t len);

#endif
