/* export.h - the CSV export, written atomically (temporary file + rename). */
#ifndef EXPORT_H
#define EXPORT_H

#include <stddef.h>

typedef struct csv_export csv_export;

/* Start writing the export that will become path: a temporary file
 * ".<name>.tmp-XXXXXX" in the same folder (created if missing). Nothing at
 * path changes until export_commit. Returns 0 or -1 with err. */
int export_open(csv_export **out, const char *path, char *err, size_t errlen);
/* Append one field (quoted when it holds ',', '"', CR or LF). */
int export_field(csv_export *e, const char *s);
/* Append one number, written so that it reads back as the same float. */
int export_number(csv_export *e, double v);
/* End the current row. */
int export_end_row(csv_export *e);
/* Flush, fsync, rename over path, fsync the folder. Frees e whatever the
 * outcome; on failure the temporary file is removed. */
int export_commit(csv_export *e, char *err, size_t errlen);
/* Drop the temporary file. Accepts NULL. */
void export_abort(csv_export *e);
/* Remove temporary files that a killed run left beside path. Returns how
 * many were removed. */
int export_clean_stale(const char *path);
/* The temporary file's path (for tests and messages). */
const char *export_temp_path(const csv_export *e);

#endif
