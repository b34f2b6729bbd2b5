/* auth.c - which roles a caller of the HTTP API has.
 *
 * The token itself is checked by the shared token.c: hashed and compared
 * with every digest of routing.conf in constant time. What is here is this
 * service's policy: a request needs every one of its roles.
 */
#include "auth.h"

#include "token.h"

hitl_auth hitl_auth_check(const hitl_config *c, const char *authorization, unsigned roles, const hitl_token **who)
{
	*who = NULL;
	const char *tok;
	size_t n = token_bearer(authorization, &tok);
	if (!n)
		return HITL_AUTH_MISSING;
	size_t match = token_find(tok, n, c->tokens[0].hash, c->n_tokens, sizeof c->tokens[0]);
	if (match >= c->n_tokens)
		return HITL_AUTH_INVALID;
	*who = &c->tokens[match];
	return (c->tokens[match].roles & roles) == roles ? HITL_AUTH_OK : HITL_AUTH_FORBIDDEN;
}
