/* evidence_report.c - what `weft assess evidence` found, as text, JSON,
 * Markdown and SARIF 2.1.0.
 *
 * Design choice: every format says "found" and "not found" per rule and
 * "the evidence supports level L", never that a unit is at a level: a file
 * that exists is a reason to believe an answer, not a rating. Conflicts are
 * the only findings; in SARIF, found evidence is a "pass" note (so a code-
 * scanning UI can show what backs an answer) and a conflict a warning.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

#define EVIDENCE_FORMAT_VERSION 1
#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *rule_kind_name(weft_assess_rule_kind k)
{
	switch (k) {
	case WEFT_ASSESS_RULE_FILE: return "file";
	case WEFT_ASSESS_RULE_CONTAINS: return "contains";
	case WEFT_ASSESS_RULE_KEY: return "key";
	case WEFT_ASSESS_RULE_CI: return "ci";
	case WEFT_ASSESS_RULE_OPENAPI: return "openapi";
	case WEFT_ASSESS_RULE_TEST: return "test";
	}
	return "?";
}

static const char *conflict_name(weft_assess_conflict_kind k)
{
	return k == WEFT_ASSESS_CONFLICT_OVER ? "over" : k == WEFT_ASSESS_CONFLICT_UNDER ? "under" : "none";
}

static const char *dim_title(const weft_assess_evidence *e, const weft_assess_evidence_q *eq)
{
	return e->model->dims[eq->q->dim].title;
}

static size_t rules_found(const weft_assess_evidence_q *eq)
{
	size_t n = 0;
	for (size_t i = 0; i < eq->n_rules; i++)
		n += eq->rules[i].n_hits > 0;
	return n;
}

/* "path:line" (or "path"), then " (via ci.yml:12)". */
static void put_hit(weft_buf *b, const weft_assess_evidence_hit *h, bool printable)
{
	if (printable)
		weft_buf_put_printable(b, h->path, '?');
	else
		weft_buf_puts(b, h->path);
	if (h->line)
		weft_buf_printf(b, ":%d", h->line);
	if (h->via) {
		weft_buf_puts(b, " (run by ");
		if (printable)
			weft_buf_put_printable(b, h->via, '?');
		else
			weft_buf_puts(b, h->via);
		weft_buf_printf(b, ":%d)", h->via_line);
	}
}

static void put_answer(weft_buf *b, const weft_assess_evidence_q *eq)
{
	if (eq->out_of_scope)
		weft_buf_puts(b, "out of scope");
	else if (eq->answer_status == WEFT_ASSESS_NA)
		weft_buf_puts(b, "na");
	else if (eq->answer_status == WEFT_ASSESS_ANSWERED)
		weft_buf_printf(b, "%d", eq->answer_level);
	else
		weft_buf_puts(b, "unanswered");
}

/* ---- text ------------------------------------------------------------------------------ */

static void text_header(weft_buf *b, const weft_assess_evidence *e)
{
	weft_buf_puts(b, "Evidence in ");
	weft_buf_put_printable(b, e->root, '?');
	weft_buf_printf(b, " (%s%zu files) for %s %s\n", e->git ? "git repository, " : "", e->n_files, e->model->id,
			e->model->version);
	if (e->answers) {
		weft_buf_puts(b, "Answers: ");
		weft_buf_put_printable(b, e->answers->path ? e->answers->path : "(answers)", '?');
		weft_buf_puts(b, " (unit ");
		weft_buf_put_printable(b, e->answers->unit ? e->answers->unit : "?", '?');
		weft_buf_puts(b, ")\n");
	}
	weft_buf_puts(b, "\n");
}

static void text_question(weft_buf *b, const weft_assess_evidence *e, const weft_assess_evidence_q *eq)
{
	weft_buf_printf(b, "%s  %s: ", eq->q->id, dim_title(e, eq));
	if (eq->supports_level)
		weft_buf_printf(b, "evidence supports level %d", eq->supports_level);
	else
		weft_buf_puts(b, "no level supported");
	if (e->answers) {
		weft_buf_puts(b, "; answered ");
		put_answer(b, eq);
	}
	weft_buf_puts(b, "\n");
	for (size_t i = 0; i < eq->n_rules; i++) {
		const weft_assess_evidence_rule *er = &eq->rules[i];
		weft_buf_printf(b, "  L%d %-9s %s", er->level, er->n_hits ? "found" : "not found", er->rule->text);
		if (er->n_hits) {
			weft_buf_puts(b, ": ");
			put_hit(b, &er->hits[0], true);
		}
		if (er->n_hits > 1)
			weft_buf_printf(b, " (+%zu%s more)", er->n_hits - 1,
					er->n_hits == WEFT_ASSESS_EVIDENCE_MAX_HITS ? " or" : "");
		weft_buf_puts(b, "\n");
	}
	if (eq->conflict)
		weft_buf_printf(b, "  conflict: %s\n", eq->conflict_text);
}

int weft_assess_evidence_text(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o)
{
	(void)o;
	text_header(out, e);
	size_t nothing = 0;
	for (size_t i = 0; i < e->n_qs; i++) {
		if (!rules_found(&e->qs[i]) && !e->qs[i].conflict) {
			nothing++;
			continue;
		}
		text_question(out, e, &e->qs[i]);
		weft_buf_puts(out, "\n");
	}
	if (nothing) {
		weft_buf b = WEFT_BUF_INIT;
		for (size_t i = 0, k = 0; i < e->n_qs; i++)
			if (!rules_found(&e->qs[i]) && !e->qs[i].conflict)
				weft_buf_printf(&b, "%s%s", k++ ? ", " : "", e->qs[i].q->id);
		assess_wrap(out, b.ptr ? b.ptr : "", 78, "Nothing found for: ", "  ");
		weft_buf_free(&b);
		weft_buf_puts(out, "\n");
	}
	weft_buf_printf(out, "Evidence found for %zu of %zu questions with rules", e->n_found, e->n_qs);
	if (e->answers)
		weft_buf_printf(out, "; %zu conflict%s with the answers", e->n_conflicts, e->n_conflicts == 1 ? "" : "s");
	weft_buf_puts(out, ".\nEvidence supports an answer; it does not rate one.\n");
	return out->oom ? WEFT_ENOMEM : 0;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static cJSON *hit_json(assess_jguard *g, const weft_assess_evidence_hit *h, const char *rule)
{
	cJSON *j = cJSON_CreateObject();
	if (rule)
		assess_jadd(g, j, "rule", cJSON_CreateString(rule));
	assess_jadd(g, j, "path", cJSON_CreateString(h->path));
	assess_jadd(g, j, "line", h->line ? cJSON_CreateNumber(h->line) : cJSON_CreateNull());
	if (h->via) {
		cJSON *v = cJSON_CreateObject();
		assess_jadd(g, v, "path", cJSON_CreateString(h->via));
		assess_jadd(g, v, "line", cJSON_CreateNumber(h->via_line));
		assess_jadd(g, j, "via", v);
	}
	return j;
}

static cJSON *answer_json(assess_jguard *g, const weft_assess_evidence_q *eq)
{
	cJSON *a = cJSON_CreateObject();
	const char *st = eq->out_of_scope ? "out_of_scope" : eq->answer_status == WEFT_ASSESS_NA ? "na"
						: eq->answer_status == WEFT_ASSESS_ANSWERED ? "answered" : "unanswered";
	assess_jadd(g, a, "status", cJSON_CreateString(st));
	assess_jadd(g, a, "level", eq->answer_status == WEFT_ASSESS_ANSWERED && !eq->out_of_scope
					   ? cJSON_CreateNumber(eq->answer_level) : cJSON_CreateNull());
	assess_jadd(g, a, "line", eq->answer_line ? cJSON_CreateNumber(eq->answer_line) : cJSON_CreateNull());
	return a;
}

static cJSON *question_json(assess_jguard *g, const weft_assess_evidence *e, const weft_assess_evidence_q *eq)
{
	cJSON *j = cJSON_CreateObject(), *rules = cJSON_CreateArray(), *ev = cJSON_CreateArray();
	assess_jadd(g, j, "id", cJSON_CreateString(eq->q->id));
	assess_jadd(g, j, "dimension", cJSON_CreateString(e->model->dims[eq->q->dim].id));
	assess_jadd(g, j, "supports_level", eq->supports_level ? cJSON_CreateNumber(eq->supports_level) : cJSON_CreateNull());
	for (size_t i = 0; i < eq->n_rules; i++) {
		const weft_assess_evidence_rule *er = &eq->rules[i];
		cJSON *r = cJSON_CreateObject(), *hits = cJSON_CreateArray();
		assess_jadd(g, r, "id", cJSON_CreateString(er->rule->id));
		assess_jadd(g, r, "level", cJSON_CreateNumber(er->level));
		assess_jadd(g, r, "kind", cJSON_CreateString(rule_kind_name(er->rule->kind)));
		assess_jadd(g, r, "text", cJSON_CreateString(er->rule->text));
		assess_jadd(g, r, "found", cJSON_CreateBool(er->n_hits > 0));
		for (size_t k = 0; k < er->n_hits; k++) {
			assess_jpush(g, hits, hit_json(g, &er->hits[k], NULL));
			assess_jpush(g, ev, hit_json(g, &er->hits[k], er->rule->id));
		}
		assess_jadd(g, r, "hits", hits);
		assess_jpush(g, rules, r);
	}
	assess_jadd(g, j, "rules", rules);
	assess_jadd(g, j, "evidence", ev);
	assess_jadd(g, j, "answer", e->answers ? answer_json(g, eq) : cJSON_CreateNull());
	if (eq->conflict) {
		cJSON *c = cJSON_CreateObject();
		assess_jadd(g, c, "kind", cJSON_CreateString(conflict_name(eq->conflict)));
		assess_jadd(g, c, "level", cJSON_CreateNumber(eq->conflict_level));
		assess_jadd(g, c, "text", cJSON_CreateString(eq->conflict_text));
		assess_jadd(g, j, "conflict", c);
	} else {
		assess_jadd(g, j, "conflict", cJSON_CreateNull());
	}
	return j;
}

int weft_assess_evidence_json(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o)
{
	assess_jguard g = { false };
	cJSON *root = cJSON_CreateObject(), *model = cJSON_CreateObject(), *qs = cJSON_CreateArray(),
	      *sum = cJSON_CreateObject();
	assess_jadd(&g, root, "format", cJSON_CreateString("weft-assess-evidence"));
	assess_jadd(&g, root, "format_version", cJSON_CreateNumber(EVIDENCE_FORMAT_VERSION));
	assess_jadd(&g, root, "generator", assess_json_str_or_null(o ? o->generator : NULL));
	assess_jadd(&g, root, "generated_at", assess_json_str_or_null(o ? o->generated_at : NULL));
	assess_jadd(&g, root, "root", cJSON_CreateString(e->root));
	assess_jadd(&g, root, "git", cJSON_CreateBool(e->git));
	assess_jadd(&g, root, "files", cJSON_CreateNumber((double)e->n_files));
	assess_jadd(&g, model, "id", cJSON_CreateString(e->model->id));
	assess_jadd(&g, model, "version", cJSON_CreateString(e->model->version));
	assess_jadd(&g, root, "model", model);
	if (e->answers) {
		cJSON *a = cJSON_CreateObject();
		assess_jadd(&g, a, "path", assess_json_str_or_null(e->answers->path));
		assess_jadd(&g, a, "unit", assess_json_str_or_null(e->answers->unit));
		assess_jadd(&g, root, "answers", a);
	} else {
		assess_jadd(&g, root, "answers", cJSON_CreateNull());
	}
	for (size_t i = 0; i < e->n_qs; i++)
		assess_jpush(&g, qs, question_json(&g, e, &e->qs[i]));
	assess_jadd(&g, root, "questions", qs);
	assess_jadd(&g, sum, "questions_with_rules", cJSON_CreateNumber((double)e->n_qs));
	assess_jadd(&g, sum, "questions_with_evidence", cJSON_CreateNumber((double)e->n_found));
	assess_jadd(&g, sum, "conflicts", e->answers ? cJSON_CreateNumber((double)e->n_conflicts) : cJSON_CreateNull());
	assess_jadd(&g, root, "summary", sum);
	return assess_json_emit(out, &g, root);
}

/* ---- Markdown -------------------------------------------------------------------------- */

static void md_hits(weft_buf *b, const weft_assess_evidence_q *eq, bool found)
{
	size_t k = 0;
	for (size_t i = 0; i < eq->n_rules; i++) {
		const weft_assess_evidence_rule *er = &eq->rules[i];
		if ((er->n_hits > 0) != found)
			continue;
		weft_buf_puts(b, k++ ? "<br>" : "");
		weft_buf_printf(b, "L%d ", er->level);
		assess_put_md(b, er->rule->text);
		for (size_t h = 0; h < er->n_hits; h++) {
			weft_buf b2 = WEFT_BUF_INIT;
			put_hit(&b2, &er->hits[h], true);
			weft_buf_puts(b, h ? ", " : ": ");
			assess_put_md(b, b2.ptr ? b2.ptr : "");
			weft_buf_free(&b2);
		}
	}
	if (!k)
		weft_buf_puts(b, "-");
}

int weft_assess_evidence_markdown(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o)
{
	(void)o;
	weft_buf_puts(out, "# Evidence: ");
	assess_put_md(out, e->root);
	weft_buf_printf(out, "\n\nModel %s %s; %zu files looked at%s.", e->model->id, e->model->version, e->n_files,
			e->git ? " (what git ignores left out)" : "");
	if (e->answers) {
		weft_buf_puts(out, " Answers: ");
		assess_put_md(out, e->answers->path ? e->answers->path : "(answers)");
		weft_buf_puts(out, ", unit ");
		assess_put_md(out, e->answers->unit ? e->answers->unit : "?");
		weft_buf_puts(out, ".");
	}
	weft_buf_puts(out, " Evidence supports an answer; it does not rate one.\n\n");
	weft_buf_puts(out, e->answers ? "| Question | Supports | Found | Not found | Answer | Conflict |\n|---|--:|---|---|--:|---|\n"
				      : "| Question | Supports | Found | Not found |\n|---|--:|---|---|\n");
	for (size_t i = 0; i < e->n_qs; i++) {
		const weft_assess_evidence_q *eq = &e->qs[i];
		weft_buf_printf(out, "| `%s` | ", eq->q->id);
		if (eq->supports_level)
			weft_buf_printf(out, "%d", eq->supports_level);
		else
			weft_buf_puts(out, "-");
		weft_buf_puts(out, " | ");
		md_hits(out, eq, true);
		weft_buf_puts(out, " | ");
		md_hits(out, eq, false);
		if (e->answers) {
			weft_buf_puts(out, " | ");
			put_answer(out, eq);
			weft_buf_puts(out, " | ");
			assess_put_md(out, eq->conflict ? eq->conflict_text : "-");
		}
		weft_buf_puts(out, " |\n");
	}
	weft_buf_printf(out, "\nEvidence found for %zu of %zu questions with rules", e->n_found, e->n_qs);
	if (e->answers)
		weft_buf_printf(out, "; %zu conflict%s", e->n_conflicts, e->n_conflicts == 1 ? "" : "s");
	weft_buf_puts(out, ".\n");
	return out->oom ? WEFT_ENOMEM : 0;
}

/* ---- SARIF 2.1.0 ----------------------------------------------------------------------- */

/* s percent-encoded for a URI path (RFC 3986 unreserved characters and '/'
 * kept). */
static cJSON *uri_json(const char *prefix, const char *s)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_puts(&b, prefix);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    strchr("-._~/", *p);
		if (keep)
			weft_buf_putc(&b, (char)*p);
		else
			weft_buf_printf(&b, "%%%02X", *p);
	}
	cJSON *j = b.oom ? NULL : cJSON_CreateString(b.ptr ? b.ptr : "");
	weft_buf_free(&b);
	return j;
}

static cJSON *text_msg(const char *s)
{
	cJSON *m = cJSON_CreateObject();
	if (m && !cJSON_AddItemToObject(m, "text", cJSON_CreateString(s))) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

/* A physicalLocation in the scanned folder (uriBaseId SRCROOT), or an
 * absolute file: URI when abs. */
static cJSON *location_json(assess_jguard *g, const char *path, int line, bool abs)
{
	cJSON *loc = cJSON_CreateObject(), *ph = cJSON_CreateObject(), *art = cJSON_CreateObject();
	assess_jadd(g, art, "uri", uri_json(abs ? "file://" : "", path));
	if (!abs)
		assess_jadd(g, art, "uriBaseId", cJSON_CreateString("SRCROOT"));
	assess_jadd(g, ph, "artifactLocation", art);
	if (line > 0) {
		cJSON *reg = cJSON_CreateObject();
		assess_jadd(g, reg, "startLine", cJSON_CreateNumber(line));
		assess_jadd(g, ph, "region", reg);
	}
	assess_jadd(g, loc, "physicalLocation", ph);
	return loc;
}

static cJSON *sarif_rules(assess_jguard *g, const weft_assess_evidence *e)
{
	cJSON *rules = cJSON_CreateArray();
	for (size_t i = 0; i < e->n_qs; i++) {
		const weft_assess_question *q = e->qs[i].q;
		cJSON *r = cJSON_CreateObject(), *props = cJSON_CreateObject();
		assess_jadd(g, r, "id", cJSON_CreateString(q->id));
		assess_jadd(g, r, "shortDescription", text_msg(q->text));
		if (q->help)
			assess_jadd(g, r, "help", text_msg(q->help));
		assess_jadd(g, props, "dimension", cJSON_CreateString(e->model->dims[q->dim].id));
		assess_jadd(g, r, "properties", props);
		assess_jpush(g, rules, r);
	}
	return rules;
}

/* The answers file's location: in the scanned folder when it is there. */
static cJSON *answers_location(assess_jguard *g, const weft_assess_evidence *e, const weft_assess_evidence_q *eq)
{
	const char *p = e->answers ? e->answers->path : NULL;
	if (!p)
		return NULL;
	char *ra = realpath(p, NULL), *rr = realpath(e->root, NULL);
	size_t rl = rr ? strlen(rr) : 0;
	cJSON *loc = NULL;
	if (ra && rr && !strncmp(ra, rr, rl) && ra[rl] == '/')
		loc = location_json(g, ra + rl + 1, eq->answer_line, false);
	else if (ra)
		loc = location_json(g, ra, eq->answer_line, true);
	free(ra);
	free(rr);
	return loc;
}

static void sarif_result(assess_jguard *g, cJSON *results, size_t qi, const char *level, const char *kind,
			 const char *msg, cJSON *loc, const weft_assess_evidence_q *eq)
{
	cJSON *r = cJSON_CreateObject(), *locs = cJSON_CreateArray();
	assess_jadd(g, r, "ruleId", cJSON_CreateString(eq->q->id));
	assess_jadd(g, r, "ruleIndex", cJSON_CreateNumber((double)qi));
	assess_jadd(g, r, "kind", cJSON_CreateString(kind));
	assess_jadd(g, r, "level", cJSON_CreateString(level));
	assess_jadd(g, r, "message", text_msg(msg));
	if (loc)
		assess_jpush(g, locs, loc);
	assess_jadd(g, r, "locations", locs);
	assess_jpush(g, results, r);
}

static void sarif_question(assess_jguard *g, cJSON *results, const weft_assess_evidence *e, size_t qi)
{
	const weft_assess_evidence_q *eq = &e->qs[qi];
	for (size_t i = 0; i < eq->n_rules; i++) {
		const weft_assess_evidence_rule *er = &eq->rules[i];
		for (size_t k = 0; k < er->n_hits; k++) {
			weft_buf m = WEFT_BUF_INIT;
			weft_buf_printf(&m, "found for level %d of %s: %s (rule %s)", er->level, eq->q->id, er->rule->text,
					er->rule->id);
			if (er->hits[k].via)
				weft_buf_printf(&m, ", run by %s:%d", er->hits[k].via, er->hits[k].via_line);
			sarif_result(g, results, qi, "none", "pass", m.ptr ? m.ptr : "",
				     location_json(g, er->hits[k].path, er->hits[k].line, false), eq);
			weft_buf_free(&m);
		}
	}
	if (!eq->conflict)
		return;
	cJSON *loc = NULL;
	if (eq->conflict == WEFT_ASSESS_CONFLICT_OVER || !eq->n_rules)
		loc = answers_location(g, e, eq);
	for (size_t i = 0; !loc && i < eq->n_rules; i++)
		if (eq->rules[i].n_hits)
			loc = location_json(g, eq->rules[i].hits[0].path, eq->rules[i].hits[0].line, false);
	weft_buf m = WEFT_BUF_INIT;
	weft_buf_printf(&m, "%s: %s", eq->q->id, eq->conflict_text);
	sarif_result(g, results, qi, "warning", "fail", m.ptr ? m.ptr : "", loc, eq);
	weft_buf_free(&m);
}

int weft_assess_evidence_sarif(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o)
{
	(void)o;
	assess_jguard g = { false };
	cJSON *root = cJSON_CreateObject(), *runs = cJSON_CreateArray(), *run = cJSON_CreateObject(),
	      *tool = cJSON_CreateObject(), *driver = cJSON_CreateObject(), *results = cJSON_CreateArray(),
	      *bases = cJSON_CreateObject(), *src = cJSON_CreateObject();
	assess_jadd(&g, root, "$schema", cJSON_CreateString(SARIF_SCHEMA));
	assess_jadd(&g, root, "version", cJSON_CreateString("2.1.0"));
	assess_jadd(&g, driver, "name", cJSON_CreateString("weft assess evidence"));
	assess_jadd(&g, driver, "version", cJSON_CreateString(weft_version()));
	assess_jadd(&g, driver, "rules", sarif_rules(&g, e));
	assess_jadd(&g, tool, "driver", driver);
	assess_jadd(&g, run, "tool", tool);
	char *abs = realpath(e->root, NULL);
	if (abs) {
		weft_buf dir = WEFT_BUF_INIT;
		weft_buf_printf(&dir, "%s%s", abs, abs[1] ? "/" : "");
		assess_jadd(&g, src, "uri", uri_json("file://", dir.ptr ? dir.ptr : "/"));
		weft_buf_free(&dir);
		free(abs);
	}
	assess_jadd(&g, bases, "SRCROOT", src);
	assess_jadd(&g, run, "originalUriBaseIds", bases);
	for (size_t i = 0; i < e->n_qs; i++)
		sarif_question(&g, results, e, i);
	assess_jadd(&g, run, "results", results);
	assess_jpush(&g, runs, run);
	assess_jadd(&g, root, "runs", runs);
	return assess_json_emit(out, &g, root);
}
