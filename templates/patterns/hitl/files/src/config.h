/* config.h - the routing service's configuration (routing.conf).
 *
 * The file is "key = value" lines with '#' comments. Every value is checked
 * when it is read and a bad one is reported as "path:line:col: message".
 * Relative paths (db, model) resolve against the folder of the config file,
 * so the service behaves the same from any working directory.
 *
 * Who may call the HTTP API: one line per caller, the token's SHA-256 only
 * (never the token), and the caller's roles:
 *
 *   token = alice sha256:<64 hex digits> review
 *
 * The name is the caller's identity: for a reviewer, the name every claim,
 * judgment and decision made with that token is recorded under.
 */
#ifndef HITL_CONFIG_H
#define HITL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define HITL_MAX_FEATURES 64
#define HITL_MAX_LABELS 8
#define HITL_MAX_TOP 8
#define HITL_NAME_MAX 48  /* feature and label names, including the NUL */
#define HITL_PATH_MAX 1024
#define HITL_MAX_TOKENS 64
#define HITL_TOKEN_NAME_MAX 65 /* as reviewer names: 1..64 characters */

/* What a token may do over HTTP (bits of hitl_token.roles). */
enum {
	HITL_ROLE_SUBMIT = 1u << 0,    /* POST /v1/cases: the upstream system files cases */
	HITL_ROLE_REVIEW = 1u << 1,    /* the queue, a case, claim, release, judgment, decision */
	HITL_ROLE_SUPERVISE = 1u << 2, /* release a case someone else holds ("force": true) */
	HITL_ROLE_REPORT = 1u << 3,    /* GET /v1/report */
};

typedef struct hitl_token {
	char name[HITL_TOKEN_NAME_MAX]; /* the caller: the reviewer's identity */
	unsigned char hash[32];         /* SHA-256 of the token */
	unsigned roles;                 /* HITL_ROLE_* bits */
} hitl_token;

typedef struct hitl_config {
	char db[HITL_PATH_MAX];          /* SQLite database of cases and feedback */
	char model[HITL_PATH_MAX];       /* safetensors model */
	char listen[64];                 /* IPv4 address the HTTP server binds */
	int port;                        /* 0 = ephemeral (tests) */
	double confidence_threshold;     /* route automatically when confidence >= this */
	bool blind_first;                /* hide the model's output until a first judgment */
	int review_sla_hours;            /* a queued case is overdue after this */
	double audit_rate;               /* share of confident cases still sent to review */
	size_t n_labels;                 /* class names, in the model's output order */
	char labels[HITL_MAX_LABELS][HITL_NAME_MAX];
	size_t n_auto_labels;            /* recommendations that may be automated; 0 = all */
	char auto_labels[HITL_MAX_LABELS][HITL_NAME_MAX];
	size_t n_features;               /* 0 = take them from the model's metadata */
	char features[HITL_MAX_FEATURES][HITL_NAME_MAX];
	size_t n_baseline;               /* 0 = all zeros */
	double baseline[HITL_MAX_FEATURES];
	size_t n_min, n_max;             /* 0 = no range check */
	double feature_min[HITL_MAX_FEATURES]; /* the range the model was trained on */
	double feature_max[HITL_MAX_FEATURES];
	int top_features;                /* how many contributions a reviewer sees */
	size_t max_body;                 /* largest HTTP request body, bytes */
	size_t n_tokens;                 /* callers of the HTTP API ("token" lines) */
	hitl_token tokens[HITL_MAX_TOKENS];
} hitl_config;

/* Fill c with the built-in defaults (no file read). */
void hitl_config_defaults(hitl_config *c);

/* Read path over the values already in c. Returns 0, or -1 with
 * "path:line:col: message" in err. */
int hitl_config_load(hitl_config *c, const char *path, char *err, size_t errlen);

/* Set one key from text, as a line of the file would ("confidence_threshold",
 * "0.85"). base is the folder relative paths resolve against (NULL: the
 * current directory). Returns 0, or -1 with a message (no position) in err. */
int hitl_config_set(hitl_config *c, const char *key, const char *value, const char *base, char *err,
		    size_t errlen);

/* Add a caller from "NAME sha256:<hex> ROLE..." (roles: submit, review,
 * supervise, report), as a `token` line does. Returns 0, or -1 with a
 * message. */
int hitl_config_add_token(hitl_config *c, const char *value, char *err, size_t errlen);

/* The name of a role bit ("review"), or "?". */
const char *hitl_role_name(unsigned role);

/* Index of label name, or -1. */
int hitl_config_label_index(const hitl_config *c, const char *name);

/* Whether a recommendation of this label may be decided automatically
 * (auto_labels empty: every label may). */
bool hitl_config_automatable(const hitl_config *c, const char *label);

/* Cross-field checks once the whole file is read: every auto label is a
 * label; feature_min and feature_max have the same length and min <= max.
 * Returns 0, or -1 with a message. */
int hitl_config_check(const hitl_config *c, char *err, size_t errlen);

#endif
