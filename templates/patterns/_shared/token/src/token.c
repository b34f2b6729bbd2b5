/* token.c - bearer tokens kept only as SHA-256 digests (token.h).
 *
 * Design: every configured digest is compared, with no early exit and no
 * data-dependent branch in the comparison, so how long a refusal takes says
 * nothing about how close a guess was or which token matched.
 */
#include "token.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "sha256.h"

size_t token_bearer(const char *h, const char **token)
{
	*token = NULL;
	if (!h)
		return 0;
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return 0;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	size_t n = strlen(h);
	while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)h[i]))
			return 0; /* a token is one word of visible characters */
	*token = h;
	return n;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int token_parse_digest(unsigned char out[TOKEN_DIGEST_LEN], const char *text)
{
	if (strncmp(text, "sha256:", 7) == 0)
		text += 7;
	if (strlen(text) != 2 * TOKEN_DIGEST_LEN)
		return -1;
	for (int i = 0; i < TOKEN_DIGEST_LEN; i++) {
		int hi = hexval((unsigned char)text[2 * i]), lo = hexval((unsigned char)text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* 0 when a and b are equal, without branching on their contents. */
static unsigned digest_diff(const unsigned char *a, const unsigned char *b)
{
	unsigned d = 0;
	for (int i = 0; i < TOKEN_DIGEST_LEN; i++)
		d |= (unsigned)(a[i] ^ b[i]);
	return d;
}

size_t token_find(const char *token, size_t len, const unsigned char *digests, size_t n, size_t stride)
{
	unsigned char digest[TOKEN_DIGEST_LEN];
	sha256(token, len, digest);
	size_t match = n;
	for (size_t i = 0; i < n; i++) {
		unsigned d = digest_diff(digest, digests + i * stride);
		/* all ones when d == 0 (the digests are equal), else zero */
		size_t mask = (size_t)0 - (size_t)(((d | (0u - d)) >> 31) ^ 1u);
		match = (match & ~mask) | (i & mask);
	}
	return match;
}

int token_hash_input(FILE *in, char out[TOKEN_TEXT_LEN], const char **problem)
{
	char buf[TOKEN_MAX_LEN + 1];
	size_t n = fread(buf, 1, sizeof buf, in);
	*problem = NULL;
	if (n == sizeof buf) {
		*problem = "the token is longer than 4096 bytes";
		return -1;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (!n) {
		*problem = "give the token on standard input";
		return -1;
	}
	memcpy(out, "sha256:", 7);
	sha256_hex(buf, n, out + 7);
	return 0;
}

int token_new(char token[65], char digest[TOKEN_TEXT_LEN])
{
	unsigned char raw[32];
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	sha256_to_hex(raw, token); /* 64 hex characters from 256 random bits */
	memcpy(digest, "sha256:", 7);
	sha256_hex(token, strlen(token), digest + 7);
	return 0;
}
