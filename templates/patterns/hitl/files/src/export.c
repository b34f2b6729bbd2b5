/* export.c - the retraining export and the threshold's input.
 *
 * Design: numbers are written with the shortest %g precision that reads
 * back to the same double, so a model retrained from the export sees
 * exactly the features that were scored, without 17-digit noise. The file
 * is written beside its destination and renamed into place, so a reader
 * (a training job polling the folder) never sees half a file.
 */
#include "export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "service.h"

static void write_number(FILE *f, double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof buf, "%.17g", v);
	fputs(buf, f);
}

typedef struct {
	FILE *f;
	const hitl_config *c;
	size_t rows;
} export_ctx;

static int write_row(void *ctx, const hitl_feedback *fb)
{
	export_ctx *x = ctx;
	FILE *f = x->f;
	fprintf(f, "%lld,", (long long)fb->case_id);
	hitl_csv_write_field(f, fb->external_id);
	for (size_t i = 0; i < x->c->n_features; i++) {
		putc(',', f);
		if (i < fb->n_features)
			write_number(f, fb->features[i]);
	}
	putc(',', f);
	hitl_csv_write_field(f, fb->label);
	putc(',', f);
	hitl_csv_write_field(f, fb->first_judgment);
	putc(',', f);
	hitl_csv_write_field(f, fb->recommendation);
	putc(',', f);
	write_number(f, fb->confidence);
	for (size_t i = 0; i < x->c->n_labels; i++) {
		putc(',', f);
		if (i < fb->n_classes)
			write_number(f, fb->probs[i]);
	}
	putc(',', f);
	hitl_csv_write_field(f, fb->reviewer);
	putc(',', f);
	hitl_csv_write_field(f, fb->reason);
	fprintf(f, ",%s,", hitl_route_name(fb->route));
	write_number(f, fb->weight);
	fprintf(f, ",%d,", fb->blind ? 1 : 0);
	hitl_csv_write_field(f, fb->model_version);
	fprintf(f, ",%s,", fb->model_digest);
	char when[32];
	hitl_format_time(when, fb->decided_at);
	fprintf(f, "%s,%lld\n", when, (long long)fb->review_seconds);
	x->rows++;
	return ferror(f) ? HITL_EDB : 0;
}

int hitl_export_csv(FILE *f, hitl_store *s, const hitl_config *c, size_t *rows, char *err, size_t errlen)
{
	fputs("case_id,external_id", f);
	for (size_t i = 0; i < c->n_features; i++)
		fprintf(f, ",%s", c->features[i]);
	fputs(",label,first_judgment,model_recommendation,model_confidence", f);
	for (size_t i = 0; i < c->n_labels; i++)
		fprintf(f, ",p_%s", c->labels[i]);
	fputs(",reviewer,reason,route,weight,blind,model_version,model_digest,decided_at,review_seconds\n", f);
	export_ctx x = { f, c, 0 };
	int rc = hitl_store_feedback_each(s, write_row, &x, err, errlen);
	if (rc == HITL_EDB && ferror(f))
		snprintf(err, errlen, "write error");
	if (rows)
		*rows = x.rows;
	return rc;
}

int hitl_export_file(const char *path, bool force, hitl_store *s, const hitl_config *c, size_t *rows, char *err,
		     size_t errlen)
{
	if (!strcmp(path, "-")) {
		int rc = hitl_export_csv(stdout, s, c, rows, err, errlen);
		if (!rc && fflush(stdout)) {
			snprintf(err, errlen, "standard output: %s", strerror(errno));
			rc = HITL_EDB;
		}
		return rc;
	}
	if (!force && access(path, F_OK) == 0) {
		snprintf(err, errlen, "%s exists; use --force to replace it", path);
		return HITL_ECONFLICT;
	}
	char tmp[HITL_PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return HITL_EDB;
	}
	int rc = hitl_export_csv(f, s, c, rows, err, errlen);
	if (!rc && (fflush(f) || fsync(fileno(f)))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		rc = HITL_EDB;
	}
	if (fclose(f) && !rc) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		rc = HITL_EDB;
	}
	if (!rc && rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = HITL_EDB;
	}
	if (rc)
		unlink(tmp);
	return rc;
}

typedef struct {
	hitl_labelled *rows;
	size_t n, cap;
	int failed;
	const hitl_config *cfg;
} labelled_ctx;

/* A row is automatable when its recommendation may be automated and it was
 * not routed "unusual" (those go to a person at any threshold). */
static int push(labelled_ctx *x, double conf, const char *label, const char *rec, double weight, bool unusual)
{
	if (x->n == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 64;
		hitl_labelled *g = realloc(x->rows, ncap * sizeof *g);
		if (!g)
			return -1;
		x->rows = g;
		x->cap = ncap;
	}
	x->rows[x->n++] =
		(hitl_labelled){ conf, !strcmp(label, rec), weight, !unusual && hitl_config_automatable(x->cfg, rec) };
	return 0;
}

static int collect(void *ctx, const hitl_feedback *f)
{
	labelled_ctx *x = ctx;
	if (push(x, f->confidence, f->label, f->recommendation, f->weight > 0 ? f->weight : 1,
		 f->route == HITL_ROUTE_UNUSUAL) < 0) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

int hitl_labelled_from_store(hitl_labelled **out, size_t *n, hitl_store *s, const hitl_config *c, char *err,
			     size_t errlen)
{
	labelled_ctx x = { 0 };
	x.cfg = c;
	int rc = hitl_store_feedback_each(s, collect, &x, err, errlen);
	if (x.failed) {
		snprintf(err, errlen, "out of memory");
		rc = HITL_EDB;
	}
	if (rc) {
		free(x.rows);
		return rc;
	}
	*out = x.rows;
	*n = x.n;
	return 0;
}

/* Column (1-based) where field i of r starts on its line; quoted fields
 * and embedded newlines make this approximate, which is fine for a hint. */
static int column_of(const hitl_csv_record *r, size_t i)
{
	int col = 1;
	for (size_t k = 0; k < i; k++)
		col += (int)strlen(r->field[k]) + 1;
	return col;
}

int hitl_labelled_from_csv(hitl_labelled **out, size_t *n, const char *path, const hitl_config *c, char *err,
			   size_t errlen)
{
	*out = NULL;
	*n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return HITL_EDB;
	}
	hitl_csv_record r = { 0 };
	labelled_ctx x = { 0 };
	x.cfg = c;
	long line = 0;
	char msg[128];
	bool reported = false;
	int rc = hitl_csv_read(f, &r, &line, msg, sizeof msg);
	int c_conf = -1, c_rec = -1, c_label = -1, c_weight = -1, c_route = -1;
	if (rc <= 0) {
		snprintf(err, errlen, "%s:1:1: %s", path, rc < 0 ? msg : "empty file; expected a header");
		rc = HITL_EINVALID;
		goto done;
	}
	c_conf = hitl_csv_column(&r, "model_confidence");
	c_rec = hitl_csv_column(&r, "model_recommendation");
	c_label = hitl_csv_column(&r, "label");
	c_weight = hitl_csv_column(&r, "weight");
	c_route = hitl_csv_column(&r, "route");
	if (c_conf < 0 || c_rec < 0 || c_label < 0) {
		snprintf(err, errlen, "%s:1:1: the header needs the columns model_confidence, "
			 "model_recommendation and label (as written by export)", path);
		rc = HITL_EINVALID;
		goto done;
	}
	size_t need = (size_t)c_conf;
	if ((size_t)c_rec > need)
		need = (size_t)c_rec;
	if ((size_t)c_label > need)
		need = (size_t)c_label;
	if (c_weight >= 0 && (size_t)c_weight > need)
		need = (size_t)c_weight;
	if (c_route >= 0 && (size_t)c_route > need)
		need = (size_t)c_route;
	while ((rc = hitl_csv_read(f, &r, &line, msg, sizeof msg)) > 0) {
		if (r.n == 1 && !r.field[0][0])
			continue; /* blank line */
		if (r.n <= need) {
			snprintf(err, errlen, "%s:%ld:1: %zu fields; the header has more", path, r.line, r.n);
			rc = -1;
			reported = true;
			break;
		}
		char *end;
		double conf = strtod(r.field[c_conf], &end);
		if (end == r.field[c_conf] || *end || !isfinite(conf) || conf < 0 || conf > 1) {
			snprintf(err, errlen, "%s:%ld:%d: model_confidence '%.30s' is not a number from 0 to 1", path,
				 r.line, column_of(&r, (size_t)c_conf), r.field[c_conf]);
			rc = -1;
			reported = true;
			break;
		}
		double w = 1;
		if (c_weight >= 0 && r.field[c_weight][0]) {
			w = strtod(r.field[c_weight], &end);
			if (end == r.field[c_weight] || *end || !isfinite(w) || w <= 0) {
				snprintf(err, errlen, "%s:%ld:%d: weight '%.30s' is not a number above 0", path,
					 r.line, column_of(&r, (size_t)c_weight), r.field[c_weight]);
				rc = -1;
				break;
			}
		}
		if (!r.field[c_label][0] || !r.field[c_rec][0]) {
			snprintf(err, errlen, "%s:%ld:%d: label and model_recommendation cannot be empty", path,
				 r.line, column_of(&r, (size_t)(r.field[c_label][0] ? c_rec : c_label)));
			rc = -1;
			reported = true;
			break;
		}
		bool unusual = c_route >= 0 && !strcmp(r.field[c_route], "unusual");
		if (push(&x, conf, r.field[c_label], r.field[c_rec], w, unusual) < 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			reported = true;
			break;
		}
	}
	if (rc < 0) {
		if (!reported)
			snprintf(err, errlen, "%s:%ld:1: %s", path, line + 1, msg);
		free(x.rows);
		rc = HITL_EINVALID;
		goto done;
	}
	*out = x.rows;
	*n = x.n;
	rc = 0;
done:
	hitl_csv_record_free(&r);
	fclose(f);
	return rc;
}
