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

/* Defaults, then db and model under dir: dir/cases.db and model_path. */
void tu_config(hitl_config *c, const char *dir, const char *model_path);

/* The logit of p: a case with x = tu_logit(p) on a model with w = 1, b = 0
 * gets P(class 1) = p. */
double tu_logit(double p);

/* One HTTP/1.1 request to 127.0.0.1:port; returns the status (or -1) and
 * the body (malloc'ed) in *body when body is not NULL. extra_len > 0 sends
 * that many filler bytes as the body instead of req_body. */
int tu_http(int port, const char *method, const char *path, const char *req_body, size_t extra_len, char **body);

/* Run the CLI (HITL_BIN) with args in cwd; stdout and stderr captured
 * (malloc'ed, may be NULL args to drop them). Returns the exit code. */
int tu_run(const char *cwd, char **out, char **err, const char *const *args);

#endif
