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
 * The open-loop schedule stays exact: the loop sleeps in curl_multi_poll
 * with a timerfd armed at the next query's scheduled time (nanosecond
 * resolution; poll's own timeout is milliseconds), and latency counts from
 * that time. A query due while every slot of its loop is busy waits for one,
 * and the wait is in its latency and counted as a late send, as with
 * threads.
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
} slot;

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
	}
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

/* curl says which sockets to watch for what (the multi_socket API: curl
 * then never polls every transfer itself). */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)easy;
	loop *L = userp;
	struct epoll_event ev = { .events = 0, .data.fd = fd };
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
	    !(L->multi = curl_multi_init()))
		return WEFT_ENOMEM;
	L->n_slots = slots;
	L->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	L->epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = L->tfd };
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
		    !(sl->phases = calloc(r->n_stages * WEFT_PL_MAX_PHASES, sizeof *sl->phases)))
			return WEFT_ENOMEM;
		for (size_t s = 0; s < r->n_stages; s++) {
			int err = r->ops[s]->worker_new(&sl->stage_state[s], r->shared[s], &r->spec->stages[s], d);
			if (err)
				return err;
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

static void start_stage(weft_pl_worker *w, loop *L, slot *sl, size_t s)
{
	weft_pl_run *r = w->run;
	sl->stage = s;
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

static void stage_done(weft_pl_worker *w, loop *L, slot *sl, CURLcode code)
{
	weft_pl_run *r = w->run;
	size_t s = sl->stage;
	uint64_t now = weft_now_ns();
	curl_multi_remove_handle(L->multi, sl->handle);
	weft_pl_outcome o;
	memset(&o, 0, sizeof o);
	r->ops[s]->end(sl->stage_state[s], &r->spec->stages[s], (int)code, &o);
	sl->ns[s] = o.ns ? o.ns : now - sl->stage_t0;
	if (o.failed) {
		snprintf(sl->error, sizeof sl->error, "%s", o.error);
		sl->q.failed = true;
		sl->q.failed_stage = s;
		sl->q.error = sl->error;
		finish(w, L, sl, now);
		return;
	}
	weft_pl_record_phases(w, &sl->q, s, &o);
	if (s + 1 < r->n_stages)
		start_stage(w, L, sl, s + 1);
	else
		finish(w, L, sl, now);
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

/* Arm the timer at the held query's scheduled time when it waits only for
 * that; else disarm it (nothing to wake for but the transfers). */
static void arm(loop *L)
{
	struct itimerspec its;
	memset(&its, 0, sizeof its);
	bool on = L->pending && L->n_free && L->server;
	if (on) {
		its.it_value.tv_sec = (time_t)(L->p_sched / 1000000000u);
		its.it_value.tv_nsec = (long)(L->p_sched % 1000000000u);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(L->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Let curl act on what is due: its own timeout, then ready sockets. */
static void drive(loop *L, const struct epoll_event *ev, int n)
{
	int running;
	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd == L->tfd) {
			uint64_t expirations;
			ssize_t rd = read(L->tfd, &expirations, sizeof expirations);
			(void)rd;
			continue;
		}
		int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			    (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			    (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
		curl_multi_socket_action(L->multi, ev[i].data.fd, flags, &running);
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
		drive(L, NULL, 0);
		if (reap(w, L))
			continue;
		if (!L->pending && !L->more && L->n_free == L->n_slots)
			break;
		if (L->pending && L->n_free && (!L->server || L->p_sched <= weft_now_ns()))
			continue;
		arm(L);
		int wait_ms = 1000;
		if (L->curl_due) {
			uint64_t now = weft_now_ns();
			wait_ms = L->curl_due <= now ? 0 : (int)((L->curl_due - now + 999999u) / 1000000u);
			if (wait_ms > 1000)
				wait_ms = 1000;
		}
		int n = epoll_wait(L->epfd, ev, 64, wait_ms);
		if (n > 0)
			drive(L, ev, n);
		reap(w, L);
	}
	atomic_fetch_sub(&w->run->active, 1);
	return NULL;
}
