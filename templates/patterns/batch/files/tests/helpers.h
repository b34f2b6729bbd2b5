/* helpers.h - what the end-to-end tests share: scratch folders, files,
 * running the job binary, a hand-made model, SQLite queries. */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* Every string a helper returns is owned by the helpers and freed by
 * h_cleanup (each suite's .fini), which also deletes the scratch folders. */
void h_cleanup(void);
/* Hand p to h_cleanup; returns p. */
void *h_keep(void *p);

/* A fresh folder under $TMPDIR (or /tmp). */
char *h_tmpdir(void);
/* dir + "/" + name. */
char *h_path(const char *dir, const char *name);
void h_write(const char *path, const char *text);
/* The whole file (NUL-terminated), or NULL when it does not exist. */
char *h_read(const char *path);
int h_exists(const char *path);
/* Number of '\n' in the file (-1 when missing). */
long h_lines(const char *path);
/* Set a file's modification time to now - age_s. */
void h_age(const char *path, double age_s);
/* Files in dir whose names start with prefix. */
int h_count_prefix(const char *dir, const char *prefix);

/* Write a model with 2 inputs (features a,b) and 1 output (score) computing
 * score = 2a - b + 0.5, in the safetensors layout the runtime reads. */
void h_write_linear_model(const char *path);

/* Write dir/job.conf: the defaults for a test (model.safetensors, input.csv,
 * out/ destinations, key column "id") plus extra lines. */
char *h_write_conf(const char *dir, const char *extra);

/* Run the job binary with args (NULL-terminated) and extra environment
 * entries ("K=V", NULL-terminated or NULL). stdout/stderr are captured into
 * *out / *err when not NULL. Returns the exit status, or
 * 1000 + signal when killed. */
int h_run(const char *const *args, const char *const *env, char **out, char **err);
/* Start the job in the background; returns its pid. Output goes to files in
 * dir (stdout.txt, stderr.txt). */
pid_t h_spawn(const char *dir, const char *const *args, const char *const *env);
/* Wait until path exists (up to timeout_s). Returns 1 when it does. */
int h_wait_for(const char *path, double timeout_s);

/* One integer from a query (first column of the first row); -1 on error. */
long long h_sql_int(const char *db, const char *sql);
/* One text value, or NULL. */
char *h_sql_text(const char *db, const char *sql);
/* One real value; NAN on error. */
double h_sql_real(const char *db, const char *sql);

#endif
