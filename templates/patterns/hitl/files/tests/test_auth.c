/* test_auth.c - who may call the HTTP API: bearer tokens stored as SHA-256
 * digests (401 without a known token), roles per route and action (403),
 * the reviewer's identity taken from the token (a body naming someone else
 * is refused: no impersonation), and the shipped routing.conf holding
 * digests only. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "http.h"
#include "service.h"
#include "testutil.h"

static char *dir;
static hitl_service *svc;
static hitl_http *srv;
static int port;

static void setup(void)
{
	dir = tu_tempdir();
	char *path = tu_path(dir, "m.safetensors");
	float w[2] = { 1.0f, 0.0f };
	tu_write_logistic_model(path, 2, w, 0.0f, "score,amount", "t-auth");
	hitl_config c;
	tu_config(&c, dir, path);
	c.blind_first = false;
	c.audit_rate = 0;
	free(path);
	char err[512];
	cr_assert_eq(hitl_service_open(&svc, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(hitl_http_start(&srv, svc, "127.0.0.1", 0, NULL, err, sizeof err), 0, "%s", err);
	port = hitl_http_port(srv);
}

static void teardown(void)
{
	hitl_http_stop(srv);
	hitl_service_close(svc);
	tu_rmtree(dir);
	free(dir);
}

TestSuite(auth, .init = setup, .fini = teardown);

static cJSON *call(const char *token, const char *method, const char *path, const char *body, int *status)
{
	char *text;
	*status = tu_http_as(port, token, method, path, body, 0, &text);
	cJSON *j = cJSON_Parse(text);
	cr_assert(j, "%s %s -> %d, not JSON: %s", method, path, *status, text);
	free(text);
	return j;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A case queued for review (confidence 0.6), filed by the claims system. */
static int64_t queued_case(const char *ext)
{
	char body[256];
	snprintf(body, sizeof body, "{\"external_id\":\"%s\",\"features\":[%.17g, 1]}", ext, tu_logit(0.6));
	int st;
	cJSON *j = call(TU_TOKEN_CLAIMS, "POST", "/v1/cases", body, &st);
	cr_assert_eq(st, 201);
	cr_assert_str_eq(str(j, "status"), "queued");
	int64_t id = (int64_t)cJSON_GetObjectItem(j, "id")->valuedouble;
	cJSON_Delete(j);
	return id;
}

static void case_path(char *buf, size_t n, int64_t id, const char *action)
{
	snprintf(buf, n, "/v1/cases/%lld%s%s", (long long)id, *action ? "/" : "", action);
}

static hitl_case get_case(int64_t id)
{
	hitl_case c;
	char err[256];
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0, "%s", err);
	return c;
}

Test(auth, every_endpoint_but_health_needs_a_token_401)
{
	int64_t id = queued_case("n1");
	char claim[64], show[64], release[64], judgment[64], decision[64];
	case_path(claim, sizeof claim, id, "claim");
	case_path(show, sizeof show, id, "");
	case_path(release, sizeof release, id, "release");
	case_path(judgment, sizeof judgment, id, "judgment");
	case_path(decision, sizeof decision, id, "decision");
	const struct {
		const char *method, *path, *body;
	} calls[] = {
		{ "POST", "/v1/cases", "{\"features\":[1,2]}" },
		{ "GET", "/v1/cases", NULL },
		{ "GET", show, NULL },
		{ "POST", claim, "{}" },
		{ "POST", release, "{}" },
		{ "POST", judgment, "{\"judgment\":\"deny\"}" },
		{ "POST", decision, "{\"decision\":\"deny\",\"reason\":\"x\"}" },
		{ "GET", "/v1/report", NULL },
		{ "GET", "/v1/model", NULL },
	};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		char *raw;
		int st = tu_http(port, calls[i].method, calls[i].path, calls[i].body, 0, &raw);
		cr_expect_eq(st, 401, "%s %s without a token: %d %s", calls[i].method, calls[i].path, st, raw);
		cr_expect(strstr(raw, "\"unauthorized\""), "%s", raw);
		free(raw);
		st = tu_http_as(port, "not-a-token", calls[i].method, calls[i].path, calls[i].body, 0, &raw);
		cr_expect_eq(st, 401, "%s %s with an unknown token: %d", calls[i].method, calls[i].path, st);
		free(raw);
		/* the digest from routing.conf is not a token either */
		st = tu_http_as(port, TU_TOKEN_ALICE_SHA256, calls[i].method, calls[i].path, calls[i].body, 0, &raw);
		cr_expect_eq(st, 401, "%s %s with the digest: %d", calls[i].method, calls[i].path, st);
		free(raw);
		st = tu_http_authz(port, "Basic YWxpY2U6eA==", calls[i].method, calls[i].path, calls[i].body, 0, &raw);
		cr_expect_eq(st, 401, "%s %s with Basic: %d", calls[i].method, calls[i].path, st);
		free(raw);
	}
	/* nothing happened to the case */
	hitl_case c = get_case(id);
	cr_expect_str_eq(c.status, "queued");
	cr_expect_str_eq(c.claimed_by, "");
	int st;
	cJSON_Delete(call(NULL, "GET", "/healthz", NULL, &st));
	cr_expect_eq(st, 200, "liveness needs no token");
}

Test(auth, a_token_without_the_role_is_403)
{
	int64_t id = queued_case("r1");
	char claim[64], decision[64], release[64];
	case_path(claim, sizeof claim, id, "claim");
	case_path(decision, sizeof decision, id, "decision");
	case_path(release, sizeof release, id, "release");
	int st;
	/* the claims system files cases but reviews nothing */
	cJSON *j = call(TU_TOKEN_CLAIMS, "POST", claim, "{}", &st);
	cr_expect_eq(st, 403);
	cr_expect_str_eq(str(j, "code"), "forbidden");
	cr_expect(strstr(str(j, "error"), "review role"), "%s", str(j, "error"));
	cJSON_Delete(j);
	cJSON_Delete(call(TU_TOKEN_CLAIMS, "GET", "/v1/cases", NULL, &st));
	cr_expect_eq(st, 403);
	cJSON_Delete(call(TU_TOKEN_CLAIMS, "GET", "/v1/report", NULL, &st));
	cr_expect_eq(st, 403);
	/* an auditor reads the report, and cannot decide */
	cJSON_Delete(call(TU_TOKEN_AUDITOR, "GET", "/v1/report", NULL, &st));
	cr_expect_eq(st, 200);
	cJSON_Delete(call(TU_TOKEN_AUDITOR, "POST", decision, "{\"decision\":\"deny\",\"reason\":\"x\"}", &st));
	cr_expect_eq(st, 403);
	/* a reviewer cannot file cases or read the report */
	cJSON_Delete(call(TU_TOKEN_ALICE, "POST", "/v1/cases", "{\"features\":[1,2]}", &st));
	cr_expect_eq(st, 403);
	cJSON_Delete(call(TU_TOKEN_ALICE, "GET", "/v1/report", NULL, &st));
	cr_expect_eq(st, 403);
	/* releasing someone else's claim needs the supervise role */
	cJSON_Delete(call(TU_TOKEN_ALICE, "POST", claim, "{}", &st));
	cr_assert_eq(st, 200);
	j = call(TU_TOKEN_BOB, "POST", release, "{\"force\":true}", &st);
	cr_expect_eq(st, 403);
	cr_expect(strstr(str(j, "error"), "supervise"), "%s", str(j, "error"));
	cJSON_Delete(j);
	cJSON_Delete(call(TU_TOKEN_BOB, "POST", release, "{}", &st));
	cr_expect_eq(st, 409, "without force, bob cannot release alice's claim");
	cr_expect_str_eq(get_case(id).claimed_by, "alice");
	j = call(TU_TOKEN_LEAD, "POST", release, "{\"force\":true}", &st);
	cr_expect_eq(st, 200, "%s", str(j, "error"));
	cJSON_Delete(j);
	cr_expect_str_eq(get_case(id).status, "queued");
	cJSON_Delete(call(TU_TOKEN_LEAD, "POST", claim, "{\"force\":1}", &st));
	cr_expect_eq(st, 422);
}

Test(auth, a_reviewer_cannot_act_as_someone_else)
{
	int64_t id = queued_case("i1");
	char claim[64], judgment[64], decision[64], release[64];
	case_path(claim, sizeof claim, id, "claim");
	case_path(judgment, sizeof judgment, id, "judgment");
	case_path(decision, sizeof decision, id, "decision");
	case_path(release, sizeof release, id, "release");
	int st;
	/* bob's token naming alice in the body: refused, nothing recorded */
	cJSON *j = call(TU_TOKEN_BOB, "POST", claim, "{\"reviewer\":\"alice\"}", &st);
	cr_expect_eq(st, 403);
	cr_expect_str_eq(str(j, "code"), "impersonation");
	cJSON_Delete(j);
	hitl_case c = get_case(id);
	cr_expect_str_eq(c.status, "queued");
	cr_expect_str_eq(c.claimed_by, "");
	/* a name that is not a string is no way around it */
	cJSON_Delete(call(TU_TOKEN_BOB, "POST", claim, "{\"reviewer\":null}", &st));
	cr_expect_eq(st, 403);
	cJSON_Delete(call(TU_TOKEN_BOB, "POST", claim, "{\"reviewer\":\"ALICE\"}", &st));
	cr_expect_eq(st, 403);

	/* alice claims; bob may not decide or release it in her name */
	cJSON_Delete(call(TU_TOKEN_ALICE, "POST", claim, "{}", &st));
	cr_assert_eq(st, 200);
	cJSON_Delete(call(TU_TOKEN_BOB, "POST", decision,
			  "{\"reviewer\":\"alice\",\"decision\":\"deny\",\"reason\":\"as alice\"}", &st));
	cr_expect_eq(st, 403);
	cJSON_Delete(call(TU_TOKEN_BOB, "POST", judgment, "{\"reviewer\":\"alice\",\"judgment\":\"deny\"}", &st));
	cr_expect_eq(st, 403);
	cJSON_Delete(call(TU_TOKEN_BOB, "POST", release, "{\"reviewer\":\"alice\"}", &st));
	cr_expect_eq(st, 403);
	/* in his own name he is simply not the holder */
	j = call(TU_TOKEN_BOB, "POST", decision, "{\"decision\":\"deny\",\"reason\":\"mine\"}", &st);
	cr_expect_eq(st, 409, "%s", str(j, "error"));
	cJSON_Delete(j);
	c = get_case(id);
	cr_expect_str_eq(c.status, "claimed");
	cr_expect_str_eq(c.claimed_by, "alice");
	cr_expect_str_eq(c.decided_by, "");
	/* even the holder's own token may not name another reviewer */
	cJSON_Delete(call(TU_TOKEN_ALICE, "POST", decision,
			  "{\"reviewer\":\"bob\",\"decision\":\"deny\",\"reason\":\"x\"}", &st));
	cr_expect_eq(st, 403);
	cr_expect_str_eq(get_case(id).status, "claimed");
}

static int find_feedback(void *ctx, const hitl_feedback *f)
{
	hitl_feedback *out = ctx;
	if (f->case_id == out->case_id) {
		*out = *f;
		return 1;
	}
	return 0;
}

Test(auth, a_decision_is_recorded_under_the_tokens_identity)
{
	int64_t id = queued_case("d1");
	char claim[64], decision[64];
	case_path(claim, sizeof claim, id, "claim");
	case_path(decision, sizeof decision, id, "decision");
	int st;
	cJSON *j = call(TU_TOKEN_ALICE, "POST", claim, "{}", &st);
	cr_assert_eq(st, 200);
	cr_expect_str_eq(str(j, "claimed_by"), "alice");
	cJSON_Delete(j);
	j = call(TU_TOKEN_ALICE, "POST", decision, "{\"decision\":\"deny\",\"reason\":\"injury reported late\"}", &st);
	cr_assert_eq(st, 200, "%s", str(j, "error"));
	cr_expect_str_eq(str(j, "status"), "decided");
	cr_expect_str_eq(str(j, "decided_by"), "alice");
	cJSON_Delete(j);
	hitl_case c = get_case(id);
	cr_expect_str_eq(c.decided_by, "alice");
	cr_expect_str_eq(c.decision, "deny");
	/* and the label for retraining carries the same reviewer */
	hitl_feedback f;
	memset(&f, 0, sizeof f);
	f.case_id = id;
	char err[256];
	cr_assert_geq(hitl_store_feedback_each(svc->store, find_feedback, &f, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(f.reviewer, "alice");
	/* naming oneself in the body is allowed (older clients send it) */
	int64_t id2 = queued_case("d2");
	case_path(claim, sizeof claim, id2, "claim");
	j = call(TU_TOKEN_LEAD, "POST", claim, "{\"reviewer\":\"lead\"}", &st);
	cr_expect_eq(st, 200);
	cr_expect_str_eq(str(j, "claimed_by"), "lead");
	cJSON_Delete(j);
}

Test(auth, the_shipped_config_holds_digests_only)
{
	char *conf = tu_read_file(PROJECT_DIR "/routing.conf");
	cr_assert_not_null(conf);
	/* the development tokens the README publishes; their SHA-256 computed
	 * with sha256sum */
	static const struct {
		const char *name, *token, *sha256;
	} dev[] = {
		{ "claims-system", "dev-claims-token-change-me",
		  "4c4fb77cd9c96732dc7e26ed53c97e3c831665d4a34153644d8de4a7ed121618" },
		{ "alice", "dev-alice-token-change-me", "2c6ddbfe6bc68684070c604aa6281357fe91c8af34aee3c8c3b1fe7cc7ca795f" },
		{ "lead", "dev-lead-token-change-me", "4ed3542568eb43f724bf19234a61ae09cd24da3e0fe504aa29c8a730764b5fb8" },
	};
	hitl_config c;
	char err[512];
	hitl_config_defaults(&c);
	cr_assert_eq(hitl_config_load(&c, PROJECT_DIR "/routing.conf", err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.n_tokens, 3u);
	for (size_t i = 0; i < 3; i++) {
		cr_expect_null(strstr(conf, dev[i].token), "routing.conf holds the token of %s in clear", dev[i].name);
		cr_expect_not_null(strstr(conf, dev[i].sha256), "routing.conf lacks the digest of %s", dev[i].name);
		char authz[128];
		snprintf(authz, sizeof authz, "Bearer %s", dev[i].token);
		const hitl_token *who;
		cr_expect_eq(hitl_auth_check(&c, authz, 0, &who), HITL_AUTH_OK, "%s", dev[i].name);
		cr_expect_str_eq(who ? who->name : "", dev[i].name);
	}
	free(conf);
	/* a token in clear where the digest belongs is refused */
	cr_expect_eq(hitl_config_set(&c, "token", "eve dev-eve-token review", NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "never the token itself"), "%s", err);
}

Test(tokens, token_lines_are_checked)
{
	hitl_config c;
	char err[512];
	hitl_config_defaults(&c);
	const char *d = "sha256:" TU_TOKEN_ALICE_SHA256;
	char line[256];
	snprintf(line, sizeof line, "alice %s review report", d);
	cr_expect_eq(hitl_config_set(&c, "token", line, NULL, err, sizeof err), 0, "%s", err);
	cr_expect_eq(c.tokens[0].roles, (unsigned)(HITL_ROLE_REVIEW | HITL_ROLE_REPORT));
	snprintf(line, sizeof line, "alice2 %s review", d);
	cr_expect_eq(hitl_config_set(&c, "token", line, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "already given to 'alice'"), "%s", err);
	snprintf(line, sizeof line, "alice sha256:" TU_TOKEN_BOB_SHA256 " review");
	cr_expect_eq(hitl_config_set(&c, "token", line, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "used twice"), "%s", err);
	snprintf(line, sizeof line, "bob sha256:" TU_TOKEN_BOB_SHA256 " approve");
	cr_expect_eq(hitl_config_set(&c, "token", line, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "unknown role 'approve'"), "%s", err);
	snprintf(line, sizeof line, "bob sha256:" TU_TOKEN_BOB_SHA256);
	cr_expect_eq(hitl_config_set(&c, "token", line, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "no role"), "%s", err);
	snprintf(line, sizeof line, "b/ob sha256:" TU_TOKEN_BOB_SHA256 " review");
	cr_expect_eq(hitl_config_set(&c, "token", line, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "expected a name"), "%s", err);
	cr_expect_eq(c.n_tokens, 1u);
}

Test(tokens, new_token_prints_a_token_and_its_digest_line)
{
	char *out = NULL, *err = NULL;
	const char *args[] = { "new-token", "carol", "review", "report", NULL };
	cr_assert_eq(tu_run(PROJECT_DIR, &out, &err, args), 0, "%s", err);
	char *nl = strchr(out, '\n');
	cr_assert_not_null(nl, "%s", out);
	*nl = 0;
	const char *token = out, *line = nl + 1;
	cr_expect_eq(strlen(token), 64u);
	cr_assert_eq(strncmp(line, "token = carol sha256:", 21), 0, "%s", line);
	cr_expect_null(strstr(line, token), "the config line must not hold the token");
	hitl_config c;
	char msg[256];
	hitl_config_defaults(&c);
	char value[256];
	snprintf(value, sizeof value, "%.*s", (int)strcspn(line + 8, "\n"), line + 8);
	cr_assert_eq(hitl_config_set(&c, "token", value, NULL, msg, sizeof msg), 0, "%s", msg);
	char authz[128];
	snprintf(authz, sizeof authz, "Bearer %s", token);
	const hitl_token *who;
	cr_expect_eq(hitl_auth_check(&c, authz, HITL_ROLE_REVIEW | HITL_ROLE_REPORT, &who), HITL_AUTH_OK);
	cr_expect_eq(hitl_auth_check(&c, authz, HITL_ROLE_SUBMIT, &who), HITL_AUTH_FORBIDDEN);
	free(out);
	free(err);
	const char *bad[] = { "new-token", "carol", "approve", NULL };
	cr_expect_eq(tu_run(PROJECT_DIR, NULL, NULL, bad), 2);
}
