/* test_templates_mustache.c - what the spec does not cover: error positions,
 * limits against hostile templates, the escaping switch, number formatting,
 * partials from a folder.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft_templates.h"

static weft_diags *d;

static void setup(void)
{
	weft_diags_new(&d);
}

static void teardown(void)
{
	weft_diags_free(d);
}

TestSuite(mustache, .init = setup, .fini = teardown);

/* Render tpl with data given as JSON text. Returns the error; *out the text. */
static int render(char **out, const char *tpl, const char *json, const weft_templates_render_opts *o)
{
	cJSON *data = json ? cJSON_Parse(json) : NULL;
	if (json)
		cr_assert_not_null(data, "bad test JSON: %s", json);
	int err = weft_templates_render_string(out, "t.mustache", tpl, data, o, d);
	cJSON_Delete(data);
	return err;
}

static const weft_diag *first_error(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++)
		if (weft_diags_get(d, i)->severity == WEFT_SEV_ERROR)
			return weft_diags_get(d, i);
	cr_assert_fail("no error recorded");
	return NULL;
}

static void expect_error(const char *tpl, int line, int col, const char *needle)
{
	char *out = NULL;
	int err = render(&out, tpl, NULL, NULL);
	cr_assert_eq(err, WEFT_EINVALID, "expected an error for %s", tpl);
	cr_assert_null(out);
	const weft_diag *g = first_error();
	cr_expect_str_eq(g->path, "t.mustache");
	cr_expect_eq(g->line, line, "line %d, expected %d (%s)", g->line, line, g->message);
	cr_expect_eq(g->col, col, "col %d, expected %d (%s)", g->col, col, g->message);
	cr_expect(strstr(g->message, needle), "'%s' not in '%s'", needle, g->message);
}

Test(mustache, unclosed_section_points_at_its_tag)
{
	expect_error("line one\n  {{#items}}\nbody", 2, 3, "unclosed section 'items'");
}

Test(mustache, mismatched_close_points_at_the_closer)
{
	expect_error("{{#a}}\nx\n {{/b}}", 3, 2, "does not match the open section 'a' (line 1, column 1)");
}

Test(mustache, unclosed_tag)
{
	expect_error("ab\ncd {{name", 2, 4, "unclosed tag");
}

Test(mustache, closing_without_opening)
{
	expect_error("x{{/x}}", 1, 2, "without an open section");
}

Test(mustache, bad_delimiters_and_names)
{
	expect_error("{{=<% =}}", 1, 1, "set-delimiters");
	weft_diags_clear(d);
	expect_error("a {{}}", 1, 3, "empty tag");
	weft_diags_clear(d);
	expect_error("{{a b}}", 1, 1, "no spaces");
	weft_diags_clear(d);
	expect_error("{{a..b}}", 1, 1, "empty part");
}

Test(mustache, positions_after_delimiter_change)
{
	expect_error("{{=<% %>=}}\n<%#x%>\n<%/y%>", 3, 1, "does not match");
}

Test(mustache, nesting_is_capped)
{
	weft_buf b = WEFT_BUF_INIT;
	for (int i = 0; i < 300; i++)
		weft_buf_puts(&b, "{{#a}}");
	char *out = NULL;
	cr_assert_eq(render(&out, b.ptr, "{}", NULL), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "nested too deeply"));
	weft_buf_free(&b);
}

Test(mustache, escaping_is_a_switch)
{
	char *out = NULL;
	cr_assert_eq(render(&out, "{{x}}|{{{x}}}", "{\"x\": \"<a&b>\"}", NULL), 0);
	cr_expect_str_eq(out, "<a&b>|<a&b>");
	free(out);
	weft_templates_render_opts o = { .escape_html = true };
	cr_assert_eq(render(&out, "{{x}}|{{{x}}}|{{&x}}", "{\"x\": \"<a&b>\\\"\"}", &o), 0);
	cr_expect_str_eq(out, "&lt;a&amp;b&gt;&quot;|<a&b>\"|<a&b>\"");
	free(out);
}

Test(mustache, numbers_print_shortest)
{
	char *out = NULL;
	cr_assert_eq(render(&out, "{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
			    "{\"a\": 1.5, \"b\": -3, \"c\": 0.1, \"d\": 1e21, \"e\": 100, \"f\": 2.675}", NULL),
		     0);
	cr_expect_str_eq(out, "1.5 -3 0.1 1e+21 100 2.675");
	free(out);
}

Test(mustache, empty_string_is_falsey_and_values_print)
{
	char *out = NULL;
	cr_assert_eq(render(&out, "{{#s}}yes{{/s}}{{^s}}no{{/s}} {{t}} {{f}} {{n}}[{{o}}]",
			    "{\"s\": \"\", \"t\": true, \"f\": false, \"n\": null, \"o\": {\"k\": 1}}", NULL),
		     0);
	cr_expect_str_eq(out, "no true false []");
	free(out);
}

Test(mustache, parse_once_render_twice)
{
	weft_templates_mustache *t = NULL;
	cr_assert_eq(weft_templates_mustache_parse(&t, "t", "{{#l}}<{{.}}>{{/l}}", 19, d), 0);
	const char *inputs[] = { "{\"l\": [1, 2]}", "{\"l\": [\"x\"]}" };
	const char *expected[] = { "<1><2>", "<x>" };
	for (int i = 0; i < 2; i++) {
		cJSON *data = cJSON_Parse(inputs[i]);
		weft_buf b = WEFT_BUF_INIT;
		cr_assert_eq(weft_templates_mustache_render(&b, t, data, NULL, d), 0);
		cr_expect_str_eq(b.ptr, expected[i]);
		weft_buf_free(&b);
		cJSON_Delete(data);
	}
	weft_templates_mustache_free(t);
}

Test(mustache, partial_recursing_forever_is_an_error)
{
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	weft_templates_partials_add(p, "loop", "x{{>loop}}", 10, "loop.mustache");
	weft_templates_render_opts o = { .partials = p };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{>loop}}", "{}", &o), WEFT_EINVALID);
	const weft_diag *g = first_error();
	cr_expect(strstr(g->message, "nested more than 64"), "%s", g->message);
	cr_expect_str_eq(g->path, "loop.mustache");
	weft_templates_partials_free(p);
}

/* Leaves need "kids": [] of their own, or lookup climbs to the parent's. */
Test(mustache, recursion_that_data_ends_is_fine)
{
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	const char *node = "{{name}}({{#kids}}{{>node}}{{/kids}})";
	weft_templates_partials_add(p, "node", node, strlen(node), NULL);
	weft_templates_render_opts o = { .partials = p };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{>node}}",
			    "{\"name\": \"a\", \"kids\": [{\"name\": \"b\", \"kids\": [{\"name\": \"c\", \"kids\": []}]}, "
			    "{\"name\": \"d\", \"kids\": []}]}",
			    &o),
		     0);
	cr_expect_str_eq(out, "a(b(c())d())");
	free(out);
	weft_templates_partials_free(p);
}

/* p0 includes p1 twice, p1 includes p2 twice, ...: 2^30 leaves. */
static weft_templates_partials *bomb(const char *leaf)
{
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	for (int i = 0; i < 30; i++) {
		char name[16], src[64];
		snprintf(name, sizeof name, "p%d", i);
		snprintf(src, sizeof src, "{{>p%d}}{{>p%d}}", i + 1, i + 1);
		weft_templates_partials_add(p, name, src, strlen(src), NULL);
	}
	weft_templates_partials_add(p, "p30", leaf, strlen(leaf), NULL);
	return p;
}

Test(mustache, exponential_partials_hit_the_step_limit, .timeout = 10)
{
	weft_templates_partials *p = bomb("");
	weft_templates_render_opts o = { .partials = p, .max_steps = 100000 };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{>p0}}", "{}", &o), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "too long to render"));
	weft_templates_partials_free(p);
}

Test(mustache, exponential_output_hits_the_size_limit, .timeout = 10)
{
	weft_templates_partials *p = bomb("0123456789abcdef0123456789abcdef");
	weft_templates_render_opts o = { .partials = p, .max_output = 1 << 20 };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{>p0}}", "{}", &o), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "output larger than the limit of 1048576 bytes"));
	weft_templates_partials_free(p);
}

Test(mustache, strict_partials)
{
	char *out = NULL;
	cr_assert_eq(render(&out, "a{{>nope}}b", "{}", NULL), 0);
	cr_expect_str_eq(out, "ab");
	free(out);
	weft_templates_render_opts o = { .strict_partials = true };
	cr_assert_eq(render(&out, "a\n {{>nope}}", "{}", &o), WEFT_EINVALID);
	const weft_diag *g = first_error();
	cr_expect_str_eq(g->message, "partial 'nope' not found");
	cr_expect_eq(g->line, 2);
	cr_expect_eq(g->col, 2);
}

Test(mustache, partial_syntax_errors_name_the_partial)
{
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	weft_templates_partials_add(p, "bad", "ok\n{{#x}}", 9, "partials/bad");
	weft_templates_render_opts o = { .partials = p };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{>bad}}", "{}", &o), WEFT_EINVALID);
	const weft_diag *g = first_error();
	cr_expect_str_eq(g->path, "partials/bad");
	cr_expect_eq(g->line, 2);
	weft_templates_partials_free(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

Test(mustache, partials_from_a_folder)
{
	char dir[] = "/tmp/weft-test-partials-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/head.mustache", dir);
	write_file(path, "H({{x}})");
	snprintf(path, sizeof path, "%s/ci", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/ci/job.yml", dir);
	write_file(path, "J");
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	cr_assert_eq(weft_templates_partials_load_dir(p, dir, d), 0);
	weft_templates_render_opts o = { .partials = p, .strict_partials = true };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{>head}}{{>ci/job.yml}}", "{\"x\": 1}", &o), 0);
	cr_expect_str_eq(out, "H(1)J");
	free(out);
	weft_templates_partials_free(p);

	/* a link in the folder is refused */
	snprintf(path, sizeof path, "%s/evil", dir);
	cr_assert_eq(symlink("/etc/passwd", path), 0);
	weft_templates_partials_new(&p);
	cr_expect_eq(weft_templates_partials_load_dir(p, dir, d), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "symbolic link"));
	weft_templates_partials_free(p);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(mustache, block_reindentation_in_code)
{
	/* a parent layout with an indented block, overridden by a child */
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	const char *layout = "int main(void)\n{\n\t{{$body}}\n\treturn 0;\n\t{{/body}}\n}\n";
	weft_templates_partials_add(p, "layout", layout, strlen(layout), NULL);
	weft_templates_render_opts o = { .partials = p };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{<layout}}\n{{$body}}\nputs(\"hi\");\nreturn 1;\n{{/body}}\n{{/layout}}\n", "{}",
			    &o),
		     0);
	cr_expect_str_eq(out, "int main(void)\n{\n\tputs(\"hi\");\n\treturn 1;\n}\n");
	free(out);
	cr_assert_eq(render(&out, "{{<layout}}{{/layout}}", "{}", &o), 0);
	cr_expect_str_eq(out, "int main(void)\n{\n\treturn 0;\n}\n");
	free(out);
	weft_templates_partials_free(p);
}

/* Found by fuzz_mustache: an override block holding a block of its own name
 * expands itself forever; it must stop with an error, not overflow the stack. */
Test(mustache, block_containing_itself_is_an_error)
{
	weft_templates_partials *p = NULL;
	weft_templates_partials_new(&p);
	weft_templates_partials_add(p, "p", "{{$b}}{{/b}}", 12, NULL);
	weft_templates_render_opts o = { .partials = p };
	char *out = NULL;
	cr_assert_eq(render(&out, "{{<p}}{{$b}}x{{$b}}y{{/b}}{{/b}}{{/p}}", "{}", &o), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "nests more than 1024 levels"), "%s", first_error()->message);
	weft_templates_partials_free(p);
}
