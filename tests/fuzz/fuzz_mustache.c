/* fuzz_mustache.c - the Mustache parser and renderer under libFuzzer.
 *
 * Input: a template, optionally followed by a NUL byte and JSON data, and by
 * another NUL and the source of a partial named "p" (so {{>p}} and {{<p}}
 * recurse through fuzzed text too). The first byte's low bit switches HTML
 * escaping. Tight limits keep every input fast; errors are fine, crashes,
 * leaks and hangs are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_templates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *tpl = buf, *json = NULL, *partial = NULL;
	size_t tpl_len = strnlen(buf, size);
	if (tpl_len < size) {
		json = buf + tpl_len + 1;
		size_t jl = strlen(json);
		if ((size_t)(json - buf) + jl < size)
			partial = json + jl + 1;
	}
	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_templates_partials *ps = NULL;
	weft_templates_partials_new(&ps);
	if (partial)
		weft_templates_partials_add(ps, "p", partial, strlen(partial), "p");
	weft_templates_partials_add(ps, "self", tpl, tpl_len, "self");
	cJSON *root = json ? cJSON_Parse(json) : NULL;
	weft_templates_mustache *t = NULL;
	if (weft_templates_mustache_parse(&t, "fuzz", tpl, tpl_len, d) == 0) {
		weft_templates_render_opts o = {
			.escape_html = size && (data[0] & 1),
			.max_output = 1 << 20,
			.max_depth = 16,
			.max_steps = 200000,
			.partials = ps,
		};
		weft_buf out = WEFT_BUF_INIT;
		weft_templates_mustache_render(&out, t, root, &o, d);
		weft_buf_free(&out);
	}
	weft_templates_mustache_free(t);
	cJSON_Delete(root);
	weft_templates_partials_free(ps);
	weft_diags_free(d);
	free(buf);
	return 0;
}
