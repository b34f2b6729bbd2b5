/* test_pipelines_http1.c - the event loops' own HTTP/1.1 response parser,
 * fed every response whole and cut at every byte: the verdict, the status,
 * the body's length and where the response ends must not depend on how the
 * bytes arrive. The expected figures come from how each response is built
 * here, not from the parser. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "http1_int.h"
#include "httpd_test.h"
#include "weft_core.h"

typedef struct {
	weft_h1_status st;
	size_t used;      /* bytes of the input that belong to the response */
	int status;
	uint64_t body;
	bool keep_alive;
	char error[80];
} fed;

/* Feed text (n bytes) in pieces of `piece` bytes, then the end of the
 * stream when eof; stop at the first DONE or BAD. */
static fed feed(const char *text, size_t n, size_t piece, bool head, bool eof)
{
	static weft_h1_parser p;
	weft_h1_parser_reset(&p, head);
	fed f = { WEFT_H1_MORE, 0, 0, 0, false, "" };
	size_t off = 0;
	while (off < n && f.st == WEFT_H1_MORE) {
		size_t k = n - off < piece ? n - off : piece, used = 0;
		f.st = weft_h1_parse(&p, text + off, k, &used);
		cr_assert_leq(used, k);
		if (f.st == WEFT_H1_MORE)
			cr_assert_eq(used, k, "MORE must take every byte");
		f.used += used;
		off += k;
	}
	if (f.st == WEFT_H1_MORE && eof)
		f.st = weft_h1_parse_eof(&p);
	f.status = p.status;
	f.body = p.body;
	f.keep_alive = p.keep_alive;
	snprintf(f.error, sizeof f.error, "%s", p.error);
	return f;
}

/* The same outcome whole and for every piece size from 1 byte. */
static fed feed_all_ways(const char *text, bool head, bool eof)
{
	size_t n = strlen(text);
	fed whole = feed(text, n, n ? n : 1, head, eof);
	for (size_t piece = 1; piece < n; piece++) {
		fed f = feed(text, n, piece, head, eof);
		cr_assert_eq(f.st, whole.st, "piece %zu: status %d, whole %d", piece, f.st, whole.st);
		cr_assert_eq(f.status, whole.status, "piece %zu", piece);
		cr_assert_eq(f.body, whole.body, "piece %zu", piece);
		cr_assert_eq(f.keep_alive, whole.keep_alive, "piece %zu", piece);
		cr_assert_str_eq(f.error, whole.error, "piece %zu", piece);
		if (f.st == WEFT_H1_DONE)
			cr_assert_eq(f.used, whole.used, "piece %zu", piece);
	}
	return whole;
}

#define HEAD_OK "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"

Test(http1, content_length_body_ends_where_announced)
{
	const char *body = "hello, world";
	char text[256];
	int head = snprintf(text, sizeof text, HEAD_OK "Content-Length: %zu\r\n\r\n", strlen(body));
	snprintf(text + head, sizeof text - (size_t)head, "%sEXTRA", body);
	fed f = feed_all_ways(text, false, false);
	cr_assert_eq(f.st, WEFT_H1_DONE);
	cr_assert_eq(f.status, 200);
	cr_assert_eq(f.body, strlen(body));
	/* the 5 bytes past the announced end are not the response's */
	cr_assert_eq(f.used, strlen(text) - 5);
	cr_assert(f.keep_alive);
}

Test(http1, chunked_body_with_extensions_and_trailers)
{
	/* 5 + 16 + 1 = 22 body bytes */
	const char *text = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "5;name=value\r\nhello\r\n10\r\n0123456789abcdef\r\n1 \r\n!\r\n0\r\nX-Trailer: yes\r\n\r\n";
	fed f = feed_all_ways(text, false, false);
	cr_assert_eq(f.st, WEFT_H1_DONE, "%s", f.error);
	cr_assert_eq(f.status, 201);
	cr_assert_eq(f.body, 22);
	cr_assert_eq(f.used, strlen(text));
	cr_assert(f.keep_alive);
}

Test(http1, transfer_encoding_overrides_content_length)
{
	const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
			   "3\r\nabc\r\n0\r\n\r\n";
	fed f = feed_all_ways(text, false, false);
	cr_assert_eq(f.st, WEFT_H1_DONE);
	cr_assert_eq(f.body, 3);
}

Test(http1, body_until_close)
{
	const char *text = "HTTP/1.0 200 OK\r\n\r\nall of this is the body";
	fed f = feed_all_ways(text, false, true);
	cr_assert_eq(f.st, WEFT_H1_DONE);
	cr_assert_eq(f.body, strlen("all of this is the body"));
	cr_assert_not(f.keep_alive);
	/* without the close it is not over */
	cr_assert_eq(feed(text, strlen(text), 4, false, false).st, WEFT_H1_MORE);
}

Test(http1, keep_alive_rules)
{
	cr_assert(feed_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, false).keep_alive);
	cr_assert_not(
		feed_all_ways("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false, false)
			.keep_alive);
	cr_assert_not(feed_all_ways("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, false).keep_alive);
	cr_assert(feed_all_ways("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", false,
				false)
			  .keep_alive);
}

Test(http1, no_body_after_head_204_and_304)
{
	const char *len = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n";
	fed f = feed_all_ways(len, true, false);
	cr_assert_eq(f.st, WEFT_H1_DONE);
	cr_assert_eq(f.body, 0);
	cr_assert_eq(feed_all_ways("HTTP/1.1 204 No Content\r\n\r\n", false, false).st, WEFT_H1_DONE);
	cr_assert_eq(feed_all_ways("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, false).st,
		     WEFT_H1_DONE);
}

Test(http1, interim_responses_are_skipped)
{
	const char *text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
			   "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
	fed f = feed_all_ways(text, false, false);
	cr_assert_eq(f.st, WEFT_H1_DONE);
	cr_assert_eq(f.status, 404);
	cr_assert_eq(f.body, 2);
}

Test(http1, stray_empty_line_before_the_status_line)
{
	fed f = feed_all_ways("\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false, false);
	/* not "HTTP/" at the first byte: a peer that is not answering HTTP */
	cr_assert_eq(f.st, WEFT_H1_BAD);
}

Test(http1, not_http_at_the_first_bytes)
{
	static weft_h1_parser p;
	weft_h1_parser_reset(&p, false);
	const char *ssh = "SSH-2.0-OpenSSH_9.2p1\r\n";
	size_t used;
	cr_assert_eq(weft_h1_parse(&p, ssh, strlen(ssh), &used), WEFT_H1_BAD);
	cr_assert(p.not_http);
	cr_assert_eq(p.n_first, 16);
	cr_assert_eq(memcmp(p.first, ssh, 16), 0);
	/* one byte at a time: refused at the first byte that differs */
	weft_h1_parser_reset(&p, false);
	cr_assert_eq(weft_h1_parse(&p, "H", 1, &used), WEFT_H1_MORE);
	cr_assert_eq(weft_h1_parse(&p, "TX", 2, &used), WEFT_H1_BAD);
	cr_assert(p.not_http);
}

Test(http1, malformed_responses_are_refused_with_a_reason)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
		{ "HTTP/1.1 2OO OK\r\n\r\n", "malformed status line" },
		{ "HTTP/1.1 200OK\r\n\r\n", "malformed status line" },
		{ "HTTP/2 200\r\n\r\n", "malformed status line" },
		{ "HTTP/1.1 099 Low\r\n\r\n", "malformed status line" },
		{ "HTTP/1.1 101 Switching Protocols\r\n\r\n", "unexpected 101 Switching Protocols" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "malformed Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "malformed Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "malformed Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", "malformed Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
		  "conflicting Content-Length headers" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n", "conflicting Content-Length headers" },
		{ "HTTP/1.1 200 OK\r\nX: a\r\n  folded\r\n\r\n", "folded header line (obsolete line folding)" },
		{ "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed header line" },
		{ "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "malformed header line" },
		{ "HTTP/1.1 200 OK\r\n: x\r\n\r\n", "malformed header line" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunked body" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\n", "malformed chunked body" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", "malformed chunked body" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
		  "malformed chunked body (chunk size too large)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fed f = feed_all_ways(cases[i].text, false, false);
		cr_assert_eq(f.st, WEFT_H1_BAD, "case %zu: %s", i, cases[i].text);
		cr_assert_str_eq(f.error, cases[i].error, "case %zu", i);
	}
	/* a double Content-Length that agrees is allowed */
	cr_assert_eq(feed_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\nContent-Length: 1\r\n\r\nx", false,
				   false)
			     .st,
		     WEFT_H1_DONE);
}

Test(http1, a_cut_reply_and_an_empty_one)
{
	fed f = feed_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly5", false, true);
	cr_assert_eq(f.st, WEFT_H1_BAD);
	cr_assert_str_eq(f.error, "reply cut short");
	f = feed_all_ways("HTTP/1.1 200 OK\r\nContent-Le", false, true);
	cr_assert_str_eq(f.error, "reply cut short");
	f = feed_all_ways("", false, true);
	cr_assert_eq(f.st, WEFT_H1_BAD);
	cr_assert_str_eq(f.error, "empty reply (connection closed)");
}

Test(http1, headers_are_bounded)
{
	/* one line longer than the line limit */
	static char text[WEFT_H1_MAX_LINE + 64];
	int k = snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nX-Long: ");
	memset(text + k, 'a', WEFT_H1_MAX_LINE);
	strcpy(text + k + WEFT_H1_MAX_LINE, "\r\n\r\n");
	fed f = feed(text, strlen(text), 1000, false, false);
	cr_assert_eq(f.st, WEFT_H1_BAD);
	cr_assert_str_eq(f.error, "response headers too large");
	/* many short lines, more than the section's limit in all */
	static char many[WEFT_H1_MAX_HEADERS + 4096];
	size_t n = (size_t)snprintf(many, sizeof many, "HTTP/1.1 200 OK\r\n");
	while (n < WEFT_H1_MAX_HEADERS + 100)
		n += (size_t)snprintf(many + n, sizeof many - n, "X-Header: some value here\r\n");
	n += (size_t)snprintf(many + n, sizeof many - n, "\r\n");
	f = feed(many, n, 4096, false, false);
	cr_assert_eq(f.st, WEFT_H1_BAD);
	cr_assert_str_eq(f.error, "response headers too large");
}

Test(http1, a_parser_reused_for_the_next_response)
{
	static weft_h1_parser p;
	const char *a = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab";
	const char *b = "HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	size_t used;
	weft_h1_parser_reset(&p, false);
	cr_assert_eq(weft_h1_parse(&p, a, strlen(a), &used), WEFT_H1_DONE);
	weft_h1_parser_reset(&p, false);
	cr_assert_eq(weft_h1_parse(&p, b, strlen(b), &used), WEFT_H1_DONE);
	cr_assert_eq(p.status, 503);
	cr_assert_eq(p.body, 0);
	cr_assert_not(p.has_length);
}

/* ---- the connection, against the loopback test server ---- */

static weft_h1_addr loopback(int port)
{
	weft_h1_addr a;
	memset(&a, 0, sizeof a);
	struct sockaddr_in *in = (struct sockaddr_in *)&a.addr;
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.len = sizeof *in;
	return a;
}

/* Drive c's request to its end through epfd (at most 5 s). */
static weft_h1_status drive(int epfd, weft_h1_conn *c, weft_h1_status st)
{
	uint64_t t0 = weft_now_ns();
	while (st == WEFT_H1_MORE && weft_now_ns() - t0 < 5000000000u) {
		struct epoll_event ev[4];
		int n = epoll_wait(epfd, ev, 4, 100);
		for (int i = 0; i < n && st == WEFT_H1_MORE; i++) {
			cr_assert_eq(ev[i].data.u64, 42);
			st = weft_h1_conn_io(c, ev[i].events);
		}
	}
	return st;
}

Test(http1, a_connection_tries_each_address_and_is_kept_alive)
{
	weft_test_httpd *srv;
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
	int epfd = epoll_create1(0);
	cr_assert_geq(epfd, 0);
	/* the first address refuses (nothing listens), the second answers */
	weft_h1_addr addrs[2] = { loopback(weft_test_refused_port()), loopback(weft_test_httpd_port(srv)) };
	static weft_h1_conn c;
	weft_h1_conn_init(&c, epfd, 42, addrs, 2, 2000000000u, 1000000000u);
	const char req[] = "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n";
	for (int i = 0; i < 3; i++) {
		weft_h1_status st = drive(epfd, &c, weft_h1_conn_start(&c, req, sizeof req - 1, false, weft_now_ns()));
		cr_assert_eq(st, WEFT_H1_DONE, "request %d: %s", i, c.error);
		cr_assert_eq(c.p.status, 200);
		cr_assert_eq(c.p.body, 3);
		cr_assert_eq(c.at, 1);
		cr_assert_eq(c.fresh, i == 0, "request %d", i);
		cr_assert_not(weft_h1_conn_busy(&c));
		cr_assert_eq(weft_h1_conn_deadline(&c), UINT64_MAX);
	}
	/* three requests, one connection */
	cr_assert_eq(weft_test_httpd_connections(srv), 1);
	cr_assert_eq(weft_test_httpd_requests(srv), 3);
	/* every address refusing: refused, at once */
	weft_h1_addr none[2] = { loopback(weft_test_refused_port()), loopback(weft_test_refused_port()) };
	weft_h1_conn_close(&c);
	weft_h1_conn_init(&c, epfd, 42, none, 2, 2000000000u, 1000000000u);
	weft_h1_status st = drive(epfd, &c, weft_h1_conn_start(&c, req, sizeof req - 1, false, weft_now_ns()));
	cr_assert_eq(st, WEFT_H1_BAD);
	cr_assert_str_eq(c.error, "connection refused");
	/* a stalled answer: the deadline is the caller's to act on */
	weft_h1_conn_init(&c, epfd, 42, &addrs[1], 1, 50000000u, 1000000000u);
	const char stall[] = "GET /stall HTTP/1.1\r\nHost: t\r\n\r\n";
	uint64_t t = weft_now_ns();
	cr_assert_eq(weft_h1_conn_start(&c, stall, sizeof stall - 1, false, t), WEFT_H1_MORE);
	cr_assert(weft_h1_conn_busy(&c));
	cr_assert_eq(weft_h1_conn_deadline(&c), t + 50000000u);
	cr_assert_eq(weft_h1_conn_abort(&c, "timeout", weft_now_ns()), WEFT_H1_BAD);
	cr_assert_str_eq(c.error, "timeout");
	cr_assert_eq(c.fd, -1);
	close(epfd);
	weft_test_httpd_stop(srv);
}
