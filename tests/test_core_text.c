/* test_core_text.c - edit distance, did-you-mean, the string buffer,
 * diagnostics formatting and the error/exit-code table. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

Test(core_text, edit_distance_by_hand)
{
	cr_assert_eq(weft_edit_distance("", ""), 0);
	cr_assert_eq(weft_edit_distance("abc", ""), 3);
	cr_assert_eq(weft_edit_distance("kitten", "sitting"), 3);
	cr_assert_eq(weft_edit_distance("doctor", "doctr"), 1);
	cr_assert_eq(weft_edit_distance("flaw", "lawn"), 2);
}

Test(core_text, suggestions)
{
	static const char *const cmds[] = { "assess", "new", "templates", "bench", "doctor", "help" };
	cr_assert_str_eq(weft_suggest("asess", cmds, 6), "assess");
	cr_assert_str_eq(weft_suggest("benhc", cmds, 6), "bench");
	cr_assert_str_eq(weft_suggest("templ", cmds, 6), "templates");
	cr_assert_null(weft_suggest("zzzzzz", cmds, 6));
	cr_assert_null(weft_suggest("x", cmds, 6));
}

Test(core_text, buffer_appends_and_escapes)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_puts(&b, "a");
	weft_buf_printf(&b, "%d-%s", 42, "x");
	weft_buf_putc(&b, '|');
	weft_buf_put_html(&b, "<a href=\"x\">&'</a>");
	cr_assert_str_eq(b.ptr, "a42-x|&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	cr_assert_eq(b.len, strlen(b.ptr));
	char *s = weft_buf_detach(&b);
	cr_assert_null(b.ptr);
	free(s);
	weft_buf e = WEFT_BUF_INIT;
	s = weft_buf_detach(&e);
	cr_assert_str_eq(s, "");
	free(s);
	/* growth across many appends */
	for (int i = 0; i < 10000; i++)
		weft_buf_putc(&b, 'x');
	cr_assert_eq(b.len, 10000);
	weft_buf_free(&b);
}

Test(core_text, diagnostics_print_in_order)
{
	weft_diags *d;
	cr_assert_eq(weft_diags_new(&d), 0);
	weft_diags_add(d, WEFT_SEV_WARNING, "m.yaml", 3, 7, NULL, "unknown field '%s'", "x");
	cr_assert_eq(weft_diags_error(d, "m.yaml", 9, 1, "bad level %d", 7), WEFT_EINVALID);
	weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, "try --force", "no position");
	cr_assert_eq(weft_diags_count(d), 3);
	cr_assert_eq(weft_diags_errors(d), 2);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	weft_diags_print(d, fp, false);
	fclose(fp);
	cr_assert_str_eq(text, "m.yaml:3:7: warning: unknown field 'x'\n"
			       "m.yaml:9:1: error: bad level 7\n"
			       "error: no position\n"
			       "  hint: try --force\n");
	free(text);
	weft_diags_free(d);
	weft_diags_free(NULL);
}

Test(core_text, exit_codes_follow_design)
{
	cr_assert_eq(weft_exit_code(WEFT_OK), 0);
	cr_assert_eq(weft_exit_code(WEFT_EGATE), 1);
	cr_assert_eq(weft_exit_code(WEFT_EUSAGE), 2);
	cr_assert_eq(weft_exit_code(WEFT_EINVALID), 3);
	cr_assert_eq(weft_exit_code(WEFT_EENV), 4);
	cr_assert_eq(weft_exit_code(-999), 4);
}

Test(core_text, colour_respects_no_color)
{
	setenv("NO_COLOR", "1", 1);
	cr_assert_not(weft_term_colour(stdout));
	cr_assert_str_eq(weft_term_sgr(false, "1"), "");
	cr_assert_str_eq(weft_term_sgr(true, "1;31"), "\033[1;31m");
	unsetenv("NO_COLOR");
	/* a pipe is never a terminal */
	FILE *fp = tmpfile();
	cr_assert_not(weft_term_colour(fp));
	fclose(fp);
}

Test(core_text, progress_is_silent_off_a_terminal)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	weft_progress *p;
	cr_assert_eq(weft_progress_new(&p, fp, "work", 10), 0);
	for (int i = 0; i <= 10; i++)
		weft_progress_update(p, (uint64_t)i);
	weft_progress_free(p);
	fclose(fp);
	cr_assert_eq(len, 0);
	free(text);
}

Test(core_text, monotonic_clock_advances)
{
	uint64_t a = weft_now_ns();
	uint64_t b = weft_now_ns();
	cr_assert_geq(b, a);
}

Test(core_text, transpositions_cost_one)
{
	cr_assert_eq(weft_edit_distance("bench", "benhc"), 1);
	cr_assert_eq(weft_edit_distance("ab", "ba"), 1);
	cr_assert_eq(weft_edit_distance("abc", "ca"), 3);
}

Test(core_text, diagnostics_neutralise_control_characters)
{
	weft_diags *d;
	cr_assert_eq(weft_diags_new(&d), 0);
	weft_diags_add(d, WEFT_SEV_ERROR, "a\033b.yaml", 1, 2, "h\x07", "key '%s'", "\033[2J");
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	weft_diags_print(d, fp, false);
	fclose(fp);
	cr_assert_str_eq(text, "a\\x1bb.yaml:1:2: error: key '\\x1b[2J'\n  hint: h\\x07\n");
	free(text);
	weft_diags_free(d);
}

Test(core_text, utf8_decoding_by_hand)
{
	size_t n;
	/* code points written out from the UTF-8 tables */
	cr_assert_eq(weft_utf8_next((const unsigned char *)"A", &n), 0x41);
	cr_assert_eq(n, 1);
	cr_assert_eq(weft_utf8_next((const unsigned char *)"\xc3\xa9", &n), 0xE9); /* é */
	cr_assert_eq(n, 2);
	cr_assert_eq(weft_utf8_next((const unsigned char *)"\xe2\x82\xac", &n), 0x20AC); /* € */
	cr_assert_eq(n, 3);
	cr_assert_eq(weft_utf8_next((const unsigned char *)"\xf0\x9f\x98\x80", &n), 0x1F600);
	cr_assert_eq(n, 4);
	/* a stray continuation byte, a lead byte cut short by the NUL, a 0xFF */
	cr_assert_eq(weft_utf8_next((const unsigned char *)"\x80x", &n), 0xFFFD);
	cr_assert_eq(n, 1);
	cr_assert_eq(weft_utf8_next((const unsigned char *)"\xe2\x82", &n), 0xFFFD);
	cr_assert_eq(n, 1);
	cr_assert_eq(weft_utf8_next((const unsigned char *)"\xff", &n), 0xFFFD);
	cr_assert_eq(n, 1);
	cr_assert(weft_utf8_printable(0xE9) && weft_utf8_printable(0x1F600));
	cr_assert(!weft_utf8_printable(0x1B) && !weft_utf8_printable(0x7F) && !weft_utf8_printable(0x85));
	cr_assert(!weft_utf8_printable(0xD800) && !weft_utf8_printable(0x2028) && !weft_utf8_printable(0xFFFF));
	cr_assert_eq(weft_utf8_width("µs"), 2);
	cr_assert_eq(weft_utf8_width("a\xe2\x82\xac" "b"), 3);

	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put_printable(&b, "ok \xc3\xa9\x1b[1m\xe9\xe2\x82", '?');
	/* é kept; ESC, the lone 0xE9 and each byte of the cut sequence replaced */
	cr_assert_str_eq(b.ptr, "ok \xc3\xa9?[1m???");
	weft_buf_free(&b);
}
