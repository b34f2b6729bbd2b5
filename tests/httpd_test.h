/* httpd_test.h - a tiny HTTP/1.1 server on loopback for the bench tests.
 *
 * Started in-process on an ephemeral port (127.0.0.1:0) in its own thread,
 * one thread per connection, keep-alive. The path says how to behave:
 *   /ok (or anything else)  200 with a short body
 *   /slow/MS                wait MS milliseconds, then 200
 *   /svc/US[/TAIL/PM]       wait US microseconds (TAIL instead for PM per
 *                           thousand requests, picked by a hash), then 200
 *   /status/CODE            answer with that status
 *   /reset                  read the request, then reset the connection (RST)
 *   /close                  read the request, then close without answering
 *   /stall                  never answer (until the server stops)
 *   /long-body              200 with Content-Length: 3 and a 19-byte body
 *   /not-http               an SSH banner, then silence (connection kept open)
 *   /auth                   200 with "Authorization: Bearer weft-secret", else 401
 *   /bodies                 200, remembering each distinct request body
 *   /chunked                200 with a chunked body (extension, trailer)
 *   /dribble                200 sent one byte at a time, 1 ms apart
 *   /conn-close             200 with "Connection: close", then closes
 *   /then-close             200 as if keeping the connection, then closes it
 *   /until-close            HTTP/1.0 200 without a length: the close ends the body
 *   /big/N                  200 with an N-byte body (at most 4 MB)
 * Every request's head (request line and headers) is kept, the last one
 * readable with weft_test_httpd_last_head.
 * A refused connection: weft_test_refused_port() gives a port with nothing
 * listening. Built into the weft_testutil library every test links.
 */
#ifndef WEFT_TESTS_HTTPD_TEST_H
#define WEFT_TESTS_HTTPD_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct weft_test_httpd weft_test_httpd;

/* Start on 127.0.0.1 at port (0 = ephemeral). 0 or -1. */
int weft_test_httpd_start(weft_test_httpd **out, int port);
int weft_test_httpd_port(const weft_test_httpd *h);
/* Requests answered or handled so far. */
uint64_t weft_test_httpd_requests(const weft_test_httpd *h);
/* Connections accepted so far. */
uint64_t weft_test_httpd_connections(const weft_test_httpd *h);
/* Distinct bodies /bodies has seen (at most 64); *any_newline: one held a newline. */
size_t weft_test_httpd_distinct_bodies(weft_test_httpd *h, bool *any_newline);
/* The last request's head (request line and headers, CR LF ends), NUL-
 * terminated into out[0..n); its length. */
size_t weft_test_httpd_last_head(weft_test_httpd *h, char *out, size_t n);
/* Stop: close the listener, end every connection, join every thread. */
void weft_test_httpd_stop(weft_test_httpd *h);
/* A loopback port on which nothing listens (bound, then closed). */
int weft_test_refused_port(void);

#endif
