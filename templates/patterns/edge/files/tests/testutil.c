/* testutil.c - test helpers; the endpoint is a raw-socket HTTP/1.1 server
 * on 127.0.0.1 in a thread that de-duplicates by Idempotency-Key, the way
 * the central side of the fleet must. */
#include "testutil.h"

#include "sha256.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void tu_copy(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	cr_assert(in, "open %s", from);
	FILE *out = fopen(to, "wb");
	cr_assert(out, "create %s", to);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

void tu_device(char *dir, profile *p)
{
	snprintf(dir, 256, "/tmp/edge-test-XXXXXX");
	cr_assert(mkdtemp(dir));
	char path[512];
	snprintf(path, sizeof path, "%s/models", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/models/model.safetensors", dir);
	tu_copy(MODELS_DIR "/model.safetensors", path);
	snprintf(path, sizeof path, "%s/models/manifest.json", dir);
	tu_copy(MODELS_DIR "/manifest.json", path);
	profile_defaults(p);
	snprintf(p->models_dir, sizeof p->models_dir, "%s/models", dir);
	snprintf(p->outbox_path, sizeof p->outbox_path, "%s/outbox.db", dir);
	p->sync_url[0] = '\0';
	p->outbox_max_rows = 100000; /* independent of the project's answers */
	p->max_backoff_s = 300;
	snprintf(p->device_id, sizeof p->device_id, "dev-7");
	snprintf(p->device_class, sizeof p->device_class, "kiosk");
}

void tu_flip_byte(const char *path, long offset_from_end)
{
	FILE *f = fopen(path, "r+b");
	cr_assert(f);
	cr_assert_eq(fseek(f, -offset_from_end, SEEK_END), 0);
	int c = fgetc(f);
	cr_assert_neq(c, EOF);
	cr_assert_eq(fseek(f, -offset_from_end, SEEK_END), 0);
	fputc(c ^ 0x01, f);
	cr_assert_eq(fclose(f), 0);
}

void tu_write_model(const char *path, float w, float b, const char *activation, const char *version,
		    char *hex)
{
	char header[512];
	int hl = snprintf(header, sizeof header,
			  "{\"__metadata__\":{\"weft.activations\":\"%s\",\"weft.version\":\"%s\"},"
			  "\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,8],\"data_offsets\":[0,32]},"
			  "\"net.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}",
			  activation, version);
	while (hl % 8)
		header[hl++] = ' ';
	unsigned char buf[8 + 512 + 36];
	size_t n = 0;
	for (int i = 0; i < 8; i++)
		buf[n++] = (unsigned char)(((unsigned long long)hl >> (8 * i)) & 0xff);
	memcpy(buf + n, header, (size_t)hl);
	n += (size_t)hl;
	float data[9];
	for (int i = 0; i < 8; i++)
		data[i] = w;
	data[8] = b;
	memcpy(buf + n, data, sizeof data); /* little-endian host (x86-64, arm64) */
	n += sizeof data;
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(buf, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
	if (hex)
		sha256_hex(buf, n, hex);
}

void tu_write_manifest(const char *path, const char *version, const char *hex, const char *classes_json,
		       long min_memory_mb)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fprintf(f,
		"{\"file\": \"model.safetensors\", \"version\": \"%s\", \"sha256\": \"%s\",\n"
		" \"min_memory_mb\": %ld, \"device_classes\": %s, \"output_range\": [0, 1]}\n",
		version, hex, min_memory_mb, classes_json);
	cr_assert_eq(fclose(f), 0);
}

char *tu_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0, "bind port %d", port);
	cr_assert_eq(listen(fd, 16), 0);
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

int tu_free_port(void)
{
	int fd = listen_on(0);
	int port = bound_port(fd);
	close(fd);
	return port;
}

static void handle(tu_server *s, int c)
{
	char req[16384];
	size_t n = 0;
	char *end = NULL;
	while (n < sizeof req - 1) {
		ssize_t r = recv(c, req + n, sizeof req - 1 - n, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
		req[n] = '\0';
		end = strstr(req, "\r\n\r\n");
		if (end) {
			const char *cl = strcasestr(req, "\r\nContent-Length:");
			size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
			if (n >= (size_t)(end + 4 - req) + want)
				break;
		}
	}
	if (!end)
		return;
	char key[160] = "";
	const char *k = strcasestr(req, "\r\nIdempotency-Key:");
	if (k) {
		k += 18;
		while (*k == ' ')
			k++;
		size_t len = strcspn(k, "\r\n");
		if (len < sizeof key) {
			memcpy(key, k, len);
			key[len] = '\0';
		}
	}
	pthread_mutex_lock(&s->lock);
	s->requests++;
	int fail = 0, drop = 0;
	if (s->fail_first > 0) {
		s->fail_first--;
		fail = 1;
	} else {
		if (*key) {
			s->with_key++;
			int seen = 0;
			for (int i = 0; i < s->n_keys; i++)
				if (!strcmp(s->keys[i], key))
					seen = 1;
			if (seen)
				s->duplicates++;
			else if (s->n_keys < TU_MAX_KEYS)
				s->keys[s->n_keys++] = strdup(key);
		}
		if (s->drop_first > 0) {
			s->drop_first--;
			drop = 1;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (drop)
		return; /* stored, but the acknowledgement is lost */
	const char *resp = fail ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
				: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	ssize_t w = send(c, resp, strlen(resp), MSG_NOSIGNAL);
	(void)w;
}

static void *serve(void *arg)
{
	tu_server *s = arg;
	while (!s->stop) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		handle(s, c);
		close(c);
	}
	return NULL;
}

void tu_server_start(tu_server *s, int port)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->fd = listen_on(port);
	s->port = bound_port(s->fd);
	cr_assert_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

void tu_server_stop(tu_server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
}

void tu_server_free(tu_server *s)
{
	for (int i = 0; i < s->n_keys; i++)
		free(s->keys[i]);
	s->n_keys = 0;
	pthread_mutex_destroy(&s->lock);
}

int tu_server_count(tu_server *s, const char *key)
{
	int n = 0;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->n_keys; i++)
		n += !strcmp(s->keys[i], key);
	pthread_mutex_unlock(&s->lock);
	return n;
}
