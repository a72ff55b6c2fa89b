/*
 * sha256: FIPS 180-4 SHA-256, for dataset checksums and run fingerprints.
 * Streaming (init/update/final) and one-shot helpers; the hex digest is 64
 * lowercase characters plus a NUL.
 */
#ifndef REVAL_SHA256_H
#define REVAL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;       /* bytes hashed so far */
	unsigned char buf[64];
	size_t used;        /* bytes waiting in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[32]);
void sha256_hex(const void *data, size_t len, char out[65]);
/* Hash a file; returns 0 or an errno value. */
int sha256_file(const char *path, char out[65]);

#endif
