/* load_events.c - the event-driven engine: a few threads, each one libcurl
 * multi handle driving many queries in flight.
 *
 * Design: a pipeline whose every stage is http does not need a thread per
 * query in flight; at tens of thousands of queries a second the threads'
 * context switches, not the endpoint, would be measured. Each worker here is
 * an event loop owning a share of the run's slots (queries in flight at
 * most, load.concurrency over all loops); a slot holds one easy handle per
 * stage, so each slot keeps its own connections alive as a client would.
 * The loop takes queries from the same dispenser as the threaded engine and
 * records them through the same function, so every statistic means the same.
 * The open-loop schedule stays exact: the loop sleeps in epoll_wait with a
 * timerfd armed WEFT_PL_SPIN_NS before the next query's scheduled time
 * (nanosecond resolution; epoll's own timeout is milliseconds), then polls
 * without sleeping until it is due (as the threads spin the last stretch of
 * their sleep: waking takes tens of microseconds), and latency counts from
 * that time. A query due while every slot of its loop is busy waits for one,
 * and the wait is in its latency and counted as a late send, as with
 * threads.
 * A stage whose requests the loops' own HTTP/1.1 client carries (http1.c,
 * see the http stage) bypasses libcurl: its connection's socket sits in the
 * same epoll set, tagged with its slot and stage (the top bit tells such a
 * tag from a file descriptor of libcurl's or the timer's), and its timeouts
 * are kept per stage in send order, so the earliest is always near the
 * front of its list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <curl/curl.h>

#include "events_int.h"
#include "http1_int.h"

typedef struct {
	void **stage_state;     /* per stage */
	size_t stage;           /* the stage in flight */
	CURL *handle;           /* its easy handle, while in the multi handle */
	uint64_t stage_t0;      /* when that stage was started */
	uint64_t free_since;    /* when the slot last became free */
	weft_pl_query q;
	uint64_t *ns;           /* per series */
	uint64_t *phases;       /* per stage and phase */
	char error[80];
	weft_h1_conn **conn;    /* per stage: the own client's connection, or NULL (libcurl) */
	size_t prev, next;      /* in its stage's list of own-client requests in flight */
} slot;

/* epoll tags: a file descriptor (libcurl's sockets, the timer), or this bit
 * with a slot and a stage (an own-client connection) */
#define OWN_TAG (UINT64_C(1) << 63)
#define NONE SIZE_MAX

typedef struct {
	size_t head, tail;      /* slots, oldest request first */
	uint64_t min_timeout;   /* the stage's shortest timeout (connect or whole), ns */
} own_list;

typedef struct {
	CURLM *multi;
	int epfd;               /* the sockets curl wants watched, and tfd */
	int tfd;                /* armed at the next scheduled send */
	uint64_t curl_due;      /* when curl wants its timeout handled (0: never) */
	slot *slots;
	size_t n_slots;
	size_t *free_ids;       /* a stack of free slots */
	size_t n_free;
	/* the query taken from the dispenser and not yet sent */
	bool pending, more;
	uint64_t p_idx, p_sched, p_taken;
	bool server;
	bool armed;             /* tfd is set */
	own_list *own;          /* per stage */
} loop;

bool weft_pl_events_usable(const weft_pl_run *r)
{
	if (!r->n_stages)
		return false;
	for (size_t s = 0; s < r->n_stages; s++)
		if (!r->ops[s]->begin || !r->ops[s]->end)
			return false;
	return true;
}

void weft_pl_events_free(weft_pl_worker *w)
{
	loop *L = w->loop;
	if (!L)
		return;
	weft_pl_run *r = w->run;
	for (size_t i = 0; i < L->n_slots; i++) {
		slot *sl = &L->slots[i];
		if (sl->handle && L->multi)
			curl_multi_remove_handle(L->multi, sl->handle);
		for (size_t s = 0; sl->stage_state && s < r->n_stages; s++)
			if (sl->stage_state[s])
				r->ops[s]->worker_free(sl->stage_state[s]);
		free(sl->stage_state);
		free(sl->ns);
		free(sl->phases);
		free(sl->conn);
	}
	free(L->own);
	free(L->slots);
	free(L->free_ids);
	if (L->multi)
		curl_multi_cleanup(L->multi);
	if (L->tfd >= 0)
		close(L->tfd);
	if (L->epfd >= 0)
		close(L->epfd);
	free(L);
	w->loop = NULL;
}

void weft_pl_events_clients(const weft_pl_worker *w, bool *own, bool *curl)
{
	const loop *L = w->loop;
	*own = *curl = false;
	for (size_t s = 0; L && L->n_slots && s < w->run->n_stages; s++) {
		if (L->slots[0].conn[s])
			*own = true;
		else
			*curl = true;
	}
}

/* curl says which sockets to watch for what (the multi_socket API: curl
 * then never polls every transfer itself). */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)easy;
	loop *L = userp;
	struct epoll_event ev = { .events = 0, .data.u64 = (uint64_t)fd };
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(L->epfd, EPOLL_CTL_DEL, fd, &ev);
		curl_multi_assign(L->multi, fd, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (socketp) {
		epoll_ctl(L->epfd, EPOLL_CTL_MOD, fd, &ev);
	} else {
		if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
			epoll_ctl(L->epfd, EPOLL_CTL_MOD, fd, &ev);
		curl_multi_assign(L->multi, fd, L); /* any non-NULL mark: "watched" */
	}
	return 0;
}

/* curl's own deadline (timeouts, connection set-up): -1 none, else ms from now. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	loop *L = userp;
	L->curl_due = timeout_ms < 0 ? 0 : weft_now_ns() + (uint64_t)timeout_ms * 1000000u;
	return 0;
}

int weft_pl_events_init(weft_pl_worker *w, size_t slots, weft_diags *d)
{
	weft_pl_run *r = w->run;
	loop *L = calloc(1, sizeof *L);
	if (!L)
		return WEFT_ENOMEM;
	L->tfd = L->epfd = -1;
	w->loop = L;
	if (!(L->slots = calloc(slots, sizeof *L->slots)) || !(L->free_ids = calloc(slots, sizeof *L->free_ids)) ||
	    !(L->own = calloc(r->n_stages, sizeof *L->own)) || !(L->multi = curl_multi_init()))
		return WEFT_ENOMEM;
	for (size_t s = 0; s < r->n_stages; s++) {
		const weft_pipelines_http *h = &r->spec->stages[s].http;
		double t = h->connect_timeout_ms > 0 && h->connect_timeout_ms < h->timeout_ms ? h->connect_timeout_ms
											: h->timeout_ms;
		L->own[s].head = L->own[s].tail = NONE;
		L->own[s].min_timeout = (uint64_t)(t * 1e6);
	}
	L->n_slots = slots;
	L->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	L->epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)L->tfd };
	if (L->tfd < 0 || L->epfd < 0 || epoll_ctl(L->epfd, EPOLL_CTL_ADD, L->tfd, &ev) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "cannot create an event loop: %s", strerror(errno));
		return WEFT_EENV;
	}
	curl_multi_setopt(L->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(L->multi, CURLMOPT_SOCKETDATA, L);
	curl_multi_setopt(L->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(L->multi, CURLMOPT_TIMERDATA, L);
	/* as many connections as queries in flight, kept between queries */
	curl_multi_setopt(L->multi, CURLMOPT_MAXCONNECTS, (long)(slots * r->n_stages + 4));
	for (size_t i = 0; i < slots; i++) {
		slot *sl = &L->slots[i];
		if (!(sl->stage_state = calloc(r->n_stages, sizeof *sl->stage_state)) ||
		    !(sl->ns = calloc(r->ns_count, sizeof *sl->ns)) ||
		    !(sl->phases = calloc(r->n_stages * WEFT_PL_MAX_PHASES, sizeof *sl->phases)) ||
		    !(sl->conn = calloc(r->n_stages, sizeof *sl->conn)))
			return WEFT_ENOMEM;
		sl->prev = sl->next = NONE;
		for (size_t s = 0; s < r->n_stages; s++) {
			int err = r->ops[s]->worker_new(&sl->stage_state[s], r->shared[s], &r->spec->stages[s], d);
			if (err)
				return err;
			if (r->ops[s]->h1_attach && s < 0xffff) /* the tag holds the stage in 16 bits */
				sl->conn[s] = r->ops[s]->h1_attach(sl->stage_state[s], &r->spec->stages[s], L->epfd,
								   OWN_TAG | (uint64_t)i << 16 | s);
		}
		L->free_ids[L->n_free++] = slots - 1 - i; /* slot 0 on top */
	}
	return WEFT_OK;
}

/* ---- one query ------------------------------------------------------------------ */

static void finish(weft_pl_worker *w, loop *L, slot *sl, uint64_t now)
{
	weft_pl_run *r = w->run;
	sl->q.end = now;
	bool warm = weft_pl_record(w, &sl->q, sl->ns);
	if (!warm) {
		/* what the harness added to the query: all but the stages */
		uint64_t stages = 0;
		for (size_t s = 0; s < r->n_stages && s <= sl->stage; s++)
			stages += sl->ns[s];
		uint64_t span = sl->q.end - sl->q.start;
		weft_pipelines_hist_record(w->overhead, span > stages ? span - stages : 0);
	}
	sl->handle = NULL;
	sl->free_since = now;
	L->free_ids[L->n_free++] = (size_t)(sl - L->slots);
}

static void fail_now(weft_pl_worker *w, loop *L, slot *sl, const char *why)
{
	snprintf(sl->error, sizeof sl->error, "%s", why);
	sl->q.failed = true;
	sl->q.failed_stage = sl->stage;
	sl->q.error = sl->error;
	sl->ns[sl->stage] = 0;
	finish(w, L, sl, weft_now_ns());
}

/* ---- own-client requests in flight, per stage in send order ---- */

static void own_link(loop *L, slot *sl, size_t s)
{
	size_t id = (size_t)(sl - L->slots);
	own_list *o = &L->own[s];
	sl->prev = o->tail;
	sl->next = NONE;
	if (o->tail != NONE)
		L->slots[o->tail].next = id;
	else
		o->head = id;
	o->tail = id;
}

static void own_unlink(loop *L, slot *sl, size_t s)
{
	own_list *o = &L->own[s];
	if (sl->prev != NONE)
		L->slots[sl->prev].next = sl->next;
	else
		o->head = sl->next;
	if (sl->next != NONE)
		L->slots[sl->next].prev = sl->prev;
	else
		o->tail = sl->prev;
	sl->prev = sl->next = NONE;
}

static void stage_finish(weft_pl_worker *w, loop *L, slot *sl, uint64_t now, const weft_pl_outcome *o);

/* An own-client request is over (status DONE or BAD). */
static void own_done(weft_pl_worker *w, loop *L, slot *sl, int status)
{
	weft_pl_run *r = w->run;
	size_t s = sl->stage;
	own_unlink(L, sl, s);
	weft_pl_outcome o;
	memset(&o, 0, sizeof o);
	r->ops[s]->h1_end(sl->stage_state[s], &r->spec->stages[s], status, &o);
	stage_finish(w, L, sl, weft_now_ns(), &o);
}

/* Time out every own-client request past its deadline; returns the
 * earliest deadline left (UINT64_MAX: none). Requests are in send order, so
 * a scan stops at the first one that cannot be due before the best found. */
static uint64_t own_expire(weft_pl_worker *w, loop *L, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	for (size_t s = 0; s < w->run->n_stages; s++) {
		size_t id = L->own[s].head;
		while (id != NONE) {
			slot *sl = &L->slots[id];
			id = sl->next;
			const weft_h1_conn *c = sl->conn[s];
			if (c->t_start + L->own[s].min_timeout >= best)
				break;
			uint64_t due = weft_h1_conn_deadline(c);
			if (due <= now)
				own_done(w, L, sl, weft_h1_conn_abort(sl->conn[s], "timeout", now));
			else if (due < best)
				best = due;
		}
	}
	return best;
}

static void start_stage(weft_pl_worker *w, loop *L, slot *sl, size_t s)
{
	weft_pl_run *r = w->run;
	sl->stage = s;
	if (sl->conn[s]) {
		sl->handle = NULL;
		sl->stage_t0 = weft_now_ns();
		own_link(L, sl, s);
		int st = r->ops[s]->h1_begin(sl->stage_state[s], &r->spec->stages[s], sl->q.idx);
		if (st != WEFT_H1_MORE)
			own_done(w, L, sl, st);
		return;
	}
	sl->handle = r->ops[s]->begin(sl->stage_state[s], &r->spec->stages[s], sl->q.idx);
	curl_easy_setopt(sl->handle, CURLOPT_PRIVATE, (char *)sl);
	sl->stage_t0 = weft_now_ns();
	if (curl_multi_add_handle(L->multi, sl->handle) != CURLM_OK) {
		sl->handle = NULL;
		fail_now(w, L, sl, "cannot start the request");
	}
}

static void start_query(weft_pl_worker *w, loop *L)
{
	slot *sl = &L->slots[L->free_ids[--L->n_free]];
	memset(&sl->q, 0, sizeof sl->q);
	sl->q.idx = L->p_idx;
	sl->q.sched = L->p_sched;
	sl->q.server = L->server;
	sl->q.phases = sl->phases;
	/* in hand from when it was taken or a slot came free, whichever is later */
	sl->q.ready = sl->free_since > L->p_taken ? sl->free_since : L->p_taken;
	sl->q.start = weft_now_ns();
	L->pending = false;
	start_stage(w, L, sl, 0);
}

/* The stage in flight is over with outcome o: the next stage, or the end. */
static void stage_finish(weft_pl_worker *w, loop *L, slot *sl, uint64_t now, const weft_pl_outcome *o)
{
	weft_pl_run *r = w->run;
	size_t s = sl->stage;
	sl->ns[s] = o->ns ? o->ns : now - sl->stage_t0;
	if (o->failed) {
		snprintf(sl->error, sizeof sl->error, "%s", o->error);
		sl->q.failed = true;
		sl->q.failed_stage = s;
		sl->q.error = sl->error;
		finish(w, L, sl, now);
		return;
	}
	weft_pl_record_phases(w, &sl->q, s, o);
	if (s + 1 < r->n_stages)
		start_stage(w, L, sl, s + 1);
	else
		finish(w, L, sl, now);
}

static void stage_done(weft_pl_worker *w, loop *L, slot *sl, CURLcode code)
{
	weft_pl_run *r = w->run;
	size_t s = sl->stage;
	uint64_t now = weft_now_ns();
	curl_multi_remove_handle(L->multi, sl->handle);
	weft_pl_outcome o;
	memset(&o, 0, sizeof o);
	r->ops[s]->end(sl->stage_state[s], &r->spec->stages[s], (int)code, &o);
	stage_finish(w, L, sl, now, &o);
}

/* Take the next query from the dispenser unless one is held or none is left
 * (or, multi-stream, the next would wait for the query in flight). */
static void refill(weft_pl_worker *w, loop *L)
{
	if (L->pending || !L->more || weft_pl_take_waits(w->run))
		return;
	L->more = weft_pl_take(w->run, &L->p_idx, &L->p_sched, &L->server);
	L->pending = L->more;
	L->p_taken = weft_now_ns();
}

/* Send every held query that is due while a slot is free. */
static void send_due(weft_pl_worker *w, loop *L)
{
	for (;;) {
		refill(w, L);
		if (!L->pending || !L->n_free)
			return;
		if (L->server && L->p_sched > weft_now_ns())
			return;
		start_query(w, L);
	}
}

/* Handle every finished transfer; returns how many. */
static size_t reap(weft_pl_worker *w, loop *L)
{
	size_t n = 0;
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(L->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		char *priv = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		CURLcode code = m->data.result;
		stage_done(w, L, (slot *)(void *)priv, code);
		n++;
	}
	return n;
}

/* Arm the timer WEFT_PL_SPIN_NS before the held query's scheduled time
 * when it waits only for that (and is not that close already); else disarm
 * it (nothing to wake for but the transfers). */
static void arm(loop *L, uint64_t now)
{
	struct itimerspec its;
	memset(&its, 0, sizeof its);
	bool on = L->pending && L->n_free && L->server && L->p_sched > now + WEFT_PL_SPIN_NS;
	if (!on && !L->armed)
		return; /* disarmed already: no system call */
	L->armed = on;
	if (on) {
		uint64_t at = L->p_sched - WEFT_PL_SPIN_NS;
		its.it_value.tv_sec = (time_t)(at / 1000000000u);
		its.it_value.tv_nsec = (long)(at % 1000000000u);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(L->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Act on the ready sockets (the own client's connections, libcurl's), then
 * on libcurl's timeout when due. */
static void drive(weft_pl_worker *w, loop *L, const struct epoll_event *ev, int n)
{
	int running;
	for (int i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;
		if (tag & OWN_TAG) {
			slot *sl = &L->slots[(tag & ~OWN_TAG) >> 16];
			size_t s = (size_t)(tag & 0xffff);
			/* DONE or BAD only for a request in flight: stage s of this slot */
			int st = weft_h1_conn_io(sl->conn[s], ev[i].events);
			if (st != WEFT_H1_MORE)
				own_done(w, L, sl, st);
			continue;
		}
		if ((int)tag == L->tfd) {
			uint64_t expirations;
			ssize_t rd = read(L->tfd, &expirations, sizeof expirations);
			(void)rd;
			continue;
		}
		int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			    (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			    (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
		curl_multi_socket_action(L->multi, (curl_socket_t)tag, flags, &running);
	}
	if (L->curl_due && weft_now_ns() >= L->curl_due) {
		L->curl_due = 0;
		curl_multi_socket_action(L->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}

void *weft_pl_events_main(void *arg)
{
	weft_pl_worker *w = arg;
	loop *L = w->loop;
#ifdef PR_SET_TIMERSLACK
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#endif
	L->more = true;
	L->pending = false;
	struct epoll_event ev[64];
	for (;;) {
		send_due(w, L);
		/* a transfer just added is started by its timeout of 0 */
		drive(w, L, NULL, 0);
		if (reap(w, L))
			continue;
		if (!L->pending && !L->more && L->n_free == L->n_slots)
			break;
		if (L->pending && L->n_free && (!L->server || L->p_sched <= weft_now_ns()))
			continue;
		uint64_t now = weft_now_ns();
		size_t n_free = L->n_free;
		uint64_t due = own_expire(w, L, now);
		if (L->n_free != n_free)
			continue; /* timeouts freed slots */
		arm(L, now);
		if (L->pending && L->n_free && L->server && L->p_sched <= now + WEFT_PL_SPIN_NS)
			due = now; /* the last stretch: poll without sleeping */
		if (L->curl_due && L->curl_due < due)
			due = L->curl_due;
		int wait_ms = 1000;
		if (due != UINT64_MAX) {
			uint64_t ms = due <= now ? 0 : (due - now + 999999u) / 1000000u;
			wait_ms = ms < 1000 ? (int)ms : 1000;
		}
		int n = epoll_wait(L->epfd, ev, 64, wait_ms);
		if (n > 0)
			drive(w, L, ev, n);
		reap(w, L);
	}
	atomic_fetch_sub(&w->run->active, 1);
	return NULL;
}
