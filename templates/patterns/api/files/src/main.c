/* main.c - the command line: serve, check-config, hash-token, new-token.
 *
 * Key choice: SIGTERM and SIGINT are blocked in every thread before the
 * service starts, and the main thread waits for them with sigwait(), so
 * shutdown runs as ordinary code (no async-signal-safety limits) and is
 * always the graceful one: stop accepting, drain, stop.
 *
 * Exit codes: 0 ok, 2 usage, 3 invalid configuration or model, 4 environment.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "model.h"
#include "service.h"
#include "sha256.h"
#include "token.h"

#define DEFAULT_CONFIG "config/service.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [serve] [--config FILE] [--port N]\n"
		"       %s check-config [--config FILE]\n"
		"       %s hash-token          < token\n"
		"       %s new-token NAME ROUTE...\n"
		"\n"
		"serve         run the service until SIGTERM or SIGINT (then drain and stop)\n"
		"check-config  check the configuration and the model, print a summary\n"
		"hash-token    print the sha256: digest of the token read from standard input\n"
		"new-token     make a random token for NAME, print it and its `token =` line\n"
		"\n"
		"--config FILE  default " DEFAULT_CONFIG "; --port 0 picks a free port\n"
		"exit codes: 0 ok, 2 usage, 3 invalid configuration or model, 4 environment\n",
		API_SERVICE_NAME, API_SERVICE_NAME, API_SERVICE_NAME, API_SERVICE_NAME);
}

static int load_config(api_config *cfg, const char *path)
{
	static char err[8192];
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return 4;
	}
	fclose(f);
	api_config_defaults(cfg);
	if (api_config_load(cfg, path, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	return 0;
}

static int cmd_serve(const char *config_path, int port)
{
	api_config cfg;
	int rc = load_config(&cfg, config_path);
	if (rc)
		return rc;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread exists: all inherit it */
	signal(SIGPIPE, SIG_IGN);

	service_opts o;
	service_opts_init(&o);
	o.port = port;
	service *s;
	char err[1024];
	rc = service_start(&s, &cfg, &o, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", API_SERVICE_NAME, err);
		return rc == SERVICE_EENV ? 4 : 3;
	}
	printf("listening on %s:%u\n", cfg.listen, service_port(s));
	fflush(stdout);
	fprintf(stderr, "%s: serving on http://%s:%u (deadline %d ms, fallback %g%s)\n", API_SERVICE_NAME, cfg.listen,
		service_port(s), cfg.deadline_ms, cfg.fallback_default, cfg.fallback_cache ? " or cached" : "");

	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "%s: %s: draining (up to %d ms)\n", API_SERVICE_NAME, sig == SIGTERM ? "SIGTERM" : "SIGINT",
		cfg.drain_timeout_ms);
	int left = service_shutdown(s);
	service_free(s);
	if (left)
		fprintf(stderr, "%s: stopped; %d request(s) were still running when the drain time ran out\n",
			API_SERVICE_NAME, left);
	else
		fprintf(stderr, "%s: stopped cleanly\n", API_SERVICE_NAME);
	return 0;
}

static int cmd_check(const char *config_path)
{
	api_config cfg;
	int rc = load_config(&cfg, config_path);
	if (rc)
		return rc;
	model *m;
	char err[512];
	if (model_load(&m, cfg.model_path, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", cfg.model_path, err);
		return 3;
	}
	if (cfg.features && cfg.features != model_inputs(m)) {
		fprintf(stderr, "%s: the model takes %zu features but the v1 contract takes %zu\n", cfg.model_path,
			model_inputs(m), cfg.features);
		model_free(m);
		return 3;
	}
	printf("%s: ok\n", config_path);
	printf("  listen     %s:%d\n", cfg.listen, cfg.port);
	printf("  model      %s (version %s, sha256 %s)\n", cfg.model_path, model_version(m), model_digest(m));
	printf("  features   %zu in, %zu out\n", model_inputs(m), model_outputs(m));
	printf("  deadline   %d ms; fallback %g%s\n", cfg.deadline_ms, cfg.fallback_default,
	       cfg.fallback_cache ? ", or the last score for the key" : "");
	printf("  tokens     %zu\n", cfg.n_tokens);
	for (size_t i = 0; i < cfg.n_tokens; i++) {
		printf("    %-24s", cfg.tokens[i].name);
		for (int r = 0; r < ROUTE_COUNT; r++)
			if (cfg.tokens[i].routes & (1u << r))
				printf(" %s", api_route_path((api_route)r));
		printf("%s\n", cfg.tokens[i].act_for_users ? " (acts for users)" : "");
	}
	printf("  users      %zu\n", cfg.n_users);
	for (size_t i = 0; i < cfg.n_users; i++) {
		printf("    %-24s", cfg.users[i].name);
		for (int r = 0; r < ROUTE_COUNT; r++)
			if (cfg.users[i].routes & (1u << r))
				printf(" %s", api_route_path((api_route)r));
		printf("\n");
	}
	model_free(m);
	return 0;
}

static int cmd_hash_token(void)
{
	char digest[TOKEN_TEXT_LEN];
	const char *why;
	if (token_hash_input(stdin, digest, &why) != 0) {
		fprintf(stderr, "%s: hash-token: %s\n", API_SERVICE_NAME, why);
		return 2;
	}
	printf("%s\n", digest);
	return 0;
}

static int cmd_new_token(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	char token[65], hash[TOKEN_TEXT_LEN];
	if (token_new(token, hash) != 0) {
		fprintf(stderr, "%s: new-token: cannot read /dev/urandom\n", API_SERVICE_NAME);
		return 4;
	}
	char line[2048];
	int n = snprintf(line, sizeof line, "token = %s %s", argv[0], hash);
	for (int i = 1; i < argc && n > 0 && (size_t)n < sizeof line; i++)
		n += snprintf(line + n, sizeof line - (size_t)n, " %s", argv[i]);
	if (n < 0 || (size_t)n >= sizeof line) {
		fprintf(stderr, "%s: new-token: arguments too long\n", API_SERVICE_NAME);
		return 2;
	}
	/* check the line with the real parser, so a bad name or route is caught now */
	api_config cfg;
	api_config_defaults(&cfg);
	char err[1024];
	if (api_config_parse(&cfg, line, "new-token", ".", err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("%s\n%s\n", token, line);
	fprintf(stderr, "first line: the token, to give to the caller once (it is stored nowhere);\n"
			"second line: add it to the configuration, then restart the service\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = "serve";
	int i = 1;
	if (argc > 1 && argv[1][0] != '-')
		cmd = argv[i++];
	if (strcmp(cmd, "hash-token") == 0)
		return argc == 2 ? cmd_hash_token() : (usage(stderr), 2);
	if (strcmp(cmd, "new-token") == 0)
		return cmd_new_token(argc - 2, argv + 2);
	const char *config = DEFAULT_CONFIG;
	int port = -1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			long p = strtol(argv[++i], &end, 10);
			if (errno || *end || p < 0 || p > 65535) {
				fprintf(stderr, "%s: --port: expected 0 to 65535, got '%s'\n", API_SERVICE_NAME, argv[i]);
				return 2;
			}
			port = (int)p;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n", API_SERVICE_NAME, argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(config, port);
	if (strcmp(cmd, "check-config") == 0)
		return port >= 0 ? (usage(stderr), 2) : cmd_check(config);
	fprintf(stderr, "%s: unknown command '%s'\n", API_SERVICE_NAME, cmd);
	usage(stderr);
	return 2;
}
