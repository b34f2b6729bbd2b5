/* test_config.c - the configuration file: values, ranges, tokens, and
 * path:line:col messages for every mistake.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "support.h"

static int parse(api_config *c, const char *text, char *err, size_t errlen)
{
	api_config_defaults(c);
	return api_config_parse(c, text, "svc.conf", "/etc/svc", err, errlen);
}

Test(config, reads_every_setting)
{
	api_config c;
	char err[2048];
	const char *text = "# comment line\n"
			   "listen = 0.0.0.0\n"
			   "port = 9090   # trailing comment\n"
			   "model = m/model.safetensors\n"
			   "features = 8\n"
			   "workers = 3\n"
			   "queue = 10\n"
			   "deadline_ms = 150\n"
			   "fallback_default = 0.25\n"
			   "fallback_cache = off\n"
			   "cache_entries = 100\n"
			   "cache_ttl_ms = 60000\n"
			   "max_body_bytes = 4096\n"
			   "connection_timeout_s = 5\n"
			   "max_connections = 50\n"
			   "drain_timeout_ms = 1000\n"
			   "access_log = /var/log/svc.log\n"
			   "request_id_header = X-Correlation-Id\n"
			   "public = /healthz /v1/model\n"
			   "sunset = /v1/predict 2027-06-30\n"
			   "token = crm sha256:" TOKEN_CRM_SHA256 " /v1/predict\n";
	cr_assert_eq(parse(&c, text, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(c.listen, "0.0.0.0");
	cr_expect_eq(c.port, 9090);
	cr_expect_str_eq(c.model_path, "/etc/svc/m/model.safetensors"); /* relative to the file */
	cr_expect_eq(c.features, 8u);
	cr_expect_eq(c.workers, 3);
	cr_expect_eq(c.queue, 10);
	cr_expect_eq(c.deadline_ms, 150);
	cr_expect_float_eq(c.fallback_default, 0.25, 1e-12);
	cr_expect_not(c.fallback_cache);
	cr_expect_eq(c.cache_entries, 100u);
	cr_expect_eq(c.cache_ttl_ms, 60000);
	cr_expect_eq(c.max_body_bytes, 4096u);
	cr_expect_eq(c.connection_timeout_s, 5);
	cr_expect_eq(c.max_connections, 50);
	cr_expect_eq(c.drain_timeout_ms, 1000);
	cr_expect_str_eq(c.access_log, "/var/log/svc.log");
	cr_expect_str_eq(c.request_id_header, "X-Correlation-Id");
	cr_expect_eq(c.public_routes, (1u << ROUTE_HEALTHZ) | (1u << ROUTE_MODEL));
	/* 30 June 2027 is a Wednesday */
	cr_expect_str_eq(c.sunset[ROUTE_PREDICT], "Wed, 30 Jun 2027 00:00:00 GMT");
	cr_expect_str_eq(c.sunset[ROUTE_MODEL], "");
	cr_assert_eq(c.n_tokens, 1u);
	cr_expect_str_eq(c.tokens[0].name, "crm");
	cr_expect_eq(c.tokens[0].routes, 1u << ROUTE_PREDICT);
	/* first and last bytes of the digest, read by hand from the hex */
	cr_expect_eq(c.tokens[0].hash[0], 0xc5);
	cr_expect_eq(c.tokens[0].hash[31], 0xc0);
}

Test(config, defaults_when_not_set)
{
	api_config c;
	char err[512];
	cr_assert_eq(parse(&c, "token = a sha256:" TOKEN_OPS_SHA256 " /v1/model\n", err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(c.listen, "127.0.0.1");
	cr_expect_eq(c.deadline_ms, 200);
	cr_expect(c.fallback_cache);
	cr_expect_eq(c.public_routes, 1u << ROUTE_HEALTHZ);
	cr_expect_str_eq(c.access_log, "-");
	cr_expect_str_eq(c.request_id_header, "X-Request-Id");
}

Test(config, errors_have_line_and_column)
{
	api_config c;
	char err[4096];
	const char *text = "port = 80000\n"                  /* line 1: out of range, value at col 8 */
			   "deadine_ms = 100\n"              /* line 2: typo */
			   "fallback_default = 1.5\n"        /* line 3: not a probability */
			   "token = crm sha256:abc /v1/predict\n" /* line 4: short digest at col 13 */
			   "  listen = 300.1.1.1\n"          /* line 5: bad address, value at col 12 */
			   "token = x sha256:" TOKEN_CRM_SHA256 " /v2/predict\n" /* line 6: unknown route */
			   "just words\n";                   /* line 7 */
	cr_assert_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:1:8: expected a whole number from 0 to 65535") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:2:1: unknown setting 'deadine_ms' (did you mean 'deadline_ms'?)") != NULL,
		  "%s", err);
	cr_expect(strstr(err, "svc.conf:3:20: fallback_default") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:4:13: token: expected the token's SHA-256") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:5:12: listen") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:6:") != NULL && strstr(err, "unknown route '/v2/predict'") != NULL, "%s",
		  err);
	cr_expect(strstr(err, "svc.conf:7:1: expected `key = value`") != NULL, "%s", err);
}

Test(config, refuses_repeats_and_duplicate_tokens)
{
	api_config c;
	char err[2048];
	const char *text = "port = 1\nport = 2\n"
			   "token = a sha256:" TOKEN_CRM_SHA256 " /v1/predict\n"
			   "token = a sha256:" TOKEN_OPS_SHA256 " /v1/predict\n"
			   "token = b sha256:" TOKEN_CRM_SHA256 " /v1/predict\n";
	cr_assert_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:2:1: 'port' is already set on line 1") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:4:9: token: the name 'a' is used twice") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:5:11: token: the same digest is already given to 'a'") != NULL, "%s", err);
}

Test(config, a_token_in_clear_is_refused)
{
	api_config c;
	char err[1024];
	cr_assert_eq(parse(&c, "token = crm " TOKEN_CRM " /v1/predict\n", err, sizeof err), -1);
	cr_expect(strstr(err, "never the token itself") != NULL, "%s", err);
}

Test(config, user_rules_and_act_for_users)
{
	api_config c;
	char err[1024];
	cr_assert_eq(parse(&c,
			   "token = gw sha256:" TOKEN_CRM_SHA256 " /v1/predict act_for_users /v1/model\n"
			   "token = crm sha256:" TOKEN_OPS_SHA256 " /v1/predict\n"
			   "user = agent-1@example.com /v1/predict\nuser = * /v1/model\n",
			   err, sizeof err),
		     0, "%s", err);
	cr_expect(c.tokens[0].act_for_users);
	cr_expect_eq(c.tokens[0].routes, (1u << ROUTE_PREDICT) | (1u << ROUTE_MODEL));
	cr_expect_not(c.tokens[1].act_for_users);
	cr_assert_eq(c.n_users, 2u);
	cr_expect_str_eq(api_config_user(&c, "agent-1@example.com")->name, "agent-1@example.com");
	cr_expect_str_eq(api_config_user(&c, "other")->name, "*");
	const char *base = "token = a sha256:" TOKEN_CRM_SHA256 " /v1/predict\n";
	char text[512];
	snprintf(text, sizeof text, "%suser = agent-1 /v1/predict\nuser = agent-1 /v1/model\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:3:8: user: 'agent-1' has a rule already") != NULL, "%s", err);
	snprintf(text, sizeof text, "%suser = agent 1 /v1/predict\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "unknown route '1'") != NULL, "%s", err);
	snprintf(text, sizeof text, "%suser = agent-1\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "user: no route given") != NULL, "%s", err);
	snprintf(text, sizeof text, "%suser = bad/name /v1/model\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:2:8: user: expected a user name") != NULL, "%s", err);
	cr_expect_eq(parse(&c, "token = a sha256:" TOKEN_CRM_SHA256 " act_for_users\n", err, sizeof err), -1);
	cr_expect(strstr(err, "token: no route given") != NULL, "%s", err);
}

Test(config, request_id_header_names)
{
	api_config c;
	char err[1024];
	const char *base = "token = a sha256:" TOKEN_CRM_SHA256 " /v1/predict\n";
	char text[512];
	snprintf(text, sizeof text, "%srequest_id_header = none\n", base);
	cr_assert_eq(parse(&c, text, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(c.request_id_header, ""); /* off */
	snprintf(text, sizeof text, "%srequest_id_header = X Request\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:2:21: request_id_header: expected a header name") != NULL, "%s", err);
	snprintf(text, sizeof text, "%srequest_id_header = X-Req:Id\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "request_id_header: expected a header name") != NULL, "%s", err);
	/* a credential would be echoed to the caller and written to the log */
	snprintf(text, sizeof text, "%srequest_id_header = authorization\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:2:21: request_id_header: Authorization cannot carry request ids") != NULL,
		  "%s", err);
	snprintf(text, sizeof text, "%srequest_id_header = X-On-Behalf-Of\n", base);
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "X-On-Behalf-Of cannot carry request ids") != NULL, "%s", err);
}

Test(config, usable_request_ids)
{
	cr_expect(api_valid_request_id("7f3a9c0e-12d4-4b6e-8a51-c2f0d9e3b7a4"));
	cr_expect(api_valid_request_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
	cr_expect(api_valid_request_id("gw:eu-1.42_a"));
	char longest[65];
	memset(longest, 'a', 64);
	longest[64] = '\0';
	cr_expect(api_valid_request_id(longest));
	char too_long[66];
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	cr_expect_not(api_valid_request_id(too_long));
	cr_expect_not(api_valid_request_id(""));
	cr_expect_not(api_valid_request_id("a b"));
	cr_expect_not(api_valid_request_id("a=b"));
	cr_expect_not(api_valid_request_id("a\"b"));
	cr_expect_not(api_valid_request_id("a\nstatus=200"));
}

Test(config, needs_a_token_unless_everything_is_public)
{
	api_config c;
	char err[1024];
	cr_expect_eq(parse(&c, "port = 1\n", err, sizeof err), -1);
	cr_expect(strstr(err, "no token is configured") != NULL, "%s", err);
	cr_expect_eq(parse(&c, "public = /v1/predict /v1/model /healthz\n", err, sizeof err), 0, "%s", err);
}

Test(config, bad_sunset_dates)
{
	api_config c;
	char err[1024];
	const char *base = "token = a sha256:" TOKEN_CRM_SHA256 " /v1/predict\n";
	char text[512];
	snprintf(text, sizeof text, "%ssunset = /v1/predict 2027-02-29\n", base); /* not a leap year */
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:2:22: sunset: expected a date") != NULL, "%s", err);
	snprintf(text, sizeof text, "%ssunset = /v1/predict 2028-02-29\n", base); /* a leap year */
	cr_expect_eq(parse(&c, text, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(c.sunset[ROUTE_PREDICT], "Tue, 29 Feb 2028 00:00:00 GMT");
}

Test(config, long_lines_and_control_characters)
{
	api_config c;
	char err[1024];
	char *text = malloc(6000);
	memset(text, 'x', 5000);
	strcpy(text + 5000, "\nport\x01 = 3\n");
	cr_expect_eq(parse(&c, text, err, sizeof err), -1);
	cr_expect(strstr(err, "svc.conf:1:1: line longer than") != NULL, "%s", err);
	cr_expect(strstr(err, "svc.conf:2:5: control character") != NULL, "%s", err);
	free(text);
}

Test(config, load_reports_missing_file)
{
	api_config c;
	char err[512];
	api_config_defaults(&c);
	cr_expect_eq(api_config_load(&c, "/nonexistent/svc.conf", err, sizeof err), -1);
	cr_expect(strstr(err, "/nonexistent/svc.conf: cannot open") != NULL, "%s", err);
}

Test(config, shipped_configuration_is_valid)
{
	api_config c;
	char err[4096];
	api_config_defaults(&c);
	cr_assert_eq(api_config_load(&c, PROJECT_DIR "/config/service.conf", err, sizeof err), 0, "%s", err);
	cr_expect_geq(c.n_tokens, 1u);
	cr_expect(c.public_routes & (1u << ROUTE_HEALTHZ));
	cr_expect_str_eq(c.model_path, PROJECT_DIR "/config/../models/model.safetensors");
	cr_expect_str_eq(c.request_id_header, "X-Request-Id");
}

