/* history_report.c - an answers file's trend as text and JSON.
 *
 * Design choice: every entry is rendered from its own weft_assess_result
 * with the pieces the score report uses (assess_json_overall, the level
 * names), so a history entry says exactly what `weft assess score` of that
 * version says; a version that could not be scored shows its error in its
 * row and is left out of the trend lines rather than drawn as level 0.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess_int.h"

#define HISTORY_FORMAT_VERSION 1

/* "2026-03-01T09:00:00Z" (UTC), or the date alone when date_only. */
static char *iso_time(char *buf, size_t n, int64_t t, bool date_only)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		snprintf(buf, n, "?");
	else
		strftime(buf, n, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const weft_assess_dresult *dim_of(const weft_assess_result *r, const char *id)
{
	for (size_t i = 0; r && i < r->n_dims; i++)
		if (!strcmp(r->dims[i].dim->id, id))
			return &r->dims[i];
	return NULL;
}

/* The dimensions of the latest scored entry (the model is one for all). */
static const weft_assess_result *latest(const weft_assess_history *h)
{
	for (size_t i = h->n; i-- > 0;)
		if (h->entries[i].result)
			return h->entries[i].result;
	return NULL;
}

/* The author's name alone, for a narrow column. */
static void put_name(weft_buf *b, const char *author, int width)
{
	const char *lt = author ? strstr(author, " <") : NULL;
	int n = author ? (int)(lt ? (size_t)(lt - author) : strlen(author)) : 1;
	if (n > width)
		n = width;
	weft_buf_printf(b, "%-*.*s", width, n, author ? author : "-");
}

int weft_assess_history_text(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	(void)o;
	const weft_assess_result *last = latest(h);
	const weft_assess_model *m = last ? last->model : NULL;
	weft_buf_printf(out, "history of %s", h->file);
	if (last && last->unit)
		weft_buf_printf(out, " (unit %s)", last->unit);
	weft_buf_printf(out, ": %zu version%s, target level %d", h->n, h->n == 1 ? "" : "s", h->target);
	if (m)
		weft_buf_printf(out, " (%s)", weft_assess_level_name(m, h->target));
	weft_buf_puts(out, "\n\n");
	weft_buf_puts(out, "commit   date        author          level  score  coverage  to target  message\n");
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		char date[32];
		weft_buf_printf(out, "%-7.7s  %s  ", e->working_tree ? "working" : e->commit,
				iso_time(date, sizeof date, e->time, true));
		put_name(out, e->author, 14);
		const weft_assess_result *r = e->result;
		if (!r) {
			weft_buf_printf(out, "  not scored: %s\n", e->error ? e->error : "");
			continue;
		}
		if (r->rated)
			weft_buf_printf(out, "  %-5d  ", r->level);
		else
			weft_buf_puts(out, "  -      ");
		if (r->scored) {
			assess_put_score(out, r->score);
			weft_buf_puts(out, "   ");
		} else {
			weft_buf_puts(out, "-      ");
		}
		weft_buf_printf(out, "%3d%%      ", assess_pct(r->coverage));
		if (r->scored)
			weft_buf_printf(out, "%3d%%       ", assess_pct(r->percent_to_target));
		else
			weft_buf_puts(out, "  -        ");
		weft_buf_printf(out, "%s\n", e->working_tree ? "(uncommitted changes)" : e->message ? e->message : "");
	}
	if (!last)
		return out->oom ? WEFT_ENOMEM : WEFT_OK;
	weft_buf_puts(out, "\nby dimension (level, score), oldest to newest\n");
	for (size_t k = 0; k < last->n_dims; k++) {
		const char *id = last->dims[k].dim->id;
		weft_buf_printf(out, "  %-28s", id);
		bool any = false;
		for (size_t i = 0; i < h->n; i++) {
			const weft_assess_dresult *dr = dim_of(h->entries[i].result, id);
			if (!dr)
				continue;
			weft_buf_puts(out, any ? " -> " : " ");
			any = true;
			if (!dr->in_scope)
				weft_buf_puts(out, "out");
			else if (dr->rated)
				weft_buf_printf(out, "L%d", dr->level);
			else
				weft_buf_puts(out, "-");
			if (dr->in_scope && dr->scored) {
				weft_buf_putc(out, ' ');
				assess_put_score(out, dr->score);
			}
		}
		weft_buf_putc(out, '\n');
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *dims_json(assess_jguard *g, const weft_assess_result *r)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		cJSON *o = cJSON_CreateObject();
		assess_jadd(g, o, "id", cJSON_CreateString(dr->dim->id));
		assess_jadd(g, o, "in_scope", cJSON_CreateBool(dr->in_scope));
		assess_jadd(g, o, "rated", cJSON_CreateBool(dr->rated));
		assess_jadd(g, o, "level", dr->rated ? cJSON_CreateNumber(dr->level) : cJSON_CreateNull());
		assess_jadd(g, o, "score", dr->scored ? cJSON_CreateNumber(assess_round4(dr->score)) : cJSON_CreateNull());
		assess_jadd(g, o, "coverage", cJSON_CreateNumber(assess_round4(dr->coverage)));
		assess_jadd(g, o, "percent_to_target",
			    dr->scored ? cJSON_CreateNumber(assess_round4(dr->percent_to_target)) : cJSON_CreateNull());
		assess_jpush(g, a, o);
	}
	return a;
}

int weft_assess_history_json(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o)
{
	assess_jguard g = { false };
	const weft_assess_result *last = latest(h);
	cJSON *root = cJSON_CreateObject();
	assess_jadd(&g, root, "format", cJSON_CreateString("weft-assess-history"));
	assess_jadd(&g, root, "format_version", cJSON_CreateNumber(HISTORY_FORMAT_VERSION));
	assess_jadd(&g, root, "generator", str_or_null(o ? o->generator : NULL));
	assess_jadd(&g, root, "generated_at", str_or_null(o ? o->generated_at : NULL));
	assess_jadd(&g, root, "file", cJSON_CreateString(h->file));
	assess_jadd(&g, root, "unit", str_or_null(last ? last->unit : NULL));
	assess_jadd(&g, root, "target", cJSON_CreateNumber(h->target));
	cJSON *es = cJSON_CreateArray();
	for (size_t i = 0; es && i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		cJSON *j = cJSON_CreateObject();
		char date[32];
		assess_jadd(&g, j, "commit", e->working_tree ? cJSON_CreateNull() : cJSON_CreateString(e->commit));
		assess_jadd(&g, j, "working_tree", cJSON_CreateBool(e->working_tree));
		assess_jadd(&g, j, "date", cJSON_CreateString(iso_time(date, sizeof date, e->time, false)));
		assess_jadd(&g, j, "author", str_or_null(e->author));
		assess_jadd(&g, j, "message", str_or_null(e->message));
		assess_jadd(&g, j, "path", cJSON_CreateString(e->path ? e->path : ""));
		assess_jadd(&g, j, "error", str_or_null(e->error));
		assess_jadd(&g, j, "overall", e->result ? assess_json_overall(&g, e->result) : cJSON_CreateNull());
		assess_jadd(&g, j, "dimensions", e->result ? dims_json(&g, e->result) : cJSON_CreateArray());
		assess_jpush(&g, es, j);
	}
	assess_jadd(&g, root, "entries", es);
	return assess_json_emit(out, &g, root);
}
