/* stage_http.c - the http stage: one real request per query, through libcurl.
 *
 * Design: each worker owns one curl easy handle, configured once and reused,
 * so connections are kept alive between its queries as a real client's
 * would be (and the first query's connect shows in the connect phase). The
 * phases come from curl's own timers (CURLINFO_*_TIME_T, microseconds) and
 * are turned into durations: dns, connect (TCP), tls, server (request sent
 * to first byte back) and transfer. The stage's latency is curl's total for
 * a query that opened a connection, and connection-ready to last-byte-in on
 * a kept-alive one (the library's own per-call set-up is not the endpoint's
 * latency; the end-to-end series, timed around the whole query, keeps it).
 * Anything but the expected statuses (any 2xx
 * by default), a timeout, a refused or reset connection is an error with a
 * short kind ("http 503", "timeout", "connection reset") for the report.
 * A lying peer is named too: a reply that is not HTTP (curl is told to
 * accept HTTP/0.9 so the bytes reach the write callback, which stops the
 * transfer at once) is "the server did not answer HTTP (first bytes: ...)",
 * and a body longer than its Content-Length (curl drops the excess and only
 * says so in its verbose text, so a debug callback watches for that one
 * line) is "response body longer than its Content-Length (N > M bytes)".
 *
 * In the event loops, a request the loops' own HTTP/1.1 client can carry
 * (http1.c: plain http://, kept-alive connections, not HTTP/2, no proxy in
 * the environment) goes through it instead, with the same phases, latency
 * rule and error kinds; WEFT_HTTP_CLIENT=curl sends everything through
 * libcurl. The request's bytes are built once per run (per query only the
 * body and its Content-Length change, with bodies_file) with the headers
 * libcurl would send: Host, User-Agent, Accept, and for a body its
 * Content-Type (form-encoded unless given) and Content-Length; a header
 * of the pipeline's with the same name replaces one of these, and one with
 * an empty value removes it, as with libcurl.
 *
 * TLS failures say what to fix: the server's certificate not trusted (and
 * why: "not for HOST", an unknown issuer), tls.ca_file, tls.cert or tls.key
 * unusable, a client certificate asked for and none given (or refused).
 * With http_version: 2 an answer in HTTP/1.x is an error: over TLS, curl
 * falls back to HTTP/1.1 when ALPN does not pick h2, and a benchmark of
 * HTTP/2 must not measure another protocol.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "http1_int.h"
#include "pipelines_int.h"

static const char *const http_phases[] = { "dns", "connect", "tls", "server", "transfer", NULL };

/* What the fast path needs, worked out once per run: where to connect and
 * the request's bytes (all of them, or with bodies_file all but the
 * Content-Length line and the body). */
typedef struct {
	bool fast;
	weft_h1_addr addrs[8];  /* the endpoint's, as getaddrinfo ordered them */
	size_t n_addrs;
	weft_buf head;          /* request line and headers, without the blank line */
	bool has_body, is_head;
	bool own_length;        /* the request carries a Content-Length of weft's (not the pipeline's) */
	weft_buf fixed;         /* the whole request, when the body is the same every time */
} http_shared;

typedef struct {
	CURL *curl;
	const http_shared *sh;
	weft_h1_conn *conn;     /* the fast path's, once attached */
	weft_buf req;           /* with bodies_file: this query's request */
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	/* per query: what the peer did wrong */
	bool not_http;
	size_t n_first;
	unsigned char first[16]; /* the first bytes of a non-HTTP reply */
	unsigned long long excess; /* bytes past Content-Length, as curl counted them */
	bool cert_requested; /* the handshake carried a CertificateRequest */
} http_worker;

/* The header name of "Name: value", and whether its value is empty. */
static size_t header_name(const char *h, bool *empty)
{
	const char *colon = strchr(h, ':');
	size_t n = colon ? (size_t)(colon - h) : strlen(h);
	const char *v = colon ? colon + 1 : h + n;
	while (*v == ' ' || *v == '\t')
		v++;
	*empty = !*v;
	return n;
}

/* Does the pipeline give header `name` (and so replace libcurl's own)? */
static bool user_header(const weft_pipelines_http *h, const char *name)
{
	for (size_t i = 0; i < h->n_headers; i++) {
		bool empty;
		size_t n = header_name(h->headers[i], &empty);
		if (n == strlen(name) && !strncasecmp(h->headers[i], name, n))
			return true;
	}
	return false;
}

static bool proxy_in_environment(void)
{
	static const char *const vars[] = { "http_proxy", "all_proxy", "ALL_PROXY", NULL };
	for (size_t i = 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return true;
	}
	return false;
}

/* Can the fast path carry this stage's requests? Fills sh->addr and the
 * request line and headers in sh->head when so. */
static bool fast_setup(http_shared *sh, const weft_pipelines_http *h)
{
	if (h->new_connection || h->http_version == 2 || proxy_in_environment())
		return false;
	for (size_t i = 0; i < h->n_headers; i++) {
		bool empty;
		size_t n = header_name(h->headers[i], &empty);
		if (strchr(h->headers[i], '\r') || (n == 17 && !strncasecmp(h->headers[i], "Transfer-Encoding", n)) ||
		    (n == 6 && !strncasecmp(h->headers[i], "Expect", n) && !empty))
			return false;
	}
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL;
	bool ok = u && curl_url_set(u, CURLUPART_URL, h->url, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && !strcasecmp(scheme, "http") &&
		  curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER &&
		  curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		  curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK;
	if (ok) {
		CURLUcode q = curl_url_get(u, CURLUPART_QUERY, &query, 0);
		ok = q == CURLUE_OK || q == CURLUE_NO_QUERY;
	}
	if (ok) {
		/* resolved once per run: the fast path's connections are kept alive */
		char name[256];
		size_t hl = strlen(host);
		if (host[0] == '[' && hl > 2 && hl - 2 < sizeof name) {
			memcpy(name, host + 1, hl - 2);
			name[hl - 2] = '\0';
		} else {
			snprintf(name, sizeof name, "%s", host);
		}
		struct addrinfo hints, *res = NULL;
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_family = AF_UNSPEC;
		if (getaddrinfo(name, port, &hints, &res) == 0) {
			for (struct addrinfo *a = res; a && sh->n_addrs < 8; a = a->ai_next) {
				if (a->ai_addrlen > sizeof sh->addrs[0].addr)
					continue;
				memcpy(&sh->addrs[sh->n_addrs].addr, a->ai_addr, a->ai_addrlen);
				sh->addrs[sh->n_addrs++].len = (socklen_t)a->ai_addrlen;
			}
			freeaddrinfo(res);
		}
		ok = sh->n_addrs > 0;
	}
	if (ok) {
		const char *m = h->method ? h->method : "GET";
		weft_buf *b = &sh->head;
		weft_buf_printf(b, "%s %s%s%s HTTP/1.1\r\n", m, path, query ? "?" : "", query ? query : "");
		if (!user_header(h, "Host")) {
			bool default_port = !strcmp(port, "80");
			weft_buf_printf(b, "Host: %s%s%s\r\n", host, default_port ? "" : ":", default_port ? "" : port);
		}
		if (!user_header(h, "User-Agent"))
			weft_buf_puts(b, "User-Agent: weft-bench\r\n");
		if (!user_header(h, "Accept"))
			weft_buf_puts(b, "Accept: */*\r\n");
		sh->is_head = !strcmp(m, "HEAD");
		sh->has_body = !sh->is_head && (h->body || h->n_bodies || !strcmp(m, "POST"));
		if (sh->has_body && !user_header(h, "Content-Type"))
			weft_buf_puts(b, "Content-Type: application/x-www-form-urlencoded\r\n");
		for (size_t i = 0; i < h->n_headers; i++) {
			bool empty;
			header_name(h->headers[i], &empty);
			if (!empty)
				weft_buf_printf(b, "%s\r\n", h->headers[i]);
		}
		sh->own_length = (sh->has_body || h->n_bodies) && !user_header(h, "Content-Length");
		if (!h->n_bodies) {
			weft_buf_put(&sh->fixed, b->ptr, b->len);
			if (sh->own_length && sh->has_body)
				weft_buf_printf(&sh->fixed, "Content-Length: %zu\r\n", h->body_len);
			weft_buf_puts(&sh->fixed, "\r\n");
			if (sh->has_body && h->body)
				weft_buf_put(&sh->fixed, h->body, h->body_len);
		}
		ok = !b->oom && !sh->fixed.oom;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(user);
	curl_url_cleanup(u);
	return ok;
}

static void http_shared_free(void *shared)
{
	http_shared *sh = shared;
	if (!sh)
		return;
	weft_buf_free(&sh->head);
	weft_buf_free(&sh->fixed);
	free(sh);
	curl_global_cleanup();
}

/* libcurl 7.88.x breaks HTTP/2 with prior knowledge on every reused
 * connection ("Error in the HTTP2 framing layer": curl issue 10634, fixed
 * in 8.0.0): half the queries would fail for the client's sake. */
static bool h2c_reuse_broken(const weft_pipelines_http *h)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return h->http_version == 2 && !h->new_connection && strncmp(h->url, "https://", 8) &&
	       v->version_num >= 0x075800 && v->version_num < 0x080000;
}

static int http_shared_new(void **out, const weft_pipelines_stage *st, const weft_pipelines_spec *spec,
			   weft_diags *d)
{
	(void)spec;
	*out = NULL;
	if (h2c_reuse_broken(&st->http)) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
			       "use https:// (HTTP/2 by ALPN), or connection: new (a fresh connection per query)",
			       "stage '%s': http_version: 2 over http:// with kept-alive connections fails on "
			       "libcurl %s (every reused connection: curl issue 10634, fixed in 8.0.0)",
			       st->name, curl_version_info(CURLVERSION_NOW)->version);
		return WEFT_EENV;
	}
	const char *client = getenv("WEFT_HTTP_CLIENT");
	if (client && *client && strcmp(client, "curl") && strcmp(client, "auto")) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, "auto (the default) or curl",
			       "WEFT_HTTP_CLIENT: unknown client '%.20s'", client);
		return WEFT_EUSAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "stage '%s': cannot initialise libcurl",
			       st->name);
		return WEFT_EENV;
	}
	http_shared *sh = calloc(1, sizeof *sh);
	if (!sh) {
		curl_global_cleanup();
		return WEFT_ENOMEM;
	}
	sh->fast = !(client && !strcmp(client, "curl")) && fast_setup(sh, &st->http);
	*out = sh;
	return WEFT_OK;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	http_worker *w = userdata;
	long code = -1;
	/* HTTP/0.9 (allowed only so that we see these bytes) has no status */
	if (curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 0) {
		w->not_http = true;
		size_t n = size * nmemb;
		for (size_t i = 0; i < n && w->n_first < sizeof w->first; i++)
			w->first[w->n_first++] = (unsigned char)ptr[i];
		return 0; /* stop now: waiting for the peer to close could take the whole timeout */
	}
	return size * nmemb;
}

/* curl says "Excess found in a read: excess = N, ..." (7.x) or "Excess
 * found writing body: excess = N, ..." (8.x) and drops the bytes; that
 * line is the only place the excess is reported. Its OpenSSL trace,
 * "TLSv1.3 (IN), TLS handshake, Request CERT (13):", is the only sign that
 * the server asked for a client certificate: a server that requires one
 * and gets none closes the connection, with no alert under TLS 1.3. */
static int watch(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
	(void)c;
	http_worker *w = userdata;
	if (type == CURLINFO_TEXT && size > 41 && !memcmp(data, "TLSv", 4) &&
	    !memcmp(data + 7, " (IN), TLS handshake, Request CERT", 34))
		w->cert_requested = true;
	if (type != CURLINFO_TEXT || size < 16 || memcmp(data, "Excess found", 12))
		return 0;
	char line[160];
	size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	const char *e = strstr(line, "excess = ");
	unsigned long long x = 0;
	if (e && sscanf(e + 9, "%llu", &x) == 1 && x)
		w->excess += x;
	return 0;
}

static void http_worker_free(void *worker)
{
	http_worker *w = worker;
	if (!w)
		return;
	if (w->conn) {
		weft_h1_conn_close(w->conn);
		free(w->conn);
	}
	weft_buf_free(&w->req);
	curl_slist_free_all(w->headers);
	curl_easy_cleanup(w->curl);
	free(w);
}

static int http_worker_new(void **out, void *shared, const weft_pipelines_stage *st, weft_diags *d)
{
	*out = NULL;
	const weft_pipelines_http *h = &st->http;
	http_worker *w = calloc(1, sizeof *w);
	if (!w || !(w->curl = curl_easy_init())) {
		free(w);
		return WEFT_ENOMEM;
	}
	w->sh = shared;
	CURL *c = w->curl;
	bool ok = true;
	for (size_t i = 0; i < h->n_headers; i++) {
		struct curl_slist *l = curl_slist_append(w->headers, h->headers[i]);
		if (!l)
			ok = false;
		else
			w->headers = l;
	}
	if (h->body) {
		/* no "Expect: 100-continue" round trip for larger bodies */
		struct curl_slist *l = curl_slist_append(w->headers, "Expect:");
		if (!l)
			ok = false;
		else
			w->headers = l;
	}
	ok = ok && curl_easy_setopt(c, CURLOPT_URL, h->url) == CURLE_OK;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->timeout_ms + 0.5));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->connect_timeout_ms + 0.5));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(c, CURLOPT_HTTP09_ALLOWED, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, watch);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, w);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, w->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "weft-bench");
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (w->headers)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, w->headers);
	const char *m = h->method ? h->method : "GET";
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(m, "POST")) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
	} else if (strcmp(m, "GET") || h->body || h->n_bodies) {
		/* a body would make it a POST: the method stays the one asked for */
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
	}
	if (h->body || !strcmp(m, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body ? h->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->body_len);
	}
	if (h->new_connection) {
		/* every query pays DNS, connect and TLS, as a client without a pool would */
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(c, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	}
	if (h->ca_file)
		ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file) == CURLE_OK;
	if (h->cert)
		ok = ok && curl_easy_setopt(c, CURLOPT_SSLCERT, h->cert) == CURLE_OK;
	if (h->key)
		ok = ok && curl_easy_setopt(c, CURLOPT_SSLKEY, h->key) == CURLE_OK;
	if (h->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (h->http_version == 11)
		curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	else if (h->http_version == 2)
		/* TLS: negotiated by ALPN; plain http://: HTTP/2 from the first byte */
		ok = ok && curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
					    (long)(strncmp(h->url, "https://", 8) ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
										  : CURL_HTTP_VERSION_2TLS)) == CURLE_OK;
	if (!ok) {
		http_worker_free(w);
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "stage '%s': cannot set up the request",
			       st->name);
		return WEFT_EENV;
	}
	*out = w;
	return WEFT_OK;
}

static void not_http_bytes(const unsigned char *first, size_t n_first, weft_pl_outcome *o)
{
	char shown[4 * 16 + 1];
	size_t k = 0;
	if (n_first > 16)
		n_first = 16;
	for (size_t i = 0; i < n_first; i++) {
		unsigned char ch = first[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			shown[k++] = (char)ch;
		else
			k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", ch);
	}
	shown[k] = '\0';
	weft_pl_fail(o, "the server did not answer HTTP (first bytes: \"%s\")", shown);
}

static void not_http(http_worker *w, weft_pl_outcome *o)
{
	not_http_bytes(w->first, w->n_first, o);
}

/* Is status one the stage accepts (any 2xx unless listed)? */
static bool accepted(const weft_pipelines_http *h, long status)
{
	if (!h->n_expect)
		return status >= 200 && status < 300;
	for (size_t i = 0; i < h->n_expect; i++)
		if (status == h->expect[i])
			return true;
	return false;
}

static void body_too_long(uint64_t announced, uint64_t excess, weft_pl_outcome *o)
{
	weft_pl_fail(o, "response body longer than its Content-Length (%llu > %llu bytes)",
		     (unsigned long long)(announced + excess), (unsigned long long)announced);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The text of curl's error between its last pair of quotes (a host name,
 * a file), or NULL. */
static const char *quoted(http_worker *w)
{
	char *end = strrchr(w->errbuf, '\'');
	if (!end)
		return NULL;
	*end = '\0';
	char *start = strrchr(w->errbuf, '\'');
	return start ? start + 1 : NULL;
}

/* TLS failures, named for what to fix; false: not one. */
static bool describe_tls_failure(http_worker *w, const weft_pipelines_http *h, CURLcode rc,
				 weft_pl_outcome *o)
{
	static const char problem[] = "SSL certificate problem: ";
	const char *e = w->errbuf, *q;
	switch (rc) {
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
		/* closed in or right after a handshake that asked for a certificate */
		if (!w->cert_requested)
			return false;
		if (h->cert)
			weft_pl_fail(o, "TLS: closed after the client certificate %.24s (refused?)",
				     base_name(h->cert));
		else
			weft_pl_fail(o, "TLS: the server asked for a client certificate; none given "
					"(tls.cert, tls.key)");
		return true;
	case CURLE_PEER_FAILED_VERIFICATION:
		if (strstr(e, "target host name") && (q = quoted(w)))
			weft_pl_fail(o, "TLS: server certificate untrusted: not for %.36s", q);
		else
			weft_pl_fail(o, "TLS: server certificate untrusted: %.44s",
				     strncmp(e, problem, sizeof problem - 1) ? e : e + sizeof problem - 1);
		return true;
	case CURLE_SSL_CACERT_BADFILE:
		if (h->ca_file)
			weft_pl_fail(o, "TLS: tls.ca_file %.24s holds no usable CA certificate", base_name(h->ca_file));
		else
			weft_pl_fail(o, "TLS: the system's CA certificates cannot be read (set tls.ca_file)");
		return true;
	case CURLE_SSL_CERTPROBLEM:
		if (strstr(e, "private key") && h->key)
			weft_pl_fail(o, "TLS: tls.key %.24s unusable (not PEM, or not tls.cert's key)",
				     base_name(h->key));
		else if (h->cert)
			weft_pl_fail(o, "TLS: tls.cert %.24s unusable (not a PEM certificate)", base_name(h->cert));
		else
			return false;
		return true;
	default:
		return false;
	}
}

static void describe_failure(http_worker *w, const weft_pipelines_http *h, CURLcode rc, weft_pl_outcome *o)
{
	long os_err = 0;
	if (w->not_http) {
		not_http(w, o);
		return;
	}
	if (describe_tls_failure(w, h, rc, o))
		return;
	curl_easy_getinfo(w->curl, CURLINFO_OS_ERRNO, &os_err);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		weft_pl_fail(o, "timeout");
		return;
	case CURLE_COULDNT_CONNECT:
		weft_pl_fail(o, os_err == ECONNREFUSED ? "connection refused" : "cannot connect");
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		weft_pl_fail(o, "DNS lookup failed");
		return;
	case CURLE_GOT_NOTHING:
		weft_pl_fail(o, "empty reply (connection closed)");
		return;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		weft_pl_fail(o, os_err == ECONNRESET || os_err == EPIPE ? "connection reset"
								      : rc == CURLE_RECV_ERROR ? "receive error"
											       : "send error");
		return;
	case CURLE_PARTIAL_FILE:
		weft_pl_fail(o, "reply cut short");
		return;
	case CURLE_SSL_CONNECT_ERROR:
		weft_pl_fail(o, "TLS handshake failed");
		return;
	default:
		weft_pl_fail(o, "%s", curl_easy_strerror(rc));
		return;
	}
}

static uint64_t us_to_ns(curl_off_t us)
{
	return us > 0 ? (uint64_t)us * 1000u : 0;
}

static void *http_begin(void *worker, const weft_pipelines_stage *st, uint64_t query)
{
	http_worker *w = worker;
	const weft_pipelines_http *h = &st->http;
	if (h->n_bodies) {
		/* query k sends line k mod n: every input used, in order */
		const char *b = h->bodies[query % h->n_bodies];
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, b);
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(b));
	}
	w->errbuf[0] = '\0';
	w->not_http = false;
	w->n_first = 0;
	w->excess = 0;
	w->cert_requested = false;
	return w->curl;
}

static void http_end(void *worker, const weft_pipelines_stage *st, int code, weft_pl_outcome *o)
{
	http_worker *w = worker;
	CURLcode rc = (CURLcode)code;
	const weft_pipelines_http *h = &st->http;
	if (rc != CURLE_OK) {
		describe_failure(w, h, rc, o);
		return;
	}
	long status = 0;
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	if (w->not_http || status == 0) {
		not_http(w, o);
		return;
	}
	long version = 0;
	/* over TLS, curl falls back to HTTP/1.1 when ALPN does not pick h2:
	 * that would measure another protocol than the one asked for */
	if (h->http_version == 2 && curl_easy_getinfo(w->curl, CURLINFO_HTTP_VERSION, &version) == CURLE_OK &&
	    version != CURL_HTTP_VERSION_2_0) {
		weft_pl_fail(o, "HTTP/%s answered; http_version: 2 asked for HTTP/2",
			     version == CURL_HTTP_VERSION_1_0 ? "1.0" : "1.1");
		return;
	}
	if (w->excess) {
		curl_off_t cl = -1;
		curl_easy_getinfo(w->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		body_too_long(cl > 0 ? (uint64_t)cl : 0, w->excess, o);
		return;
	}
	if (!accepted(&st->http, status)) {
		weft_pl_fail(o, "http %ld", status);
		return;
	}
	curl_off_t nl = 0, ct = 0, ac = 0, pre = 0, stt = 0, tt = 0;
	long fresh = 0;
	curl_easy_getinfo(w->curl, CURLINFO_NAMELOOKUP_TIME_T, &nl);
	curl_easy_getinfo(w->curl, CURLINFO_CONNECT_TIME_T, &ct);
	curl_easy_getinfo(w->curl, CURLINFO_APPCONNECT_TIME_T, &ac);
	curl_easy_getinfo(w->curl, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(w->curl, CURLINFO_STARTTRANSFER_TIME_T, &stt);
	curl_easy_getinfo(w->curl, CURLINFO_TOTAL_TIME_T, &tt);
	curl_easy_getinfo(w->curl, CURLINFO_NUM_CONNECTS, &fresh);
	/* curl's timers run from the start of the call; on a kept-alive
	 * connection connect and appconnect stay 0, and "namelookup" marks the
	 * end of the library's own set-up (the URL, its connection cache) */
	curl_off_t ready = nl > ct ? nl : ct;
	if (ac > ready)
		ready = ac;
	o->phase_ns[0] = fresh ? us_to_ns(nl) : 0;
	o->phase_ns[1] = fresh && ct > nl ? us_to_ns(ct - nl) : 0;
	o->phase_ns[2] = fresh && ac > ct ? us_to_ns(ac - ct) : 0;
	o->phase_ns[3] = us_to_ns(stt - ready);
	o->phase_ns[4] = us_to_ns(tt - stt);
	o->n_phases = 5;
	(void)pre;
	/* The stage's latency is what the request cost: on a new connection
	 * everything from the start (DNS, TCP, TLS are real costs of that
	 * query); on a kept-alive one, from the connection being ready to the
	 * last byte back, without the client library's per-call set-up, which
	 * is no part of the endpoint's latency. The end-to-end latency, timed
	 * by the harness around the whole query, still includes it. */
	if (tt > 0) {
		o->ns = fresh ? us_to_ns(tt) : us_to_ns(tt - ready);
		if (!o->ns)
			o->ns = 1; /* under curl's 1 us resolution, not "untimed" */
	}
}

static void http_run(void *worker, void *shared, const weft_pipelines_stage *st, uint64_t seed,
		     weft_pl_outcome *o)
{
	(void)shared;
	(void)seed;
	http_worker *w = worker;
	http_end(w, st, curl_easy_perform(http_begin(w, st, o->query)), o);
}

/* ---- the event loops' own client (http1.c) ---------------------------------------- */

static weft_h1_conn *http_h1_attach(void *worker, const weft_pipelines_stage *st, int epfd, uint64_t tag)
{
	http_worker *w = worker;
	if (!w->sh->fast)
		return NULL;
	if (!w->conn && !(w->conn = malloc(sizeof *w->conn)))
		return NULL; /* libcurl carries it */
	const weft_pipelines_http *h = &st->http;
	weft_h1_conn_init(w->conn, epfd, tag, w->sh->addrs, w->sh->n_addrs,
			  (uint64_t)(h->timeout_ms * 1e6), (uint64_t)(h->connect_timeout_ms * 1e6));
	return w->conn;
}

static int http_h1_begin(void *worker, const weft_pipelines_stage *st, uint64_t query)
{
	http_worker *w = worker;
	const http_shared *sh = w->sh;
	const weft_pipelines_http *h = &st->http;
	const weft_buf *req = &sh->fixed;
	if (h->n_bodies) {
		/* query k sends line k mod n, as through libcurl */
		const char *b = h->bodies[query % h->n_bodies];
		size_t n = strlen(b);
		w->req.len = 0;
		weft_buf_put(&w->req, sh->head.ptr, sh->head.len);
		if (sh->own_length)
			weft_buf_printf(&w->req, "Content-Length: %zu\r\n", n);
		weft_buf_puts(&w->req, "\r\n");
		weft_buf_put(&w->req, b, n);
		if (w->req.oom) {
			weft_h1_parser_reset(&w->conn->p, false); /* nothing of the last reply's */
			snprintf(w->conn->error, sizeof w->conn->error, "out of memory");
			return WEFT_H1_BAD;
		}
		req = &w->req;
	}
	return weft_h1_conn_start(w->conn, req->ptr, req->len, sh->is_head, weft_now_ns());
}

static void http_h1_end(void *worker, const weft_pipelines_stage *st, int status, weft_pl_outcome *o)
{
	http_worker *w = worker;
	const weft_h1_conn *c = w->conn;
	if (status != WEFT_H1_DONE) {
		if (c->p.not_http)
			not_http_bytes(c->p.first, c->p.n_first, o);
		else
			weft_pl_fail(o, "%s", c->error);
		return;
	}
	if (c->excess) {
		/* a body where the framing says where it ends: Content-Length, and
		 * not a response that has none (HEAD, 204, 304) */
		if (c->p.has_length && c->p.body == c->p.content_length && !c->p.head && c->p.status != 204 &&
		    c->p.status != 304)
			body_too_long(c->p.content_length, c->excess, o);
		else
			weft_pl_fail(o, "bytes after the end of the response (%llu)", (unsigned long long)c->excess);
		return;
	}
	if (!accepted(&st->http, c->p.status)) {
		weft_pl_fail(o, "http %d", c->p.status);
		return;
	}
	/* the phases and the latency rule of libcurl's path (http_end) */
	o->phase_ns[0] = 0; /* resolved once, when the run started */
	o->phase_ns[1] = c->fresh ? c->t_ready - c->t_connect : 0;
	o->phase_ns[2] = 0;
	o->phase_ns[3] = c->t_first - c->t_ready;
	o->phase_ns[4] = c->t_end - c->t_first;
	o->n_phases = 5;
	o->ns = c->fresh ? c->t_end - c->t_start : c->t_end - c->t_ready;
	if (!o->ns)
		o->ns = 1;
}

const weft_pl_stage_ops weft_pl_stage_http = {
	.shared_new = http_shared_new,
	.shared_free = http_shared_free,
	.worker_new = http_worker_new,
	.worker_free = http_worker_free,
	.run = http_run,
	.phases = http_phases,
	.begin = http_begin,
	.end = http_end,
	.h1_attach = http_h1_attach,
	.h1_begin = http_h1_begin,
	.h1_end = http_h1_end,
};
