/* auth.h - bearer-token authentication and per-token route authorisation.
 *
 * A caller sends `Authorization: Bearer <token>`. The service keeps only the
 * SHA-256 of each token (config.h), hashes what it receives and compares the
 * digests in constant time, so neither the config file nor the timing of a
 * refusal gives a token away.
 *
 * Per user: a calling system names the person it acts for in
 * X-On-Behalf-Of. Only a token configured with `act_for_users` may do so,
 * and then the route must be allowed both to the token and to that user
 * (the `user` rules of config.h); anything else is refused, never merely
 * logged.
 */
#ifndef AUTH_H
#define AUTH_H

#include "config.h"

typedef enum auth_result {
	AUTH_OK,        /* public route, or a known token allowed on the route */
	AUTH_MISSING,   /* no Authorization header, or not a Bearer one: 401 */
	AUTH_INVALID,   /* a bearer token that matches no configured digest: 401 */
	AUTH_FORBIDDEN, /* a known token without this route: 403 */
	AUTH_NO_DELEGATION, /* X-On-Behalf-Of from a token without act_for_users: 403 */
	AUTH_BAD_USER,      /* X-On-Behalf-Of that is not a valid user name: 400 */
	AUTH_USER_FORBIDDEN, /* the named user may not call this route: 403 */
} auth_result;

/* Decide whether the Authorization header value (NULL when absent) may call
 * route. *who gets the token's name when it is known (else NULL). */
auth_result auth_check(const api_config *c, const char *authorization, api_route route, const char **who);

/* The same with the X-On-Behalf-Of value (NULL when absent). On AUTH_OK
 * *user is the user the request acts for (NULL when none, and always NULL
 * on a public route, where the header is ignored). */
auth_result auth_check_user(const api_config *c, const char *authorization, const char *on_behalf_of,
			    api_route route, const char **who, const char **user);

#endif
