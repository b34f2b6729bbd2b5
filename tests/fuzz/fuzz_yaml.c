/* fuzz_yaml.c - libFuzzer target for core's positioned YAML loader: any
 * input must load or fail with diagnostics, never crash, leak or hang; a
 * loaded tree is walked with the typed readers. */
#include <stdint.h>
#include <stdlib.h>

#include "weft_core.h"

static void walk(const weft_yaml_doc *doc, const weft_yaml_node *n, weft_diags *d, int depth)
{
	if (!n || depth > 300)
		return;
	(void)weft_yaml_describe(n);
	if (n->kind == WEFT_YAML_MAPPING) {
		for (size_t i = 0; i < n->n; i++) {
			const char *s;
			long long v;
			(void)weft_yaml_str(&s, doc, n, n->keys[i]->scalar, false, d);
			(void)weft_yaml_int(&v, doc, n, n->keys[i]->scalar, false, d);
			walk(doc, n->items[i], d, depth + 1);
		}
		static const char *const known[] = { "id", "title", NULL };
		(void)weft_yaml_check_keys(doc, n, known, WEFT_SEV_WARNING, d);
	} else if (n->kind == WEFT_YAML_SEQUENCE) {
		/* aliases make this a DAG: walk only the first items to stay linear */
		for (size_t i = 0; i < n->n && i < 4; i++)
			walk(doc, n->items[i], d, depth + 1);
	} else {
		double x;
		bool b;
		(void)weft_yaml_as_num(&x, n);
		(void)weft_yaml_as_bool(&b, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_diags *d;
	if (weft_diags_new(&d))
		return 0;
	weft_yaml_doc *doc = NULL;
	weft_yaml_opts o = { .max_nodes = 100000 };
	if (weft_yaml_load_buffer(&doc, "fuzz.yaml", (const char *)data, size, &o, d) == 0)
		walk(doc, weft_yaml_doc_root(doc), d, 0);
	weft_yaml_doc_free(doc);
	weft_diags_free(d);
	return 0;
}
