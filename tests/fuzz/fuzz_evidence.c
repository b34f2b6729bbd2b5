/* fuzz_evidence.c - libFuzzer target for what `weft assess evidence` reads
 * from a repository: CI files (YAML walked for commands, the scripts and
 * make targets they run), YAML/JSON files searched for keys, OpenAPI
 * documents and test files. The input is cut at lines "--8<--" into up to
 * six files of a scratch repository, scanned with a model that has a rule
 * of every kind; any input must scan without crash, leak or hang, and every
 * hit must name a file of the repository at a line it has. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft_assess.h"

static const char model_text[] =
	"id: fz\nversion: \"1\"\ntitle: F\nlevels:\n"
	"  - {level: 1, name: a, description: a}\n  - {level: 2, name: b, description: b}\n"
	"  - {level: 3, name: c, description: c}\n  - {level: 4, name: d, description: d}\n"
	"  - {level: 5, name: e, description: e}\n"
	"dimensions:\n  - id: d\n    title: D\n    questions:\n      - id: q\n        text: Q?\n"
	"        options:\n"
	"          - {level: 1, text: a, improve: b}\n"
	"          - level: 2\n            text: b\n            improve: c\n            evidence:\n"
	"              - {id: ci, text: t, ci: 'weft bench|run-checker'}\n"
	"              - {id: key, text: t, file: '*.yaml', key: '**.budget.*', value: 'ms$'}\n"
	"          - level: 3\n            text: c\n            improve: d\n            evidence:\n"
	"              - {id: api, text: t, openapi: true}\n"
	"              - {id: test, text: t, test: 'x', contains: 'refused'}\n"
	"          - level: 4\n            text: d\n            improve: e\n            evidence:\n"
	"              - {id: has, text: t, file: ['**/*'], contains: '^[a-z]+ = [0-9]+$'}\n"
	"              - {id: idx, text: t, file: '*.json', key: 'paths.*.0'}\n"
	"          - {level: 5, text: e}\n";

static const char *const names[] = { ".github/workflows/ci.yml", "scripts/gate", "Makefile",
				     "p.yaml", "openapi.json", "tests/test_x.c" };
#define N_FILES (sizeof names / sizeof *names)

static char root[PATH_MAX];
static weft_assess_model *model;

static void cleanup(void)
{
	char p[PATH_MAX + 64];
	for (size_t i = 0; i < N_FILES; i++) {
		snprintf(p, sizeof p, "%s/%s", root, names[i]);
		unlink(p);
	}
	static const char *const dirs[] = { ".github/workflows", ".github", "scripts", "tests", "" };
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
		rmdir(p);
	}
	weft_assess_model_free(model);
}

static void setup(void)
{
	snprintf(root, sizeof root, "/tmp/weft-fuzz-evidence-%d", (int)getpid());
	char p[PATH_MAX + 32];
	mkdir(root, 0700);
	snprintf(p, sizeof p, "%s/.github", root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/.github/workflows", root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/scripts", root);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/tests", root);
	mkdir(p, 0700);
	weft_diags *d = NULL;
	weft_diags_new(&d);
	if (weft_assess_model_load_buffer(&model, "fz.yaml", model_text, strlen(model_text), d))
		abort();
	weft_diags_free(d);
	atexit(cleanup);
}

static void write_part(size_t i, const uint8_t *data, size_t len)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/%s", root, names[i]);
	FILE *fp = fopen(p, "wb");
	if (!fp)
		abort();
	if (len)
		fwrite(data, 1, len, fp);
	fclose(fp);
}

/* Every hit names a file of the repository (a relative path, no ".."). */
static void check(const weft_assess_evidence *e)
{
	for (size_t i = 0; i < e->n_qs; i++)
		for (size_t j = 0; j < e->qs[i].n_rules; j++)
			for (size_t k = 0; k < e->qs[i].rules[j].n_hits; k++) {
				const weft_assess_evidence_hit *h = &e->qs[i].rules[j].hits[k];
				if (!h->path || h->path[0] == '/' || strstr(h->path, "..") || h->line < 0)
					abort();
			}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!model)
		setup();
	static const char cut[] = "\n--8<--\n";
	size_t part = 0, start = 0;
	for (size_t i = 0; part < N_FILES && i <= size; i++) {
		bool end = i == size;
		if (!end && (size - i < sizeof cut - 1 || memcmp(data + i, cut, sizeof cut - 1)))
			continue;
		write_part(part++, data + start, i - start);
		start = i + sizeof cut - 1;
		i = start - 1;
		if (end)
			break;
	}
	for (; part < N_FILES; part++)
		write_part(part, NULL, 0);
	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_assess_evidence *e = NULL;
	if (!weft_assess_evidence_scan(&e, root, model, NULL, d)) {
		check(e);
		weft_buf b = WEFT_BUF_INIT;
		weft_assess_evidence_text(&b, e, NULL);
		weft_buf_free(&b);
		weft_assess_evidence_json(&b, e, NULL);
		weft_buf_free(&b);
		weft_assess_evidence_sarif(&b, e, NULL);
		weft_buf_free(&b);
		weft_assess_evidence_markdown(&b, e, NULL);
		weft_buf_free(&b);
	}
	weft_assess_evidence_free(e);
	weft_diags_free(d);
	return 0;
}
