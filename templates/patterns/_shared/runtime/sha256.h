/* sha256.h - SHA-256 (FIPS 180-4) of a memory buffer.
 *
 * Used to fingerprint the model file: the digest is what /v1/model reports,
 * what a manifest pins, and what a tampered file fails to match.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Incremental interface, for data that arrives in pieces. */
typedef struct sha256_ctx {
	uint32_t state[8];
	uint64_t total;          /* bytes hashed so far */
	unsigned char block[64]; /* partial block */
	size_t fill;             /* bytes used in block */
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(sha256_ctx *ctx, unsigned char out[32]);

/* One-shot digest of data[0..len). */
void sha256(const void *data, size_t len, unsigned char out[32]);
/* Same, as 64 lower-case hex characters plus a terminating NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* Formats a 32-byte digest as 64 lower-case hex characters plus NUL. */
void sha256_to_hex(const unsigned char digest[32], char out[65]);

#endif
