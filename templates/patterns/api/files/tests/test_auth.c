/* test_auth.c - authentication (401), per-token authorisation (403) and
 * per-user authorisation (X-On-Behalf-Of: only from tokens allowed to act
 * for users, and the user's own route rules) over real HTTP, and the
 * bearer-header parser.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "auth.h"
#include "support.h"

static test_server ts;
static const char *body = "{\"features\":[45,111.67,2,1,1,6.2,0,22]}";

static void up(void)
{
	server_start(&ts, NULL);
}

static void down(void)
{
	free(server_stop(&ts));
}

TestSuite(auth, .init = up, .fini = down);

Test(auth, no_token_is_401_with_a_challenge)
{
	http_res r = http_call(ts.port, "POST", "/v1/predict", NULL, body);
	cr_assert_eq(r.status, 401, "%s", r.body);
	char h[256];
	cr_assert_not_null(http_header(&r, "WWW-Authenticate", h, sizeof h));
	cr_expect_eq(strncmp(h, "Bearer realm=", 13), 0, "%s", h);
	cr_expect(strstr(r.body, "\"unauthorized\"") != NULL, "%s", r.body);
	http_res_free(&r);
	/* the model stage was never reached */
	cr_expect_eq(atomic_load(&ts.stage.calls), 0);
}

Test(auth, unknown_token_is_401_invalid_token)
{
	http_res r = http_call(ts.port, "POST", "/v1/predict", "not-a-real-token", body);
	cr_assert_eq(r.status, 401, "%s", r.body);
	char h[256];
	cr_assert_not_null(http_header(&r, "WWW-Authenticate", h, sizeof h));
	cr_expect(strstr(h, "error=\"invalid_token\"") != NULL, "%s", h);
	http_res_free(&r);
	/* a token that is one character off is just as unknown */
	r = http_call(ts.port, "GET", "/v1/model", TOKEN_CRM "x", NULL);
	cr_expect_eq(r.status, 401);
	http_res_free(&r);
}

Test(auth, the_digest_itself_is_not_a_token)
{
	/* someone who reads the config file learns nothing usable */
	http_res r = http_call(ts.port, "GET", "/v1/model", TOKEN_CRM_SHA256, NULL);
	cr_expect_eq(r.status, 401);
	http_res_free(&r);
}

Test(auth, other_schemes_are_401)
{
	http_res r = http_call_raw(ts.port, "GET", "/v1/model", "Basic Y3JtOnNlY3JldA==", NULL, NULL);
	cr_expect_eq(r.status, 401);
	http_res_free(&r);
	r = http_call_raw(ts.port, "GET", "/v1/model", "Bearer", NULL, NULL);
	cr_expect_eq(r.status, 401);
	http_res_free(&r);
}

Test(auth, token_without_the_route_is_403)
{
	/* ops may read /v1/model but not score */
	http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_OPS, body);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_expect(strstr(r.body, "\"forbidden\"") != NULL, "%s", r.body);
	http_res_free(&r);
	cr_expect_eq(atomic_load(&ts.stage.calls), 0);
	r = http_call(ts.port, "GET", "/v1/model", TOKEN_OPS, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
}

Test(auth, token_with_the_route_is_200)
{
	http_res r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, body);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
	/* the scheme name is case-insensitive (RFC 7235) */
	r = http_call_raw(ts.port, "GET", "/v1/model", "bearer " TOKEN_CRM, NULL, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
}

Test(auth, healthz_is_public)
{
	http_res r = http_call(ts.port, "GET", "/healthz", NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, "{\"status\":\"ok\"}");
	http_res_free(&r);
}

Test(auth, access_log_names_the_caller)
{
	http_res r = http_call(ts.port, "GET", "/v1/model", TOKEN_OPS, NULL);
	http_res_free(&r);
	r = http_call(ts.port, "POST", "/v1/predict", TOKEN_OPS, body);
	http_res_free(&r);
	char *log = server_stop(&ts);
	cr_expect(strstr(log, "path=/v1/model status=200") && strstr(log, "client=ops user=-\n"), "%s", log);
	cr_expect(strstr(log, "path=/v1/predict status=403"), "%s", log);
	free(log);
	server_start(&ts, NULL); /* for the fini */
}

/* ---- per user: X-On-Behalf-Of ---------------------------------------------------- */

Test(auth, a_token_that_may_not_act_for_users_is_403_with_a_user)
{
	/* crm may call predict, but not on someone else's behalf */
	http_res r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_CRM, "X-On-Behalf-Of: agent-1", body);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_expect(strstr(r.body, "act for users") != NULL, "%s", r.body);
	http_res_free(&r);
	r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_OPS, "X-On-Behalf-Of: agent-1", NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	http_res_free(&r);
	cr_expect_eq(atomic_load(&ts.stage.calls), 0);
	/* the same token without the header still works for itself */
	r = http_call(ts.port, "POST", "/v1/predict", TOKEN_CRM, body);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
}

Test(auth, a_delegating_token_for_an_allowed_user_is_200)
{
	http_res r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_GW, "X-On-Behalf-Of: agent-1", body);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
	r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: viewer-2", NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
	/* and for itself, without a user */
	r = http_call(ts.port, "GET", "/v1/model", TOKEN_GW, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
	char *log = server_stop(&ts);
	cr_expect(strstr(log, "path=/v1/predict status=200") && strstr(log, "client=gw user=agent-1\n"), "%s", log);
	cr_expect(strstr(log, "client=gw user=viewer-2\n"), "%s", log);
	free(log);
	server_start(&ts, NULL); /* for the fini */
}

Test(auth, the_route_rules_of_the_user_apply)
{
	/* viewer-2 may read the model but not score, whatever the gateway may */
	http_res r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_GW, "X-On-Behalf-Of: viewer-2", body);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_expect(strstr(r.body, "the user") != NULL, "%s", r.body);
	http_res_free(&r);
	/* a user without any rule may call nothing */
	r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: mallory", NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	http_res_free(&r);
	cr_expect_eq(atomic_load(&ts.stage.calls), 0);
	/* a malformed user name is a bad request, not a user */
	r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: agent 1", NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	http_res_free(&r);
	/* the user's rules never widen the token's: ops cannot delegate at all */
	char *log = server_stop(&ts);
	cr_expect(strstr(log, "status=403") && !strstr(log, "user=viewer-2\n") && !strstr(log, "user=mallory"),
		  "a refused user is not logged as acting: %s", log);
	free(log);
	server_start(&ts, NULL); /* for the fini */
}

Test(auth, a_wildcard_rule_covers_other_users)
{
	free(server_stop(&ts));
	server_start(&ts, "user = * /v1/model\n");
	http_res r = http_call_with(ts.port, "GET", "/v1/model", TOKEN_GW, "X-On-Behalf-Of: someone", NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
	r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_GW, "X-On-Behalf-Of: someone", body);
	cr_expect_eq(r.status, 403, "%s", r.body);
	http_res_free(&r);
	/* a user's own line wins over '*' */
	r = http_call_with(ts.port, "POST", "/v1/predict", TOKEN_GW, "X-On-Behalf-Of: agent-1", body);
	cr_expect_eq(r.status, 200, "%s", r.body);
	http_res_free(&r);
}

/* ---- the parser, without a server ---------------------------------------------- */

Test(bearer, check_without_a_server)
{
	api_config c;
	char err[512];
	api_config_defaults(&c);
	cr_assert_eq(api_config_parse(&c, TEST_CONFIG, "t", PROJECT_DIR, err, sizeof err), 0, "%s", err);
	const char *who;
	cr_expect_eq(auth_check(&c, "Bearer " TOKEN_CRM, ROUTE_PREDICT, &who), AUTH_OK);
	cr_expect_str_eq(who, "crm");
	cr_expect_eq(auth_check(&c, "Bearer " TOKEN_OPS, ROUTE_PREDICT, &who), AUTH_FORBIDDEN);
	cr_expect_str_eq(who, "ops");
	cr_expect_eq(auth_check(&c, "Bearer nope", ROUTE_MODEL, &who), AUTH_INVALID);
	cr_expect_null(who);
	cr_expect_eq(auth_check(&c, NULL, ROUTE_MODEL, &who), AUTH_MISSING);
	cr_expect_eq(auth_check(&c, NULL, ROUTE_HEALTHZ, &who), AUTH_OK);
	const char *user;
	cr_expect_eq(auth_check_user(&c, "Bearer " TOKEN_CRM, "agent-1", ROUTE_PREDICT, &who, &user),
		     AUTH_NO_DELEGATION);
	cr_expect_null(user);
	cr_expect_eq(auth_check_user(&c, "Bearer " TOKEN_GW, "agent-1", ROUTE_PREDICT, &who, &user), AUTH_OK);
	cr_expect_str_eq(who, "gw");
	cr_expect_str_eq(user, "agent-1");
	cr_expect_eq(auth_check_user(&c, "Bearer " TOKEN_GW, "viewer-2", ROUTE_PREDICT, &who, &user),
		     AUTH_USER_FORBIDDEN);
	cr_expect_null(user);
	cr_expect_eq(auth_check_user(&c, "Bearer " TOKEN_GW, "nobody", ROUTE_MODEL, &who, &user),
		     AUTH_USER_FORBIDDEN);
	cr_expect_eq(auth_check_user(&c, "Bearer " TOKEN_GW, "", ROUTE_MODEL, &who, &user), AUTH_BAD_USER);
	cr_expect_eq(auth_check_user(&c, "Bearer " TOKEN_OPS, "agent-1", ROUTE_PREDICT, &who, &user),
		     AUTH_FORBIDDEN, "the token's own routes come first");
	cr_expect_eq(auth_check_user(&c, NULL, "agent-1", ROUTE_HEALTHZ, &who, &user), AUTH_OK);
	cr_expect_null(user, "public routes ignore the header");
}
