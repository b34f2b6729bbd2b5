/* token.h - bearer tokens kept only as SHA-256 digests.
 *
 * A caller sends `Authorization: Bearer <token>`. The service's config keeps
 * only each token's SHA-256, written `sha256:<64 hex digits>`; the service
 * hashes what it receives and compares it with every configured digest in
 * constant time, so neither the config file nor the timing of a refusal
 * gives a token away. What a known token may do (routes, roles, acting for
 * users) is the pattern's own policy, in its auth.c.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdio.h>

#define TOKEN_DIGEST_LEN 32   /* bytes of a SHA-256 */
#define TOKEN_TEXT_LEN 72     /* "sha256:" + 64 hex digits + NUL */
#define TOKEN_MAX_LEN 4096    /* longest token hash-token reads */

/* The token between "Bearer " and the end of the header value (NULL when
 * absent), trimmed; the scheme is case-insensitive and the token one word of
 * visible characters. Returns its length (0: none) and sets *token to its
 * start. */
size_t token_bearer(const char *authorization, const char **token);

/* Parse "sha256:<64 hex>" (or the bare 64 hex digits). Returns 0 or -1. */
int token_parse_digest(unsigned char out[TOKEN_DIGEST_LEN], const char *text);

/* Which of n configured digests the token (len bytes) hashes to: the first
 * digest is at digests, each next one stride bytes further (a digest field
 * of an array of structs: &a[0].hash, sizeof a[0]). Every digest is
 * compared, with no early exit and no branch on their contents. Returns the
 * index, or n when none matches. */
size_t token_find(const char *token, size_t len, const unsigned char *digests, size_t n, size_t stride);

/* `hash-token`: read a token from in (one trailing newline dropped) and
 * write its "sha256:<hex>" to out. Returns 0, or -1 with *problem saying
 * why (empty, longer than TOKEN_MAX_LEN). */
int token_hash_input(FILE *in, char out[TOKEN_TEXT_LEN], const char **problem);

/* `new-token`: a random token (64 hex digits from 256 bits of
 * /dev/urandom) and its "sha256:<hex>". Returns 0, or -1 when /dev/urandom
 * cannot be read. */
int token_new(char token[65], char digest[TOKEN_TEXT_LEN]);

#endif
