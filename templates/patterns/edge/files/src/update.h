/* update.h - model update by atomic swap, with rollback. */
#ifndef UPDATE_H
#define UPDATE_H

#include <stddef.h>

#include "manifest.h"
#include "profile.h"

/* Verifies a loaded model file: the manifest check (digest, class,
 * resources), then a load and a smoke prediction (all-zero input, finite
 * outputs inside the manifest's output_range). Returns 0 or -1 with err. */
int update_verify(const manifest *mf, const profile *p, const char *model_path, char *err, size_t errlen);
/* Installs new_model (described by new_manifest) into p->models_dir:
 * copies it to a temporary file there, verifies the copy, keeps the current
 * model and manifest as *.prev, then renames the new ones into place and
 * verifies the installed model again; on any failure the previous model
 * stays or is restored. Returns 0 or -1 with err. */
int update_install(const profile *p, const char *new_model, const char *new_manifest, char *err,
		   size_t errlen);
/* Restores the *.prev model and manifest. Returns 0, or -1 when none. */
int update_rollback(const profile *p, char *err, size_t errlen);

#endif
