/* tls_test.h - TLS and HTTP/2 peers for the http stage's tests.
 *
 * A throwaway PKI made at test time in a new folder under /tmp (never kept:
 * the keys are made by the openssl program, valid for a day): a CA, a
 * server certificate for 127.0.0.1 and localhost (subjectAltName), one for
 * another host only (elsewhere.invalid, the same key) and a client
 * certificate, all signed by the CA.
 *
 * An HTTPS server on loopback (libmicrohttpd over GnuTLS, in-process, one
 * thread per connection, keep-alive) that answers 200 to every request;
 * optionally it requires a client certificate signed by the CA, checked in
 * the TLS handshake, or presents the other host's certificate.
 *
 * An HTTP/2-only server: nghttpd (Debian: nghttp2-server) run as a child
 * process, speaking h2c with prior knowledge (no TLS) or h2 over TLS chosen
 * by ALPN; it serves /ok. It speaks no HTTP/1.x, so a query it answers was
 * HTTP/2.
 *
 * The functions that need a program (openssl, nghttpd) require it as
 * tests/requires.h does: skipped outside CI, a failure under CI=true. */
#ifndef WEFT_TESTS_TLS_TEST_H
#define WEFT_TESTS_TLS_TEST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	char dir[32];
	/* PEM files in dir */
	char ca[64], server_cert[64], server_key[64], other_host_cert[64], client_cert[64], client_key[64];
} weft_test_pki;

/* Make the PKI (requires openssl); asserts on failure. */
void weft_test_pki_make(weft_test_pki *p);
/* Remove its folder and files. */
void weft_test_pki_remove(weft_test_pki *p);

typedef struct weft_test_tlsd weft_test_tlsd;

enum {
	WEFT_TLSD_CLIENT_CERT = 1u << 0, /* require a client certificate signed by the CA */
	WEFT_TLSD_OTHER_HOST = 1u << 1,  /* present other_host_cert, not server_cert */
};

/* Start the HTTPS server on 127.0.0.1 (an ephemeral port) with p's server
 * certificate, as flags (WEFT_TLSD_*) say. 0 or -1. */
int weft_test_tlsd_start(weft_test_tlsd **out, const weft_test_pki *p, unsigned flags);
int weft_test_tlsd_port(const weft_test_tlsd *t);
/* Requests answered so far. */
uint64_t weft_test_tlsd_requests(const weft_test_tlsd *t);
/* Requests in another version than HTTP/1.1 (none expected: it has no h2). */
uint64_t weft_test_tlsd_not_http11(const weft_test_tlsd *t);
void weft_test_tlsd_stop(weft_test_tlsd *t);

typedef struct weft_test_h2d weft_test_h2d;

/* Start nghttpd on 127.0.0.1 at a free port (requires nghttpd): h2c with
 * prior knowledge when tls is NULL, else TLS with tls's server certificate.
 * Returns when it accepts connections; asserts on failure. */
void weft_test_h2d_start(weft_test_h2d **out, const weft_test_pki *tls);
int weft_test_h2d_port(const weft_test_h2d *h);
/* Stop it (SIGTERM, then reap it) and remove its document folder. */
void weft_test_h2d_stop(weft_test_h2d *h);

#endif
