/* testutil.c - test helpers (see testutil.h).
 *
 * Design: the model writer produces a valid safetensors file by hand (the
 * 8-byte length, the JSON header, little-endian F32 data) rather than with
 * the runtime under test, so a bug in the reader cannot hide behind the same
 * bug in the writer.
 */
#include "testutil.h"

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "testutil: %s: %s\n", what, strerror(errno));
	abort();
}

char *tu_tempdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof tmpl, "%s/hitl-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		die("mkdtemp");
	return strdup(tmpl);
}

void tu_rmtree(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = tu_path(path, e->d_name);
		struct stat st;
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			tu_rmtree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(path);
}

char *tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		die("malloc");
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

void tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die(path);
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *g = realloc(buf, cap *= 2);
			if (!g) {
				free(buf);
				buf = NULL;
			}
			buf = g;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

static void put_f32(unsigned char *p, float v)
{
	uint32_t u;
	memcpy(&u, &v, 4);
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

void tu_write_logistic_model(const char *path, size_t n_in, const float *w, float b, const char *features,
			     const char *version)
{
	char header[4096];
	int n = snprintf(header, sizeof header,
			 "{\"__metadata__\":{\"weft.activations\":\"sigmoid\",\"weft.softmax\":\"false\","
			 "\"weft.version\":\"%s\"%s%s%s},"
			 "\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,%zu],\"data_offsets\":[0,%zu]},"
			 "\"net.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%zu,%zu]}}",
			 version, features ? ",\"weft.features\":\"" : "", features ? features : "",
			 features ? "\"" : "", n_in, 4 * n_in, 4 * n_in, 4 * n_in + 4);
	while (n % 8)
		header[n++] = ' ';
	size_t data = 4 * n_in + 4;
	unsigned char *buf = calloc(1, 8 + (size_t)n + data);
	if (!buf)
		die("calloc");
	uint64_t len = (uint64_t)n;
	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)(len >> (8 * i));
	memcpy(buf + 8, header, (size_t)n);
	for (size_t i = 0; i < n_in; i++)
		put_f32(buf + 8 + n + 4 * i, w[i]);
	put_f32(buf + 8 + n + 4 * n_in, b);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, 8 + (size_t)n + data, f) != 8 + (size_t)n + data || fclose(f))
		die(path);
	free(buf);
}

void tu_add_tokens(hitl_config *c)
{
	static const char *const lines[] = {
		"alice sha256:" TU_TOKEN_ALICE_SHA256 " review",
		"bob sha256:" TU_TOKEN_BOB_SHA256 " review",
		"claims-system sha256:" TU_TOKEN_CLAIMS_SHA256 " submit",
		"lead sha256:" TU_TOKEN_LEAD_SHA256 " review supervise report",
		"auditor sha256:" TU_TOKEN_AUDITOR_SHA256 " report",
	};
	char err[256];
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		cr_assert_eq(hitl_config_add_token(c, lines[i], err, sizeof err), 0, "%s", err);
}

void tu_config(hitl_config *c, const char *dir, const char *model_path)
{
	hitl_config_defaults(c);
	snprintf(c->db, sizeof c->db, "%s/cases.db", dir);
	snprintf(c->model, sizeof c->model, "%s", model_path);
	tu_add_tokens(c);
}

double tu_logit(double p)
{
	return log(p / (1 - p));
}

int tu_http(int port, const char *method, const char *path, const char *req_body, size_t extra_len, char **body)
{
	return tu_http_authz(port, NULL, method, path, req_body, extra_len, body);
}

int tu_http_as(int port, const char *token, const char *method, const char *path, const char *req_body,
	       size_t extra_len, char **body)
{
	char authz[256];
	if (token)
		snprintf(authz, sizeof authz, "Bearer %s", token);
	return tu_http_authz(port, token ? authz : NULL, method, path, req_body, extra_len, body);
}

int tu_http_authz(int port, const char *authorization, const char *method, const char *path,
		  const char *req_body, size_t extra_len, char **body)
{
	if (body)
		*body = NULL;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	size_t blen = extra_len ? extra_len : (req_body ? strlen(req_body) : 0);
	char head[1024];
	int hn = snprintf(head, sizeof head,
			  "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s%sContent-Length: "
			  "%zu\r\n\r\n",
			  method, path, authorization ? "Authorization: " : "", authorization ? authorization : "",
			  authorization ? "\r\n" : "", blen ? "Content-Type: application/json\r\n" : "", blen);
	if (write(fd, head, (size_t)hn) != hn) {
		close(fd);
		return -1;
	}
	if (extra_len) {
		char fill[4096];
		memset(fill, 'x', sizeof fill);
		size_t left = extra_len;
		while (left) {
			size_t k = left < sizeof fill ? left : sizeof fill;
			ssize_t w = write(fd, fill, k);
			if (w <= 0)
				break; /* the server may answer 413 and close early */
			left -= (size_t)w;
		}
	} else if (blen && write(fd, req_body, blen) != (ssize_t)blen) {
		close(fd);
		return -1;
	}
	size_t cap = 8192, n = 0;
	char *resp = malloc(cap);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 10000) <= 0)
			break;
		if (n + 1 == cap)
			resp = realloc(resp, cap *= 2);
		ssize_t r = read(fd, resp + n, cap - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	resp[n] = 0;
	int status = -1;
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	if (body) {
		char *sep = strstr(resp, "\r\n\r\n");
		*body = strdup(sep ? sep + 4 : "");
	}
	free(resp);
	return status;
}

static char *drain(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = 0;
	return buf;
}

int tu_run(const char *cwd, char **out, char **err, const char *const *args)
{
	char outp[] = "/tmp/hitl-out-XXXXXX", errp[] = "/tmp/hitl-err-XXXXXX";
	int fo = mkstemp(outp), fe = mkstemp(errp);
	if (fo < 0 || fe < 0)
		die("mkstemp");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (chdir(cwd) < 0)
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		const char *argv[64];
		size_t i = 0;
		argv[i++] = HITL_BIN;
		for (; args[i - 1] && i < 63; i++)
			argv[i] = args[i - 1];
		argv[i] = NULL;
		execv(HITL_BIN, (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	char *o = drain(fo), *e = drain(fe);
	/* in a sanitizer build a report must fail the test even when the exit
	 * code happens to be the one the test expects */
	cr_assert(!strstr(e, "Sanitizer") && !strstr(e, "runtime error:"), "%s %s: sanitizer report:\n%s",
		  HITL_BIN, args[0] ? args[0] : "", e);
	close(fo);
	close(fe);
	unlink(outp);
	unlink(errp);
	if (out)
		*out = o;
	else
		free(o);
	if (err)
		*err = e;
	else
		free(e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
