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
 * TLS failures say what to fix: the server's certificate not trusted (and
 * why: "not for HOST", an unknown issuer), tls.ca_file, tls.cert or tls.key
 * unusable, a client certificate asked for and none given (or refused).
 * With http_version: 2 an answer in HTTP/1.x is an error: over TLS, curl
 * falls back to HTTP/1.1 when ALPN does not pick h2, and a benchmark of
 * HTTP/2 must not measure another protocol.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "pipelines_int.h"

static const char *const http_phases[] = { "dns", "connect", "tls", "server", "transfer", NULL };

typedef struct {
	CURL *curl;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	/* per query: what the peer did wrong */
	bool not_http;
	size_t n_first;
	unsigned char first[16]; /* the first bytes of a non-HTTP reply */
	unsigned long long excess; /* bytes past Content-Length, as curl counted them */
	bool cert_requested; /* the handshake carried a CertificateRequest */
} http_worker;

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
	*out = NULL;
	if (h2c_reuse_broken(&st->http)) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
			       "use https:// (HTTP/2 by ALPN), or connection: new (a fresh connection per query)",
			       "stage '%s': http_version: 2 over http:// with kept-alive connections fails on "
			       "libcurl %s (every reused connection: curl issue 10634, fixed in 8.0.0)",
			       st->name, curl_version_info(CURLVERSION_NOW)->version);
		return WEFT_EENV;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "stage '%s': cannot initialise libcurl",
			       st->name);
		return WEFT_EENV;
	}
	/* a non-NULL token so shared_free runs and balances the init */
	*out = (void *)&http_phases;
	return WEFT_OK;
}

static void http_shared_free(void *shared)
{
	curl_global_cleanup();
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
	} else if (strcmp(m, "GET")) {
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

static void not_http(http_worker *w, weft_pl_outcome *o)
{
	char shown[4 * sizeof w->first + 1];
	size_t k = 0;
	for (size_t i = 0; i < w->n_first; i++) {
		unsigned char ch = w->first[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			shown[k++] = (char)ch;
		else
			k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", ch);
	}
	shown[k] = '\0';
	weft_pl_fail(o, "the server did not answer HTTP (first bytes: \"%s\")", shown);
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
	bool accepted = false;
	if (h->n_expect) {
		for (size_t i = 0; i < h->n_expect && !accepted; i++)
			accepted = status == h->expect[i];
	} else {
		accepted = status >= 200 && status < 300;
	}
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
		weft_pl_fail(o, "response body longer than its Content-Length (%llu > %lld bytes)",
			     (unsigned long long)(cl > 0 ? cl : 0) + w->excess, (long long)(cl > 0 ? cl : 0));
		return;
	}
	if (!accepted) {
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

const weft_pl_stage_ops weft_pl_stage_http = {
	http_shared_new, http_shared_free, http_worker_new, http_worker_free, http_run, http_phases,
	http_begin, http_end,
};
