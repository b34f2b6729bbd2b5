/* test_assess_diff.c - what moved between two assessments of the mini
 * model: per dimension and per question, up, down, newly answered and
 * changed, in text and JSON. Old: fixture mini-a.yaml; new: below.
 *
 * By hand: old alpha = (4 + 2*2)/3 = 8/3 (level 2), beta = 15/4 (3), overall
 * level 2, score 109/36. New alpha = (5 + 2*3 + 2)/4 = 13/4 (level 3), beta =
 * (2 + 3*4)/4 = 7/2 (level 3, score down), overall level 3, score
 * (2*13/4 + 7/2)/3 = 10/3; the score moved by 10/3 - 109/36 = 11/36. */
#include <cjson/cJSON.h>

#include "assess_test_util.h"

static const char new_text[] = "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nrespondent: Ann\ndate: 2026-07-01\n"
			       "answers:\n  a1: {level: 5}\n  a2: {level: 3}\n  a3: {level: 2}\n"
			       "  b1: {level: 2}\n  b2: {level: 4}\n";

typedef struct {
	weft_assess_model *m;
	weft_assess_answers *a[2];
	weft_assess_result *r[2];
} pair;

static pair make(void)
{
	pair p = { 0 };
	p.m = fixture_model(FIX("mini.yaml"));
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_assess_answers_load(&p.a[0], FIX("mini-a.yaml"), d), 0);
	p.a[1] = buffer_answers("new.yaml", new_text);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(weft_assess_score(&p.r[i], p.m, (const weft_assess_answers *const *)&p.a[i], 1, NULL, d), 0);
	weft_diags_free(d);
	return p;
}

static void pair_free(pair *p)
{
	for (int i = 0; i < 2; i++) {
		weft_assess_result_free(p->r[i]);
		weft_assess_answers_free(p->a[i]);
	}
	weft_assess_model_free(p->m);
}

Test(assess_diff, text)
{
	pair p = make();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_diff_text(&b, p.r[0], p.r[1], false), 0);
	const char *t = b.ptr;
	cr_assert_not_null(strstr(t, "Old: Unit A (Ann 2026-01-15)\nNew: Unit A (Ann 2026-07-01)\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Overall                         2 -> 3 (+1)    3.03 -> 3.33 (+0.31)\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Alpha                           2 -> 3 (+1)    2.67 -> 3.25 (+0.58)\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Beta                            3 -> 3         3.75 -> 3.50 (-0.25)\n"), "%s", t);
	cr_assert_not_null(strstr(t, "Gamma                           - -> -         - -> -\n"), "%s", t);
	cr_assert_not_null(strstr(t, "2 up, 1 down, 1 newly answered, 0 no longer answered, 1 otherwise changed, "
				     "1 the same"), "%s", t);
	cr_assert_not_null(strstr(t, "  a1                            Alpha                       4 -> 5  up 1\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  a3                            Alpha                       na -> 2  added\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  b1                            Beta                        3 -> 2  down 1\n"), "%s", t);
	cr_assert_not_null(strstr(t, "  g1                            Gamma                       na -> -  changed\n"), "%s", t);
	cr_assert_null(strstr(t, "  b2 "), "unchanged questions are not listed");
	cr_assert_null(strchr(t, '\033'));
	weft_buf_free(&b);
	pair_free(&p);
}

Test(assess_diff, json)
{
	pair p = make();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_diff_json(&b, p.r[0], p.r[1]), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "format")->valuestring, "weft-assess-diff");
	const cJSON *ov = cJSON_GetObjectItem(j, "overall");
	cr_assert_eq(cJSON_GetObjectItem(ov, "level_delta")->valueint, 1);
	/* 11/36 = 0.30555... */
	cr_assert_float_eq(cJSON_GetObjectItem(ov, "score_delta")->valuedouble, 0.3056, 1e-12);
	const cJSON *dims = cJSON_GetObjectItem(j, "dimensions");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(dims, 0), "change")->valuestring, "up");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(dims, 1), "change")->valuestring, "down");
	cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(dims, 1), "score_delta")->valuedouble, -0.25, 1e-12);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(dims, 2), "change")->valuestring, "same");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(dims, 2), "level_delta")));
	const cJSON *qs = cJSON_GetObjectItem(j, "questions");
	cr_assert_eq(cJSON_GetArraySize(qs), 6);
	const cJSON *a3 = cJSON_GetArrayItem(qs, 2);
	cr_assert_str_eq(cJSON_GetObjectItem(a3, "id")->valuestring, "a3");
	cr_assert_str_eq(cJSON_GetObjectItem(a3, "change")->valuestring, "added");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(a3, "delta")));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(a3, "old"), "status")->valuestring, "na");
	const cJSON *b1 = cJSON_GetArrayItem(qs, 3);
	cr_assert_eq(cJSON_GetObjectItem(b1, "delta")->valueint, -1);
	cr_assert_str_eq(cJSON_GetObjectItem(b1, "change")->valuestring, "down");
	cJSON_Delete(j);
	weft_buf_free(&b);
	pair_free(&p);
}

Test(assess_diff, identical_assessments_move_nothing)
{
	pair p = make();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_diff_text(&b, p.r[1], p.r[1], false), 0);
	cr_assert_not_null(strstr(b.ptr, "0 up, 0 down, 0 newly answered, 0 no longer answered, 0 otherwise "
					 "changed, 6 the same\n"), "%s", b.ptr);
	weft_buf_free(&b);
	pair_free(&p);
}
