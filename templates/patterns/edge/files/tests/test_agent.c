/* test_agent.c - the agent scores a stream of local inputs, keeps only the
 * results, and forwards them (end to end, also through the binary). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "sync.h"
#include "testutil.h"

static char dir[256];
static profile prof;

static void setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tu_device(dir, &prof);
}

static void teardown(void)
{
	curl_global_cleanup();
}

TestSuite(agent, .init = setup, .fini = teardown);

Test(agent, scores_match_the_reference_and_only_results_are_kept)
{
	agent a;
	char err[512];
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), 0, "%s", err);
	FILE *f = fopen(MODELS_DIR "/sample.csv", "r");
	cr_assert(f);
	char line[4096];
	int rows = 0;
	double expected[64];
	char raw[64][4096];
	while (fgets(line, sizeof line, f) && rows < 64) {
		char id[128];
		int rc = agent_process_line(&a, line, id);
		if (rows == 0 && strncmp(line, "temperature_c", 13) == 0) {
			cr_assert_eq(rc, 0, "the header is skipped");
			continue;
		}
		cr_assert_eq(rc, 1, "row %d: %s", rows, line);
		/* the last column is the generator's own float32 forward pass */
		expected[rows] = strtod(strrchr(line, ',') + 1, NULL);
		snprintf(raw[rows], sizeof raw[rows], "%s", line);
		rows++;
	}
	fclose(f);
	cr_assert(rows >= 10);
	cr_assert_eq(a.processed, rows);
	cr_assert_eq(outbox_pending(a.ob), rows);

	outbox_row out[64];
	int n = outbox_due(a.ob, sync_now_ms() + 1, out, 64);
	cr_assert_eq(n, rows);
	for (int i = 0; i < n; i++) {
		cJSON *j = cJSON_Parse(out[i].body);
		cr_assert(j);
		char want[64];
		snprintf(want, sizeof want, "dev-7-%012d", i + 1);
		cr_assert_str_eq(cJSON_GetObjectItem(j, "id")->valuestring, want);
		double score = cJSON_GetObjectItem(j, "score")->valuedouble;
		cr_assert(fabs(score - expected[i]) < 2e-6, "row %d: %f vs %f", i, score, expected[i]);
		cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItem(j, "defect")), expected[i] >= 0.5);
		cr_assert_str_eq(cJSON_GetObjectItem(j, "model_version")->valuestring, "defect-1.0.0");
		/* only these keys: no raw feature leaves the device */
		const char *allowed[] = {"id", "device_id", "device_class", "seq", "ts_ms", "model_version",
					 "model_digest", "score", "defect", "latency_ms"};
		int keys = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, j)
		{
			int ok = 0;
			for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
				ok |= !strcmp(it->string, allowed[k]);
			cr_assert(ok, "unexpected key %s", it->string);
			keys++;
		}
		cr_assert_eq(keys, 10);
		/* the first feature's text does not appear in the stored result */
		char first[32];
		size_t fl = strcspn(raw[i], ",");
		snprintf(first, sizeof first, "%.*s", (int)fl, raw[i]);
		cr_assert_null(strstr(out[i].body, first), "raw input %s stored", first);
		cJSON_Delete(j);
	}
	outbox_rows_free(out, n);
	agent_close(&a);
}

Test(agent, malformed_lines_are_rejected_not_stored)
{
	agent a;
	char err[512];
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), 0, "%s", err);
	const char *bad[] = {"1,2,3\n", "a,b,c,d,e,f,g,h\n", "1,2,3,4,5,6,7,nan\n", "1;2;3;4;5;6;7;8\n",
			     "1,2,3,4,5,6,7,1e99\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(agent_process_line(&a, bad[i], NULL), 0, "accepted %s", bad[i]);
	cr_assert_eq(agent_process_line(&a, "   \n", NULL), 0);
	cr_assert_eq(a.rejected, 5);
	cr_assert_eq(outbox_pending(a.ob), 0);
	cr_assert_eq(agent_process_line(&a, "70,1.5,310,1.3,40,12,50,20\n", NULL), 1);
	cr_assert_eq(outbox_pending(a.ob), 1);
	agent_close(&a);
}

Test(agent, binary_runs_offline_then_syncs_when_the_endpoint_is_up)
{
	char conf[512], cmd[2048], db[512];
	snprintf(conf, sizeof conf, "%s/device.conf", dir);
	snprintf(db, sizeof db, "%s/outbox.db", dir);
	int port = tu_free_port();
	FILE *f = fopen(conf, "w");
	fprintf(f, "device_id = line-3\ndevice_class = sensor-hub\nmodels_dir = %s\noutbox_path = %s\n"
		   "sync_url = http://127.0.0.1:%d/v1/results\nmax_backoff_s = 1\noutbox_max_rows = 1000\n",
		prof.models_dir, db, port);
	fclose(f);
	/* offline: the stream is scored, results wait in the outbox */
	snprintf(cmd, sizeof cmd, "'%s' --config '%s' run --input '%s' --sync-every 5 2>/dev/null", AGENT_BIN, conf,
		 MODELS_DIR "/sample.csv");
	cr_assert_eq(system(cmd), 0);
	tu_server s;
	tu_server_start(&s, port);
	/* the backoff (at most max_backoff_s = 1 s) must pass before a retry */
	int sent_all = 0;
	for (int tries = 0; tries < 40 && !sent_all; tries++) {
		snprintf(cmd, sizeof cmd, "'%s' --config '%s' sync > '%s/sync.out'", AGENT_BIN, conf, dir);
		cr_assert_eq(system(cmd), 0);
		char p[512];
		snprintf(p, sizeof p, "%s/sync.out", dir);
		char *o = tu_read(p);
		sent_all = o && strstr(o, "pending 0") != NULL;
		free(o);
		if (!sent_all) {
			struct timespec ts = {0, 100000000};
			nanosleep(&ts, NULL);
		}
	}
	cr_assert(sent_all, "outbox not drained");
	cr_assert_eq(s.n_keys, 20, "20 sample rows");
	cr_assert_eq(s.duplicates, 0);
	cr_assert_eq(tu_server_count(&s, "line-3-000000000001"), 1);
	cr_assert_eq(tu_server_count(&s, "line-3-000000000020"), 1);
	tu_server_stop(&s);
	tu_server_free(&s);
}
