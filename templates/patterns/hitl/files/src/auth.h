/* auth.h - who is calling the HTTP API, and what they may do.
 *
 * A caller sends `Authorization: Bearer <token>`. routing.conf keeps only
 * the SHA-256 of each token (config.h, `token` lines); the service hashes
 * what it receives and compares it with every configured digest in
 * constant time, so neither the file nor the timing of a refusal gives a
 * token away. The token's name is the caller's identity: the HTTP API
 * records claims, judgments and decisions under it, never under a name the
 * request body gives.
 */
#ifndef HITL_AUTH_H
#define HITL_AUTH_H

#include <stddef.h>

#include "config.h"

typedef enum hitl_auth {
	HITL_AUTH_OK,        /* a known token with the role */
	HITL_AUTH_MISSING,   /* no Authorization header, or not a Bearer one: 401 */
	HITL_AUTH_INVALID,   /* a bearer token that matches no configured digest: 401 */
	HITL_AUTH_FORBIDDEN, /* a known token without the role: 403 */
} hitl_auth;

/* Check the Authorization header value (NULL when absent) for a request
 * that needs every bit of `roles` (0: any known token). *who gets the
 * token's entry when the token is known, else NULL. */
hitl_auth hitl_auth_check(const hitl_config *c, const char *authorization, unsigned roles,
			  const hitl_token **who);

#endif
