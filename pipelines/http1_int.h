/* http1_int.h - the event loops' own HTTP/1.1 client: a response parser and
 * one kept-alive connection driven by epoll, for the http stage's fast path
 * (plain http://, keep-alive, HTTP/1.1; libcurl does everything else). */
#ifndef WEFT_PIPELINES_HTTP1_INT_H
#define WEFT_PIPELINES_HTTP1_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef enum {
	WEFT_H1_MORE,  /* needs more bytes (or events) */
	WEFT_H1_DONE,  /* a whole response, well formed */
	WEFT_H1_BAD,   /* failed: see error */
} weft_h1_status;

/* ---- the response parser (pure: bytes in, no I/O; fuzzed) ---- */

#define WEFT_H1_MAX_LINE 8192          /* one status or header line */
#define WEFT_H1_MAX_HEADERS 65536      /* the whole header section */

typedef struct {
	/* results */
	int status;                 /* the final status code */
	int minor;                  /* HTTP/1.minor */
	bool has_length, chunked, until_close;
	uint64_t content_length;
	uint64_t body;              /* body bytes (chunked: decoded) */
	bool keep_alive;            /* the connection may carry another request */
	bool not_http;              /* the first bytes are not "HTTP/" */
	unsigned char first[16];    /* the reply's first bytes, for not_http */
	size_t n_first;
	uint64_t bytes;             /* every byte taken */
	char error[80];             /* why, on WEFT_H1_BAD */
	/* state */
	bool head;
	int state;
	unsigned flags;             /* what the header section said so far */
	uint64_t left;              /* of the body or of the chunk */
	size_t header_bytes, n_line;
	char line[WEFT_H1_MAX_LINE];
} weft_h1_parser;

/* Ready p for the response to a request (head: a HEAD request, whose
 * response has no body whatever its headers say). */
void weft_h1_parser_reset(weft_h1_parser *p, bool head);

/* Take up to n bytes of the response; *used gets how many of them belong
 * to it (on DONE the rest follow the response: a peer sending more than
 * it announced). MORE: all n taken, the response not over yet. */
weft_h1_status weft_h1_parse(weft_h1_parser *p, const char *buf, size_t n, size_t *used);

/* The peer closed the connection: DONE when that ends the response (a body
 * delimited by the close), BAD otherwise ("reply cut short", or "empty
 * reply (connection closed)" when nothing came). */
weft_h1_status weft_h1_parse_eof(weft_h1_parser *p);

/* ---- one connection ---- */

/* One address of the endpoint (getaddrinfo's results, in its order). */
typedef struct {
	struct sockaddr_storage addr;
	socklen_t len;
} weft_h1_addr;

typedef struct weft_h1_conn {
	/* set up by weft_h1_conn_init */
	int epfd;                   /* the loop's epoll; the socket is registered there */
	uint64_t tag;               /* epoll_data.u64 of the socket's events */
	const weft_h1_addr *addrs; /* tried in turn until one connects; the caller's */
	size_t n_addrs, at;        /* at: the one in use (or being tried) */
	uint64_t timeout_ns, connect_timeout_ns;
	/* the request in flight */
	int fd;                     /* -1: none open */
	uint32_t watching;          /* the events registered for fd (0: not registered) */
	int state;
	const char *req;
	size_t req_len, req_off;
	bool head, fresh, retried;
	size_t first_addr;          /* connecting: the address tried first */
	uint64_t t_start;           /* weft_h1_conn_start */
	uint64_t t_connect;         /* connecting began (fresh) */
	uint64_t t_ready;           /* connected: the request's first byte goes out */
	uint64_t t_first;           /* the response's first byte */
	uint64_t t_end;
	uint64_t excess;            /* bytes after the response (DONE) */
	int os_err;                 /* errno of a failed call, or 0 */
	char error[80];
	weft_h1_parser p;
	char buf[16384];
} weft_h1_conn;

/* A connection to the endpoint at addrs[0..n) (n >= 1; kept by the caller;
 * not opened until the first request; an address that refuses is left for
 * the next, as for localhost's ::1 and 127.0.0.1), whose socket will be
 * watched through epfd with events tagged tag. */
void weft_h1_conn_init(weft_h1_conn *c, int epfd, uint64_t tag, const weft_h1_addr *addrs, size_t n,
		       uint64_t timeout_ns, uint64_t connect_timeout_ns);

/* Close the socket (if open); the next request opens another. */
void weft_h1_conn_close(weft_h1_conn *c);

/* Send the request req[0..len) (kept by the caller until the response is
 * done), opening the connection if none is open. MORE: in flight; BAD:
 * failed at once (c->error). */
weft_h1_status weft_h1_conn_start(weft_h1_conn *c, const char *req, size_t len, bool head, uint64_t now);

/* The socket's epoll events. While a request is in flight: MORE, DONE (the
 * response in c->p, its status to judge) or BAD. While idle: the peer
 * closed or sent unasked bytes, and the connection is closed; MORE. */
weft_h1_status weft_h1_conn_io(weft_h1_conn *c, uint32_t events);

/* When the request in flight times out (connecting: the connect timeout
 * too); UINT64_MAX when none is in flight. */
uint64_t weft_h1_conn_deadline(const weft_h1_conn *c);

/* End the request in flight as failed with why (a timeout), closing the
 * connection. Returns BAD. */
weft_h1_status weft_h1_conn_abort(weft_h1_conn *c, const char *why, uint64_t now);

/* A request in flight? */
bool weft_h1_conn_busy(const weft_h1_conn *c);

#endif
