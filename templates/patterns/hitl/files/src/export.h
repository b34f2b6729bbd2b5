/* export.h - feedback out to CSV for retraining, and labelled rows in.
 *
 * The export has one row per human decision: the case's features (named
 * columns, ready for training), the human label, the blind first judgment,
 * the model's recommendation, confidence and class probabilities, the
 * reviewer and reason, the route and its sampling weight, and the model
 * version and digest that produced the recommendation.
 */
#ifndef HITL_EXPORT_H
#define HITL_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "store.h"
#include "threshold.h"

/* Write the header and every feedback row to f; *rows (optional) gets the
 * row count. Returns 0 or a hitl_status. */
int hitl_export_csv(FILE *f, hitl_store *s, const hitl_config *c, size_t *rows, char *err, size_t errlen);

/* Export to path without ever leaving a half-written file: write path.tmp,
 * flush, fsync, rename. An existing path is refused unless force. "-" is
 * standard output. */
int hitl_export_file(const char *path, bool force, hitl_store *s, const hitl_config *c, size_t *rows, char *err,
		     size_t errlen);

/* Labelled rows for the threshold from the feedback table; c says which
 * recommendations are automatable. *out is malloc'ed. */
int hitl_labelled_from_store(hitl_labelled **out, size_t *n, hitl_store *s, const hitl_config *c, char *err,
			     size_t errlen);

/* Labelled rows from a CSV with the export's columns model_confidence,
 * model_recommendation and label (weight optional, default 1; route
 * optional: "unusual" rows are never automatable). Errors are
 * "path:line:col: message". */
int hitl_labelled_from_csv(hitl_labelled **out, size_t *n, const char *path, const hitl_config *c, char *err,
			   size_t errlen);

#endif
