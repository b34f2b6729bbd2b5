/* http1.c - the event loops' own HTTP/1.1 client: a response parser and one
 * kept-alive connection driven by epoll.
 *
 * Why by hand: at tens of thousands of requests a second on two cores the
 * client's CPU per request sets the rate measured, and libcurl spends about
 * twice wrk's per request (a transfer set up anew for every request and a
 * liveness poll of every reused connection; docs/performance.md). A request
 * to a plain http:// endpoint over a kept-alive connection needs none of
 * that: one send, one receive, a parser. So this file does just that case;
 * the http stage falls back to libcurl for TLS, HTTP/2, new connections,
 * proxies and anything else (stage_http.c decides).
 *
 * Design: the parser is pure (bytes in, state out) so that it can be fuzzed
 * and tested on any split of the bytes. It trusts nothing: a reply that does
 * not start "HTTP/" is named as not HTTP at its first bytes; lines and the
 * header section are bounded; a Content-Length that is not a number, or two
 * that differ, a malformed chunk size or a folded header is an error; bytes
 * past the announced end are returned to the caller, which reports them as
 * a lying peer. The connection keeps its socket registered with the loop's
 * epoll (level-triggered) for as long as it is open, so a request costs one
 * send and one receive and no epoll_ctl; while idle, the same registration
 * notices the peer closing (the next request then opens a new connection,
 * without a liveness check per request). A request on a reused connection
 * that the peer closed before any byte of the response came back is sent
 * again once on a new connection, as HTTP clients do.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "http1_int.h"
#include "weft_core.h"

/* ---- the parser ----------------------------------------------------------------- */

enum { S_STATUS, S_HEADERS, S_BODY, S_CHUNK_SIZE, S_CHUNK_DATA, S_CHUNK_END, S_TRAILERS, S_CLOSE, S_DONE, S_BAD };

/* what one header section said, before the final status decides */
#define F_CLOSE 1u
#define F_KEEP 2u
#define F_TE 4u
#define F_INTERIM 8u

void weft_h1_parser_reset(weft_h1_parser *p, bool head)
{
	p->status = 0;
	p->minor = 0;
	p->has_length = p->chunked = p->until_close = false;
	p->content_length = p->body = p->bytes = 0;
	p->keep_alive = false;
	p->not_http = false;
	p->n_first = 0;
	p->error[0] = '\0';
	p->head = head;
	p->state = S_STATUS;
	p->left = 0;
	p->header_bytes = p->n_line = 0;
	p->flags = 0;
}

static weft_h1_status bad(weft_h1_parser *p, const char *fmt, ...) WEFT_PRINTF(2, 3);
static weft_h1_status bad(weft_h1_parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
	p->state = S_BAD;
	return WEFT_H1_BAD;
}

/* Take bytes of buf from *i up to and including the next LF into p->line.
 * 1: a whole line is there (CR LF or LF stripped, NUL-terminated), 0: all
 * of buf was taken without one, -1: the line is too long. */
static int take_line(weft_h1_parser *p, const char *buf, size_t n, size_t *i)
{
	const char *s = buf + *i;
	size_t avail = n - *i;
	const char *nl = memchr(s, '\n', avail);
	size_t k = nl ? (size_t)(nl - s) : avail;
	if (p->n_line + k >= sizeof p->line)
		return -1;
	memcpy(p->line + p->n_line, s, k);
	p->n_line += k;
	p->header_bytes += k + (nl != NULL);
	*i += k + (nl != NULL);
	if (!nl)
		return 0;
	if (p->n_line && p->line[p->n_line - 1] == '\r')
		p->n_line--;
	p->line[p->n_line] = '\0';
	return 1;
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !strncasecmp(name, want, len);
}

static bool is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A comma-separated list's elements, trimmed, one by one: *s advances. */
static bool next_element(const char **s, const char *end, const char **e, size_t *len)
{
	const char *p = *s;
	while (p < end && (is_ows(*p) || *p == ','))
		p++;
	if (p == end)
		return false;
	const char *q = p;
	while (q < end && *q != ',')
		q++;
	*s = q;
	while (q > p && is_ows(q[-1]))
		q--;
	*e = p;
	*len = (size_t)(q - p);
	return true;
}

static weft_h1_status content_length(weft_h1_parser *p, const char *v, const char *end)
{
	const char *e;
	size_t len;
	bool any = false;
	while (next_element(&v, end, &e, &len)) {
		uint64_t x = 0;
		if (!len || len > 18)
			return bad(p, "malformed Content-Length");
		for (size_t i = 0; i < len; i++) {
			if (e[i] < '0' || e[i] > '9')
				return bad(p, "malformed Content-Length");
			x = x * 10 + (uint64_t)(e[i] - '0');
		}
		if ((p->has_length || any) && x != p->content_length)
			return bad(p, "conflicting Content-Length headers");
		p->content_length = x;
		any = true;
	}
	if (!any)
		return bad(p, "malformed Content-Length");
	p->has_length = true;
	return WEFT_H1_MORE;
}

static weft_h1_status header_line(weft_h1_parser *p)
{
	const char *l = p->line, *end = p->line + p->n_line;
	if (is_ows(*l))
		return bad(p, "folded header line (obsolete line folding)");
	const char *colon = memchr(l, ':', p->n_line);
	if (!colon || colon == l)
		return bad(p, "malformed header line");
	for (const char *c = l; c < colon; c++)
		if (!is_token_char((unsigned char)*c))
			return bad(p, "malformed header line");
	size_t nlen = (size_t)(colon - l);
	const char *v = colon + 1;
	if (memchr(v, '\0', (size_t)(end - v)))
		return bad(p, "malformed header line");
	if (name_is(l, nlen, "content-length"))
		return content_length(p, v, end);
	const char *e;
	size_t len;
	if (name_is(l, nlen, "transfer-encoding")) {
		/* the last coding decides: chunked, or a body that ends at the close */
		p->flags |= F_TE;
		p->chunked = false;
		while (next_element(&v, end, &e, &len))
			p->chunked = len == 7 && !strncasecmp(e, "chunked", 7);
	} else if (name_is(l, nlen, "connection")) {
		while (next_element(&v, end, &e, &len)) {
			if (len == 5 && !strncasecmp(e, "close", 5))
				p->flags |= F_CLOSE;
			else if (len == 10 && !strncasecmp(e, "keep-alive", 10))
				p->flags |= F_KEEP;
		}
	}
	return WEFT_H1_MORE;
}

static weft_h1_status status_line(weft_h1_parser *p)
{
	const char *l = p->line;
	if (p->n_line < 12 || memcmp(l, "HTTP/1.", 7) || !isdigit((unsigned char)l[7]) || l[8] != ' ' ||
	    !isdigit((unsigned char)l[9]) || !isdigit((unsigned char)l[10]) || !isdigit((unsigned char)l[11]) ||
	    (p->n_line > 12 && l[12] != ' '))
		return bad(p, "malformed status line");
	p->minor = l[7] - '0';
	p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (p->status < 100)
		return bad(p, "malformed status line");
	if (p->status == 101)
		return bad(p, "unexpected 101 Switching Protocols");
	p->flags = p->status < 200 ? F_INTERIM : 0;
	p->has_length = p->chunked = false;
	p->content_length = 0;
	p->state = S_HEADERS;
	return WEFT_H1_MORE;
}

/* The header section is over: what follows it. */
static weft_h1_status headers_done(weft_h1_parser *p)
{
	if (p->flags & F_INTERIM) {
		/* 100 Continue, 103 Early Hints: the real answer follows */
		p->state = S_STATUS;
		return WEFT_H1_MORE;
	}
	if (p->flags & F_TE)
		p->has_length = false; /* Transfer-Encoding overrides Content-Length */
	p->keep_alive = !(p->flags & F_CLOSE) && (p->minor >= 1 || (p->flags & F_KEEP));
	if (p->head || p->status == 204 || p->status == 304) {
		p->state = S_DONE;
	} else if (p->chunked) {
		p->state = S_CHUNK_SIZE;
	} else if (p->has_length) {
		p->left = p->content_length;
		p->state = p->left ? S_BODY : S_DONE;
	} else {
		p->until_close = true;
		p->keep_alive = false;
		p->state = S_CLOSE;
	}
	return WEFT_H1_MORE;
}

static weft_h1_status chunk_size(weft_h1_parser *p)
{
	const char *l = p->line;
	uint64_t x = 0;
	size_t i = 0;
	for (; i < p->n_line && isxdigit((unsigned char)l[i]); i++) {
		if (i >= 15)
			return bad(p, "malformed chunked body (chunk size too large)");
		int c = l[i];
		x = x * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	if (!i)
		return bad(p, "malformed chunked body");
	while (i < p->n_line && is_ows(l[i]))
		i++;
	if (i < p->n_line && l[i] != ';')
		return bad(p, "malformed chunked body");
	p->left = x;
	p->state = x ? S_CHUNK_DATA : S_TRAILERS;
	return WEFT_H1_MORE;
}

/* One whole line in the states that read lines. */
static weft_h1_status line_done(weft_h1_parser *p)
{
	switch (p->state) {
	case S_STATUS:
		if (!p->n_line && !p->status)
			return WEFT_H1_MORE; /* a stray empty line before the status line */
		return status_line(p);
	case S_HEADERS:
		return p->n_line ? header_line(p) : headers_done(p);
	case S_CHUNK_SIZE:
		return chunk_size(p);
	case S_CHUNK_END:
		if (p->n_line)
			return bad(p, "malformed chunked body");
		p->state = S_CHUNK_SIZE;
		return WEFT_H1_MORE;
	case S_TRAILERS:
		if (!p->n_line)
			p->state = S_DONE;
		return WEFT_H1_MORE;
	}
	return WEFT_H1_MORE;
}

weft_h1_status weft_h1_parse(weft_h1_parser *p, const char *buf, size_t n, size_t *used)
{
	size_t i = 0;
	*used = 0;
	if (p->state == S_BAD)
		return WEFT_H1_BAD;
	if (p->state == S_DONE)
		return WEFT_H1_DONE;
	/* the first bytes: "HTTP/" or not an HTTP server at all */
	for (size_t k = 0; p->bytes + k < 5 && k < n; k++)
		if (buf[k] != "HTTP/"[p->bytes + k]) {
			p->not_http = true;
			break;
		}
	for (size_t k = 0; k < n && p->n_first < sizeof p->first; k++)
		p->first[p->n_first++] = (unsigned char)buf[k];
	if (p->not_http) {
		p->bytes += n;
		*used = n;
		return bad(p, "the server did not answer HTTP");
	}
	while (i < n) {
		size_t k;
		switch (p->state) {
		case S_BODY:
		case S_CHUNK_DATA:
			k = n - i < p->left ? n - i : (size_t)p->left;
			p->left -= k;
			p->body += k;
			i += k;
			if (!p->left)
				p->state = p->state == S_BODY ? S_DONE : S_CHUNK_END;
			break;
		case S_CLOSE:
			p->body += n - i;
			i = n;
			break;
		default: {
			int got = take_line(p, buf, n, &i);
			if (got < 0 || p->header_bytes > WEFT_H1_MAX_HEADERS) {
				p->bytes += i;
				*used = i;
				return bad(p, "response headers too large");
			}
			if (got) {
				weft_h1_status st = line_done(p);
				p->n_line = 0;
				if (st == WEFT_H1_BAD) {
					p->bytes += i;
					*used = i;
					return st;
				}
			}
		}
		}
		if (p->state == S_DONE)
			break;
	}
	p->bytes += i;
	*used = i;
	return p->state == S_DONE ? WEFT_H1_DONE : WEFT_H1_MORE;
}

weft_h1_status weft_h1_parse_eof(weft_h1_parser *p)
{
	if (p->state == S_DONE)
		return WEFT_H1_DONE;
	if (p->state == S_BAD)
		return WEFT_H1_BAD;
	if (p->state == S_CLOSE) {
		p->state = S_DONE;
		return WEFT_H1_DONE;
	}
	if (!p->bytes)
		return bad(p, "empty reply (connection closed)");
	return bad(p, "reply cut short");
}

/* ---- the connection ------------------------------------------------------------- */

enum { C_IDLE, C_CONNECTING, C_WRITING, C_READING };

void weft_h1_conn_init(weft_h1_conn *c, int epfd, uint64_t tag, const weft_h1_addr *addrs, size_t n,
		       uint64_t timeout_ns, uint64_t connect_timeout_ns)
{
	c->epfd = epfd;
	c->tag = tag;
	c->addrs = addrs;
	c->n_addrs = n;
	c->at = 0;
	c->timeout_ns = timeout_ns;
	c->connect_timeout_ns = connect_timeout_ns;
	c->fd = -1;
	c->watching = 0;
	c->state = C_IDLE;
}

static void watch(weft_h1_conn *c, uint32_t events)
{
	if (c->watching == events)
		return;
	struct epoll_event ev = { .events = events, .data.u64 = c->tag };
	epoll_ctl(c->epfd, c->watching ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev);
	c->watching = events;
}

void weft_h1_conn_close(weft_h1_conn *c)
{
	if (c->fd >= 0) {
		if (c->watching)
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->watching = 0;
	c->state = C_IDLE;
}

static weft_h1_status fail(weft_h1_conn *c, int os_err, const char *why)
{
	c->os_err = os_err;
	snprintf(c->error, sizeof c->error, "%s", why);
	c->t_end = weft_now_ns();
	weft_h1_conn_close(c);
	return WEFT_H1_BAD;
}

static weft_h1_status send_more(weft_h1_conn *c);

static weft_h1_status connect_failed(weft_h1_conn *c, int err, size_t first);

/* Connect to addrs[c->at] and send the request once connected; an
 * address that fails at once passes to the next, up to and not including
 * `first` again. */
static weft_h1_status try_connect(weft_h1_conn *c, size_t first)
{
	const weft_h1_addr *a = &c->addrs[c->at];
	c->fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(c, errno, "cannot connect");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (const struct sockaddr *)&a->addr, a->len) == 0) {
		c->t_ready = weft_now_ns();
		return send_more(c);
	}
	if (errno != EINPROGRESS)
		return connect_failed(c, errno, first);
	c->state = C_CONNECTING;
	c->first_addr = first;
	watch(c, EPOLLOUT);
	return WEFT_H1_MORE;
}

/* The address being tried failed with err: the next one, or the end. */
static weft_h1_status connect_failed(weft_h1_conn *c, int err, size_t first)
{
	weft_h1_conn_close(c);
	size_t next = (c->at + 1) % c->n_addrs;
	if (next == first)
		return fail(c, err, err == ECONNREFUSED ? "connection refused" : "cannot connect");
	c->at = next;
	return try_connect(c, first);
}

/* Open a new connection (from the address that worked last) and send the
 * request on it. */
static weft_h1_status open_conn(weft_h1_conn *c)
{
	c->fresh = true;
	c->t_connect = weft_now_ns();
	return try_connect(c, c->at);
}

/* A reused connection the peer had closed: once, on a new one. */
static bool may_retry(const weft_h1_conn *c)
{
	return !c->fresh && !c->retried && !c->p.bytes;
}

static weft_h1_status retry(weft_h1_conn *c)
{
	weft_h1_conn_close(c);
	c->retried = true;
	c->req_off = 0;
	return open_conn(c);
}

static weft_h1_status send_more(weft_h1_conn *c)
{
	while (c->req_off < c->req_len) {
		ssize_t n = send(c->fd, c->req + c->req_off, c->req_len - c->req_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->req_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->state = C_WRITING;
			watch(c, EPOLLOUT);
			return WEFT_H1_MORE;
		}
		int e = errno;
		if ((e == EPIPE || e == ECONNRESET) && may_retry(c))
			return retry(c);
		return fail(c, e, e == EPIPE || e == ECONNRESET ? "connection reset" : "send error");
	}
	c->state = C_READING;
	watch(c, EPOLLIN | EPOLLRDHUP);
	return WEFT_H1_MORE;
}

weft_h1_status weft_h1_conn_start(weft_h1_conn *c, const char *req, size_t len, bool head, uint64_t now)
{
	c->req = req;
	c->req_len = len;
	c->req_off = 0;
	c->head = head;
	c->fresh = c->retried = false;
	c->t_start = c->t_ready = now;
	c->t_connect = c->t_first = c->t_end = 0;
	c->excess = 0;
	c->os_err = 0;
	c->error[0] = '\0';
	weft_h1_parser_reset(&c->p, head);
	if (c->fd < 0)
		return open_conn(c);
	return send_more(c);
}

/* The response is over (DONE): keep the connection if it may carry more. */
static weft_h1_status done(weft_h1_conn *c, size_t excess)
{
	c->t_end = weft_now_ns();
	c->excess = excess;
	if (!c->p.keep_alive || excess)
		weft_h1_conn_close(c);
	else
		c->state = C_IDLE;
	return WEFT_H1_DONE;
}

static weft_h1_status receive(weft_h1_conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
		if (n > 0) {
			if (!c->t_first)
				c->t_first = weft_now_ns();
			size_t used;
			weft_h1_status st = weft_h1_parse(&c->p, c->buf, (size_t)n, &used);
			if (st == WEFT_H1_DONE)
				return done(c, (size_t)n - used);
			if (st == WEFT_H1_BAD)
				return fail(c, 0, c->p.error);
			if ((size_t)n < sizeof c->buf)
				return WEFT_H1_MORE; /* the rest when epoll says so */
			continue;
		}
		if (n == 0) {
			if (may_retry(c))
				return retry(c);
			if (weft_h1_parse_eof(&c->p) == WEFT_H1_DONE)
				return done(c, 0);
			return fail(c, 0, c->p.error);
		}
		int e = errno;
		if (e == EINTR)
			continue;
		if (e == EAGAIN || e == EWOULDBLOCK)
			return WEFT_H1_MORE;
		if (e == ECONNRESET && may_retry(c))
			return retry(c);
		return fail(c, e, e == ECONNRESET ? "connection reset" : "receive error");
	}
}

weft_h1_status weft_h1_conn_io(weft_h1_conn *c, uint32_t events)
{
	switch (c->state) {
	case C_IDLE:
		/* nothing asked: the peer closed, or sent what no request asked for */
		if (c->fd >= 0)
			weft_h1_conn_close(c);
		return WEFT_H1_MORE;
	case C_CONNECTING: {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (!err && !(events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLOUT))
			return WEFT_H1_MORE;
		if (err || (events & (EPOLLERR | EPOLLHUP)))
			return connect_failed(c, err ? err : ECONNREFUSED, c->first_addr);
		c->t_ready = weft_now_ns();
		return send_more(c);
	}
	case C_WRITING:
		return send_more(c);
	default:
		return receive(c);
	}
}

uint64_t weft_h1_conn_deadline(const weft_h1_conn *c)
{
	if (c->state == C_IDLE)
		return UINT64_MAX;
	uint64_t d = c->t_start + c->timeout_ns;
	if (c->state == C_CONNECTING && c->t_connect + c->connect_timeout_ns < d)
		d = c->t_connect + c->connect_timeout_ns;
	return d;
}

weft_h1_status weft_h1_conn_abort(weft_h1_conn *c, const char *why, uint64_t now)
{
	weft_h1_status st = fail(c, 0, why);
	c->t_end = now;
	return st;
}

bool weft_h1_conn_busy(const weft_h1_conn *c)
{
	return c->state != C_IDLE;
}
