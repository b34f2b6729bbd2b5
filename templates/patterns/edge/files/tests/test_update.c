/* test_update.c - model update by atomic swap: verified before the swap,
 * refused when tampered, not allowed or failing its smoke prediction, and
 * rolled back when the live model fails its check. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "manifest.h"
#include "testutil.h"
#include "sync.h"
#include "update.h"

static char dir[256], live[512], live_mf[512], newm[512], newmf[512], old_digest[65];
static profile prof;

static void setup(void)
{
	tu_device(dir, &prof);
	snprintf(live, sizeof live, "%s/models/model.safetensors", dir);
	snprintf(live_mf, sizeof live_mf, "%s/models/manifest.json", dir);
	snprintf(newm, sizeof newm, "%s/new.safetensors", dir);
	snprintf(newmf, sizeof newmf, "%s/new.manifest.json", dir);
	cr_assert_eq(manifest_file_digest(live, old_digest), 0);
}

TestSuite(update, .init = setup);

static void assert_live_is_old(void)
{
	char d[65];
	cr_assert_eq(manifest_file_digest(live, d), 0);
	cr_assert_str_eq(d, old_digest, "the live model changed");
	char *m = tu_read(live_mf);
	cr_assert(strstr(m, "defect-1.0.0"));
	free(m);
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s/models/.incoming.safetensors", dir);
	cr_assert_neq(access(tmp, F_OK), 0, "temporary file left behind");
	agent a;
	char err[512];
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(a.model_version, "defect-1.0.0");
	agent_close(&a);
}

Test(update, verified_model_is_swapped_in_and_previous_kept)
{
	char hex[65], err[512] = "";
	/* weights 0, bias 0, sigmoid: every input scores exactly 0.5 */
	tu_write_model(newm, 0.0f, 0.0f, "sigmoid", "defect-2.0.0", hex);
	tu_write_manifest(newmf, "defect-2.0.0", hex, "[\"kiosk\"]", 16);
	cr_assert_eq(update_install(&prof, newm, newmf, err, sizeof err), 0, "%s", err);
	char d[65], prev[600];
	cr_assert_eq(manifest_file_digest(live, d), 0);
	cr_assert_str_eq(d, hex);
	snprintf(prev, sizeof prev, "%s.prev", live);
	cr_assert_eq(manifest_file_digest(prev, d), 0);
	cr_assert_str_eq(d, old_digest, "the previous model is kept for rollback");
	agent a;
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(a.model_version, "defect-2.0.0");
	cr_assert_eq(agent_process_line(&a, "70,1.5,310,1.3,40,12,50,20", NULL), 1);
	outbox_row r[1];
	cr_assert_eq(outbox_due(a.ob, sync_now_ms() + 1, r, 1), 1);
	cr_assert(strstr(r[0].body, "\"score\":0.5"), "%s", r[0].body);
	outbox_rows_free(r, 1);
	agent_close(&a);
	/* and back */
	cr_assert_eq(update_rollback(&prof, err, sizeof err), 0, "%s", err);
	assert_live_is_old();
}

Test(update, tampered_download_is_refused)
{
	char hex[65], err[512] = "";
	tu_write_model(newm, 0.0f, 0.0f, "sigmoid", "defect-2.0.0", hex);
	tu_write_manifest(newmf, "defect-2.0.0", hex, "[\"kiosk\"]", 16);
	tu_flip_byte(newm, 3);
	cr_assert_eq(update_install(&prof, newm, newmf, err, sizeof err), -1);
	cr_assert(strstr(err, "does not match"), "%s", err);
	assert_live_is_old();
}

Test(update, model_for_another_device_class_is_refused)
{
	char hex[65], err[512] = "";
	tu_write_model(newm, 0.0f, 0.0f, "sigmoid", "defect-2.0.0", hex);
	tu_write_manifest(newmf, "defect-2.0.0", hex, "[\"vehicle\"]", 16);
	cr_assert_eq(update_install(&prof, newm, newmf, err, sizeof err), -1);
	cr_assert(strstr(err, "not allowed on device class 'kiosk'"), "%s", err);
	assert_live_is_old();
}

Test(update, failed_smoke_prediction_is_refused)
{
	char hex[65], err[512] = "";
	/* bias 5 with no activation: 5 is outside the manifest's output range [0, 1] */
	tu_write_model(newm, 0.0f, 5.0f, "none", "defect-2.0.0", hex);
	tu_write_manifest(newmf, "defect-2.0.0", hex, "[\"kiosk\"]", 16);
	cr_assert_eq(update_install(&prof, newm, newmf, err, sizeof err), -1);
	cr_assert(strstr(err, "smoke prediction"), "%s", err);
	assert_live_is_old();
}

Test(update, live_model_failing_its_check_rolls_back_at_start)
{
	char hex[65], err[512] = "";
	tu_write_model(newm, 0.0f, 0.0f, "sigmoid", "defect-2.0.0", hex);
	tu_write_manifest(newmf, "defect-2.0.0", hex, "[\"kiosk\"]", 16);
	cr_assert_eq(update_install(&prof, newm, newmf, err, sizeof err), 0, "%s", err);
	tu_flip_byte(live, 2); /* tampered on the device after the update */
	agent a;
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), 0, "%s", err);
	cr_assert_eq(a.rolled_back, 1);
	cr_assert_str_eq(a.model_version, "defect-1.0.0");
	agent_close(&a);
	assert_live_is_old();
}

Test(update, cli_update_refuses_and_keeps_serving)
{
	char hex[65], cmd[2048];
	tu_write_model(newm, 0.0f, 0.0f, "sigmoid", "defect-2.0.0", hex);
	tu_write_manifest(newmf, "defect-2.0.0", hex, "[\"kiosk\"]", 16);
	tu_flip_byte(newm, 1);
	snprintf(cmd, sizeof cmd,
		 "'%s' --set models_dir='%s' --set device_class=kiosk --set outbox_path='%s/o.db' "
		 "update --model '%s' --manifest '%s' 2>/dev/null",
		 AGENT_BIN, prof.models_dir, dir, newm, newmf);
	int rc = system(cmd);
	cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "rc %d", rc);
	assert_live_is_old();
}
