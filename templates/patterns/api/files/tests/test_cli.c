/* test_cli.c - the binary's commands and exit codes: check-config,
 * hash-token, new-token, usage errors, a model that breaks the contract.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "support.h"

/* Run a shell command line; return its exit code and its stdout. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, hash_token_matches_sha256sum)
{
	char out[256];
	/* TOKEN_CRM_SHA256 was computed with: printf %s TOKEN_CRM | sha256sum */
	cr_expect_eq(run("printf '%s\\n' '" TOKEN_CRM "' | '" SERVICE_BIN "' hash-token", out, sizeof out), 0);
	cr_expect_str_eq(out, "sha256:" TOKEN_CRM_SHA256 "\n");
	cr_expect_eq(run("printf '' | '" SERVICE_BIN "' hash-token 2>/dev/null", out, sizeof out), 2);
}

Test(cli, new_token_works_with_its_config_line)
{
	char out[1024];
	cr_assert_eq(run("'" SERVICE_BIN "' new-token erp /v1/predict 2>/dev/null", out, sizeof out), 0);
	char *nl = strchr(out, '\n');
	cr_assert_not_null(nl);
	*nl = '\0';
	const char *token = out, *line = nl + 1;
	cr_expect_eq(strlen(token), 64u);
	/* the printed line configures exactly that token for that route */
	api_config c;
	api_config_defaults(&c);
	char err[512];
	cr_assert_eq(api_config_parse(&c, line, "line", ".", err, sizeof err), 0, "%s", err);
	char authz[1100];
	snprintf(authz, sizeof authz, "Bearer %s", token);
	const char *who;
	cr_expect_eq(auth_check(&c, authz, ROUTE_PREDICT, &who), AUTH_OK);
	cr_expect_str_eq(who, "erp");
	cr_expect_eq(auth_check(&c, authz, ROUTE_MODEL, &who), AUTH_FORBIDDEN);
	/* two calls never give the same token */
	char again[1024];
	run("'" SERVICE_BIN "' new-token erp /v1/predict 2>/dev/null", again, sizeof again);
	cr_expect_neq(strncmp(again, token, 64), 0);
	/* a bad route is refused */
	cr_expect_eq(run("'" SERVICE_BIN "' new-token erp /v9/x 2>/dev/null", out, sizeof out), 2);
}

Test(cli, check_config_accepts_the_shipped_config)
{
	char out[4096];
	cr_expect_eq(run("'" SERVICE_BIN "' check-config --config '" PROJECT_DIR "/config/service.conf'", out, sizeof out),
		     0);
	cr_expect(strstr(out, ": ok\n") != NULL, "%s", out);
	cr_expect(strstr(out, "8 in, 1 out") != NULL, "%s", out);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(cli, exit_codes)
{
	char out[4096];
	char dir[] = "/tmp/api-cli-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char conf[256], cmd[1024];
	snprintf(conf, sizeof conf, "%s/bad.conf", dir);
	write_file(conf, "port = none\n");
	snprintf(cmd, sizeof cmd, "'%s' check-config --config '%s' 2>&1", SERVICE_BIN, conf);
	cr_expect_eq(run(cmd, out, sizeof out), 3);
	cr_expect(strstr(out, "bad.conf:1:8: expected a whole number") != NULL, "%s", out);

	snprintf(cmd, sizeof cmd, "'%s' serve --config '%s/missing.conf' 2>/dev/null", SERVICE_BIN, dir);
	cr_expect_eq(run(cmd, out, sizeof out), 4);
	snprintf(cmd, sizeof cmd, "'%s' serve --bogus 2>/dev/null", SERVICE_BIN);
	cr_expect_eq(run(cmd, out, sizeof out), 2);
	snprintf(cmd, sizeof cmd, "'%s' serve --port 70000 2>/dev/null", SERVICE_BIN);
	cr_expect_eq(run(cmd, out, sizeof out), 2);

	/* versioning: a model whose input count differs from the contract is refused */
	snprintf(conf, sizeof conf, "%s/v2.conf", dir);
	char text[512];
	snprintf(text, sizeof text, "model = %s/models/model.safetensors\nfeatures = 9\nport = 0\n"
				    "token = a sha256:%s /v1/predict\n",
		 PROJECT_DIR, TOKEN_CRM_SHA256);
	write_file(conf, text);
	snprintf(cmd, sizeof cmd, "'%s' serve --config '%s' 2>&1", SERVICE_BIN, conf);
	cr_expect_eq(run(cmd, out, sizeof out), 3);
	cr_expect(strstr(out, "the model takes 8 features but the v1 contract takes 9") != NULL, "%s", out);

	/* a port in use is an environment problem */
	test_server ts;
	server_start(&ts, NULL);
	snprintf(text, sizeof text, "model = %s/models/model.safetensors\nport = %u\n"
				    "token = a sha256:%s /v1/predict\n",
		 PROJECT_DIR, ts.port, TOKEN_CRM_SHA256);
	snprintf(conf, sizeof conf, "%s/busy.conf", dir);
	write_file(conf, text);
	snprintf(cmd, sizeof cmd, "'%s' serve --config '%s' 2>&1", SERVICE_BIN, conf);
	cr_expect_eq(run(cmd, out, sizeof out), 4, "%s", out);
	free(server_stop(&ts));

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
