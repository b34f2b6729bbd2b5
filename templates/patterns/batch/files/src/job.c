/* job.c - one batch run from input CSV to two destinations.
 *
 * Key choice: the run is all-or-nothing per run date. Rows are scored a
 * chunk at a time (bounded memory; progress and interruption points at
 * chunk boundaries) but everything goes into ONE SQLite transaction and ONE
 * temporary CSV file. Only when every row has been scored are the two
 * made visible, CSV first (rename) and database second (COMMIT, which also
 * turns the run's record to 'ok'), so an 'ok' record always means both
 * destinations hold the complete partition. Any failure - bad row, stale
 * timestamp, full disk, SIGKILL - leaves the previous partition and
 * export untouched, and a re-run simply starts again.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvin.h"
#include "export.h"
#include "fsutil.h"
#include "model.h"
#include "store.h"
#include "timeutil.h"

/* Timestamps further in the future than this are bad input (clock skew
 * beyond it means the column is not what we think it is). */
#define FUTURE_TOLERANCE_S 300.0

const char *job_exit_name(int code)
{
	switch (code) {
	case JOB_OK: return "ok";
	case JOB_FAILED: return "failed";
	case JOB_USAGE: return "usage";
	case JOB_BAD_INPUT: return "bad_input";
	case JOB_STALE_INPUT: return "stale_input";
	case JOB_STORAGE: return "storage_failure";
	case JOB_MODEL: return "model_failure";
	case JOB_BUSY: return "busy";
	default: return code > 128 ? "interrupted" : "failed";
	}
}

void job_result_clear(job_result *res)
{
	if (!res)
		return;
	free(res->json);
	res->json = NULL;
}

typedef struct run_state {
	const job_config *c;
	const job_options *o;
	job_result *res;
	char *db, *runs_log, *lock_path;
	int lock_fd;
	store *st;
	model *m;
	csv_reader *in;
	csv_export *ex;
	char **features, **outputs;
	size_t nf, no;
	int own_features, own_outputs;
	size_t *col;          /* column index of each feature */
	size_t key_col, ts_col, n_header;
	int has_ts;
	float *x, *y;         /* chunk buffers */
	char *keys;           /* chunk key arena (NUL-separated) */
	size_t keys_len, keys_cap;
	size_t *key_off;
	long *row_line;
	double now;           /* wall clock at the start */
	double t0;            /* monotonic clock at the start */
	double oldest_ts;
	int have_ts;
} run_state;

static int fail(run_state *s, int code, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(run_state *s, int code, const char *status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->res->message, sizeof s->res->message, fmt, ap);
	va_end(ap);
	s->res->rec.status = status;
	s->res->rec.exit_code = code;
	return code;
}

static int take_lock(run_state *s)
{
	size_t n = strlen(s->db) + 6;
	s->lock_path = malloc(n);
	if (!s->lock_path)
		return fail(s, JOB_FAILED, "failed", "out of memory");
	snprintf(s->lock_path, n, "%s.lock", s->db);
	s->lock_fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (s->lock_fd < 0)
		return fail(s, JOB_STORAGE, "storage_failure", "%s: cannot open the lock file: %s", s->lock_path,
			    strerror(errno));
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			return fail(s, JOB_BUSY, "busy", "another run holds %s; not starting a second one",
				    s->lock_path);
		return fail(s, JOB_STORAGE, "storage_failure", "%s: cannot lock: %s", s->lock_path, strerror(errno));
	}
	return JOB_OK;
}

/* Load the model and settle the feature and output names. */
static int load_model(run_state *s)
{
	const job_config *c = s->c;
	job_result *res = s->res;
	char *path = config_resolve(c, c->model, s->o->run_date);
	if (!path)
		return fail(s, JOB_FAILED, "failed", "out of memory");
	char err[512];
	int bad = model_load(&s->m, path, err, sizeof err);
	if (bad) {
		fail(s, JOB_MODEL, "model_failure", "%s: %s", path, err);
		free(path);
		return JOB_MODEL;
	}
	free(path);
	snprintf(res->model_version, sizeof res->model_version, "%s", model_version(s->m));
	snprintf(res->model_digest, sizeof res->model_digest, "%s", model_digest(s->m));
	res->rec.model_version = res->model_version;
	res->rec.model_digest = res->model_digest;

	size_t ni = model_inputs(s->m), nout = model_outputs(s->m);
	if (c->n_features) {
		s->features = c->features;
		s->nf = c->n_features;
	} else {
		const char *meta = model_meta(s->m, "weft.features");
		if (!meta)
			return fail(s, JOB_MODEL, "model_failure",
				    "the model has no weft.features metadata; list the feature columns in the config "
				    "(features = a,b,c)");
		if (config_split_names(&s->features, &s->nf, meta))
			return fail(s, JOB_MODEL, "model_failure", "the model's weft.features is not a list of names");
		s->own_features = 1;
	}
	if (s->nf != ni)
		return fail(s, JOB_MODEL, "model_failure", "the model takes %zu inputs but %zu feature columns are named",
			    ni, s->nf);
	if (c->n_outputs) {
		s->outputs = c->outputs;
		s->no = c->n_outputs;
	} else {
		const char *meta = model_meta(s->m, "weft.outputs");
		if (!meta)
			meta = model_meta(s->m, "weft.output");
		if (meta && !config_split_names(&s->outputs, &s->no, meta)) {
			s->own_outputs = 1;
		} else {
			s->outputs = calloc(nout, sizeof *s->outputs);
			if (!s->outputs)
				return fail(s, JOB_FAILED, "failed", "out of memory");
			s->own_outputs = 1;
			s->no = nout;
			for (size_t i = 0; i < nout; i++) {
				char name[32];
				if (nout == 1)
					snprintf(name, sizeof name, "score");
				else
					snprintf(name, sizeof name, "y%zu", i);
				if (!(s->outputs[i] = strdup(name)))
					return fail(s, JOB_FAILED, "failed", "out of memory");
			}
		}
		for (size_t i = 0; i < s->no; i++)
			if (!config_is_identifier(s->outputs[i]) || !strcmp(s->outputs[i], "run_date") ||
			    !strcmp(s->outputs[i], c->key_column))
				return fail(s, JOB_MODEL, "model_failure",
					    "the model's output name '%s' is not a usable column name; set outputs = ... "
					    "in the config",
					    s->outputs[i]);
	}
	if (s->no != nout)
		return fail(s, JOB_MODEL, "model_failure", "the model gives %zu outputs but %zu output names are set",
			    nout, s->no);
	return JOB_OK;
}

/* Read the header and find every column we need. */
static int map_header(run_state *s)
{
	const csv_field *f;
	size_t n;
	char err[1024];
	int rc = csv_next(s->in, &f, &n, err, sizeof err);
	if (rc < 0)
		return fail(s, JOB_BAD_INPUT, "bad_input", "%s", err);
	if (rc == 0)
		return fail(s, JOB_BAD_INPUT, "bad_input", "%s:1:1: the input is empty (no header)", s->res->input);
	s->n_header = n;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f[i].text, f[j].text))
				return fail(s, JOB_BAD_INPUT, "bad_input", "%s:%ld:%ld: column '%.100s' appears twice in the header",
					    s->res->input, f[i].line, f[i].col, f[i].text);
	s->col = calloc(s->nf ? s->nf : 1, sizeof *s->col);
	if (!s->col)
		return fail(s, JOB_FAILED, "failed", "out of memory");
	const char *want_ts = s->c->freshness == FRESH_COLUMN ? s->c->timestamp_column : NULL;
	int have_key = 0;
	s->has_ts = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i].text, s->c->key_column)) {
			s->key_col = i;
			have_key = 1;
		}
		if (want_ts && !strcmp(f[i].text, want_ts)) {
			s->ts_col = i;
			s->has_ts = 1;
		}
	}
	if (!have_key)
		return fail(s, JOB_BAD_INPUT, "bad_input", "%s:1:1: the header has no key column '%s'", s->res->input,
			    s->c->key_column);
	if (want_ts && !s->has_ts)
		return fail(s, JOB_BAD_INPUT, "bad_input",
			    "%s:1:1: the header has no timestamp column '%s' (freshness = column)", s->res->input,
			    want_ts);
	for (size_t k = 0; k < s->nf; k++) {
		size_t i = 0;
		while (i < n && strcmp(f[i].text, s->features[k]))
			i++;
		if (i == n)
			return fail(s, JOB_BAD_INPUT, "bad_input", "%s:1:1: the header has no feature column '%s'",
				    s->res->input, s->features[k]);
		s->col[k] = i;
	}
	return JOB_OK;
}

static int parse_value(const csv_field *f, float *out)
{
	const char *p = f->text;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(p, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == p || *end || !isfinite(v) || fabs(v) > FLT_MAX)
		return -1;
	*out = (float)v;
	return 0;
}

static int keep_key(run_state *s, size_t row, const char *key, size_t len)
{
	if (s->keys_len + len + 1 > s->keys_cap) {
		size_t cap = (s->keys_cap ? s->keys_cap : 65536) * 2 + len;
		char *k = realloc(s->keys, cap);
		if (!k)
			return -1;
		s->keys = k;
		s->keys_cap = cap;
	}
	s->key_off[row] = s->keys_len;
	memcpy(s->keys + s->keys_len, key, len + 1);
	s->keys_len += len + 1;
	return 0;
}

/* Read up to chunk rows into the chunk buffers; *got = rows read. */
static int read_chunk(run_state *s, size_t chunk, size_t *got)
{
	job_result *res = s->res;
	double max_age = res->rec.max_input_age_s;
	*got = 0;
	s->keys_len = 0;
	char err[1024];
	while (*got < chunk) {
		const csv_field *f;
		size_t n;
		int rc = csv_next(s->in, &f, &n, err, sizeof err);
		if (rc < 0)
			return fail(s, JOB_BAD_INPUT, "bad_input", "%s", err);
		if (rc == 0)
			break;
		long line = csv_record_line(s->in);
		res->rec.rows_read++;
		if (n != s->n_header)
			return fail(s, JOB_BAD_INPUT, "bad_input", "%s:%ld:%ld: the row has %zu fields, the header has %zu",
				    res->input, line, n > s->n_header ? f[s->n_header].col : 1L, n, s->n_header);
		size_t row = *got;
		const csv_field *kf = &f[s->key_col];
		if (!kf->len)
			return fail(s, JOB_BAD_INPUT, "bad_input", "%s:%ld:%ld: the key '%s' is empty", res->input,
				    kf->line, kf->col, s->c->key_column);
		for (size_t k = 0; k < s->nf; k++) {
			const csv_field *vf = &f[s->col[k]];
			if (parse_value(vf, &s->x[row * s->nf + k]))
				return fail(s, JOB_BAD_INPUT, "bad_input",
					    "%s:%ld:%ld: '%.60s' is not a finite number (column '%s')", res->input, vf->line,
					    vf->col, vf->text, s->features[k]);
		}
		if (s->has_ts) {
			const csv_field *tf = &f[s->ts_col];
			double ts;
			if (time_parse_timestamp(tf->text, &ts))
				return fail(s, JOB_BAD_INPUT, "bad_input",
					    "%s:%ld:%ld: '%.60s' is not a timestamp with a zone (e.g. "
					    "2024-05-01T02:00:00Z, or seconds since 1970)",
					    res->input, tf->line, tf->col, tf->text);
			if (ts > s->now + FUTURE_TOLERANCE_S)
				return fail(s, JOB_BAD_INPUT, "bad_input", "%s:%ld:%ld: timestamp '%.60s' is in the future",
					    res->input, tf->line, tf->col, tf->text);
			if (!s->have_ts || ts < s->oldest_ts) {
				s->oldest_ts = ts;
				s->have_ts = 1;
				res->rec.has_input_age = 1;
				res->rec.input_age_s = s->now - ts > 0 ? s->now - ts : 0;
			}
			if (max_age > 0 && s->now - ts > max_age)
				return fail(s, JOB_STALE_INPUT, "stale_input",
					    "%s:%ld:%ld: timestamp '%.60s' is %.1f hours old; the limit is %g hours",
					    res->input, tf->line, tf->col, tf->text, (s->now - ts) / 3600.0,
					    max_age / 3600.0);
		}
		s->row_line[row] = line;
		if (keep_key(s, row, kf->text, kf->len))
			return fail(s, JOB_FAILED, "failed", "out of memory");
		(*got)++;
	}
	return JOB_OK;
}

/* Score and write one chunk of n rows to both destinations. */
static int write_chunk(run_state *s, size_t n)
{
	job_result *res = s->res;
	char err[512];
	for (size_t i = 0; i < n; i++)
		if (model_predict(s->m, &s->x[i * s->nf], &s->y[i * s->no]))
			return fail(s, JOB_BAD_INPUT, "bad_input",
				    "%s:%ld:1: the model gave a non-finite score for this row (features out of range?)",
				    res->input, s->row_line[i]);
	for (size_t i = 0; i < n; i++) {
		const char *key = s->keys + s->key_off[i];
		int rc = store_put(s->st, key, &s->y[i * s->no], res->model_version, err, sizeof err);
		if (rc == STORE_DUP)
			return fail(s, JOB_BAD_INPUT, "bad_input", "%s:%ld:1: %s", res->input, s->row_line[i], err);
		if (rc)
			return fail(s, JOB_STORAGE, "storage_failure", "%s", err);
		int w = export_field(s->ex, res->rec.run_date) | export_field(s->ex, key);
		for (size_t k = 0; k < s->no; k++)
			w |= export_number(s->ex, s->y[i * s->no + k]);
		w |= export_field(s->ex, res->model_version);
		if (w | export_end_row(s->ex))
			return fail(s, JOB_STORAGE, "storage_failure", "%s: write failed: %s", res->export_path,
				    strerror(errno ? errno : EIO));
	}
	return JOB_OK;
}

/* The test hook: announce the stall, then wait for a signal. */
static void stall(const job_options *o)
{
	if (o->stall_marker) {
		int fd = open(o->stall_marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd >= 0) {
			char pid[32];
			int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
			if (write(fd, pid, (size_t)n) < 0) {
				/* the test will time out instead */
			}
			close(fd);
		}
	}
	while (!(o->stop && *o->stop)) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static int score_all(run_state *s)
{
	const job_config *c = s->c;
	const job_options *o = s->o;
	job_result *res = s->res;
	run_record *r = &res->rec;
	char err[1024];
	int code;

	if ((code = map_header(s)))
		return code;
	size_t chunk = (size_t)(o->chunk_size > 0 ? o->chunk_size : c->chunk_size);
	s->x = malloc(chunk * s->nf * sizeof *s->x);
	s->y = malloc(chunk * s->no * sizeof *s->y);
	s->key_off = malloc(chunk * sizeof *s->key_off);
	s->row_line = malloc(chunk * sizeof *s->row_line);
	if (!s->x || !s->y || !s->key_off || !s->row_line)
		return fail(s, JOB_FAILED, "failed", "out of memory for a chunk of %zu rows", chunk);

	if (export_open(&s->ex, res->export_path, err, sizeof err))
		return fail(s, JOB_STORAGE, "storage_failure", "%s", err);
	int w = export_field(s->ex, "run_date") | export_field(s->ex, c->key_column);
	for (size_t k = 0; k < s->no; k++)
		w |= export_field(s->ex, s->outputs[k]);
	w |= export_field(s->ex, "model_version") | export_end_row(s->ex);
	if (w)
		return fail(s, JOB_STORAGE, "storage_failure", "%s: write failed", export_temp_path(s->ex));

	long long replaced = 0;
	if (store_begin(s->st, r->run_date, &replaced, err, sizeof err))
		return fail(s, JOB_STORAGE, "storage_failure", "%s", err);

	for (;;) {
		size_t got;
		if ((code = read_chunk(s, chunk, &got)))
			return code;
		if (!got)
			break;
		if ((code = write_chunk(s, got)))
			return code;
		r->rows += (long long)got;
		r->chunks++;
		if (o->progress)
			fprintf(o->progress, "%s: chunk %lld: %lld rows scored\n", r->run_date, r->chunks, r->rows);
		if (o->stall_after_chunk > 0 && r->chunks == o->stall_after_chunk)
			stall(o);
		if (o->stop && *o->stop)
			return fail(s, 128 + (int)*o->stop, "interrupted",
				    "stopped by signal %d after %lld chunks; nothing was committed", (int)*o->stop,
				    r->chunks);
		if (got < chunk)
			break;
	}
	if (!r->rows)
		return fail(s, JOB_BAD_INPUT, "bad_input", "%s: the input has a header but no rows", res->input);

	/* the 'ok' record goes into the same transaction as the rows */
	r->status = "ok";
	r->exit_code = JOB_OK;
	double wall = time_now();
	record_time_iso(r->finished_at, wall);
	r->duration_ms = (time_mono() - s->t0) * 1000.0;
	r->over_window = r->window_s > 0 && r->duration_ms / 1000.0 > r->window_s;
	if (store_run_update(s->st, r, err, sizeof err)) {
		r->finished_at[0] = '\0';
		return fail(s, JOB_STORAGE, "storage_failure", "%s", err);
	}
	/* CSV first, then COMMIT: an 'ok' record implies both are in place */
	csv_export *ex = s->ex;
	s->ex = NULL;
	if (export_commit(ex, err, sizeof err)) {
		r->finished_at[0] = '\0';
		return fail(s, JOB_STORAGE, "storage_failure", "%s", err);
	}
	if (store_commit(s->st, err, sizeof err)) {
		r->finished_at[0] = '\0';
		return fail(s, JOB_STORAGE, "storage_failure",
			    "%s (the CSV export was already replaced; the database still holds the previous "
			    "partition: run again)",
			    err);
	}
	(void)replaced;
	return JOB_OK;
}

static void cleanup(run_state *s)
{
	if (s->ex)
		export_abort(s->ex);
	csv_close(s->in);
	model_free(s->m);
	if (s->own_features)
		config_free_names(s->features, s->nf);
	if (s->own_outputs)
		config_free_names(s->outputs, s->no);
	free(s->col);
	free(s->x);
	free(s->y);
	free(s->keys);
	free(s->key_off);
	free(s->row_line);
	store_close(s->st);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the lock */
	free(s->lock_path);
	free(s->db);
	free(s->runs_log);
}

int job_run(const job_config *c, const job_options *o, job_result *res)
{
	memset(res, 0, sizeof *res);
	run_state s = { 0 };
	s.c = c;
	s.o = o;
	s.res = res;
	s.lock_fd = -1;
	run_record *r = &res->rec;
	double t0 = time_mono();
	s.t0 = t0;
	s.now = time_now();
	record_time_iso(r->started_at, s.now);
	r->pid = (long)getpid();
	r->status = "running";
	r->window_s = (double)c->window_minutes * 60.0;
	r->max_input_age_s = (o->max_input_age_hours >= 0 ? o->max_input_age_hours : c->max_input_age_hours) * 3600.0;
	r->input = res->input;
	r->export_path = res->export_path;
	int code = JOB_OK;
	int y, m, d;
	snprintf(r->run_date, sizeof r->run_date, "%s", o->run_date ? o->run_date : "");
	if (!o->run_date || time_parse_date(o->run_date, &y, &m, &d)) {
		code = fail(&s, JOB_USAGE, "usage", "the run date must be a real date written YYYY-MM-DD, not '%.20s'",
			    o->run_date ? o->run_date : "");
		goto record;
	}
	char *in = o->input ? strdup(o->input) : config_resolve(c, c->input, r->run_date);
	char *ex = config_resolve(c, c->export_path, r->run_date);
	s.db = config_resolve(c, c->db, r->run_date);
	s.runs_log = config_resolve(c, c->runs_log, r->run_date);
	if (in)
		snprintf(res->input, sizeof res->input, "%s", in);
	if (ex)
		snprintf(res->export_path, sizeof res->export_path, "%s", ex);
	int oom = !in || !ex || !s.db || !s.runs_log;
	free(in);
	free(ex);
	if (oom) {
		code = fail(&s, JOB_FAILED, "failed", "out of memory");
		goto record;
	}
	if (fs_make_parent(s.db) || fs_make_parent(s.runs_log)) {
		code = fail(&s, JOB_STORAGE, "storage_failure", "cannot create the folder of %s or %s: %s", s.db,
			    s.runs_log, strerror(errno));
		goto record;
	}
	if ((code = take_lock(&s)))
		goto record;

	char err[1024];
	if (store_open(&s.st, s.db, c->table, err, sizeof err)) {
		code = fail(&s, JOB_STORAGE, "storage_failure", "%s", err);
		goto record;
	}
	long long dead = 0;
	if (store_mark_interrupted(s.st, &dead, err, sizeof err) || store_run_insert(s.st, r, err, sizeof err)) {
		code = fail(&s, JOB_STORAGE, "storage_failure", "%s", err);
		goto record;
	}
	if (dead && o->progress)
		fprintf(o->progress, "%s: %lld earlier run(s) had died mid-way; marked interrupted\n", r->run_date,
			dead);
	int stale_tmp = export_clean_stale(res->export_path);
	if (stale_tmp && o->progress)
		fprintf(o->progress, "%s: removed %d temporary export file(s) left by an interrupted run\n",
			r->run_date, stale_tmp);

	/* freshness: the file must exist, and (mtime mode) be recent enough */
	struct stat st;
	if (stat(res->input, &st)) {
		if (errno == ENOENT)
			code = fail(&s, JOB_STALE_INPUT, "missing_input", "%s: the input is not there (yet)", res->input);
		else
			code = fail(&s, JOB_BAD_INPUT, "bad_input", "%s: %s", res->input, strerror(errno));
		goto record;
	}
	if (!S_ISREG(st.st_mode)) {
		code = fail(&s, JOB_BAD_INPUT, "bad_input", "%s: not a regular file", res->input);
		goto record;
	}
	if (c->freshness == FRESH_MTIME) {
		double mtime = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
		r->has_input_age = 1;
		r->input_age_s = s.now - mtime > 0 ? s.now - mtime : 0;
		if (r->max_input_age_s > 0 && r->input_age_s > r->max_input_age_s) {
			code = fail(&s, JOB_STALE_INPUT, "stale_input",
				    "%s: the input is %.1f hours old (modified %.0f s ago); the limit is %g hours",
				    res->input, r->input_age_s / 3600.0, r->input_age_s, r->max_input_age_s / 3600.0);
			goto record;
		}
	}
	if ((code = load_model(&s)))
		goto record;
	if (store_prepare(s.st, c->key_column, s.outputs, s.no, err, sizeof err)) {
		code = fail(&s, JOB_STORAGE, "storage_failure", "%s", err);
		goto record;
	}
	if (csv_open(&s.in, res->input, NULL, err, sizeof err)) {
		code = fail(&s, JOB_BAD_INPUT, "bad_input", "%s", err);
		goto record;
	}
	code = score_all(&s);

record:
	if (s.st)
		store_rollback(s.st); /* no-op after a commit */
	if (code != JOB_OK) {
		r->rows = 0;
		record_time_iso(r->finished_at, time_now());
		r->duration_ms = (time_mono() - t0) * 1000.0;
		r->over_window = r->window_s > 0 && r->duration_ms / 1000.0 > r->window_s;
		r->message = res->message;
		if (s.st && r->run_id && code != JOB_BUSY) {
			char err2[512];
			if (store_run_update(s.st, r, err2, sizeof err2)) {
				size_t used = strlen(res->message);
				snprintf(res->message + used, sizeof res->message - used, "; and the runs table: %s", err2);
			}
		}
	}
	res->json = record_json(r);
	if (res->json && s.runs_log) {
		char err3[512];
		if (record_append(s.runs_log, res->json, err3, sizeof err3)) {
			size_t used = strlen(res->message);
			snprintf(res->message + used, sizeof res->message - used, "%sruns log: %s", used ? "; " : "",
				 err3);
		}
	}
	cleanup(&s);
	return code;
}
