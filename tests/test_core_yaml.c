/* test_core_yaml.c - the positioned YAML loader: positions, typed access,
 * and every kind of malformed or hostile input the issue names (tabs,
 * unclosed quotes, wrong node types, duplicate keys, alias bombs), each
 * checked for its exact line and column. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft_core.h"

static weft_diags *d;

static void setup(void)
{
	cr_assert_eq(weft_diags_new(&d), 0);
}

static void teardown(void)
{
	weft_diags_free(d);
}

TestSuite(core_yaml, .init = setup, .fini = teardown);

static int load(weft_yaml_doc **doc, const char *text)
{
	return weft_yaml_load_buffer(doc, "t.yaml", text, strlen(text), NULL, d);
}

/* Assert that the first diagnostic is an error at line:col whose message
 * contains `needle`. */
static void assert_error_at(int line, int col, const char *needle)
{
	cr_assert_geq(weft_diags_errors(d), 1, "expected an error");
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_str_eq(g->path, "t.yaml");
	cr_assert_eq(g->line, line, "line %d, expected %d (%s)", g->line, line, g->message);
	cr_assert_eq(g->col, col, "col %d, expected %d (%s)", g->col, col, g->message);
	cr_assert(strstr(g->message, needle), "message '%s' lacks '%s'", g->message, needle);
}

Test(core_yaml, positions_of_nodes)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "a: 1\nlist:\n  - x\n  - {k: v}\n"), 0);
	const weft_yaml_node *root = weft_yaml_doc_root(doc);
	cr_assert_eq(root->kind, WEFT_YAML_MAPPING);
	cr_assert_eq(root->n, 2);
	const weft_yaml_node *a = weft_yaml_get(root, "a");
	cr_assert_eq(a->line, 1);
	cr_assert_eq(a->col, 4);
	const weft_yaml_node *list = weft_yaml_get(root, "list");
	cr_assert_eq(list->kind, WEFT_YAML_SEQUENCE);
	cr_assert_eq(list->n, 2);
	cr_assert_eq(list->items[0]->line, 3);
	cr_assert_eq(list->items[0]->col, 5);
	cr_assert_str_eq(list->items[0]->scalar, "x");
	const weft_yaml_node *m = list->items[1];
	cr_assert_eq(m->kind, WEFT_YAML_MAPPING);
	cr_assert_eq(m->line, 4);
	cr_assert_eq(m->col, 5);
	cr_assert_eq(m->keys[0]->col, 6);
	weft_yaml_doc_free(doc);
}

Test(core_yaml, empty_document_has_no_root)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, ""), 0);
	cr_assert_null(weft_yaml_doc_root(doc));
	weft_yaml_doc_free(doc);
	cr_assert_eq(load(&doc, "# only a comment\n"), 0);
	cr_assert_null(weft_yaml_doc_root(doc));
	weft_yaml_doc_free(doc);
}

Test(core_yaml, tab_indentation_is_refused_with_a_hint)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "a:\n\tb: 1\n"), WEFT_EINVALID);
	cr_assert_null(doc);
	assert_error_at(2, 1, "cannot start any token");
	cr_assert_not_null(weft_diags_get(d, 0)->hint);
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "tabs"));
}

Test(core_yaml, unclosed_quote_names_where_it_started)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "a: 1\nb: \"never closed\nc: 3\n"), WEFT_EINVALID);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_eq(g->line, 4, "got %d: %s", g->line, g->message);
	cr_assert(strstr(g->message, "quoted scalar"), "%s", g->message);
	cr_assert(strstr(g->message, "line 2, column 4"), "%s", g->message);
}

Test(core_yaml, duplicate_keys_point_at_the_second)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "id: a\nname: x\nid: b\n"), WEFT_EINVALID);
	assert_error_at(3, 1, "duplicate key 'id'");
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "line 1, column 1"));
}

Test(core_yaml, duplicate_keys_allowed_when_asked)
{
	weft_yaml_doc *doc = NULL;
	weft_yaml_opts o = { .allow_duplicates = true };
	const char *t = "k: 1\nk: 2\n";
	cr_assert_eq(weft_yaml_load_buffer(&doc, "t.yaml", t, strlen(t), &o, d), 0);
	weft_yaml_doc_free(doc);
}

Test(core_yaml, duplicate_keys_in_a_large_mapping)
{
	weft_buf b = WEFT_BUF_INIT;
	for (int i = 0; i < 5000; i++)
		weft_buf_printf(&b, "key%d: %d\n", i, i);
	weft_buf_puts(&b, "key4321: again\n");
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, b.ptr), WEFT_EINVALID);
	assert_error_at(5001, 1, "duplicate key 'key4321'");
	weft_buf_free(&b);
}

Test(core_yaml, billion_laughs_is_refused_quickly)
{
	const char *bomb =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	weft_yaml_doc *doc = NULL;
	uint64_t t0 = weft_now_ns();
	cr_assert_eq(load(&doc, bomb), WEFT_EINVALID);
	uint64_t elapsed = weft_now_ns() - t0;
	cr_assert_lt(elapsed, 500000000u, "took %.3f s", (double)elapsed / 1e9);
	/* 9 + 1 nodes per level: level g expands to 10 * 9^... the cap of one
	 * million is passed on line 7 ("g"), 9^6*10 > 1e6 first there */
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert(strstr(g->message, "alias expansion"), "%s", g->message);
	cr_assert_eq(g->line, 7, "line %d", g->line);
}

Test(core_yaml, small_node_cap_counts_aliases)
{
	/* 1 mapping + 2 keys + seq of 3 scalars (4) + alias worth 4 = 11 nodes */
	const char *t = "x: &s [1, 2, 3]\ny: *s\n";
	weft_yaml_opts o = { .max_nodes = 10 };
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(weft_yaml_load_buffer(&doc, "t.yaml", t, strlen(t), &o, d), WEFT_EINVALID);
	assert_error_at(2, 4, "alias expansion");
	weft_diags_clear(d);
	o.max_nodes = 11;
	cr_assert_eq(weft_yaml_load_buffer(&doc, "t.yaml", t, strlen(t), &o, d), 0);
	const weft_yaml_node *root = weft_yaml_doc_root(doc);
	cr_assert_eq(weft_yaml_get(root, "x"), weft_yaml_get(root, "y"), "aliases share the node");
	weft_yaml_doc_free(doc);
}

Test(core_yaml, recursive_alias_is_unknown_anchor)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "a: &x [1, *x]\n"), WEFT_EINVALID);
	assert_error_at(1, 11, "unknown anchor 'x'");
}

Test(core_yaml, depth_is_capped)
{
	weft_buf b = WEFT_BUF_INIT;
	for (int i = 0; i < 300; i++)
		weft_buf_putc(&b, '[');
	for (int i = 0; i < 300; i++)
		weft_buf_putc(&b, ']');
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, b.ptr), WEFT_EINVALID);
	/* the 257th '[' opens level 257 */
	assert_error_at(1, 257, "nesting deeper");
	weft_buf_free(&b);
}

Test(core_yaml, size_is_capped)
{
	weft_yaml_opts o = { .max_bytes = 16 };
	const char *t = "a: 0123456789abcdef\n";
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(weft_yaml_load_buffer(&doc, "t.yaml", t, strlen(t), &o, d), WEFT_EINVALID);
	cr_assert(strstr(weft_diags_get(d, 0)->message, "larger than the limit"));
}

Test(core_yaml, second_document_is_refused)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "a: 1\n---\nb: 2\n"), WEFT_EINVALID);
	assert_error_at(2, 1, "single YAML document");
}

Test(core_yaml, complex_keys_are_refused)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "? [a, b]\n: 1\n"), WEFT_EINVALID);
	assert_error_at(1, 3, "mapping keys must be scalars");
}

Test(core_yaml, invalid_utf8_is_a_reader_error)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(load(&doc, "a: \xff\xfe\n"), WEFT_EINVALID);
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "UTF-8"));
}

Test(core_yaml, expect_reports_what_was_found)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "dims:\n  - a\n  - b\n"), 0);
	const weft_yaml_node *dims = weft_yaml_get(weft_yaml_doc_root(doc), "dims");
	cr_assert_eq(weft_yaml_expect(doc, dims, WEFT_YAML_MAPPING, "dimensions", d), WEFT_EINVALID);
	assert_error_at(2, 3, "dimensions: expected a mapping, got a sequence");
	cr_assert_eq(weft_yaml_expect(doc, dims, WEFT_YAML_SEQUENCE, NULL, d), 0);
	weft_yaml_doc_free(doc);
}

Test(core_yaml, typed_fields)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "s: hello\nq: \"42\"\ni: 42\nh: 0x1f\nf: 2.5\nb: true\nn: ~\n"), 0);
	const weft_yaml_node *r = weft_yaml_doc_root(doc);
	const char *s = NULL;
	long long i = 0;
	double f = 0;
	bool b = false;
	cr_assert_eq(weft_yaml_str(&s, doc, r, "s", true, d), 0);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(weft_yaml_str(&s, doc, r, "i", true, d), 0, "numbers read as text");
	cr_assert_str_eq(s, "42");
	cr_assert_eq(weft_yaml_int(&i, doc, r, "i", true, d), 0);
	cr_assert_eq(i, 42);
	cr_assert_eq(weft_yaml_int(&i, doc, r, "h", true, d), 0);
	cr_assert_eq(i, 31);
	cr_assert_eq(weft_yaml_num(&f, doc, r, "f", true, d), 0);
	cr_assert_float_eq(f, 2.5, 1e-12);
	cr_assert_eq(weft_yaml_num(&f, doc, r, "i", true, d), 0);
	cr_assert_float_eq(f, 42.0, 1e-12);
	cr_assert_eq(weft_yaml_bool(&b, doc, r, "b", true, d), 0);
	cr_assert(b);
	cr_assert_eq(weft_diags_count(d), 0);

	/* a quoted "42" is a string, not an integer */
	cr_assert_eq(weft_yaml_int(&i, doc, r, "q", true, d), WEFT_EINVALID);
	assert_error_at(2, 4, "'q': expected an integer, got a string");
	weft_diags_clear(d);
	cr_assert_eq(weft_yaml_bool(&b, doc, r, "f", true, d), WEFT_EINVALID);
	assert_error_at(5, 4, "expected a boolean");
	weft_diags_clear(d);

	/* absent and null fields */
	i = 7;
	cr_assert_eq(weft_yaml_int(&i, doc, r, "missing", false, d), 0);
	cr_assert_eq(i, 7, "optional absent field leaves the value");
	cr_assert_eq(weft_yaml_int(&i, doc, r, "missing", true, d), WEFT_EINVALID);
	assert_error_at(1, 1, "missing required field 'missing'");
	weft_diags_clear(d);
	cr_assert_eq(weft_yaml_str(&s, doc, r, "n", true, d), WEFT_EINVALID);
	assert_error_at(1, 1, "field 'n' is empty");
	weft_yaml_doc_free(doc);
}

Test(core_yaml, mapping_where_a_string_is_expected)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "title:\n  nested: x\n"), 0);
	const char *s;
	cr_assert_eq(weft_yaml_str(&s, doc, weft_yaml_doc_root(doc), "title", true, d), WEFT_EINVALID);
	assert_error_at(2, 3, "'title': expected a string, got a mapping");
	weft_yaml_doc_free(doc);
}

Test(core_yaml, numbers_reject_special_values)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "a: inf\nb: nan\nc: 1e999\nd: 0x10\ne: -0x10\n"), 0);
	const weft_yaml_node *r = weft_yaml_doc_root(doc);
	double v;
	long long i;
	cr_assert_neq(weft_yaml_as_num(&v, weft_yaml_get(r, "a")), 0);
	cr_assert_neq(weft_yaml_as_num(&v, weft_yaml_get(r, "b")), 0);
	cr_assert_neq(weft_yaml_as_num(&v, weft_yaml_get(r, "c")), 0);
	cr_assert_eq(weft_yaml_as_int(&i, weft_yaml_get(r, "d")), 0);
	cr_assert_eq(i, 16);
	cr_assert_neq(weft_yaml_as_int(&i, weft_yaml_get(r, "e")), 0);
	weft_yaml_doc_free(doc);
}

Test(core_yaml, describe_types)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "a: x\nb: '1'\nc: 1\nd: false\ne:\nf: []\ng: {}\n"), 0);
	const weft_yaml_node *r = weft_yaml_doc_root(doc);
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "a")), "a string");
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "b")), "a string");
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "c")), "a number");
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "d")), "a boolean");
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "e")), "null");
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "f")), "a sequence");
	cr_assert_str_eq(weft_yaml_describe(weft_yaml_get(r, "g")), "a mapping");
	weft_yaml_doc_free(doc);
}

Test(core_yaml, unknown_keys_get_suggestions)
{
	weft_yaml_doc *doc;
	cr_assert_eq(load(&doc, "title: x\nwieght: 2\nzzz: 1\n"), 0);
	static const char *const known[] = { "title", "weight", NULL };
	size_t n = weft_yaml_check_keys(doc, weft_yaml_doc_root(doc), known, WEFT_SEV_ERROR, d);
	cr_assert_eq(n, 2);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_eq(g->line, 2);
	cr_assert_str_eq(g->hint, "did you mean 'weight'?");
	cr_assert_null(weft_diags_get(d, 1)->hint);
	weft_yaml_doc_free(doc);
}

Test(core_yaml, load_file_missing_is_environment_error)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(weft_yaml_load_file(&doc, "/nonexistent/x.yaml", NULL, d), WEFT_EENV);
	cr_assert_null(doc);
	cr_assert_str_eq(weft_diags_get(d, 0)->path, "/nonexistent/x.yaml");
}

Test(core_yaml, fixture_files_report_their_path)
{
	weft_yaml_doc *doc = NULL;
	const char *path = WEFT_FIXTURES "/core/tabs.yaml";
	cr_assert_eq(weft_yaml_load_file(&doc, path, NULL, d), WEFT_EINVALID);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_str_eq(g->path, path);
	cr_assert_eq(g->line, 3);
	cr_assert_eq(g->col, 1);
}

/* ---- encoding errors: path:line:col of the first offending byte ----------- */

/* Load len bytes (the texts below hold NULs), as "t.yaml". */
static int load_n(weft_yaml_doc **doc, const char *text, size_t len)
{
	return weft_yaml_load_buffer(doc, "t.yaml", text, len, NULL, d);
}
#define LOAD_BYTES(doc, lit) load_n(doc, lit, sizeof lit - 1)

/* The diagnostics as the CLI prints them. */
static char *printed(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	cr_assert_not_null(fp);
	weft_diags_print(d, fp, false);
	fclose(fp);
	return text;
}

Test(core_yaml, latin1_byte_is_located)
{
	weft_yaml_doc *doc = NULL;
	/* "author: " is 8 characters: the Latin-1 é (0xE9) is column 9 of line 3 */
	cr_assert_eq(LOAD_BYTES(&doc, "id: x\nlevel: 2\nauthor: \xe9tienne\n"), WEFT_EINVALID);
	cr_assert_null(doc);
	assert_error_at(3, 9, "not UTF-8 text (byte 0xe9)");
	cr_assert_eq(weft_diags_errors(d), 1);
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "UTF-8"));
	char *text = printed();
	const char *want = "t.yaml:3:9: error: not UTF-8 text (byte 0xe9)\n  hint: ";
	cr_assert(strncmp(text, want, strlen(want)) == 0, "%s", text);
	free(text);
}

Test(core_yaml, columns_count_characters_not_bytes)
{
	weft_yaml_doc *doc = NULL;
	/* 名前 are 6 bytes but 2 characters: "名前: caf" is 7 characters */
	cr_assert_eq(LOAD_BYTES(&doc, "a: 1\n\xe5\x90\x8d\xe5\x89\x8d: caf\xe9\n"), WEFT_EINVALID);
	assert_error_at(2, 8, "not UTF-8 text (byte 0xe9)");
}

Test(core_yaml, crlf_and_cr_are_one_line_break_each)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(LOAD_BYTES(&doc, "a: 1\r\nb: 2\rc: \xfc\r\n"), WEFT_EINVALID);
	assert_error_at(3, 4, "not UTF-8 text (byte 0xfc)");
}

Test(core_yaml, malformed_sequences_point_at_their_first_byte)
{
	weft_yaml_doc *doc = NULL;
	/* cut short by the end of the file */
	cr_assert_eq(LOAD_BYTES(&doc, "a: ok\nb: \xe2\x82"), WEFT_EINVALID);
	assert_error_at(2, 4, "not UTF-8 text (byte 0xe2)");
	weft_diags_clear(d);
	/* an overlong '/', a UTF-16 surrogate, a stray continuation byte */
	cr_assert_eq(LOAD_BYTES(&doc, "k: \xc0\xaf\n"), WEFT_EINVALID);
	assert_error_at(1, 4, "(byte 0xc0)");
	weft_diags_clear(d);
	cr_assert_eq(LOAD_BYTES(&doc, "k: \xc3\xa9\xed\xa0\x80\n"), WEFT_EINVALID);
	assert_error_at(1, 5, "(byte 0xed)");
	weft_diags_clear(d);
	cr_assert_eq(LOAD_BYTES(&doc, "- x\n- \x80\n"), WEFT_EINVALID);
	assert_error_at(2, 3, "(byte 0x80)");
}

Test(core_yaml, nul_byte_is_located)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(LOAD_BYTES(&doc, "a: 1\nb: x\0y\n"), WEFT_EINVALID);
	assert_error_at(2, 5, "NUL byte in text");
	cr_assert_not_null(weft_diags_get(d, 0)->hint);
}

Test(core_yaml, control_character_is_located)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(LOAD_BYTES(&doc, "a: x\x1b[1my\n"), WEFT_EINVALID);
	assert_error_at(1, 5, "control character U+001B");
	weft_diags_clear(d);
	/* C1 controls are UTF-8 encoded but still not text; NEL (U+0085) is a
	 * line break to YAML, so the next line is 2 */
	cr_assert_eq(LOAD_BYTES(&doc, "a: x\xc2\x85y: \xc2\x9b\n"), WEFT_EINVALID);
	assert_error_at(2, 4, "control character U+009B");
}

Test(core_yaml, binary_file_is_located_and_named)
{
	weft_yaml_doc *doc = NULL;
	/* the start of a PNG file: 0x89 is not UTF-8 */
	cr_assert_eq(LOAD_BYTES(&doc, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), WEFT_EINVALID);
	assert_error_at(1, 1, "not UTF-8 text (byte 0x89)");
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "binary"), "%s", weft_diags_get(d, 0)->hint);
	weft_diags_clear(d);
	/* an ELF executable: DEL first */
	cr_assert_eq(LOAD_BYTES(&doc, "\x7f" "ELF\x02\x01\x01\0\0\0"), WEFT_EINVALID);
	assert_error_at(1, 1, "control character U+007F");
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "binary"));
}

Test(core_yaml, utf8_bom_is_accepted)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(LOAD_BYTES(&doc, "\xef\xbb\xbf" "a: 1\nb: caf\xc3\xa9\n"), 0);
	const weft_yaml_node *b = weft_yaml_get(weft_yaml_doc_root(doc), "b");
	cr_assert_str_eq(b->scalar, "caf\xc3\xa9");
	cr_assert_eq(b->line, 2);
	cr_assert_eq(b->col, 4);
	weft_yaml_doc_free(doc);
	cr_assert_eq(weft_diags_count(d), 0);
	/* the BOM takes no column */
	cr_assert_eq(LOAD_BYTES(&doc, "\xef\xbb\xbf" "a: \xe9\n"), WEFT_EINVALID);
	assert_error_at(1, 4, "not UTF-8 text (byte 0xe9)");
}

Test(core_yaml, utf16_is_refused_clearly)
{
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(LOAD_BYTES(&doc, "\xff\xfe" "a\0:\0 \0" "1\0\n\0"), WEFT_EINVALID);
	assert_error_at(1, 1, "UTF-16 is not supported; save as UTF-8");
	cr_assert_null(doc);
	weft_diags_clear(d);
	cr_assert_eq(LOAD_BYTES(&doc, "\xfe\xff" "\0a\0:\0 \0" "1\0\n"), WEFT_EINVALID);
	assert_error_at(1, 1, "UTF-16 is not supported; save as UTF-8");
	weft_diags_clear(d);
	/* UTF-16 without a BOM: a NUL in the first character, and a hint */
	cr_assert_eq(LOAD_BYTES(&doc, "a\0:\0 \0" "1\0\n\0"), WEFT_EINVALID);
	assert_error_at(1, 2, "NUL byte in text");
	cr_assert(strstr(weft_diags_get(d, 0)->hint, "UTF-16"), "%s", weft_diags_get(d, 0)->hint);
}

/* What `weft assess` prints for such a file: the loader on a real path,
 * diagnostics printed as the CLI prints them. */
Test(core_yaml, file_with_latin1_prints_path_line_col)
{
	char dir[] = "/tmp/weft-yaml-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/answers.yaml", dir);
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	/* "  q1: S" is 7 characters: the Latin-1 é is column 8 of line 3 */
	fputs("model: demo\nanswers:\n  q1: S\xe9" "bastien\n", fp);
	fclose(fp);
	weft_yaml_doc *doc = NULL;
	cr_assert_eq(weft_yaml_load_file(&doc, path, NULL, d), WEFT_EINVALID);
	cr_assert_null(doc);
	char *text = printed();
	char want[128];
	snprintf(want, sizeof want, "%s:3:8: error: not UTF-8 text (byte 0xe9)\n", path);
	cr_assert(strncmp(text, want, strlen(want)) == 0, "got: %s", text);
	free(text);
	remove(path);
	rmdir(dir);
}
