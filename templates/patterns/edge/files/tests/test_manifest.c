/* test_manifest.c - the model manifest and the checks before loading:
 * digest (tampering), device class and resources (heterogeneous hardware). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "manifest.h"
#include "testutil.h"

static char dir[256], mpath[512], mfpath[512];
static profile prof;
static manifest mf;

static void setup(void)
{
	tu_device(dir, &prof);
	snprintf(mpath, sizeof mpath, "%s/models/model.safetensors", dir);
	snprintf(mfpath, sizeof mfpath, "%s/models/manifest.json", dir);
	char err[512];
	cr_assert_eq(manifest_load(&mf, mfpath, err, sizeof err), 0, "%s", err);
}

TestSuite(manifest, .init = setup);

Test(manifest, digest_matches_the_published_sha256_file)
{
	/* model.sha256 is written by the model generator, independently of manifest.json */
	char *line = tu_read(MODELS_DIR "/model.sha256");
	cr_assert(line);
	cr_assert_eq(strncmp(line, mf.sha256, 64), 0, "manifest %s vs model.sha256 %.64s", mf.sha256, line);
	free(line);
	cr_assert_str_eq(mf.file, "model.safetensors");
	cr_assert_eq(mf.min_memory_mb, 64);
	cr_assert_eq(mf.n_classes, 4);
}

Test(manifest, untouched_model_passes)
{
	char err[512] = "";
	cr_assert_eq(manifest_check(&mf, &prof, mpath, err, sizeof err), 0, "%s", err);
}

Test(manifest, one_flipped_byte_is_refused)
{
	tu_flip_byte(mpath, 5); /* inside the weights: the model would still parse */
	char err[512] = "";
	cr_assert_eq(manifest_check(&mf, &prof, mpath, err, sizeof err), -1);
	cr_assert(strstr(err, "does not match"), "%s", err);
	agent a;
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), -1, "a tampered model must not load");
}

Test(manifest, device_class_not_allowed_is_refused)
{
	snprintf(prof.device_class, sizeof prof.device_class, "drone");
	char err[512] = "";
	cr_assert_eq(manifest_check(&mf, &prof, mpath, err, sizeof err), -1);
	cr_assert(strstr(err, "not allowed on device class 'drone'"), "%s", err);
	agent a;
	cr_assert_eq(agent_open(&a, &prof, err, sizeof err), -1);
}

Test(manifest, too_little_memory_or_cores_is_refused)
{
	char err[512] = "";
	prof.memory_mb = 63; /* manifest asks for 64 */
	cr_assert_eq(manifest_check(&mf, &prof, mpath, err, sizeof err), -1);
	cr_assert(strstr(err, "needs 64 MB"), "%s", err);
	prof.memory_mb = 64;
	cr_assert_eq(manifest_check(&mf, &prof, mpath, err, sizeof err), 0, "%s", err);
	mf.min_cpu_cores = 4;
	prof.cpu_cores = 2;
	cr_assert_eq(manifest_check(&mf, &prof, mpath, err, sizeof err), -1);
	cr_assert(strstr(err, "needs 4 CPU cores"), "%s", err);
}

Test(manifest, malformed_manifests_are_refused)
{
	const char *bad[] = {
		"[]",
		"{\"file\":\"model.safetensors\",\"version\":\"v\",\"sha256\":\"abc\",\"min_memory_mb\":1,\"device_classes\":[\"kiosk\"]}",
		"{\"file\":\"../x\",\"version\":\"v\",\"sha256\":\"ca50c4394e5d0046ea0705b15a3a61107d4474fae49345f5ba41bc5ff20c8893\",\"min_memory_mb\":1,\"device_classes\":[\"kiosk\"]}",
		"{\"file\":\"m\",\"version\":\"v\",\"sha256\":\"ca50c4394e5d0046ea0705b15a3a61107d4474fae49345f5ba41bc5ff20c8893\",\"min_memory_mb\":1,\"device_classes\":[]}",
		"{\"file\":\"m\",\"version\":\"v\",\"sha256\":\"ca50c4394e5d0046ea0705b15a3a61107d4474fae49345f5ba41bc5ff20c8893\",\"min_memory_mb\":1,\"device_classes\":[\"k\"],\"output_range\":[1,0]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		FILE *f = fopen(mfpath, "w");
		fputs(bad[i], f);
		fclose(f);
		manifest m;
		char err[512] = "";
		cr_assert_eq(manifest_load(&m, mfpath, err, sizeof err), -1, "case %zu accepted", i);
		cr_assert(strstr(err, mfpath), "%s", err);
	}
}
