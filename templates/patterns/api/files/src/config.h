/* config.h - the service's configuration file (config/service.conf).
 *
 * One setting per line, `key = value`, '#' starts a comment. Tokens are
 * stored as SHA-256 digests, never in clear:
 *
 *   token = crm-desktop sha256:<64 hex digits> /v1/predict /v1/model
 *
 * gives the bearer token whose SHA-256 is that digest the right to call
 * the two routes listed. Routes listed in `public` need no token at all.
 *
 * Per user: a token whose line also has the word `act_for_users` may name
 * the person it calls for in the X-On-Behalf-Of header; then the `user`
 * rules decide what that person may call:
 *
 *   token = crm-desktop sha256:<hex> /v1/predict /v1/model act_for_users
 *   user = agent-17 /v1/predict /v1/model
 *   user = * /v1/model            (every user without a line of their own)
 *
 * A request for a user needs the route in both the token's and the user's
 * rule. A token without `act_for_users` that sends the header is refused.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define API_MAX_TOKENS 64
#define API_TOKEN_NAME_MAX 64
#define API_MAX_USERS 256
#define API_USER_NAME_MAX 64
#define API_HEADER_NAME_MAX 64
#define API_REQUEST_ID_MAX 64 /* longest request id kept from a caller */

/* The routes of the v1 contract (openapi.yaml). */
typedef enum api_route {
	ROUTE_PREDICT, /* POST /v1/predict */
	ROUTE_MODEL,   /* GET /v1/model */
	ROUTE_HEALTHZ, /* GET /healthz */
	ROUTE_COUNT
} api_route;

typedef struct api_token {
	char name[API_TOKEN_NAME_MAX]; /* who: shown in the access log */
	unsigned char hash[32];        /* SHA-256 of the token */
	unsigned routes;               /* bit (1u << route) per allowed route */
	bool act_for_users;            /* may send X-On-Behalf-Of */
} api_token;

/* What one end user may call when a delegating token acts for them. */
typedef struct api_user {
	char name[API_USER_NAME_MAX]; /* "*": every user without a rule of their own */
	unsigned routes;
} api_user;

typedef struct api_config {
	char listen[64];              /* IPv4 or IPv6 address to bind */
	int port;                     /* 0: any free port */
	char model_path[PATH_MAX];    /* resolved against the config's folder */
	size_t features;              /* the contract's feature count; 0: the model's */
	int workers;                  /* model worker threads, one model copy each */
	int queue;                    /* requests waiting for a worker before "overloaded" */
	int deadline_ms;              /* the model stage's deadline per request */
	double fallback_default;      /* score answered when no prediction is in time */
	bool fallback_cache;          /* try the last prediction for the key first */
	size_t cache_entries;         /* keys remembered (least recently used go first) */
	int cache_ttl_ms;             /* a cached score older than this is not used */
	size_t max_body_bytes;        /* larger requests get 413 */
	int connection_timeout_s;     /* idle or slow clients are dropped after this */
	int max_connections;
	int drain_timeout_ms;         /* graceful shutdown: wait this long for requests */
	char access_log[PATH_MAX];    /* "-": standard error */
	char request_id_header[API_HEADER_NAME_MAX]; /* request id header, echoed and logged; "": off */
	unsigned public_routes;       /* routes that need no token */
	char sunset[ROUTE_COUNT][40]; /* HTTP-date of a deprecated route's end, or "" */
	api_token tokens[API_MAX_TOKENS];
	size_t n_tokens;
	api_user users[API_MAX_USERS];
	size_t n_users;
} api_config;

/* Fill c with the built-in defaults (no tokens, healthz public). */
void api_config_defaults(api_config *c);

/* Read and check a configuration file over the defaults. Returns 0, or -1
 * with every problem as "path:line:col: message" (one per line) in err. */
int api_config_load(api_config *c, const char *path, char *err, size_t errlen);

/* The same from text; name stands for the path in messages and dir is the
 * folder relative paths resolve against. */
int api_config_parse(api_config *c, const char *text, const char *name, const char *dir, char *err,
		     size_t errlen);

/* "/v1/predict" ... for a route; the route of a path, or -1. */
const char *api_route_path(api_route r);
const char *api_route_method(api_route r);
int api_route_find(const char *path);

/* Whether s may name a user (X-On-Behalf-Of, `user =`): 1 to 63 letters,
 * digits and '-', '_', '.', '@'. */
bool api_valid_user(const char *s);

/* Whether s may serve as a request id taken from a caller: 1 to
 * API_REQUEST_ID_MAX letters, digits and '-', '_', '.', ':' (a UUID, a W3C
 * trace id, a gateway's id), so that it is safe in a header and a log line. */
bool api_valid_request_id(const char *s);

/* The rule for user name (its own, else "*"), or NULL when none applies. */
const api_user *api_config_user(const api_config *c, const char *name);

#endif
