/* auth.c - bearer tokens checked against SHA-256 digests from the config.
 *
 * Key choice: every configured digest is compared, with no early exit and
 * no data-dependent branch inside the comparison, so the time a refusal
 * takes does not depend on how close a guess was or which token matched.
 */
#include "auth.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sha256.h"

size_t auth_bearer(const char *h, const char **token)
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

auth_result auth_check(const api_config *c, const char *authorization, api_route route, const char **who)
{
	const char *user;
	return auth_check_user(c, authorization, NULL, route, who, &user);
}

auth_result auth_check_user(const api_config *c, const char *authorization, const char *on_behalf_of,
			    api_route route, const char **who, const char **user)
{
	*who = NULL;
	*user = NULL;
	const char *tok;
	size_t n = auth_bearer(authorization, &tok);
	if (!n)
		return (c->public_routes & (1u << route)) ? AUTH_OK : AUTH_MISSING;
	unsigned char digest[32];
	sha256(tok, n, digest);
	size_t match = SIZE_MAX;
	for (size_t i = 0; i < c->n_tokens; i++) {
		unsigned d = digest_diff(digest, c->tokens[i].hash);
		/* all ones when d == 0 (the digests are equal), else zero */
		size_t mask = (size_t)0 - (size_t)(((d | (0u - d)) >> 31) ^ 1u);
		match = (match & ~mask) | (i & mask);
	}
	const api_token *found = match < c->n_tokens ? &c->tokens[match] : NULL;
	if (found)
		*who = found->name;
	if (c->public_routes & (1u << route))
		return AUTH_OK;
	if (!found)
		return AUTH_INVALID;
	if (!(found->routes & (1u << route)))
		return AUTH_FORBIDDEN;
	if (!on_behalf_of)
		return AUTH_OK; /* the calling system acts for itself */
	if (!found->act_for_users)
		return AUTH_NO_DELEGATION;
	if (!api_valid_user(on_behalf_of))
		return AUTH_BAD_USER;
	const api_user *rule = api_config_user(c, on_behalf_of);
	if (!rule || !(rule->routes & (1u << route)))
		return AUTH_USER_FORBIDDEN;
	*user = on_behalf_of;
	return AUTH_OK;
}
