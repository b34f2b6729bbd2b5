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

/* Strict decoding: the boundaries of Unicode table 3-7. */
Test(core_text, utf8_decode_is_strict)
{
	unsigned long cp;
	cr_assert_eq(weft_utf8_decode(&cp, "A", 1), 1);
	cr_assert_eq(cp, 0x41);
	cr_assert_eq(weft_utf8_decode(&cp, "", 1), 1); /* the NUL is a character here */
	cr_assert_eq(cp, 0);
	cr_assert_eq(weft_utf8_decode(&cp, "x", 0), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xc2\x80", 2), 2); /* U+0080, the first 2-byte */
	cr_assert_eq(cp, 0x80);
	cr_assert_eq(weft_utf8_decode(&cp, "\xe0\xa0\x80", 3), 3); /* U+0800 */
	cr_assert_eq(cp, 0x800);
	cr_assert_eq(weft_utf8_decode(&cp, "\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
	cr_assert_eq(cp, 0x10FFFF);
	/* overlong forms, a surrogate, past U+10FFFF, F5.., a stray continuation */
	cr_assert_eq(weft_utf8_decode(&cp, "\xc0\xaf", 2), 0);
	cr_assert_eq(cp, 0xFFFD);
	cr_assert_eq(weft_utf8_decode(&cp, "\xc1\xbf", 2), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xe0\x9f\xbf", 3), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xed\xa0\x80", 3), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xf0\x8f\xbf\xbf", 4), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xf4\x90\x80\x80", 4), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xf5\x80\x80\x80", 4), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\x80", 1), 0);
	/* cut short: by len, or by a byte that is not a continuation */
	cr_assert_eq(weft_utf8_decode(&cp, "\xe2\x82\xac", 2), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xe2\x82x", 3), 0);
	cr_assert_eq(weft_utf8_decode(&cp, "\xe2\x82\xac", 3), 3); /* U+20AC EURO SIGN */
	cr_assert_eq(cp, 0x20AC);
}

/* Columns of single code points, from UnicodeData.txt (General_Category) and
 * EastAsianWidth.txt. */
Test(core_text, code_point_columns)
{
	cr_assert_eq(weft_utf8_cp_cols(0x41), 1);     /* A */
	cr_assert_eq(weft_utf8_cp_cols(0xE9), 1);     /* é, precomposed */
	cr_assert_eq(weft_utf8_cp_cols(0xAD), 1);     /* SOFT HYPHEN: Cf, but shown */
	cr_assert_eq(weft_utf8_cp_cols(0x00), 0);     /* controls do not print */
	cr_assert_eq(weft_utf8_cp_cols(0x09), 0);
	cr_assert_eq(weft_utf8_cp_cols(0x7F), 0);
	cr_assert_eq(weft_utf8_cp_cols(0x9B), 0);     /* C1 CSI */
	cr_assert_eq(weft_utf8_cp_cols(0x2028), 0);   /* LINE SEPARATOR */
	cr_assert_eq(weft_utf8_cp_cols(0x301), 0);    /* COMBINING ACUTE ACCENT, Mn */
	cr_assert_eq(weft_utf8_cp_cols(0x20DD), 0);   /* COMBINING ENCLOSING CIRCLE, Me */
	cr_assert_eq(weft_utf8_cp_cols(0x200B), 0);   /* ZERO WIDTH SPACE */
	cr_assert_eq(weft_utf8_cp_cols(0x200D), 0);   /* ZERO WIDTH JOINER */
	cr_assert_eq(weft_utf8_cp_cols(0x200F), 0);   /* RIGHT-TO-LEFT MARK */
	cr_assert_eq(weft_utf8_cp_cols(0xFEFF), 0);   /* ZERO WIDTH NO-BREAK SPACE */
	cr_assert_eq(weft_utf8_cp_cols(0xFE0F), 0);   /* VARIATION SELECTOR-16 */
	cr_assert_eq(weft_utf8_cp_cols(0xE0100), 0);  /* VARIATION SELECTOR-17 */
	cr_assert_eq(weft_utf8_cp_cols(0x1160), 0);   /* HANGUL JUNGSEONG FILLER */
	cr_assert_eq(weft_utf8_cp_cols(0x1100), 2);   /* HANGUL CHOSEONG KIYEOK, W */
	cr_assert_eq(weft_utf8_cp_cols(0xAC00), 2);   /* HANGUL SYLLABLE GA */
	cr_assert_eq(weft_utf8_cp_cols(0xD7A3), 2);   /* the last syllable */
	cr_assert_eq(weft_utf8_cp_cols(0xD7A4), 1);
	cr_assert_eq(weft_utf8_cp_cols(0x2E80), 2);   /* CJK RADICAL REPEAT */
	cr_assert_eq(weft_utf8_cp_cols(0x3000), 2);   /* IDEOGRAPHIC SPACE, F */
	cr_assert_eq(weft_utf8_cp_cols(0x3099), 0);   /* COMBINING KATAKANA-HIRAGANA VOICED SOUND MARK: Mn in a W block */
	cr_assert_eq(weft_utf8_cp_cols(0x4E00), 2);   /* CJK UNIFIED IDEOGRAPH-4E00 */
	cr_assert_eq(weft_utf8_cp_cols(0xA4C6), 2);   /* YI RADICAL KE, the last of Yi */
	cr_assert_eq(weft_utf8_cp_cols(0xF900), 2);   /* CJK COMPATIBILITY IDEOGRAPH */
	cr_assert_eq(weft_utf8_cp_cols(0xFE30), 2);   /* PRESENTATION FORM FOR VERTICAL TWO DOT LEADER */
	cr_assert_eq(weft_utf8_cp_cols(0xFF01), 2);   /* FULLWIDTH EXCLAMATION MARK */
	cr_assert_eq(weft_utf8_cp_cols(0xFF60), 2);   /* FULLWIDTH RIGHT WHITE PARENTHESIS */
	cr_assert_eq(weft_utf8_cp_cols(0xFF61), 1);   /* HALFWIDTH IDEOGRAPHIC FULL STOP, H */
	cr_assert_eq(weft_utf8_cp_cols(0xFFE6), 2);   /* FULLWIDTH WON SIGN */
	cr_assert_eq(weft_utf8_cp_cols(0xFFE8), 1);   /* HALFWIDTH FORMS LIGHT VERTICAL, H */
	cr_assert_eq(weft_utf8_cp_cols(0x1F300), 2);  /* CYCLONE */
	cr_assert_eq(weft_utf8_cp_cols(0x1F321), 1);  /* THERMOMETER: N, text presentation */
	cr_assert_eq(weft_utf8_cp_cols(0x1F600), 2);  /* GRINNING FACE */
	cr_assert_eq(weft_utf8_cp_cols(0x1F64F), 2);  /* PERSON WITH FOLDED HANDS */
	cr_assert_eq(weft_utf8_cp_cols(0x1F916), 2);  /* ROBOT FACE */
	cr_assert_eq(weft_utf8_cp_cols(0x1F1E6), 1);  /* REGIONAL INDICATOR A: N; a flag is two */
	cr_assert_eq(weft_utf8_cp_cols(0x2615), 2);   /* HOT BEVERAGE, W */
	cr_assert_eq(weft_utf8_cp_cols(0x2764), 1);   /* HEAVY BLACK HEART, N */
	cr_assert_eq(weft_utf8_cp_cols(0x20000), 2);  /* CJK Extension B */
	cr_assert_eq(weft_utf8_cp_cols(0x2FFFD), 2);  /* unassigned, wide by default */
	cr_assert_eq(weft_utf8_cp_cols(0x3FFFD), 2);
	cr_assert_eq(weft_utf8_cp_cols(0x3FFFE), 1);
	cr_assert_eq(weft_utf8_cp_cols(0x10FFFF), 1);
}

Test(core_text, string_columns)
{
	/* ASCII: a column a byte */
	cr_assert_eq(weft_utf8_cols("hello world", 11), 11);
	cr_assert_eq(weft_utf8_cols("", 0), 0);
	cr_assert_eq(weft_utf8_cols(NULL, 0), 0);
	/* é precomposed (C3 A9) and as e + U+0301 (65 CC 81): one column either way */
	cr_assert_eq(weft_utf8_cols("\xc3\xa9", 2), 1);
	cr_assert_eq(weft_utf8_cols("e\xcc\x81", 3), 1);
	cr_assert_eq(weft_utf8_width("cafe\xcc\x81s"), 5);
	/* CJK and Hangul: two each */
	cr_assert_eq(weft_utf8_width("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 6); /* 日本語 */
	cr_assert_eq(weft_utf8_width("\xed\x95\x9c\xea\xb8\x80"), 4);                /* 한글 */
	cr_assert_eq(weft_utf8_width("\xef\xbc\xa1" "B"), 3);                          /* fullwidth A, then B */
	cr_assert_eq(weft_utf8_width("\xef\xbd\xb1"), 1);                              /* halfwidth katakana A */
	/* emoji: two; a variation selector and a zero-width space add nothing */
	cr_assert_eq(weft_utf8_width("ok \xf0\x9f\x98\x80"), 5);             /* ok 😀 */
	cr_assert_eq(weft_utf8_width("\xe2\x9d\xa4\xef\xb8\x8f"), 1);         /* U+2764 U+FE0F */
	cr_assert_eq(weft_utf8_width("a\xe2\x80\x8b" "b"), 2);               /* a ZWSP b */
	/* invalid bytes: one column each, as U+FFFD */
	cr_assert_eq(weft_utf8_width("caf\xe9"), 4); /* Latin-1 é */
	cr_assert_eq(weft_utf8_width("\xff\xfe"), 2);
	cr_assert_eq(weft_utf8_width("\x80"), 1);
	cr_assert_eq(weft_utf8_width("\xc0\xaf"), 2);     /* overlong '/' */
	cr_assert_eq(weft_utf8_width("\xed\xa0\x80"), 3); /* a surrogate */
	cr_assert_eq(weft_utf8_width("\xe2\x82" "x"), 3); /* a sequence cut short, then x */
	/* len limits: only len bytes are read; a sequence len cuts is invalid */
	const char *nihon = "\xe6\x97\xa5\xe6\x9c\xac"; /* 日本 */
	cr_assert_eq(weft_utf8_cols(nihon, 0), 0);
	cr_assert_eq(weft_utf8_cols(nihon, 3), 2);
	cr_assert_eq(weft_utf8_cols(nihon, 4), 3);
	cr_assert_eq(weft_utf8_cols(nihon, 5), 4);
	cr_assert_eq(weft_utf8_cols(nihon, 6), 4);
	cr_assert_eq(weft_utf8_cols("hello", 3), 3);
	/* a NUL inside len is a control (0), not the end */
	cr_assert_eq(weft_utf8_cols("a\0b", 3), 2);
	cr_assert_eq(weft_utf8_width("a\tb"), 2);
	/* the old cases still hold */
	cr_assert_eq(weft_utf8_width("\xc2\xb5s"), 2);
	cr_assert_eq(weft_utf8_width(NULL), 0);
}

Test(core_text, fit_never_splits_a_character)
{
	const char *s = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"; /* 日本語, 6 columns */
	size_t used;
	cr_assert_eq(weft_utf8_fit(&used, s, 9, 6), 9);
	cr_assert_eq(used, 6);
	cr_assert_eq(weft_utf8_fit(&used, s, 9, 5), 6); /* 語 would straddle column 5 */
	cr_assert_eq(used, 4);
	cr_assert_eq(weft_utf8_fit(&used, s, 9, 1), 0);
	cr_assert_eq(used, 0);
	/* a combining mark stays with its base */
	cr_assert_eq(weft_utf8_fit(&used, "e\xcc\x81x", 4, 1), 3);
	cr_assert_eq(used, 1);
	/* an emoji is not cut in the middle of its four bytes */
	cr_assert_eq(weft_utf8_fit(&used, "ab\xf0\x9f\x98\x80", 6, 3), 2);
	cr_assert_eq(used, 2);
	cr_assert_eq(weft_utf8_fit(&used, "ab\xf0\x9f\x98\x80", 6, 4), 6);
	cr_assert_eq(used, 4);
	/* invalid bytes go one at a time */
	cr_assert_eq(weft_utf8_fit(&used, "\xff\xfe\xfd", 3, 2), 2);
	cr_assert_eq(used, 2);
	cr_assert_eq(weft_utf8_fit(NULL, "abc", 3, 0), 0);
	cr_assert_eq(weft_utf8_fit(NULL, "abc", 2, 10), 2);
}
