/* auth.c - which routes a bearer token may call, and for which users.
 *
 * The token itself is checked by the shared token.c: hashed and compared
 * with every configured digest in constant time. What is here is this
 * service's policy: public routes, each token's routes, and acting for a
 * user named in X-On-Behalf-Of.
 */
#include "auth.h"

#include "token.h"

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
	size_t n = token_bearer(authorization, &tok);
	if (!n)
		return (c->public_routes & (1u << route)) ? AUTH_OK : AUTH_MISSING;
	size_t match = token_find(tok, n, c->tokens[0].hash, c->n_tokens, sizeof c->tokens[0]);
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
