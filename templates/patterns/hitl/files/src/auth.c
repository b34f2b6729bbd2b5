/* auth.c - bearer tokens checked against SHA-256 digests from routing.conf.
 *
 * Design: every configured digest is compared, with no early exit and no
 * data-dependent branch in the comparison, so how long a refusal takes
 * says nothing about how close a guess was or which token matched.
 */
#include "auth.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sha256.h"

size_t hitl_auth_bearer(const char *h, const char **token)
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

/* 0 when a and b are equal, without branching on their contents. */
static unsigned digest_diff(const unsigned char *a, const unsigned char *b)
{
	unsigned d = 0;
	for (int i = 0; i < 32; i++)
		d |= (unsigned)(a[i] ^ b[i]);
	return d;
}

hitl_auth hitl_auth_check(const hitl_config *c, const char *authorization, unsigned roles, const hitl_token **who)
{
	*who = NULL;
	const char *tok;
	size_t n = hitl_auth_bearer(authorization, &tok);
	if (!n)
		return HITL_AUTH_MISSING;
	unsigned char digest[32];
	sha256(tok, n, digest);
	size_t match = SIZE_MAX;
	for (size_t i = 0; i < c->n_tokens; i++) {
		unsigned d = digest_diff(digest, c->tokens[i].hash);
		/* all ones when d == 0 (the digests are equal), else zero */
		size_t mask = (size_t)0 - (size_t)(((d | (0u - d)) >> 31) ^ 1u);
		match = (match & ~mask) | (i & mask);
	}
	if (match >= c->n_tokens)
		return HITL_AUTH_INVALID;
	*who = &c->tokens[match];
	return (c->tokens[match].roles & roles) == roles ? HITL_AUTH_OK : HITL_AUTH_FORBIDDEN;
}
