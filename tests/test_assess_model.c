/* test_assess_model.c - loading maturity models: the fields of a good
 * model, defaults, lookups, and every kind of bad model reported at its
 * exact line:col (duplicate ids, missing options, wrong types, empty and
 * huge files, bad levels). Line and column numbers are counted by hand
 * from the documents below (columns are 1-based). */
#include "assess_test_util.h"

/* Lines 1-9: header and levels. */
#define HEAD                                                                                       \
	"id: m\n"                              /* 1 */                                             \
	"version: \"1\"\n"                     /* 2 */                                             \
	"title: T\n"                           /* 3 */                                             \
	"levels:\n"                            /* 4 */                                             \
	"  - {level: 1, name: L1, description: d}\n" /* 5 */                                       \
	"  - {level: 2, name: L2, description: d}\n" /* 6 */                                       \
	"  - {level: 3, name: L3, description: d}\n" /* 7 */                                       \
	"  - {level: 4, name: L4, description: d}\n" /* 8 */                                       \
	"  - {level: 5, name: L5, description: d}\n" /* 9 */

/* Lines 17-21 of a question whose options list starts on line 17. */
#define OPTIONS5                                                                                   \
	"          - {level: 1, text: o1, improve: i1}\n"                                          \
	"          - {level: 2, text: o2, improve: i2}\n"                                          \
	"          - {level: 3, text: o3, improve: i3}\n"                                          \
	"          - {level: 4, text: o4, improve: i4}\n"                                          \
	"          - {level: 5, text: o5}\n"

/* Lines 10-21: one dimension with one question. */
#define DIM                                                                                        \
	"dimensions:\n"     /* 10 */                                                               \
	"  - id: d1\n"      /* 11 */                                                               \
	"    title: D1\n"   /* 12 */                                                               \
	"    questions:\n"  /* 13 */                                                               \
	"      - id: q1\n"  /* 14 */                                                               \
	"        text: Q1\n" /* 15 */                                                              \
	"        options:\n" /* 16 */                                                              \
	OPTIONS5             /* 17-21 */

static int load(weft_assess_model **m, weft_diags **d, const char *text)
{
	weft_diags_new(d);
	return weft_assess_model_load_buffer(m, "m.yaml", text, strlen(text), *d);
}

Test(assess_model, good_model_fields_and_defaults)
{
	weft_assess_model *m = fixture_model(FIX("mini.yaml"));
	cr_assert_str_eq(m->id, "mini");
	cr_assert_str_eq(m->version, "2.1");
	cr_assert_str_eq(m->title, "Mini model");
	cr_assert_str_eq(m->levels[0].name, "Initial");
	cr_assert_str_eq(m->levels[4].name, "Optimising");
	cr_assert_eq(m->n_dims, 3);
	cr_assert_eq(m->n_questions, 6);
	cr_assert_str_eq(m->dims[0].id, "alpha");
	cr_assert_float_eq(m->dims[0].weight, 2.0, 1e-12);
	cr_assert_float_eq(m->dims[1].weight, 1.0, 1e-12); /* default */
	const weft_assess_question *a2 = weft_assess_model_question(m, "a2");
	cr_assert_not_null(a2);
	cr_assert(a2->critical);
	cr_assert_not(a2->allow_na);
	cr_assert_float_eq(a2->weight, 2.0, 1e-12);
	cr_assert_eq(a2->index, 1);
	cr_assert_eq(a2->dim, 0);
	cr_assert_str_eq(a2->options[2].text, "three");
	cr_assert_str_eq(a2->options[2].improve, "get to four");
	cr_assert_null(a2->options[4].improve); /* level 5 has no plan */
	const weft_assess_question *b2 = weft_assess_model_question(m, "b2");
	cr_assert_eq(b2->index, 4);
	cr_assert_eq(b2->dim, 1);
	cr_assert(b2->allow_na);
	cr_assert_not(b2->critical);
	cr_assert_null(weft_assess_model_question(m, "alpha")); /* a dimension */
	cr_assert_not_null(weft_assess_model_dimension(m, "alpha"));
	cr_assert_null(weft_assess_model_dimension(m, "a1"));
	cr_assert_str_eq(weft_assess_level_name(m, 3), "Defined");
	cr_assert_str_eq(weft_assess_level_name(m, 0), "not assessed");
	weft_assess_model_free(m);
	weft_assess_model_free(NULL);
}

Test(assess_model, minimal_inline_model_loads)
{
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, HEAD DIM), 0);
	cr_assert_eq(m->n_questions, 1);
	cr_assert_eq(m->dims[0].questions[0].line, 14);
	cr_assert_eq(m->dims[0].questions[0].col, 13);
	cr_assert_eq(weft_diags_count(d), 0);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_model, duplicate_ids_across_dimensions_and_questions)
{
	const char *text = HEAD DIM
		"      - id: q1\n"      /* 22: same id as line 14 */
		"        text: again\n" /* 23 */
		"        options:\n"    /* 24 */
		OPTIONS5                /* 25-29 */
		"  - id: q1\n"          /* 30: a dimension with a question's id */
		"    title: D2\n"       /* 31 */
		"    questions:\n"      /* 32 */
		"      - id: q9\n"      /* 33 */
		"        text: Q9\n"    /* 34 */
		"        options:\n"    /* 35 */
		OPTIONS5;               /* 36-40 */
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	cr_assert_null(m);
	/* "      - id: q1": the value starts at column 13; "  - id: q1" at 9 */
	assert_error_at(d, "m.yaml", 22, 13, "duplicate id 'q1'");
	assert_error_at(d, "m.yaml", 30, 9, "duplicate id 'q1'");
	const weft_diag *g = diag_at(d, "m.yaml", 22, 13, "duplicate id");
	cr_assert_str_eq(g->hint, "first defined at line 14, column 13");
	cr_assert_eq(weft_diags_errors(d), 2);
	weft_diags_free(d);
}

Test(assess_model, missing_options_field)
{
	const char *text = HEAD
		"dimensions:\n"      /* 10 */
		"  - id: d1\n"       /* 11 */
		"    title: D1\n"    /* 12 */
		"    questions:\n"   /* 13 */
		"      - id: q1\n"   /* 14: the question mapping starts at 'id', column 9 */
		"        text: Q1\n";/* 15 */
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 14, 9, "missing required field 'options'");
	weft_diags_free(d);
}

Test(assess_model, missing_option_for_a_level_and_missing_improve)
{
	const char *text = HEAD
		"dimensions:\n"           /* 10 */
		"  - id: d1\n"            /* 11 */
		"    title: D1\n"         /* 12 */
		"    questions:\n"        /* 13 */
		"      - id: q1\n"        /* 14 */
		"        text: Q1\n"      /* 15 */
		"        options:\n"      /* 16 */
		"          - {level: 1, text: o1, improve: i1}\n" /* 17: the sequence's '-' is column 11 */
		"          - {level: 2, text: o2}\n"              /* 18: no improve; mapping at col 13 */
		"          - {level: 3, text: o3, improve: i3}\n" /* 19 */
		"          - {level: 5, text: o5}\n";             /* 20: no level 4 */
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 17, 11, "question 'q1': option for level 4 is missing");
	assert_error_at(d, "m.yaml", 18, 13, "option for level 2: missing required field 'improve'");
	cr_assert_eq(weft_diags_errors(d), 2);
	weft_diags_free(d);
}

Test(assess_model, wrong_yaml_types)
{
	const char *text = HEAD
		"dimensions:\n"            /* 10 */
		"  - id: d1\n"             /* 11 */
		"    title: D1\n"          /* 12 */
		"    weight: heavy\n"      /* 13: value at column 13 */
		"    questions:\n"         /* 14 */
		"      - id: q1\n"         /* 15 */
		"        text: [Q1]\n"     /* 16: value at column 15 */
		"        critical: yes\n"  /* 17: value at column 19 */
		"        weight: 0\n"      /* 18: value at column 17 */
		"        options:\n"       /* 19 */
		OPTIONS5;                  /* 20-24 */
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 13, 13, "'weight': expected a number, got a string");
	assert_error_at(d, "m.yaml", 16, 15, "'text': expected a string, got a sequence");
	assert_error_at(d, "m.yaml", 17, 19, "'critical': expected a boolean");
	assert_error_at(d, "m.yaml", 18, 17, "'weight' must be greater than 0");
	cr_assert_eq(weft_diags_errors(d), 4);
	weft_diags_free(d);

	/* dimensions: a string instead of a sequence, at its value */
	cr_assert_eq(load(&m, &d, HEAD "dimensions: many\n"), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 10, 13, "'dimensions': expected a sequence, got a string");
	weft_diags_free(d);

	/* the whole document a sequence */
	cr_assert_eq(load(&m, &d, "- a\n- b\n"), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 1, 1, "maturity model: expected a mapping, got a sequence");
	weft_diags_free(d);
}

Test(assess_model, levels_missing_duplicate_out_of_range)
{
	const char *text =
		"id: m\n"                                     /* 1 */
		"version: \"1\"\n"                            /* 2 */
		"title: T\n"                                  /* 3 */
		"levels:\n"                                   /* 4 */
		"  - {level: 1, name: L1, description: d}\n"  /* 5 */
		"  - {level: 1, name: L1b, description: d}\n" /* 6: level value at column 13 */
		"  - {level: 7, name: L7, description: d}\n"  /* 7: column 13 */
		"  - {level: 3, name: L3, description: d}\n"  /* 8 */
		"  - {level: 4, name: L4, description: d}\n"  /* 9 */
		"  - {level: 5, name: L5, description: d}\n"  /* 10 */
		DIM; /* 11-22 */
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 6, 13, "level 1 is defined twice");
	assert_error_at(d, "m.yaml", 7, 13, "level 7 is out of range (1 to 5)");
	/* the levels sequence starts at the '-' of line 5 */
	assert_error_at(d, "m.yaml", 5, 3, "level 2 is missing");
	cr_assert_eq(weft_diags_errors(d), 3);
	weft_diags_free(d);
}

Test(assess_model, bad_ids_and_missing_fields)
{
	const char *text =
		"id: My_Model\n" /* 1: value at column 5 */
		"version: \"1\"\n"
		"levels:\n" /* 3 (title missing: reported at the root, 1:1) */
		"  - {level: 1, name: L1, description: d}\n"
		"  - {level: 2, name: L2, description: d}\n"
		"  - {level: 3, name: L3, description: d}\n"
		"  - {level: 4, name: L4, description: d}\n"
		"  - {level: 5, name: L5, description: d}\n" /* 8 */
		"dimensions:\n"       /* 9 */
		"  - id: d1\n"        /* 10 */
		"    title: D1\n"     /* 11 */
		"    questions: []\n";/* 12: empty list at column 16 */
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 1, 5, "invalid id 'My_Model'");
	assert_error_at(d, "m.yaml", 1, 1, "missing required field 'title'");
	assert_error_at(d, "m.yaml", 12, 16, "'questions' needs at least one question");
	cr_assert_eq(weft_diags_errors(d), 3);
	weft_diags_free(d);
}

Test(assess_model, unknown_fields_and_considerations_are_warnings)
{
	const char *text = HEAD
		"dimensions:\n"
		"  - id: d1\n"
		"    title: D1\n"
		"    questions:\n"
		"      - id: q1\n"          /* 14 */
		"        text: Q1\n"        /* 15 */
		"        critcal: true\n"   /* 16: typo, key at column 9 */
		"        considerations: [api-auth, api-auht]\n" /* 17: second item at column 36 */
		"        options:\n"
		OPTIONS5;
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), 0);
	cr_assert_eq(weft_diags_errors(d), 0);
	cr_assert_eq(weft_diags_count(d), 2);
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_eq(g->severity, WEFT_SEV_WARNING);
	cr_assert_eq(g->line, 16);
	cr_assert_eq(g->col, 9);
	cr_assert_str_eq(g->hint, "did you mean 'critical'?");
	g = weft_diags_get(d, 1);
	cr_assert_eq(g->line, 17);
	cr_assert_eq(g->col, 36);
	cr_assert_str_eq(g->hint, "did you mean 'api-auth'?");
	cr_assert_eq(m->dims[0].questions[0].n_considerations, 2);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_model, empty_file_is_an_error_at_1_1)
{
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, ""), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 1, 1, "the file is empty; expected a maturity model");
	weft_diags_free(d);
	cr_assert_eq(load(&m, &d, "# only a comment\n"), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 1, 1, "the file is empty");
	weft_diags_free(d);
}

Test(assess_model, huge_file_reported_where_the_limit_is_passed)
{
	/* 65546 lines of 64 bytes: byte 4 MiB is the first byte of line 65537 */
	char *text = huge_text(65546);
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 65537, 1, "larger than the limit");
	weft_diags_free(d);

	/* the same through a file */
	char *dir = temp_dir();
	char *p = path_in(dir, "huge.yaml");
	write_file(p, text);
	weft_diags_new(&d);
	cr_assert_eq(weft_assess_model_load(&m, p, d), WEFT_EINVALID);
	assert_error_at(d, p, 65537, 1, "larger than the limit");
	weft_diags_free(d);
	free(p);
	rm_rf(dir);
	free(text);
}

Test(assess_model, yaml_syntax_error_and_alias_bomb)
{
	weft_assess_model *m = NULL;
	weft_diags *d;
	/* a tab as indentation: libyaml reports it where the tab is */
	cr_assert_eq(load(&m, &d, "id: m\nlevels:\n\t- x\n"), WEFT_EINVALID);
	cr_assert_eq(weft_diags_errors(d), 1);
	cr_assert_eq(weft_diags_get(d, 0)->line, 3);
	weft_diags_free(d);

	/* a billion-laughs document stops at the node cap, not after expanding */
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++) {
		weft_buf_printf(&b, "a%d: &a%d [", i, i);
		for (int k = 0; k < 10; k++)
			weft_buf_printf(&b, "%s*a%d", k ? ", " : "", i - 1);
		weft_buf_puts(&b, "]\n");
	}
	cr_assert_eq(load(&m, &d, b.ptr), WEFT_EINVALID);
	cr_assert_not_null(strstr(weft_diags_get(d, 0)->message, "after alias expansion"));
	weft_diags_free(d);
	weft_buf_free(&b);
}

Test(assess_model, missing_file_is_an_environment_error)
{
	weft_assess_model *m = NULL;
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_assess_model_load(&m, "/nonexistent/model.yaml", d), WEFT_EENV);
	weft_diags_free(d);
}

Test(assess_model, shipped_model_is_valid_when_present)
{
	/* the shipped model must validate with no errors and no warnings */
	const char *p = WEFT_FIXTURES "/../../assess/questionnaires/ai-integration.yaml";
	cr_assert(weft_path_exists(p), "shipped model missing: %s", p);
	weft_assess_model *m = NULL;
	weft_diags *d;
	weft_diags_new(&d);
	int err = weft_assess_model_load(&m, p, d);
	char *all = diags_text(d);
	cr_assert_eq(err, 0, "%s", all);
	cr_assert_eq(weft_diags_count(d), 0, "%s", all);
	free(all);
	cr_assert_str_eq(m->id, "ai-integration");
	/* every one of the 22 considerations is covered by some question */
	static const char *const ids[] = {
		"api-availability", "api-latency-budget", "api-auth", "api-versioning",
		"batch-scheduling", "batch-freshness", "batch-storage", "embedded-updates",
		"embedded-hardware", "embedded-monitoring", "edge-fleet", "edge-hardware",
		"edge-security", "hitl-workflow", "hitl-threshold", "hitl-feedback",
		"erp-extension", "crm-consumption", "scm-mixed-patterns", "maturity-ladder",
		"design-time-integration", "cross-team-collaboration",
	};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		bool found = false;
		for (size_t q = 0; q < m->n_questions && !found; q++)
			for (size_t c = 0; c < m->questions[q]->n_considerations && !found; c++)
				found = !strcmp(m->questions[q]->considerations[c], ids[i]);
		cr_assert(found, "no question covers consideration %s", ids[i]);
	}
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_model, a_long_question_id_is_named_whole_in_level_errors)
{
	char id[101];
	memset(id, 'q', 100);
	id[100] = '\0';
	char text[2048];
	snprintf(text, sizeof text, "%s"
		 "dimensions:\n"
		 "  - id: d1\n"
		 "    title: D1\n"
		 "    questions:\n"
		 "      - id: %s\n"
		 "        text: Q1\n"
		 "        options:\n"
		 "          - {level: 1, text: o1, improve: i1}\n"
		 "          - {level: 2, text: o2, improve: i2}\n"
		 "          - {level: 3, text: o3, improve: i3}\n"
		 "          - {level: 4, text: o4, improve: i4}\n",
		 HEAD, id);
	weft_assess_model *m = NULL;
	weft_diags *d;
	cr_assert_eq(load(&m, &d, text), WEFT_EINVALID);
	/* assess_clean shows at most 80 columns of an id, then "..." */
	char want[160];
	snprintf(want, sizeof want, "question '%.80s...': option for level 5 is missing", id);
	assert_error_at(d, "m.yaml", 17, 11, want);
	weft_diags_free(d);
}

Test(assess_model, scope_coverage_and_na_fields)
{
	weft_assess_model *m = NULL;
	weft_diags *d;
	/* defaults: min_coverage 0.8, no na category, dimensions required */
	cr_assert_eq(load(&m, &d, HEAD DIM), 0);
	cr_assert_float_eq(m->min_coverage, 0.8, 1e-12);
	cr_assert_null(m->na_category);
	cr_assert_not(m->dims[0].optional);
	cr_assert_eq(strlen(m->sha256), 64);
	weft_assess_model_free(m);
	weft_diags_free(d);
	/* lines 10-11: the new top-level fields; the dimension starts at 12 */
	const char *t = HEAD "min_coverage: 0.5\n"        /* 10 */
			     "na_category: does-not-apply\n" /* 11 */
			     "dimensions:\n"              /* 12 */
			     "  - id: d1\n"               /* 13 */
			     "    title: D1\n"            /* 14 */
			     "    optional: true\n"       /* 15 */
			     "    questions:\n"           /* 16 */
			     "      - id: q1\n"           /* 17 */
			     "        text: Q1\n"         /* 18 */
			     "        allow_na: true\n"   /* 19 */
			     "        options:\n" OPTIONS5;
	cr_assert_eq(load(&m, &d, t), 0);
	cr_assert_float_eq(m->min_coverage, 0.5, 1e-12);
	cr_assert_str_eq(m->na_category, "does-not-apply");
	cr_assert(m->dims[0].optional);
	cr_assert(m->questions[0]->allow_na);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

Test(assess_model, critical_question_cannot_allow_na)
{
	weft_assess_model *m = NULL;
	weft_diags *d;
	const char *t = HEAD "dimensions:\n"              /* 10 */
			     "  - id: d1\n"               /* 11 */
			     "    title: D1\n"            /* 12 */
			     "    questions:\n"           /* 13 */
			     "      - id: q1\n"           /* 14 */
			     "        text: Q1\n"         /* 15 */
			     "        critical: true\n"   /* 16 */
			     "        allow_na: true\n"   /* 17: value at column 19 */
			     "        options:\n" OPTIONS5;
	cr_assert_eq(load(&m, &d, t), WEFT_EINVALID);
	cr_assert_null(m);
	assert_error_at(d, "m.yaml", 17, 19, "a critical question cannot allow na");
	weft_diags_free(d);
}

Test(assess_model, bad_min_coverage_and_na_category)
{
	const char *bad[] = { "0", "1.5", "-0.1", "most" };
	for (size_t i = 0; i < 4; i++) {
		char t[2048];
		/* line 10, value at column 15 */
		snprintf(t, sizeof t, "%smin_coverage: %s\n" DIM, HEAD, bad[i]);
		weft_assess_model *m = NULL;
		weft_diags *d;
		cr_assert_eq(load(&m, &d, t), WEFT_EINVALID, "%s", bad[i]);
		cr_assert_not_null(diag_at(d, "m.yaml", 10, 15, "min_coverage"), "%s", bad[i]);
		weft_diags_free(d);
	}
	weft_assess_model *m = NULL;
	weft_diags *d;
	/* line 10, value at column 14 */
	cr_assert_eq(load(&m, &d, HEAD "na_category: Does Not Apply\n" DIM), WEFT_EINVALID);
	assert_error_at(d, "m.yaml", 10, 14, "'na_category' must be a lower-case word");
	weft_diags_free(d);
	/* min_coverage 1 is allowed: everything must be answered */
	cr_assert_eq(load(&m, &d, HEAD "min_coverage: 1\n" DIM), 0);
	cr_assert_float_eq(m->min_coverage, 1.0, 1e-12);
	weft_assess_model_free(m);
	weft_diags_free(d);
}
