/* fuzz_manifest.c - template.yaml loading and value resolution under libFuzzer.
 *
 * The input is written as the template.yaml of a scratch template (made once,
 * with an empty files/ folder); when it loads, every variable is resolved
 * from its defaults (conditions, Mustache defaults, derived values and
 * transforms all run) and the answers file is produced, then the input is
 * also read as an answers file (through the template's migrations, as weft
 * update reads one, and compared with the template). Errors are fine; crashes, leaks and hangs
 * are not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft_templates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char yaml[96];

static void cleanup(void)
{
	char p[128];
	snprintf(p, sizeof p, "%s/files", dir);
	rmdir(p);
	unlink(yaml);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/weft-fuzz-manifest-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		char p[128];
		snprintf(p, sizeof p, "%s/files", dir);
		mkdir(p, 0755);
		snprintf(yaml, sizeof yaml, "%s/template.yaml", dir);
		atexit(cleanup);
	}
	FILE *fp = fopen(yaml, "wb");
	if (!fp)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_templates_manifest *m = NULL;
	if (weft_templates_manifest_load(&m, dir, d) == 0) {
		cJSON *v = NULL;
		if (weft_templates_values_resolve(&v, m, NULL, d) == 0) {
			weft_templates_plan *p = NULL;
			if (weft_templates_plan_new(&p, m, NULL, v, d) == 0)
				weft_templates_plan_free(p);
		}
		cJSON_Delete(v);
	}
	weft_templates_answers *a = NULL;
	if (weft_templates_answers_load(&a, yaml, d) == 0 && m) {
		cJSON *v = NULL;
		/* as weft update reads them: through the migrations since 0 */
		weft_templates_values_opts o = { .answers = a, .answers_version = "0" };
		weft_templates_values_resolve(&v, m, &o, d);
		cJSON_Delete(v);
		weft_templates_answers_compare(a, m, NULL, NULL, d);
	}
	weft_templates_answers_free(a);
	weft_templates_manifest_free(m);
	weft_diags_free(d);
	return 0;
}
