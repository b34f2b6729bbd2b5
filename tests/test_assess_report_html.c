/* test_assess_report_html.c - the HTML and Markdown reports of results with
 * dimensions that have no level: an out-of-scope dimension and one under
 * the minimum coverage are shown as "out of scope: <reason>" and "not
 * rated" with no level, and the radar leaves a gap for them (the points it
 * draws are recomputed here from the scores); evidence links are http(s)
 * only; the "How this was scored" section names the model digest, the
 * minimum coverage, the weights file and its changes (old -> new), scope,
 * target, respondents with file names (never folders) and digests,
 * migrations and notes, and the generator.
 *
 * The model (inline): core (required, weight 2: c1, c2 critical), edge
 * (optional: e1, e2), batch (optional: b1 weight 1, b2 weight 3). */
#include <math.h>

#include "assess_test_util.h"

static const char model_yaml[] =
	"id: tiny\nversion: \"2\"\ntitle: Tiny model\nmin_coverage: 0.8\n"
	"levels:\n"
	"  - {level: 1, name: Initial, description: d}\n"
	"  - {level: 2, name: Repeatable, description: d}\n"
	"  - {level: 3, name: Defined, description: d}\n"
	"  - {level: 4, name: Managed, description: d}\n"
	"  - {level: 5, name: Optimising, description: d}\n"
	"migrations:\n"
	"  - from: \"1\"\n    note: Question c-old became c1.\n    questions:\n      c-old: {to: c1}\n"
	"dimensions:\n"
	"  - id: core\n    title: Core\n    weight: 2\n    questions:\n"
	"      - id: c1\n        text: C1?\n        options: &o\n"
	"          - {level: 1, text: one, improve: get to two}\n"
	"          - {level: 2, text: two, improve: get to three}\n"
	"          - {level: 3, text: three, improve: get to four}\n"
	"          - {level: 4, text: four, improve: get to five}\n"
	"          - {level: 5, text: five}\n"
	"      - id: c2\n        text: C2?\n        critical: true\n        options: *o\n"
	"  - id: edge\n    title: Edge\n    optional: true\n    questions:\n"
	"      - id: e1\n        text: E1?\n        options: *o\n"
	"      - id: e2\n        text: E2?\n        options: *o\n"
	"  - id: batch\n    title: Batch\n    optional: true\n    questions:\n"
	"      - id: b1\n        text: B1?\n        options: *o\n"
	"      - id: b2\n        text: B2?\n        weight: 3\n        options: *o\n";

/* edge out of scope; batch: b1 answered (weight 1 of 4: 25% < 80%), so not
 * rated; core rated. Evidence: a https link, a javascript: one, a quote
 * trick and plain text. */
static const char answers_gaps[] =
	"model: tiny\nmodel_version: \"2\"\nunit: Ops\nrespondent: Ann\ndate: 2026-01-15\n"
	"out_of_scope:\n  edge: No edge devices here\n"
	"answers:\n"
	"  c1:\n    level: 3\n    evidence:\n"
	"      - https://example.com/run?x=1&y=2\n"
	"      - \"javascript:alert(1)\"\n"
	"      - 'https://evil.example/\"onmouseover=\"x'\n"
	"      - ticket OPS-7\n"
	"  c2: {level: 2}\n"
	"  b1: {level: 4}\n";

/* Everything answered, nothing out of scope. */
static const char answers_full[] =
	"model: tiny\nmodel_version: \"2\"\nunit: Ops\nrespondent: Ann\ndate: 2026-01-15\n"
	"answers:\n  c1: {level: 3}\n  c2: {level: 2}\n  e1: {level: 4}\n  e2: {level: 4}\n"
	"  b1: {level: 4}\n  b2: {level: 2}\n";

/* Edge out of scope, core and batch rated. */
static const char answers_one_gap[] =
	"model: tiny\nmodel_version: \"2\"\nunit: Ops\nrespondent: Ann\n"
	"out_of_scope:\n  edge: No edge devices here\n"
	"answers:\n  c1: {level: 3}\n  c2: {level: 2}\n  b1: {level: 4}\n  b2: {level: 2}\n";

static const char weights_yaml[] = "dimensions:\n  core: 3\nquestions:\n  c1: 2\n";

typedef struct {
	weft_assess_model *m;
	weft_assess_answers *a[2];
	size_t n;
	weft_assess_weights *w;
	weft_assess_result *r;
	char *html, *md;
} run;

static weft_assess_model *tiny_model(void)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_model *m = NULL;
	int err = weft_assess_model_load_buffer(&m, "/tmp/xyz/tiny.yaml", model_yaml, strlen(model_yaml), d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	weft_diags_free(d);
	return m;
}

static char *render(int (*fn)(weft_buf *, const weft_assess_result *, const weft_assess_report_opts *),
		    const weft_assess_result *r)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_report_opts o = { false, 0, "weft 9.9.9-test", "2026-12-03T12:00:00Z", NULL };
	cr_assert_eq(fn(&b, r, &o), 0);
	return weft_buf_detach(&b);
}

/* Score texts[i] (loaded under names[i]) against the tiny model. */
static run score(const char *const *names, const char *const *texts, size_t n, bool weights)
{
	run s = { 0 };
	s.m = tiny_model();
	for (size_t i = 0; i < n; i++)
		s.a[i] = buffer_answers(names[i], texts[i]);
	s.n = n;
	weft_diags *d;
	weft_diags_new(&d);
	if (weights)
		cr_assert_eq(weft_assess_weights_load_buffer(&s.w, "/tmp/xyz/w.yaml", weights_yaml,
							     strlen(weights_yaml), s.m, d),
			     0);
	weft_assess_score_opts o = { 0, s.w, 0, 0 };
	int err = weft_assess_score(&s.r, s.m, (const weft_assess_answers *const *)s.a, n, &o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	weft_diags_free(d);
	s.html = render(weft_assess_report_html, s.r);
	s.md = render(weft_assess_report_markdown, s.r);
	return s;
}

static run score1(const char *text, bool weights)
{
	const char *names[] = { "/tmp/xyz/answers.yaml" };
	return score(names, &text, 1, weights);
}

static void run_free(run *s)
{
	free(s->html);
	free(s->md);
	weft_assess_result_free(s->r);
	weft_assess_weights_free(s->w);
	for (size_t i = 0; i < s->n; i++)
		weft_assess_answers_free(s->a[i]);
	weft_assess_model_free(s->m);
}

#define has(hay, needle) cr_assert_not_null(strstr((hay), (needle)), "missing \"%s\" in:\n%s", (needle), (hay))
#define hasnt(hay, needle) cr_assert_null(strstr((hay), (needle)), "unexpected \"%s\" in:\n%s", (needle), (hay))

/* The text from the first occurrence of start up to (not including) the
 * next occurrence of end after it; freed by the caller. */
static char *between(const char *hay, const char *start, const char *end)
{
	const char *p = strstr(hay, start);
	cr_assert_not_null(p, "no \"%s\"", start);
	const char *e = strstr(p + strlen(start), end);
	cr_assert_not_null(e, "no \"%s\" after \"%s\"", end, start);
	return strndup(p, (size_t)(e - p));
}

static char *explained(const weft_assess_result *r, const weft_assess_dresult *dr)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_explain(&b, r, dr);
	return weft_buf_detach(&b);
}

/* No level (a badge, a level name or "level N") in a piece of a report. */
static void assert_no_level(const char *piece)
{
	hasnt(piece, "class=\"lv ok");
	hasnt(piece, "class=\"lv near");
	hasnt(piece, "class=\"lv low");
	static const char *const names[] = { "Initial", "Repeatable", "Defined", "Managed", "Optimising" };
	for (size_t i = 0; i < 5; i++)
		hasnt(piece, names[i]);
	hasnt(piece, "level 1");
	hasnt(piece, "level 0");
	hasnt(piece, "| 0 ");
}

/* ---- the radar's points ---- */

typedef struct {
	double x, y;
} pt;

/* The vertex of axis i of n at value v, as report_html.c draws it
 * (centre 310,215, radius 145 for level 5, the first axis at the top). */
static pt vertex(size_t i, size_t n, double v)
{
	double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;
	return (pt){ 310 + 145 * v / 5 * cos(a), 215 + 145 * v / 5 * sin(a) };
}

/* The points="..." of the first element that starts with tag (e.g.
 * "<polygon class=\"score\""), parsed; NULL with *n 0 when there is none. */
static pt *points_of(const char *html, const char *tag, size_t *n, const char **after)
{
	*n = 0;
	const char *p = strstr(after && *after ? *after : html, tag);
	if (!p)
		return NULL;
	const char *q = strstr(p, "points=\"");
	cr_assert_not_null(q);
	q += 8;
	pt *v = calloc(64, sizeof *v);
	while (*q && *q != '"') {
		char *e;
		double x = strtod(q, &e);
		cr_assert_eq(*e, ',', "bad points near %.40s", q);
		double y = strtod(e + 1, &e);
		cr_assert_lt(*n, 64);
		v[(*n)++] = (pt){ x, y };
		while (*e == ' ')
			e++;
		q = e;
	}
	if (after)
		*after = q;
	return v;
}

static void assert_pt(pt got, pt want, const char *what)
{
	cr_assert(fabs(got.x - want.x) < 0.051 && fabs(got.y - want.y) < 0.051,
		  "%s: got %.2f,%.2f, want %.2f,%.2f", what, got.x, got.y, want.x, want.y);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- tests ---- */

Test(assess_report_html, not_rated_and_out_of_scope_have_no_level)
{
	run s = score1(answers_gaps, true);
	const weft_assess_result *r = s.r;
	/* the scoring this test relies on */
	cr_assert(!r->dims[1].in_scope);
	cr_assert(r->dims[2].in_scope && !r->dims[2].rated && r->dims[2].scored);
	cr_assert(r->dims[0].rated && r->dims[0].level == 2);
	cr_assert(!r->rated);

	/* HTML: the dimension table's rows */
	char *edge = between(s.html, "<tr><td><b>Edge</b>", "</tr>");
	has(edge, "out of scope");
	has(edge, "out of scope: No edge devices here");
	assert_no_level(edge);
	has(edge, "<td class=\"n muted\">-</td>"); /* no score */
	free(edge);
	char *batch = between(s.html, "<tr><td><b>Batch</b>", "</tr>");
	has(batch, ">not rated<");
	char *why = explained(r, &r->dims[2]);
	cr_assert_str_eq(why, "not rated: 25% of its applicable weight answered, 80% needed");
	has(batch, why);
	/* scored: the score (b2 unanswered counted as 1: (4 + 3) / 4) and coverage shown */
	has(batch, "<td class=\"n\">1.75</td>");
	has(batch, "<td class=\"n\">25%</td>");
	assert_no_level(batch);
	free(batch);
	/* the bars and the radar labels */
	char *bar = between(s.html, "<div class=\"brow\"><div class=\"bname\" title=\"Batch", "</div></div>\n");
	has(bar, "not rated");
	assert_no_level(bar);
	free(bar);
	bar = between(s.html, "<div class=\"brow\"><div class=\"bname\" title=\"Edge", "</div></div>\n");
	has(bar, "out of scope");
	hasnt(bar, "class=\"fill");
	free(bar);
	char *label = between(s.html, "<title>Batch:", "</text>");
	has(label, ">not rated</tspan>");
	hasnt(label, "&#183; level");
	free(label);
	label = between(s.html, "<title>Edge:", "</text>");
	has(label, ">out of scope</tspan>");
	free(label);
	/* the answers section */
	char *h3 = between(s.html, "<h3>Batch", "</h3>");
	has(h3, "<span class=\"lv na\">not rated</span>");
	assert_no_level(h3);
	free(h3);
	h3 = between(s.html, "<h3>Edge", "</h3>");
	has(h3, "out of scope: No edge devices here");
	free(h3);
	/* the overall level */
	char *ov = explained(r, NULL);
	cr_assert_str_eq(ov, "not rated: 1 of 2 in-scope dimensions not rated (batch)");
	char *kpi = between(s.html, "<span>Overall level</span>", "</div>");
	has(kpi, "not rated");
	has(kpi, ov);
	assert_no_level(kpi);
	free(kpi);

	/* Markdown */
	char *row = between(s.md, "| Edge |", "\n");
	has(row, "| out of scope |");
	has(row, "out of scope: No edge devices here");
	assert_no_level(row);
	free(row);
	row = between(s.md, "| Batch |", "\n");
	cr_assert_str_eq(row, "| Batch | 1 | 1.75 | not rated | 25% | 62% | "
			      "not rated: 25% of its applicable weight answered, 80% needed |");
	free(row);
	row = between(s.md, "| **Overall** |", "\n");
	has(row, "not rated");
	has(row, ov);
	assert_no_level(row);
	free(row);
	has(s.md, "**Overall level: not rated: 1 of 2 in-scope dimensions not rated (batch)**");
	free(ov);
	free(why);
	run_free(&s);
}

Test(assess_report_html, radar_leaves_a_gap_for_dimensions_without_a_level)
{
	/* core alone rated: c1 3 (weight 2 after the weights file), c2 2:
	 * (6 + 2) / 3 = 8/3; no polygon, no outline, one point on the core axis */
	run s = score1(answers_gaps, true);
	cr_assert_float_eq(s.r->dims[0].score, 8.0 / 3, 1e-9);
	size_t n;
	cr_assert_null(points_of(s.html, "<polygon class=\"score\"", &n, NULL));
	cr_assert_null(points_of(s.html, "<polyline class=\"score-run\"", &n, NULL));
	cr_assert_eq(count(s.html, "<circle class=\"score-point\""), 1);
	char want[64];
	pt c = vertex(0, 3, 8.0 / 3); /* 310.0, 137.7 */
	snprintf(want, sizeof want, "cx=\"%.1f\" cy=\"%.1f\"", c.x, c.y);
	cr_assert_str_eq(want, "cx=\"310.0\" cy=\"137.7\"");
	has(s.html, want);
	/* nothing at the centre, the gaps labelled on their axes */
	hasnt(s.html, "cx=\"310.0\" cy=\"215.0\"");
	cr_assert_eq(count(s.html, "<text class=\"gap\""), 2);
	has(s.html, ">out of scope</text>");
	has(s.html, ">not rated</text>");
	/* the axes without a level are dashed */
	cr_assert_eq(count(s.html, "stroke=\"#aab0bc\" stroke-dasharray=\"3 3\"/>"), 2);
	run_free(&s);

	/* every dimension rated: one closed polygon over the three scores,
	 * core (3 + 2) / 2 = 2.5, edge 4, batch (4 + 3 * 2) / 4 = 2.5 */
	s = score1(answers_full, false);
	pt *v = points_of(s.html, "<polygon class=\"score\"", &n, NULL);
	cr_assert_eq(n, 3);
	assert_pt(v[0], (pt){ 310.0, 142.5 }, "core");   /* 215 - 145 * 2.5 / 5 */
	assert_pt(v[1], (pt){ 410.5, 273.0 }, "edge");   /* 310 + 116 cos 30°, 215 + 116 sin 30° */
	assert_pt(v[2], (pt){ 247.2, 251.3 }, "batch");  /* 310 - 72.5 cos 30°, 215 + 72.5 sin 30° */
	assert_pt(v[1], vertex(1, 3, 4), "edge (formula)");
	free(v);
	cr_assert_eq(count(s.html, "<text class=\"gap\""), 0);
	cr_assert_eq(count(s.html, "<circle class=\"score-point\""), 3);
	run_free(&s);

	/* edge out of scope: no polygon; the outline runs from batch (axis 2)
	 * round to core (axis 0), skipping edge, with no vertex at the centre */
	s = score1(answers_one_gap, false);
	cr_assert_null(points_of(s.html, "<polygon class=\"score\"", &n, NULL));
	const char *after = NULL;
	v = points_of(s.html, "<polyline class=\"score-run\"", &n, &after);
	cr_assert_eq(n, 2);
	assert_pt(v[0], (pt){ 247.2, 251.3 }, "batch");
	assert_pt(v[1], (pt){ 310.0, 142.5 }, "core");
	for (size_t i = 0; i < n; i++)
		cr_assert(fabs(v[i].x - 310) > 0.5 || fabs(v[i].y - 215) > 0.5, "a vertex at the centre");
	free(v);
	cr_assert_null(points_of(s.html, "<polyline class=\"score-run\"", &n, &after), "one run only");
	cr_assert_eq(count(s.html, "<text class=\"gap\""), 1);
	run_free(&s);
}

Test(assess_report_html, ring_numbers_sit_on_a_halo_between_axes)
{
	run s = score1(answers_full, false);
	cr_assert_eq(count(s.html, "<text class=\"ring\""), 5);
	has(s.html, ".radar .ring{");
	has(s.html, "paint-order:stroke");
	/* after the score polygon, so they are drawn over it */
	cr_assert_lt(strstr(s.html, "<polygon class=\"score\""), strstr(s.html, "<text class=\"ring\""));
	/* not on an axis: axis 0 is x = 310 */
	const char *p = strstr(s.html, "<text class=\"ring\" x=\"");
	cr_assert(fabs(strtod(p + strlen("<text class=\"ring\" x=\""), NULL) - 310) > 5);
	run_free(&s);
}

Test(assess_report_html, evidence_links_are_http_only)
{
	run s = score1(answers_gaps, false);
	has(s.html, "<a class=\"ev whole\" href=\"https://example.com/run?x=1&amp;y=2\" "
		    "rel=\"noopener noreferrer nofollow\">https://example.com/run?x=1&amp;y=2</a>");
	has(s.html, "<span class=\"ev\">javascript:alert(1)</span>");
	hasnt(s.html, "href=\"javascript");
	hasnt(s.html, "href=\"https://evil");
	has(s.html, "<span class=\"ev\">https://evil.example/&quot;onmouseover=&quot;x</span>");
	has(s.html, "<span class=\"ev\">ticket OPS-7</span>");
	cr_assert_eq(count(s.html, "<a class=\"ev"), 1);
	/* printed links show their address unless the text is the address */
	has(s.html, "a[href^=\"http\"]:not(.whole)::after{content:\" <\" attr(href) \">\"");
	run_free(&s);
}

Test(assess_report_html, provenance_in_both_formats)
{
	run s = score1(answers_gaps, true);
	char model_sha[65], answers_sha[65], weights_sha[65];
	weft_sha256_hex(model_sha, model_yaml, strlen(model_yaml));
	weft_sha256_hex(answers_sha, answers_gaps, strlen(answers_gaps));
	weft_sha256_hex(weights_sha, weights_yaml, strlen(weights_yaml));
	cr_assert_str_eq(s.m->sha256, model_sha);
	char buf[256];

	/* HTML: short digests with the full one in the tooltip */
	char *prov = between(s.html, "<h2 id=\"provenance\">How this was scored</h2>", "<footer>");
	snprintf(buf, sizeof buf, "<code class=\"sha\" title=\"sha256 %s\" data-rest=\"%s\">%.12s</code>",
		 model_sha, model_sha + 12, model_sha);
	has(prov, buf);
	snprintf(buf, sizeof buf, "<code class=\"sha\" title=\"sha256 %s\" data-rest=\"%s\">%.12s</code>",
		 answers_sha, answers_sha + 12, answers_sha);
	has(prov, buf);
	snprintf(buf, sizeof buf, "<code class=\"sha\" title=\"sha256 %s\" data-rest=\"%s\">%.12s</code>",
		 weights_sha, weights_sha + 12, weights_sha);
	has(prov, buf);
	has(prov, "<code>tiny</code> version 2 (Tiny model)");
	has(prov, "80% of a dimension's applicable weight answered to rate it (the model's own)");
	has(prov, "<code>w.yaml</code>");
	has(prov, "dimension <code>core</code>: 2 -> 3");
	has(prov, "question <code>c1</code>: 1 -> 2");
	has(prov, "<b>Edge</b> <code>edge</code>: out of scope: No edge devices here");
	has(prov, "level 2 Repeatable: one above level 1, the lowest level a dimension's score reaches "
		  "(the overall level is not rated)");
	has(prov, "<td>Ann</td><td class=\"nw\">2026-01-15</td><td><code>answers.yaml</code></td>");
	has(prov, "by weft 9.9.9-test at 2026-12-03T12:00:00Z");
	free(prov);

	/* Markdown: full digests */
	prov = between(s.md, "## How this was scored", "\n\n### Respondents");
	snprintf(buf, sizeof buf, "- **Model**: `tiny` version 2 (Tiny model), sha256 `%s`\n", model_sha);
	has(prov, buf);
	has(prov, "- **Minimum coverage**: 80% of a dimension's applicable weight answered to rate it "
		  "(the model's own)");
	snprintf(buf, sizeof buf, "- **Weights**: `w.yaml`, sha256 `%s`, which changes:\n", weights_sha);
	has(prov, buf);
	has(prov, "  - dimension `core`: 2 -> 3\n");
	has(prov, "  - question `c1`: 1 -> 2\n");
	has(prov, "  - Edge (`edge`): out of scope: No edge devices here\n");
	has(prov, "- **Target**: level 2 Repeatable, one above level 1, the lowest level a dimension's "
		  "score reaches (the overall level is not rated)\n");
	has(prov, "- **Generated**: by weft 9.9.9-test at 2026-12-03T12:00:00Z");
	free(prov);
	snprintf(buf, sizeof buf, "| Ann | 2026-01-15 | answers.yaml | `%s` | - |\n", answers_sha);
	has(s.md, buf);

	/* no folder of any file reaches either report */
	hasnt(s.html, "/tmp/");
	hasnt(s.md, "/tmp/");
	hasnt(s.html, "xyz");
	hasnt(s.md, "xyz");
	run_free(&s);

	/* without a weights file */
	s = score1(answers_full, false);
	has(s.html, "<dt>Weights</dt><dd>the model's own weights</dd>");
	has(s.html, "<dt>Scope</dt><dd>every dimension in scope</dd>");
	has(s.md, "- **Weights**: the model's own weights\n");
	has(s.md, "- **Scope**: every dimension in scope\n");
	run_free(&s);
}

Test(assess_report_html, migrated_rollup_names_versions_and_notes)
{
	const char *old =
		"model: tiny\nmodel_version: \"1\"\nunit: Ops\nrespondent: Bob\ndate: 2025-06-01\n"
		"answers:\n  c-old: {level: 4}\n  c2: {level: 3}\n  e1: {level: 2}\n  e2: {level: 2}\n"
		"  b1: {level: 3}\n  b2: {level: 3}\n";
	const char *names[] = { "/tmp/xyz/answers.yaml", "/tmp/abc/old.yaml" };
	const char *texts[] = { answers_full, old };
	run s = score(names, texts, 2, false);
	cr_assert_eq(s.r->n_sources, 2);
	cr_assert_str_eq(s.r->sources[1].migrated_from, "1");
	has(s.html, "<td>Bob</td><td class=\"nw\">2025-06-01</td><td><code>old.yaml</code></td>");
	has(s.html, "model version 1");
	has(s.md, "| Bob | 2025-06-01 | old.yaml | `");
	has(s.md, "| model version 1 |");
	/* every note, in both */
	cr_assert_geq(s.r->n_notes, 2);
	has(s.html, "<h3>Notes</h3>");
	has(s.md, "### Notes\n\n");
	for (size_t i = 0; i < s.r->n_notes; i++) {
		weft_buf b = WEFT_BUF_INIT;
		weft_buf_put_html(&b, s.r->notes[i].text);
		has(s.html, b.ptr);
		weft_buf_free(&b);
		/* Markdown escapes its specials; the notes here have none but '.' */
		has(s.md, s.r->notes[i].text);
	}
	bool spread = false;
	for (size_t i = 0; i < s.r->n_notes; i++)
		spread |= s.r->notes[i].kind == WEFT_ASSESS_NOTE_SPREAD;
	cr_assert(spread, "the dates are more than 90 days apart");
	hasnt(s.html, "/tmp/");
	hasnt(s.md, "/tmp/");
	run_free(&s);
}

Test(assess_report_html, gaps_put_what_unlocks_the_next_level_first)
{
	/* full answers: core 2.5 with critical c2 at 2 = its level: c2 holds
	 * core; target 3 (one above the overall level 2) */
	run s = score1(answers_full, false);
	cr_assert(s.r->rated);
	cr_assert_eq(s.r->target, 3);
	cr_assert(s.r->n_gaps >= 2);
	cr_assert_str_eq(s.r->gaps[0].q->q->id, "c2");
	cr_assert(s.r->gaps[0].q->holds_level);
	char *first = between(s.html, "<tr class=\"unlocks\"><td class=\"n\">1</td>", "</tr>");
	has(first, "<code>c2</code><span class=\"crit\">critical</span>"
		   "<span class=\"unlock\">unlocks next level</span>");
	free(first);
	cr_assert_eq(count(s.html, "<tr class=\"unlocks\">"), 1);
	has(s.md, "| 1 | `c2` (critical, **unlocks next level**): C2? | Core | 2 → 3 |");
	cr_assert_eq(count(s.md, "unlocks next level**"), 1);
	/* the dimensions at the overall level are highlighted */
	has(s.html, "<tr class=\"holds\"><td><b>Core</b>");
	has(s.html, "<span class=\"tag\">holds the overall level</span>");
	has(s.md, "| **Core** (holds the overall level) |");
	run_free(&s);
}

Test(assess_report_html, print_styles)
{
	run s = score1(answers_gaps, false);
	char *print = between(s.html, "@media print{", "</style>");
	has(print, "h1,h2,h3{break-after:avoid;page-break-after:avoid}");
	has(print, ".card,.kpi,.radar,.brow,tr,dl.prov,li{break-inside:avoid;"
		   "page-break-inside:avoid}");
	has(print, "background:#fff!important");
	has(print, "attr(href)");
	free(print);
	/* self-contained: no script, no external assets */
	hasnt(s.html, "<script");
	hasnt(s.html, "src=");
	hasnt(s.html, "url(");
	hasnt(s.html, "<link");
	run_free(&s);
}
