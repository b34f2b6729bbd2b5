/* samples.c - --samples: every measured query as a row, streamed to a file.
 *
 * Design: a worker appends its rows to a buffer of its own (no lock per
 * query) and hands a full buffer to the file under one mutex, so memory is
 * a fixed buffer per worker however long the run. Rows are integers in ns
 * (exact, and cheap to format); times are from the run's start. The file is
 * written to a temporary beside its name and renamed into place only when
 * the run succeeds (weft_file_out), so a failed run leaves nothing.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "events_int.h"
#include "samples_int.h"

#define FLUSH_AT (64u * 1024u)

struct weft_pl_samples {
	weft_file_out *f;
	pthread_mutex_t mu;
	bool jsonl;
	weft_buf *bufs;             /* one per worker */
	size_t n_bufs;
	const weft_pl_run *r;
	size_t n_phases[64];        /* phases per stage (at most 64 stages get phase columns) */
	uint64_t rows;
};

static size_t stage_phases(const weft_pl_run *r, size_t s)
{
	const char *const *ph = r->ops[s]->phases;
	size_t n = 0;
	while (ph && ph[n] && n < WEFT_PL_MAX_PHASES)
		n++;
	return s < 64 ? n : 0;
}

static void csv_field(weft_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		weft_buf_puts(b, s);
		return;
	}
	weft_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			weft_buf_putc(b, '"');
		weft_buf_putc(b, *s);
	}
	weft_buf_putc(b, '"');
}

static void json_string(weft_buf *b, const char *s)
{
	weft_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			weft_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			weft_buf_printf(b, "\\u%04x", c);
		else
			weft_buf_putc(b, (char)c);
	}
	weft_buf_putc(b, '"');
}

static void csv_header(weft_buf *b, const weft_pl_run *r, const size_t *n_phases)
{
	weft_buf_puts(b, "id,scheduled_ns,sent_ns");
	for (size_t s = 0; s < r->n_stages; s++) {
		weft_buf_putc(b, ',');
		weft_buf tmp = WEFT_BUF_INIT;
		weft_buf_printf(&tmp, "%s_ns", r->spec->stages[s].name);
		csv_field(b, tmp.ptr ? tmp.ptr : "");
		weft_buf_free(&tmp);
	}
	weft_buf_puts(b, ",end_to_end_ns");
	for (size_t s = 0; s < r->n_stages; s++)
		for (size_t p = 0; p < n_phases[s]; p++) {
			weft_buf_putc(b, ',');
			weft_buf tmp = WEFT_BUF_INIT;
			weft_buf_printf(&tmp, "%s.%s_ns", r->spec->stages[s].name, r->ops[s]->phases[p]);
			csv_field(b, tmp.ptr ? tmp.ptr : "");
			weft_buf_free(&tmp);
		}
	weft_buf_puts(b, ",error_stage,error\n");
}

int weft_pl_samples_open(weft_pl_samples **out, const weft_pl_run *r, const char *path, bool jsonl, bool force,
			 weft_diags *d)
{
	*out = NULL;
	weft_pl_samples *sm = calloc(1, sizeof *sm);
	if (!sm || !(sm->bufs = calloc(r->n_workers, sizeof *sm->bufs))) {
		free(sm);
		return WEFT_ENOMEM;
	}
	sm->n_bufs = r->n_workers;
	sm->jsonl = jsonl;
	sm->r = r;
	pthread_mutex_init(&sm->mu, NULL);
	for (size_t s = 0; s < r->n_stages; s++)
		if (s < 64)
			sm->n_phases[s] = stage_phases(r, s);
	int err = weft_file_out_open(&sm->f, path, force ? WEFT_WRITE_FORCE : 0, d);
	if (err) {
		weft_pl_samples_abort(sm);
		return err;
	}
	if (!jsonl) {
		weft_buf h = WEFT_BUF_INIT;
		csv_header(&h, r, sm->n_phases);
		if (h.oom) {
			weft_buf_free(&h);
			weft_pl_samples_abort(sm);
			return WEFT_ENOMEM;
		}
		weft_file_out_write(sm->f, h.ptr, h.len);
		weft_buf_free(&h);
	}
	*out = sm;
	return WEFT_OK;
}

static void flush_buf(weft_pl_samples *sm, weft_buf *b)
{
	if (!b->len)
		return;
	pthread_mutex_lock(&sm->mu);
	weft_file_out_write(sm->f, b->ptr, b->len);
	pthread_mutex_unlock(&sm->mu);
	b->len = 0;
}

static void put_u64(weft_buf *b, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		weft_buf_putc(b, tmp[--n]);
}

void weft_pl_samples_row(weft_pl_samples *sm, size_t worker, const weft_pl_query *q, const uint64_t *ns)
{
	const weft_pl_run *r = sm->r;
	weft_buf *b = &sm->bufs[worker];
	size_t S = r->n_stages;
	/* stages after the failed one did not run */
	size_t ran = q->failed ? q->failed_stage + 1 : S;
	uint64_t t0 = r->t0_ns;
	uint64_t sched = weft_pl_origin(r, q);
	uint64_t id = r->load.shard_count > 1 ? q->idx * r->load.shard_count + r->load.shard_index : q->idx;
	if (sm->jsonl) {
		weft_buf_puts(b, "{\"id\":");
		put_u64(b, id);
		weft_buf_puts(b, ",\"scheduled_ns\":");
		put_u64(b, sched > t0 ? sched - t0 : 0);
		weft_buf_puts(b, ",\"sent_ns\":");
		put_u64(b, q->start > t0 ? q->start - t0 : 0);
		weft_buf_puts(b, ",\"latency_ns\":{");
		for (size_t s = 0; s < ran; s++) {
			json_string(b, r->spec->stages[s].name);
			weft_buf_putc(b, ':');
			put_u64(b, ns[s]);
			weft_buf_putc(b, ',');
		}
		weft_buf_puts(b, "\"end-to-end\":");
		put_u64(b, ns[S]);
		weft_buf_puts(b, "},\"phases_ns\":{");
		bool first = true;
		for (size_t s = 0; s < ran && q->phases; s++) {
			if (!sm->n_phases[s] || (q->failed && s == q->failed_stage))
				continue;
			if (!first)
				weft_buf_putc(b, ',');
			first = false;
			json_string(b, r->spec->stages[s].name);
			weft_buf_puts(b, ":{");
			for (size_t p = 0; p < sm->n_phases[s]; p++) {
				if (p)
					weft_buf_putc(b, ',');
				json_string(b, r->ops[s]->phases[p]);
				weft_buf_putc(b, ':');
				put_u64(b, q->phases[s * WEFT_PL_MAX_PHASES + p]);
			}
			weft_buf_putc(b, '}');
		}
		weft_buf_puts(b, "},\"error_stage\":");
		if (q->failed)
			json_string(b, r->spec->stages[q->failed_stage].name);
		else
			weft_buf_puts(b, "null");
		weft_buf_puts(b, ",\"error\":");
		if (q->failed)
			json_string(b, q->error && q->error[0] ? q->error : "failed");
		else
			weft_buf_puts(b, "null");
		weft_buf_puts(b, "}\n");
	} else {
		put_u64(b, id);
		weft_buf_putc(b, ',');
		put_u64(b, sched > t0 ? sched - t0 : 0);
		weft_buf_putc(b, ',');
		put_u64(b, q->start > t0 ? q->start - t0 : 0);
		for (size_t s = 0; s < S; s++) {
			weft_buf_putc(b, ',');
			if (s < ran)
				put_u64(b, ns[s]);
		}
		weft_buf_putc(b, ',');
		put_u64(b, ns[S]);
		for (size_t s = 0; s < S; s++)
			for (size_t p = 0; p < sm->n_phases[s]; p++) {
				weft_buf_putc(b, ',');
				if (q->phases && s < ran && !(q->failed && s == q->failed_stage))
					put_u64(b, q->phases[s * WEFT_PL_MAX_PHASES + p]);
			}
		weft_buf_putc(b, ',');
		if (q->failed) {
			csv_field(b, r->spec->stages[q->failed_stage].name);
			weft_buf_putc(b, ',');
			csv_field(b, q->error && q->error[0] ? q->error : "failed");
		} else {
			weft_buf_putc(b, ',');
		}
		weft_buf_putc(b, '\n');
	}
	if (b->len >= FLUSH_AT)
		flush_buf(sm, b);
}

int weft_pl_samples_commit(weft_pl_samples *sm, weft_diags *d)
{
	int err = WEFT_OK;
	for (size_t i = 0; i < sm->n_bufs; i++) {
		if (sm->bufs[i].oom)
			err = WEFT_ENOMEM;
		flush_buf(sm, &sm->bufs[i]);
	}
	if (err) {
		weft_pl_samples_abort(sm);
		return err;
	}
	err = weft_file_out_commit(sm->f, d);
	sm->f = NULL;
	weft_pl_samples_abort(sm);
	return err;
}

void weft_pl_samples_abort(weft_pl_samples *sm)
{
	if (!sm)
		return;
	weft_file_out_abort(sm->f);
	for (size_t i = 0; i < sm->n_bufs; i++)
		weft_buf_free(&sm->bufs[i]);
	free(sm->bufs);
	pthread_mutex_destroy(&sm->mu);
	free(sm);
}
