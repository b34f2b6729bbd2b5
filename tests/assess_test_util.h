/* assess_test_util.h - helpers the assess tests share: loading fixtures,
 * finding a diagnostic at an exact line:col, temporary folders and files.
 * static inline so that each test executable uses only what it needs. */
#ifndef WEFT_TESTS_ASSESS_UTIL_H
#define WEFT_TESTS_ASSESS_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft_assess.h"

#define FIX(name) WEFT_FIXTURES "/assess/" name

static inline weft_assess_model *fixture_model(const char *path)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_model *m = NULL;
	int err = weft_assess_model_load(&m, path, d);
	if (err) {
		weft_diags_print(d, stderr, false);
	}
	cr_assert_eq(err, 0, "model %s did not load", path);
	weft_diags_free(d);
	return m;
}

static inline weft_assess_answers *buffer_answers(const char *name, const char *text)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_answers *a = NULL;
	int err = weft_assess_answers_load_buffer(&a, name, text, strlen(text), d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0, "answers %s did not load", name);
	weft_diags_free(d);
	return a;
}

/* The error at exactly path:line:col whose message contains needle, or
 * NULL; with the list of all diagnostics in the failure message. */
static inline const weft_diag *diag_at(const weft_diags *d, const char *path, int line, int col,
				       const char *needle)
{
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		if (g->severity == WEFT_SEV_ERROR && g->line == line && g->col == col &&
		    (!path || (g->path && !strcmp(g->path, path))) && g->message && strstr(g->message, needle))
			return g;
	}
	return NULL;
}

static inline char *diags_text(const weft_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	weft_diags_print(d, fp, false);
	fclose(fp);
	return buf;
}

#define assert_error_at(d, path, line, col, needle)                                                \
	do {                                                                                       \
		if (!diag_at((d), (path), (line), (col), (needle))) {                              \
			char *all_ = diags_text(d);                                                \
			cr_assert_fail("no error at %d:%d containing \"%s\"; got:\n%s", (line), (col), \
				       (needle), all_);                                            \
		}                                                                                  \
	} while (0)

/* A fresh temporary folder (removed by the caller with rm_rf). */
static inline char *temp_dir(void)
{
	char *t = strdup("/tmp/weft-assess-test-XXXXXX");
	cr_assert_not_null(mkdtemp(t));
	return t;
}

static inline void rm_rf(char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

static inline char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static inline void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp, "cannot write %s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	fclose(fp);
}

static inline char *read_file(const char *path)
{
	weft_diags *d;
	weft_diags_new(&d);
	char *s = NULL;
	int err = weft_file_read(&s, NULL, path, 0, d);
	weft_diags_free(d);
	return err ? NULL : s;
}

/* A document of exactly lines lines of 64 bytes: "# xxx...x\n". With
 * 65536 + k lines it passes the 4 MiB limit at the first byte of line
 * 65537, column 1. */
static inline char *huge_text(size_t lines)
{
	char *s = malloc(lines * 64 + 1);
	for (size_t i = 0; i < lines; i++) {
		char *l = s + i * 64;
		l[0] = '#';
		memset(l + 1, 'x', 62);
		l[63] = '\n';
	}
	s[lines * 64] = '\0';
	return s;
}

#endif
