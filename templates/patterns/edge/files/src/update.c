/* update.c - model update by atomic swap with rollback.
 *
 * Design: the new model is copied next to the live one (same file system),
 * fsynced and fully verified BEFORE anything is renamed, so rename(2) makes
 * the switch atomic: a reader sees the old model or the new one, never a
 * half-written file. The previous model and manifest are kept as *.prev
 * for rollback. Model and manifest are two files: the manifest is renamed
 * last, and start-up (agent_open) re-verifies the pair and rolls back when
 * they do not match, so a crash between the two renames heals itself. */
#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

int update_verify(const manifest *mf, const profile *p, const char *model_path, char *err, size_t errlen)
{
	if (manifest_check(mf, p, model_path, err, errlen) != 0)
		return -1;
	model *m = NULL;
	char merr[256];
	if (model_load(&m, model_path, merr, sizeof merr) != 0) {
		snprintf(err, errlen, "%s: %s", model_path, merr);
		return -1;
	}
	size_t ni = model_inputs(m), no = model_outputs(m);
	float *x = calloc(ni, sizeof *x), *y = calloc(no, sizeof *y);
	int rc = -1;
	if (x && y) {
		if (model_predict(m, x, y) != 0)
			snprintf(err, errlen, "smoke prediction of %s gave a non-finite output", mf->version);
		else {
			rc = 0;
			for (size_t i = 0; i < no; i++)
				if (!(y[i] >= mf->output_min && y[i] <= mf->output_max)) {
					snprintf(err, errlen, "smoke prediction of %s gave %g, outside [%g, %g]",
						 mf->version, (double)y[i], mf->output_min, mf->output_max);
					rc = -1;
					break;
				}
		}
	}
	free(x);
	free(y);
	model_free(m);
	return rc;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	int in = open(from, O_RDONLY);
	if (in < 0) {
		snprintf(err, errlen, "%s: %s", from, strerror(errno));
		return -1;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	char buf[16384];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	if (n < 0 || rc || fsync(out) != 0) {
		snprintf(err, errlen, "copying %s to %s: %s", from, to, strerror(errno));
		rc = -1;
	}
	close(in);
	if (close(out) != 0)
		rc = -1;
	return rc;
}

static void path_in(char *out, size_t cap, const profile *p, const char *name)
{
	snprintf(out, cap, "%s/%s", p->models_dir, name);
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int update_rollback(const profile *p, char *err, size_t errlen)
{
	char prev_mf[1024], cur_mf[1024], prev_model[1024], cur_model[1024];
	path_in(prev_mf, sizeof prev_mf, p, "manifest.json.prev");
	path_in(cur_mf, sizeof cur_mf, p, "manifest.json");
	manifest old;
	if (manifest_load(&old, prev_mf, err, errlen) != 0)
		return -1;
	char name[160];
	snprintf(name, sizeof name, "%s.prev", old.file);
	path_in(prev_model, sizeof prev_model, p, name);
	path_in(cur_model, sizeof cur_model, p, old.file);
	if (access(prev_model, R_OK) != 0) {
		snprintf(err, errlen, "no previous model to roll back to (%s)", prev_model);
		return -1;
	}
	if (rename(prev_model, cur_model) != 0 || rename(prev_mf, cur_mf) != 0) {
		snprintf(err, errlen, "rollback: %s", strerror(errno));
		return -1;
	}
	sync_dir(p->models_dir);
	return 0;
}

int update_install(const profile *p, const char *new_model, const char *new_manifest, char *err,
		   size_t errlen)
{
	manifest mf;
	if (manifest_load(&mf, new_manifest, err, errlen) != 0)
		return -1;
	char tmp_model[1024], tmp_mf[1024], cur_model[1024], cur_mf[1024], prev_model[1024], prev_mf[1024];
	char name[160];
	path_in(tmp_model, sizeof tmp_model, p, ".incoming.safetensors");
	path_in(tmp_mf, sizeof tmp_mf, p, ".incoming.manifest.json");
	path_in(cur_model, sizeof cur_model, p, mf.file);
	path_in(cur_mf, sizeof cur_mf, p, "manifest.json");
	snprintf(name, sizeof name, "%s.prev", mf.file);
	path_in(prev_model, sizeof prev_model, p, name);
	path_in(prev_mf, sizeof prev_mf, p, "manifest.json.prev");

	/* 1. stage: copy next to the live files, then verify the copies */
	if (copy_file(new_model, tmp_model, err, errlen) != 0 || copy_file(new_manifest, tmp_mf, err, errlen) != 0)
		goto discard;
	if (update_verify(&mf, p, tmp_model, err, errlen) != 0)
		goto discard;
	/* 2. keep the current pair for rollback (hard links: the live names stay) */
	unlink(prev_model);
	unlink(prev_mf);
	if (link(cur_model, prev_model) != 0 || link(cur_mf, prev_mf) != 0) {
		snprintf(err, errlen, "keeping the previous model: %s", strerror(errno));
		goto discard;
	}
	/* 3. swap: each rename is atomic */
	if (rename(tmp_model, cur_model) != 0 || rename(tmp_mf, cur_mf) != 0) {
		snprintf(err, errlen, "swap: %s", strerror(errno));
		goto rollback;
	}
	sync_dir(p->models_dir);
	/* 4. verify what is now live (what the agent will load) */
	manifest live;
	if (manifest_load(&live, cur_mf, err, errlen) != 0 || update_verify(&live, p, cur_model, err, errlen) != 0)
		goto rollback;
	return 0;

rollback:;
	char why[512];
	snprintf(why, sizeof why, "%s", err);
	char rerr[256];
	if (update_rollback(p, rerr, sizeof rerr) != 0)
		snprintf(err, errlen, "%.250s; rollback failed: %.250s", why, rerr);
	else
		snprintf(err, errlen, "%.400s; rolled back to the previous model", why);
discard:
	unlink(tmp_model);
	unlink(tmp_mf);
	return -1;
}
