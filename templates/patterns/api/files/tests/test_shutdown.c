/* test_shutdown.c - graceful shutdown: requests in flight finish, new
 * connections are refused, the drain time is bounded; and the real binary
 * stops cleanly on SIGTERM.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "predictor.h"
#include "support.h"

extern char **environ;

static double now_s(void)
{
	return (double)predictor_now_ns() / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	while (nanosleep(&t, &t) != 0)
		;
}

typedef struct {
	test_server *ts;
	http_res r;
} bg_call;

static void *background_predict(void *arg)
{
	bg_call *c = arg;
	c->r = http_call(c->ts->port, "POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1,2,3,4,5,6,7,8]}");
	return NULL;
}

Test(shutdown, requests_in_flight_finish)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 2000\ndrain_timeout_ms = 3000\n");
	atomic_store(&ts.stage.stall_ms, 400);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	bg_call c = { .ts = &ts };
	pthread_t t;
	pthread_create(&t, NULL, background_predict, &c);
	wait_for_stage_calls(&ts, 1); /* the request is in the model stage */
	double t0 = now_s();
	int left = service_shutdown(ts.svc);
	double took = now_s() - t0;
	pthread_join(t, NULL);
	cr_expect_eq(left, 0);
	cr_expect_geq(took, 0.2, "shutdown took %.3f s: it did not wait", took);
	/* the request got its real answer */
	cr_expect_eq(c.r.curl_error, 0);
	cr_expect_eq(c.r.status, 200);
	cr_expect(strstr(c.r.body, "\"fallback\":false") != NULL, "%s", c.r.body);
	char h[32];
	cr_expect_str_eq(http_header(&c.r, "Connection", h, sizeof h), "close");
	http_res_free(&c.r);
	/* nobody is listening any more */
	http_res r = http_call(ts.port, "GET", "/healthz", NULL, NULL);
	cr_expect_eq(r.curl_error, CURLE_COULDNT_CONNECT, "curl error %d, status %ld", r.curl_error, r.status);
	http_res_free(&r);
	char *log = server_stop(&ts);
	cr_expect(strstr(log, "path=/v1/predict status=200") != NULL, "%s", log);
	free(log);
}

Test(shutdown, drain_time_is_bounded)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 5000\ndrain_timeout_ms = 100\n");
	atomic_store(&ts.stage.stall_ms, 700);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	bg_call c = { .ts = &ts };
	pthread_t t;
	pthread_create(&t, NULL, background_predict, &c);
	wait_for_stage_calls(&ts, 1);
	int left = service_shutdown(ts.svc);
	pthread_join(t, NULL);
	cr_expect_eq(left, 1); /* one request was still running after 100 ms */
	http_res_free(&c.r);
	free(server_stop(&ts));
}

Test(shutdown, shutdown_twice_is_harmless)
{
	test_server ts;
	server_start(&ts, NULL);
	cr_expect_eq(service_shutdown(ts.svc), 0);
	cr_expect_eq(service_shutdown(ts.svc), 0);
	free(server_stop(&ts));
}

/* ---- the binary and SIGTERM ------------------------------------------------------ */

Test(shutdown, binary_stops_cleanly_on_sigterm, .timeout = 30)
{
	char conf[] = "/tmp/api-test-conf-XXXXXX";
	int fd = mkstemp(conf);
	cr_assert_geq(fd, 0);
	dprintf(fd, "model = %s/models/model.safetensors\nport = 0\ntoken = crm sha256:%s /v1/predict\n", PROJECT_DIR,
		TOKEN_CRM_SHA256);
	close(fd);
	char errpath[] = "/tmp/api-test-err-XXXXXX";
	int efd = mkstemp(errpath);
	cr_assert_geq(efd, 0);
	int out[2];
	cr_assert_eq(pipe(out), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	char *argv[] = { SERVICE_BIN, "serve", "--config", conf, "--port", "0", NULL };
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, SERVICE_BIN, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(efd);

	/* "listening on 127.0.0.1:PORT" */
	char line[128] = "";
	size_t n = 0;
	while (n + 1 < sizeof line && read(out[0], line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(out[0]);
	unsigned port = 0;
	cr_assert_eq(sscanf(line, "listening on 127.0.0.1:%u", &port), 1, "first line: '%s'", line);

	http_res r = http_call(port, "GET", "/healthz", NULL, NULL);
	cr_expect_eq(r.status, 200);
	http_res_free(&r);
	r = http_call(port, "POST", "/v1/predict", TOKEN_CRM, "{\"features\":[1,2,3,4,5,6,7,8]}");
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);

	cr_assert_eq(kill(pid, SIGTERM), 0);
	int status = 0;
	double t0 = now_s();
	pid_t w;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now_s() - t0 < 10)
		sleep_ms(20);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cr_assert_fail("the service did not stop within 10 s of SIGTERM");
	}
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	char *err = read_file(errpath, NULL);
	cr_assert_not_null(err);
	cr_expect(strstr(err, "SIGTERM: draining") != NULL, "%s", err);
	cr_expect(strstr(err, "stopped cleanly") != NULL, "%s", err);
	/* the access log (standard error here) has both requests */
	cr_expect(strstr(err, "method=GET path=/healthz status=200") != NULL, "%s", err);
	cr_expect(strstr(err, "method=POST path=/v1/predict status=200") != NULL, "%s", err);
	free(err);
	unlink(conf);
	unlink(errpath);
}
