/* httpd_test.c - the loopback test server of httpd_test.h.
 *
 * Design: simple rather than fast, but fast enough to measure against: a
 * blocking accept thread and one thread per connection, each polling with
 * a short timeout so stop() can end everything promptly and join it all
 * (no leaked threads under the sanitizers). Writes use MSG_NOSIGNAL so a
 * client that went away never raises SIGPIPE in the test process. Built
 * with -DWEFT_HTTPD_MAIN it is a standalone server (for comparisons with
 * wrk): `httpd_test [PORT]`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd_test.h"

typedef struct conn {
	struct weft_test_httpd *srv;
	int fd;
	pthread_t thread;
	atomic_bool finished;
	struct conn *next;
} conn;

struct weft_test_httpd {
	int lfd, port;
	pthread_t acceptor;
	atomic_bool stop;
	atomic_uint_fast64_t requests;
	atomic_uint_fast64_t connections;
	pthread_mutex_t mu;
	conn *conns;
	/* /bodies: the distinct request bodies seen */
	char bodies[64][128];
	size_t n_bodies;
	bool body_newline;
	char last_head[2048];
};

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Wait until fd is readable or the server stops; false on stop. */
static bool wait_readable(struct weft_test_httpd *s, int fd)
{
	for (;;) {
		if (atomic_load(&s->stop))
			return false;
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, 20);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

static void sleep_ms(struct weft_test_httpd *s, long ms)
{
	while (ms > 0 && !atomic_load(&s->stop)) {
		long step = ms > 20 ? 20 : ms;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* The end of the headers in buf[0..n), or NULL. */
static char *find_blank_line(char *buf, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (!memcmp(buf + i, "\r\n\r\n", 4))
			return buf + i;
	return NULL;
}

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 404: return "Not Found";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	}
	return "Status";
}

static void *conn_main(void *arg)
{
	conn *c = arg;
	struct weft_test_httpd *s = c->srv;
	char buf[16384];
	size_t have = 0;
	for (;;) {
		/* read until the end of the headers */
		char *end = NULL;
		while (!(end = find_blank_line(buf, have))) {
			if (have == sizeof buf || !wait_readable(s, c->fd))
				goto done;
			ssize_t r = recv(c->fd, buf + have, sizeof buf - have, 0);
			if (r <= 0)
				goto done;
			have += (size_t)r;
		}
		size_t head = (size_t)(end - buf) + 4;
		/* skip a body announced by Content-Length */
		size_t body = 0;
		for (char *p = buf; p < end; p++) {
			if ((p == buf || p[-1] == '\n') && !strncasecmp(p, "content-length:", 15)) {
				body = (size_t)strtoul(p + 15, NULL, 10);
				break;
			}
		}
		char path[256] = "/";
		sscanf(buf, "%*s %255s", path);
		bool is_head = !strncmp(buf, "HEAD ", 5);
		while (have < head + body) {
			if (!wait_readable(s, c->fd))
				goto done;
			size_t room = sizeof buf - have;
			if (!room) { /* a large body: drop what we have */
				body -= have - head;
				have = head;
				room = sizeof buf - have;
			}
			ssize_t r = recv(c->fd, buf + have, room, 0);
			if (r <= 0)
				goto done;
			have += (size_t)r;
		}
		bool authorised = false;
		for (char *p = buf; p < end; p++)
			if ((p == buf || p[-1] == '\n') && !strncmp(p, "Authorization: Bearer weft-secret\r", 34))
				authorised = true;
		if (!strcmp(path, "/bodies") && have >= head + body) {
			char b[128];
			size_t k = body < sizeof b - 1 ? body : sizeof b - 1;
			memcpy(b, buf + head, k);
			b[k] = '\0';
			pthread_mutex_lock(&s->mu);
			size_t i = 0;
			while (i < s->n_bodies && strcmp(s->bodies[i], b))
				i++;
			if (i == s->n_bodies && i < 64)
				memcpy(s->bodies[s->n_bodies++], b, k + 1);
			if (memchr(buf + head, '\n', body))
				s->body_newline = true;
			pthread_mutex_unlock(&s->mu);
		}
		pthread_mutex_lock(&s->mu);
		size_t keep = head < sizeof s->last_head - 1 ? head : sizeof s->last_head - 1;
		memcpy(s->last_head, buf, keep);
		s->last_head[keep] = '\0';
		pthread_mutex_unlock(&s->mu);
		memmove(buf, buf + head + body, have - head - body);
		have -= head + body;
		uint64_t nth = atomic_fetch_add(&s->requests, 1);

		int code = 200;
		if (!strncmp(path, "/slow/", 6)) {
			sleep_ms(s, strtol(path + 6, NULL, 10));
		} else if (!strncmp(path, "/svc/", 5)) {
			char *e;
			long us = strtol(path + 5, &e, 10), tail_us = 0, permille = 0;
			if (*e == '/')
				tail_us = strtol(e + 1, &e, 10);
			if (*e == '/')
				permille = strtol(e + 1, &e, 10);
			/* which requests are slow: a hash of their number, so the
			 * share holds without a pattern the blocks could alias with */
			uint64_t z = (nth + 1) * 0x9e3779b97f4a7c15ull;
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z ^= z >> 31;
			if ((long)(z % 1000) < permille)
				us = tail_us;
			struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
			nanosleep(&ts, NULL);
		} else if (!strncmp(path, "/status/", 8)) {
			code = (int)strtol(path + 8, NULL, 10);
			if (code < 100 || code > 599)
				code = 500;
		} else if (!strcmp(path, "/auth")) {
			code = authorised ? 200 : 401;
		} else if (!strcmp(path, "/reset")) {
			struct linger lg = { 1, 0 };
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			goto done;
		} else if (!strcmp(path, "/close")) {
			goto done;
		} else if (!strcmp(path, "/long-body")) {
			/* 3 bytes announced, 19 sent */
			static const char lie[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
						  "Content-Length: 3\r\n\r\nok\nand sixteen more";
			if (!send_all(c->fd, lie, sizeof lie - 1))
				goto done;
			continue;
		} else if (!strcmp(path, "/not-http")) {
			static const char ssh[] = "SSH-2.0-OpenSSH_9.2p1\r\n";
			if (!send_all(c->fd, ssh, sizeof ssh - 1))
				goto done;
			while (!atomic_load(&s->stop)) /* and keep the connection open */
				sleep_ms(s, 20);
			goto done;
		} else if (!strcmp(path, "/chunked")) {
			static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
						      "3;x=y\r\nok\n\r\nA\r\n0123456789\r\n0\r\nX-Sum: 13\r\n\r\n";
			if (!send_all(c->fd, chunked, sizeof chunked - 1))
				goto done;
			continue;
		} else if (!strcmp(path, "/dribble")) {
			static const char slow[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
			for (size_t i = 0; i < sizeof slow - 1; i++) {
				if (!send_all(c->fd, slow + i, 1))
					goto done;
				sleep_ms(s, 1);
			}
			continue;
		} else if (!strcmp(path, "/conn-close") || !strcmp(path, "/then-close")) {
			const char *r = !strcmp(path, "/conn-close")
						? "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n"
						: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
			send_all(c->fd, r, strlen(r));
			goto done;
		} else if (!strncmp(path, "/big/", 5)) {
			size_t n = (size_t)strtoul(path + 5, NULL, 10);
			if (n > 4u << 20)
				n = 4u << 20;
			char h[128];
			int k = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
			char *blob = malloc(n ? n : 1);
			if (!blob)
				goto done;
			memset(blob, 'b', n);
			bool sent = send_all(c->fd, h, (size_t)k) && send_all(c->fd, blob, n);
			free(blob);
			if (!sent)
				goto done;
			continue;
		} else if (!strcmp(path, "/until-close")) {
			static const char old[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body ends here";
			send_all(c->fd, old, sizeof old - 1);
			goto done;
		} else if (!strcmp(path, "/stall")) {
			while (!atomic_load(&s->stop))
				sleep_ms(s, 20);
			goto done;
		}
		if (atomic_load(&s->stop))
			goto done;
		char resp[256];
		int n = snprintf(resp, sizeof resp,
				 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n", code,
				 reason(code));
		/* a response to HEAD has no body, whatever its Content-Length */
		if (!send_all(c->fd, resp, (size_t)n - (is_head ? 3 : 0)))
			goto done;
	}
done:
	close(c->fd);
	atomic_store(&c->finished, true);
	return NULL;
}

size_t weft_test_httpd_last_head(weft_test_httpd *h, char *out, size_t n)
{
	pthread_mutex_lock(&h->mu);
	snprintf(out, n, "%s", h->last_head);
	pthread_mutex_unlock(&h->mu);
	return strlen(out);
}

/* Join and free the connections that have finished (all when stopping). */
static void reap(struct weft_test_httpd *s, bool all)
{
	pthread_mutex_lock(&s->mu);
	conn **pp = &s->conns;
	while (*pp) {
		conn *c = *pp;
		if (all || atomic_load(&c->finished)) {
			pthread_join(c->thread, NULL);
			*pp = c->next;
			free(c);
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

static void *accept_main(void *arg)
{
	struct weft_test_httpd *s = arg;
	while (!atomic_load(&s->stop)) {
		struct pollfd p = { s->lfd, POLLIN, 0 };
		int r = poll(&p, 1, 20);
		if (r <= 0)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		atomic_fetch_add(&s->connections, 1);
		if (pthread_create(&c->thread, NULL, conn_main, c)) {
			close(fd);
			free(c);
			continue;
		}
		pthread_mutex_lock(&s->mu);
		c->next = s->conns;
		s->conns = c;
		pthread_mutex_unlock(&s->mu);
		reap(s, false);
	}
	return NULL;
}

int weft_test_httpd_start(weft_test_httpd **out, int port)
{
	*out = NULL;
	struct weft_test_httpd *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	pthread_mutex_init(&s->mu, NULL);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	socklen_t len = sizeof a;
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) || listen(s->lfd, 512) ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &len)) {
		if (s->lfd >= 0)
			close(s->lfd);
		free(s);
		return -1;
	}
	s->port = ntohs(a.sin_port);
	if (pthread_create(&s->acceptor, NULL, accept_main, s)) {
		close(s->lfd);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int weft_test_httpd_port(const weft_test_httpd *h)
{
	return h->port;
}

uint64_t weft_test_httpd_requests(const weft_test_httpd *h)
{
	return atomic_load(&((weft_test_httpd *)h)->requests);
}

void weft_test_httpd_stop(weft_test_httpd *h)
{
	if (!h)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->acceptor, NULL);
	close(h->lfd);
	reap(h, true);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

int weft_test_refused_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	int port = -1;
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

#ifdef WEFT_HTTPD_MAIN
int main(int argc, char **argv)
{
	weft_test_httpd *h;
	if (weft_test_httpd_start(&h, argc > 1 ? atoi(argv[1]) : 0)) {
		perror("httpd_test");
		return 1;
	}
	printf("%d\n", weft_test_httpd_port(h));
	fflush(stdout);
	for (;;)
		pause();
}
#endif

uint64_t weft_test_httpd_connections(const weft_test_httpd *h)
{
	return atomic_load(&((weft_test_httpd *)h)->connections);
}

size_t weft_test_httpd_distinct_bodies(weft_test_httpd *h, bool *any_newline)
{
	pthread_mutex_lock(&h->mu);
	size_t n = h->n_bodies;
	*any_newline = h->body_newline;
	pthread_mutex_unlock(&h->mu);
	return n;
}
