/* testutil.h - helpers shared by the tests: temporary folders, small
 * hand-built models whose outputs can be worked out on paper, a raw-socket
 * HTTP client (no extra library) and a runner for the CLI binary.
 */
#ifndef HITL_TESTUTIL_H
#define HITL_TESTUTIL_H

#include <stddef.h>

#include "config.h"

/* A fresh folder under $TMPDIR (or /tmp); malloc'ed path. */
char *tu_tempdir(void);
/* Remove a folder made by tu_tempdir and everything in it. */
void tu_rmtree(const char *path);
/* dir + "/" + name, malloc'ed. */
char *tu_path(const char *dir, const char *name);
void tu_write_file(const char *path, const char *text);
/* The whole file, NUL-terminated and malloc'ed, or NULL. */
char *tu_read_file(const char *path);

/* Write a one-layer model: p = sigmoid(w . x + b), n_in inputs, one output
 * (feature names f1..fn unless features is not NULL). */
void tu_write_logistic_model(const char *path, size_t n_in, const float *w, float b, const char *features,
			     const char *version);

/* The callers tu_config configures, with their SHA-256 digests computed
 * outside this code (printf %s TOKEN | sha256sum), so the tests do not
 * trust the service's own hashing. */
#define TU_TOKEN_ALICE "alice-test-token-1" /* alice: review */
#define TU_TOKEN_ALICE_SHA256 "154d10b0f82247bb314a751d5782d769f5570506ac5ec8261042bbdb28d9ac5a"
#define TU_TOKEN_BOB "bob-test-token-2" /* bob: review */
#define TU_TOKEN_BOB_SHA256 "69bfb4c802b4f884b94a0a14eda1d7481e8568a47f9021323a2895285ebd88e9"
#define TU_TOKEN_CLAIMS "claims-test-token-3" /* claims-system: submit */
#define TU_TOKEN_CLAIMS_SHA256 "6f0db5d0afee58c8df7a24a61fa4bacb3c0a3dfa1db3b0eb7e4836d442a066ef"
#define TU_TOKEN_LEAD "lead-test-token-4" /* lead: review, supervise, report */
#define TU_TOKEN_LEAD_SHA256 "f09f1e42a764f0cd5a12e905b456b91927af0e656049e6a9981c7d51ed9be65c"
#define TU_TOKEN_AUDITOR "auditor-test-token-5" /* auditor: report */
#define TU_TOKEN_AUDITOR_SHA256 "f61f840c04fd004279040f7c574dbad175d2ca4762ed80588da8597e65df827f"

/* Add the five test callers above to c. */
void tu_add_tokens(hitl_config *c);

/* Defaults, then db and model under dir: dir/cases.db and model_path, and
 * the test callers (tu_add_tokens). */
void tu_config(hitl_config *c, const char *dir, const char *model_path);

/* The logit of p: a case with x = tu_logit(p) on a model with w = 1, b = 0
 * gets P(class 1) = p. */
double tu_logit(double p);

/* One HTTP/1.1 request to 127.0.0.1:port; returns the status (or -1) and
 * the body (malloc'ed) in *body when body is not NULL. extra_len > 0 sends
 * that many filler bytes as the body instead of req_body. */
int tu_http(int port, const char *method, const char *path, const char *req_body, size_t extra_len, char **body);
/* The same with `Authorization: Bearer <token>` (token NULL: no header). */
int tu_http_as(int port, const char *token, const char *method, const char *path, const char *req_body,
	       size_t extra_len, char **body);
/* The same with a raw Authorization header value (NULL: no header). */
int tu_http_authz(int port, const char *authorization, const char *method, const char *path,
		  const char *req_body, size_t extra_len, char **body);

/* Run the CLI (HITL_BIN) with args in cwd; stdout and stderr captured
 * (malloc'ed, may be NULL args to drop them). Returns the exit code. */
int tu_run(const char *cwd, char **out, char **err, const char *const *args);

#endif
