/* tls_test.c - the TLS and HTTP/2 peers of tls_test.h.
 *
 * Design: the PKI is made by the openssl program (one shell line, EC P-256
 * keys, valid for a day), so no key is ever committed and none can expire
 * in the repository. The HTTPS server is libmicrohttpd built with GnuTLS;
 * for a required client certificate it turns the session's certificate
 * request into GNUTLS_CERT_REQUIRE and has GnuTLS verify the chain during
 * the handshake (gnutls_session_set_verify_cert), both set when the
 * connection starts and before its handshake. nghttpd is spawned with its
 * output discarded and is ready when a TCP connect to its port succeeds.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "httpd_test.h"
#include "requires.h"
#include "tls_test.h"
#include "weft_core.h"

/* ---- the PKI ------------------------------------------------------------------------ */

#define NEWKEY "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
#define SIGN "openssl x509 -req -CA ca.pem -CAkey ca.key -CAcreateserial -days 1"

void weft_test_pki_make(weft_test_pki *p)
{
	weft_test_require_tool("openssl", "Debian: openssl");
	memset(p, 0, sizeof *p);
	snprintf(p->dir, sizeof p->dir, "/tmp/weft-tls-XXXXXX");
	cr_assert_not_null(mkdtemp(p->dir), "mkdtemp: %s", strerror(errno));
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && {"
		 " openssl req -x509 " NEWKEY " -keyout ca.key -out ca.pem -days 1 -subj /CN=weft-test-ca"
		 " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&"
		 " openssl req " NEWKEY " -keyout server.key -out server.csr -subj /CN=localhost &&"
		 " printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext &&"
		 " " SIGN " -in server.csr -extfile server.ext -out server.pem &&"
		 " printf 'subjectAltName=DNS:elsewhere.invalid\\n' > other.ext &&"
		 " " SIGN " -in server.csr -extfile other.ext -out other.pem &&"
		 " openssl req " NEWKEY " -keyout client.key -out client.csr -subj /CN=weft-test-client &&"
		 " printf 'extendedKeyUsage=clientAuth\\n' > client.ext &&"
		 " " SIGN " -in client.csr -extfile client.ext -out client.pem; } >/dev/null 2>&1",
		 p->dir);
	cr_assert_eq(system(cmd), 0, "openssl could not make the test PKI in %s", p->dir);
	snprintf(p->ca, sizeof p->ca, "%s/ca.pem", p->dir);
	snprintf(p->server_cert, sizeof p->server_cert, "%s/server.pem", p->dir);
	snprintf(p->server_key, sizeof p->server_key, "%s/server.key", p->dir);
	snprintf(p->other_host_cert, sizeof p->other_host_cert, "%s/other.pem", p->dir);
	snprintf(p->client_cert, sizeof p->client_cert, "%s/client.pem", p->dir);
	snprintf(p->client_key, sizeof p->client_key, "%s/client.key", p->dir);
}

void weft_test_pki_remove(weft_test_pki *p)
{
	if (!p->dir[0])
		return;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
	cr_assert_eq(system(cmd), 0);
	p->dir[0] = '\0';
}

/* ---- the HTTPS server --------------------------------------------------------------- */

struct weft_test_tlsd {
	struct MHD_Daemon *mhd;
	int port;
	bool client_cert;
	char *key, *cert, *ca; /* PEM text: libmicrohttpd keeps the pointers */
	atomic_uint_fast64_t requests, not_http11;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **req)
{
	(void)url;
	(void)method;
	(void)upload;
	weft_test_tlsd *t = cls;
	if (!*req) { /* the headers: answer on the next call, once any body is in */
		*req = t;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&t->requests, 1);
	if (strcmp(version, MHD_HTTP_VERSION_1_1))
		atomic_fetch_add(&t->not_http11, 1);
	static char ok[] = "ok\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof ok - 1, ok, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* A connection starts: before its handshake, require and verify a client
 * certificate when the server was started so. */
static void started(void *cls, struct MHD_Connection *c, void **socket_ctx, enum MHD_ConnectionNotificationCode what)
{
	(void)socket_ctx;
	weft_test_tlsd *t = cls;
	if (what != MHD_CONNECTION_NOTIFY_STARTED || !t->client_cert)
		return;
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!i || !i->tls_session)
		return;
	gnutls_session_t s = (gnutls_session_t)i->tls_session;
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
	gnutls_session_set_verify_cert(s, NULL, 0);
}

static char *pem(const char *path)
{
	char *text = NULL;
	weft_diags *d = NULL;
	if (weft_diags_new(&d) || weft_file_read(&text, NULL, path, 0, d))
		text = NULL;
	weft_diags_free(d);
	return text;
}

int weft_test_tlsd_start(weft_test_tlsd **out, const weft_test_pki *p, unsigned flags)
{
	*out = NULL;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		cr_assert_fail("this libmicrohttpd was built without TLS");
	weft_test_tlsd *t = calloc(1, sizeof *t);
	if (!t)
		return -1;
	t->client_cert = flags & WEFT_TLSD_CLIENT_CERT;
	t->key = pem(p->server_key);
	t->cert = pem(flags & WEFT_TLSD_OTHER_HOST ? p->other_host_cert : p->server_cert);
	t->ca = pem(p->ca);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (t->key && t->cert && t->ca)
		t->mhd = MHD_start_daemon(MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
					  0, NULL, NULL, answer, t, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
					  MHD_OPTION_HTTPS_MEM_KEY, t->key, MHD_OPTION_HTTPS_MEM_CERT, t->cert,
					  MHD_OPTION_HTTPS_MEM_TRUST, t->ca, MHD_OPTION_NOTIFY_CONNECTION, started, t,
					  MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	const union MHD_DaemonInfo *i = t->mhd ? MHD_get_daemon_info(t->mhd, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (!i || !i->port) {
		weft_test_tlsd_stop(t);
		return -1;
	}
	t->port = i->port;
	*out = t;
	return 0;
}

int weft_test_tlsd_port(const weft_test_tlsd *t)
{
	return t->port;
}

uint64_t weft_test_tlsd_requests(const weft_test_tlsd *t)
{
	return atomic_load(&t->requests);
}

uint64_t weft_test_tlsd_not_http11(const weft_test_tlsd *t)
{
	return atomic_load(&t->not_http11);
}

void weft_test_tlsd_stop(weft_test_tlsd *t)
{
	if (!t)
		return;
	if (t->mhd)
		MHD_stop_daemon(t->mhd);
	free(t->key);
	free(t->cert);
	free(t->ca);
	free(t);
}

/* ---- nghttpd ------------------------------------------------------------------------ */

struct weft_test_h2d {
	pid_t pid;
	int port;
	char docs[32];
};

static bool accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

void weft_test_h2d_start(weft_test_h2d **out, const weft_test_pki *tls)
{
	weft_test_require_tool("nghttpd", "Debian: nghttp2-server");
	weft_test_h2d *h = calloc(1, sizeof *h);
	cr_assert_not_null(h);
	snprintf(h->docs, sizeof h->docs, "/tmp/weft-h2-XXXXXX");
	cr_assert_not_null(mkdtemp(h->docs), "mkdtemp: %s", strerror(errno));
	char path[64], port[16];
	snprintf(path, sizeof path, "%s/ok", h->docs);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("ok\n", f);
	fclose(f);
	h->port = weft_test_refused_port();
	cr_assert_gt(h->port, 0);
	snprintf(port, sizeof port, "%d", h->port);
	fflush(NULL);
	h->pid = fork();
	cr_assert_geq(h->pid, 0, "fork: %s", strerror(errno));
	if (!h->pid) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (tls)
			execlp("nghttpd", "nghttpd", "-a", "127.0.0.1", "-d", h->docs, port, tls->server_key,
			       tls->server_cert, (char *)NULL);
		else
			execlp("nghttpd", "nghttpd", "--no-tls", "-a", "127.0.0.1", "-d", h->docs, port, (char *)NULL);
		_exit(127);
	}
	*out = h;
	/* ready when it accepts; gone if it exited (a port taken meanwhile) */
	for (int i = 0; i < 500; i++) {
		if (accepts(h->port))
			return;
		int status;
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			h->pid = 0;
			cr_assert_fail("nghttpd exited (status %d) before it listened on port %d", status, h->port);
		}
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("nghttpd did not listen on port %d within 5 s", h->port);
}

int weft_test_h2d_port(const weft_test_h2d *h)
{
	return h->port;
}

void weft_test_h2d_stop(weft_test_h2d *h)
{
	if (!h)
		return;
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		waitpid(h->pid, NULL, 0);
	}
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->docs);
	if (system(cmd) != 0)
		fprintf(stderr, "tls_test: could not remove %s\n", h->docs);
	free(h);
}
