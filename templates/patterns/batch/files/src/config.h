/* config.h - the job's settings, read from a `key = value` file.
 *
 * One file says everything a run needs (input, model, destinations,
 * freshness limit, chunk size), so the scheduler's command line stays
 * `<job> run --config FILE --date D` and the three schedulers (Airflow,
 * systemd, cron) cannot disagree about settings.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

typedef enum fresh_mode {
	FRESH_MTIME,  /* input age = now - the input file's modification time */
	FRESH_COLUMN, /* input age = now - the oldest value of timestamp_column */
} fresh_mode;

#define CONFIG_MAX_NAMES 1024
#define CONFIG_CHUNK_MAX 1000000L

typedef struct job_config {
	char *path;          /* the file it was read from, or NULL */
	char *dir;           /* its folder: relative paths resolve here */
	char *input;         /* CSV input; "{date}" becomes the run date */
	char *key_column;    /* the column that identifies a row */
	char **features;     /* feature columns in model order; none = the model's weft.features */
	size_t n_features;
	char **outputs;      /* names of the model's outputs; none = score or y0..yN-1 */
	size_t n_outputs;
	char *model;         /* safetensors file */
	char *db;            /* SQLite database */
	char *table;         /* predictions table; runs go to <table>_runs */
	char *export_path;   /* CSV export; "{date}" becomes the run date */
	char *runs_log;      /* JSON lines, one completion record per run */
	long chunk_size;     /* rows scored and written per chunk, 1..1000000 */
	double max_input_age_hours; /* older input is refused; 0 = no limit */
	fresh_mode freshness;
	char *timestamp_column; /* FRESH_COLUMN: ISO 8601 or epoch seconds */
	long window_minutes; /* the batch window; a longer run is flagged */
} job_config;

/* Fill c with the built-in defaults (every path relative to dir "."). */
int config_defaults(job_config *c);
/* Read path over the defaults. Errors are "path:line:col: message" in err.
 * Returns 0 or -1 (c is then still safe to config_clear). */
int config_load(job_config *c, const char *path, char *err, size_t errlen);
/* Check the values together (names unique, ranges). 0 or -1 with err. */
int config_check(const job_config *c, char *err, size_t errlen);
void config_clear(job_config *c);

/* A SQL identifier we accept: [A-Za-z_][A-Za-z0-9_]{0,62}. */
int config_is_identifier(const char *s);
/* Parse a comma-separated list of names (trimmed, none empty) into a new
 * array. Returns 0 or -1. */
int config_split_names(char ***out, size_t *n, const char *s);
void config_free_names(char **names, size_t n);

/* p resolved against c->dir, with every "{date}" replaced by date (may be
 * NULL when p has none). Returns a malloc'ed string or NULL. */
char *config_resolve(const job_config *c, const char *p, const char *date);

#endif
