/* test_csvin.c - the CSV reader: RFC 4180 quoting, line endings, and
 * malformed input reported at the right line and column. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "csvin.h"

static csv_reader *r;
static char err[512];

static void open_text(const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "rb");
	cr_assert(f);
	cr_assert_eq(csv_open_stream(&r, f, "in.csv", err, sizeof err), 0);
}

static void teardown(void)
{
	csv_close(r);
	r = NULL;
}

TestSuite(csv, .fini = teardown);

Test(csv, fields_and_positions)
{
	const char *t = "id,a,b\r\n\nk1,1.5,\"x, \"\"y\"\"\"\n\"multi\nline\",2,3";
	open_text(t, strlen(t));
	const csv_field *f;
	size_t n;
	cr_assert_eq(csv_next(r, &f, &n, err, sizeof err), 1);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(f[2].text, "b"); /* CRLF stripped */
	cr_assert_eq(csv_next(r, &f, &n, err, sizeof err), 1, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert_eq(csv_record_line(r), 3); /* the empty line 2 was skipped */
	cr_assert_str_eq(f[0].text, "k1");
	cr_assert_str_eq(f[1].text, "1.5");
	cr_assert_eq(f[1].col, 4);
	cr_assert_str_eq(f[2].text, "x, \"y\"");
	cr_assert_eq(f[2].line, 3);
	cr_assert_eq(f[2].col, 8);
	cr_assert_eq(csv_next(r, &f, &n, err, sizeof err), 1, "%s", err);
	cr_assert_str_eq(f[0].text, "multi\nline");
	cr_assert_eq(f[1].line, 5); /* the record started on line 4 */
	cr_assert_eq(f[1].col, 7);
	cr_assert_str_eq(f[2].text, "3"); /* no newline at the end */
	cr_assert_eq(csv_next(r, &f, &n, err, sizeof err), 0);
}

Test(csv, byte_order_mark_and_empty_fields)
{
	const char *t = "\xEF\xBB\xBFid,a\n,\n";
	open_text(t, strlen(t));
	const csv_field *f;
	size_t n;
	cr_assert_eq(csv_next(r, &f, &n, err, sizeof err), 1);
	cr_assert_str_eq(f[0].text, "id");
	cr_assert_eq(f[0].col, 1);
	cr_assert_eq(csv_next(r, &f, &n, err, sizeof err), 1);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(f[0].text, "");
	cr_assert_str_eq(f[1].text, "");
}

static void expect_error(const char *t, size_t len, const char *msg)
{
	open_text(t, len);
	const csv_field *f;
	size_t n;
	int rc;
	while ((rc = csv_next(r, &f, &n, err, sizeof err)) == 1)
		;
	cr_assert_eq(rc, -1, "no error for %s", t);
	cr_assert(strstr(err, msg), "expected '%s', got '%s'", msg, err);
	csv_close(r);
	r = NULL;
}

Test(csv, malformed_input_is_located)
{
	expect_error("a,b\n\"open,1\n", 12, "in.csv:2:1: quoted field is never closed");
	expect_error("a,b\nx\"y,1\n", 10, "in.csv:2:2: quote inside an unquoted field");
	expect_error("a,b\n\"x\"y,1\n", 11, "in.csv:2:4: unexpected character after a closing quote");
	expect_error("a,b\nx,\0\n", 8, "in.csv:2:3: NUL byte");
	expect_error("a,b\nx\ry,1\n", 10, "in.csv:2:2: carriage return inside a field");
}

Test(csv, too_many_fields)
{
	static char t[CSV_MAX_FIELDS * 2 + 8];
	size_t k = 0;
	for (int i = 0; i <= CSV_MAX_FIELDS; i++) {
		t[k++] = 'x';
		t[k++] = i < CSV_MAX_FIELDS ? ',' : '\n';
	}
	expect_error(t, k, "more than 4096 fields");
}
