/* weft_templates.h - the template engine behind `weft new` and `weft templates`.
 *
 * Three layers, each usable alone:
 *   1. A Mustache renderer (the official spec's core modules and template
 *      inheritance) over cJSON data: parse once to a tree, render many times,
 *      with limits on nesting, partial depth, work and output size.
 *   2. The template manifest (template.yaml): typed variables with defaults,
 *      validation and conditions, derived variables, and file rules.
 *   3. The scaffolder: resolve a template source (shipped pattern, folder or
 *      git repository at a ref), plan the files, render them into a temporary
 *      folder beside the destination, create the git repository, then rename
 *      the result into place. Nothing here prints; questions to the user go
 *      through a callback so that the CLI owns the terminal.
 *
 * Conventions as in weft_core.h: 0 or a negative weft_error, diagnostics in a
 * weft_diags, out-parameters first, every _new/_load has a _free taking NULL.
 */
#ifndef WEFT_TEMPLATES_H
#define WEFT_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "weft_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== 1. Mustache ========================================================= */

/* A parsed template. Immutable once parsed; may be rendered concurrently
 * only when its partial set is not shared. */
typedef struct weft_templates_mustache weft_templates_mustache;

/* Parse src (len bytes, need not be NUL-terminated). path names the template
 * in diagnostics ("path:line:col: unclosed section 'x'"). */
int weft_templates_mustache_parse(weft_templates_mustache **out, const char *path, const char *src,
				  size_t len, weft_diags *d);
void weft_templates_mustache_free(weft_templates_mustache *t);

/* A set of named partials ({{>name}} and {{<name}}), parsed lazily on first
 * use and cached. */
typedef struct weft_templates_partials weft_templates_partials;

int weft_templates_partials_new(weft_templates_partials **out);
void weft_templates_partials_free(weft_templates_partials *p);
/* Add (or replace) a partial. path is used in diagnostics; NULL = name. */
int weft_templates_partials_add(weft_templates_partials *p, const char *name, const char *src,
				size_t len, const char *path);
/* Add every regular file under dir (recursively) as a partial named by its
 * path relative to dir, with a trailing ".mustache" dropped ("license",
 * "ci/github.yml"). Symbolic links are refused. */
int weft_templates_partials_load_dir(weft_templates_partials *p, const char *dir, weft_diags *d);

typedef struct {
	bool escape_html;      /* {{x}} escapes &<>"'; off for source code */
	bool strict_partials;  /* a missing partial is an error (spec: renders "") */
	size_t max_output;     /* bytes; 0 = 64 MiB */
	unsigned max_depth;    /* nested partials/parents; 0 = 64 */
	uint64_t max_steps;    /* nodes visited; 0 = 50 million */
	weft_templates_partials *partials; /* may be NULL: no partials */
} weft_templates_render_opts;

/* Render t with data (the root context; NULL = empty) and append to out.
 * Errors (limits, partial errors) go to d; out then holds partial output
 * that the caller must discard. */
int weft_templates_mustache_render(weft_buf *out, const weft_templates_mustache *t,
				   const cJSON *data, const weft_templates_render_opts *opts,
				   weft_diags *d);

/* Parse and render a NUL-terminated string in one step; *out is malloc'ed. */
int weft_templates_render_string(char **out, const char *path, const char *src, const cJSON *data,
				 const weft_templates_render_opts *opts, weft_diags *d);

/* ==== 2. The template manifest (template.yaml) ============================ */

typedef enum {
	WEFT_TEMPLATES_STRING,
	WEFT_TEMPLATES_INT,
	WEFT_TEMPLATES_BOOL,
	WEFT_TEMPLATES_CHOICE,
	WEFT_TEMPLATES_LIST,
} weft_templates_type;

/* "string", "int", "bool", "choice", "list". */
const char *weft_templates_type_name(weft_templates_type t);

/* One declared variable (read-only; owned by its manifest). */
typedef struct {
	const char *name;
	weft_templates_type type;
	const char *help;          /* or NULL */
	const char *when;          /* ask only when this condition holds; or NULL */
	const char *pattern;       /* POSIX extended regex for strings and list items */
	bool has_min, has_max;     /* ints */
	long long min, max;
	const char *const *choices; /* choice values, or allowed list items */
	size_t n_choices;
	const char *default_text;  /* default as written (may contain {{...}}); or NULL */
	bool derived;              /* computed, never asked nor set */
	const char *value;         /* derived: Mustache template for the value */
	const char *expr;          /* derived bool: a condition */
	const char *transform;     /* derived: lower, upper, snake, kebab, camel, pascal */
	bool secret;               /* asked or --set, never written to the answers file */
	int line, col;             /* where it is declared */
} weft_templates_var;

typedef struct {
	const char *name, *version, *summary, *description;
	const char *dir;  /* the template folder */
	const char *path; /* its template.yaml */
} weft_templates_info;

/* Order two template versions: dot-separated parts, numbers as numbers
 * ("1.10" after "1.9"), a missing part as 0, a leading 'v' ignored, a
 * pre-release ("2.0.0-rc1") before its release, build metadata ("+...")
 * ignored. Negative, 0 or positive, as strcmp. */
int weft_templates_version_cmp(const char *a, const char *b);

typedef struct weft_templates_manifest weft_templates_manifest;

/* Load and check dir/template.yaml: every field, regex, condition and
 * default is validated here, with path:line:col diagnostics. */
int weft_templates_manifest_load(weft_templates_manifest **out, const char *dir, weft_diags *d);
void weft_templates_manifest_free(weft_templates_manifest *m);
const weft_templates_info *weft_templates_manifest_info(const weft_templates_manifest *m);
size_t weft_templates_manifest_nvars(const weft_templates_manifest *m);
const weft_templates_var *weft_templates_manifest_var(const weft_templates_manifest *m, size_t i);

/* An answers file (.weft-answers.yaml, or any mapping of name: value). */
typedef struct weft_templates_answers weft_templates_answers;
int weft_templates_answers_load(weft_templates_answers **out, const char *path, weft_diags *d);
void weft_templates_answers_free(weft_templates_answers *a);
/* What the file records about the template it came from, a scalar of its
 * template: mapping (name, version, source, subdir, ref, commit, dirty,
 * template_digest, weft_version); NULL if absent. */
const char *weft_templates_answers_field(const weft_templates_answers *a, const char *key);
/* A replay: compare what the answers recorded with the template now at hand
 * (m; digest from weft_templates_digest, commit from the source, either may be
 * NULL) and warn about each difference: another template, version, content
 * or commit, weft version, a dirty origin; then, from the variables the file
 * recorded, one note per variable added, removed or changed (type, default,
 * choices, constraints, condition, secret). Warnings only, never an error.
 * Returns the number of warnings added. */
size_t weft_templates_answers_compare(const weft_templates_answers *a, const weft_templates_manifest *m,
				      const char *digest, const char *commit, weft_diags *d);

/* Ask the user for a value. default_text is what an empty answer takes (NULL
 * when there is none); problem says why the previous answer was refused
 * (NULL the first time). Return 0 with a malloc'ed *answer, or a negative
 * error to give up (end of input). */
typedef int (*weft_templates_ask_fn)(void *ctx, const weft_templates_var *v, const char *default_text,
				     const char *problem, char **answer);

typedef struct {
	const char *const *sets; /* "name=value", from --set */
	size_t n_sets;
	const weft_templates_answers *answers; /* or NULL */
	weft_templates_ask_fn ask;             /* or NULL: never ask */
	void *ask_ctx;
	/* the template version the answers were given for (weft update), or
	 * NULL: a variable the template's migrations renamed since then takes
	 * the answer recorded under its earlier name */
	const char *answers_version;
} weft_templates_values_opts;

/* Give every variable its value, in declaration order: --set, then the
 * answers, then ask(), then the default; derived variables are computed.
 * Variables whose `when` is false are left out. *out is a JSON object of
 * typed values (string, number, bool, array of strings), the data the
 * template renders with. Errors: WEFT_EUSAGE for an unknown or bad --set and
 * for a required value that nothing gave; WEFT_EINVALID for bad answers. */
int weft_templates_values_resolve(cJSON **out, const weft_templates_manifest *m,
				  const weft_templates_values_opts *o, weft_diags *d);

/* Parse text as a value of v's type and validate it (pattern, range,
 * choices). On success *out is a new JSON value; on failure returns
 * WEFT_EINVALID with the reason in problem. */
int weft_templates_value_parse(cJSON **out, const weft_templates_var *v, const char *text, char *problem,
			       size_t problem_len);

/* ---- validation rules (template.yaml `validate:`) ---- */

/* A rule across variables: an expression over the values (arithmetic on
 * ints, comparisons, and/or/not) that must hold, and the message shown when
 * it does not. Rules are checked at load time (syntax, names, types; the
 * message parses) and by weft_templates_values_resolve once every value is
 * known, before anything is written. A rule that names a variable left out
 * by its `when` is skipped. Every failing rule is reported; the error is
 * WEFT_EUSAGE when a value given by --set, an answers file or a prompt
 * takes part, WEFT_EINVALID when the template's own defaults break it.
 * With ask set, the variables of a failing rule that were asked are asked
 * again (problem: the rule's message) and every rule is checked again. */
typedef struct {
	const char *rule;        /* "deadline_ms < model_budget_ms" */
	const char *message;     /* Mustache over the values */
	const char *const *vars; /* asked again when the rule fails */
	size_t n_vars;
	int line, col;           /* where the rule is declared */
} weft_templates_validation;

size_t weft_templates_manifest_nvalidations(const weft_templates_manifest *m);
const weft_templates_validation *weft_templates_manifest_validation(const weft_templates_manifest *m,
								    size_t i);

/* ==== 3. Sources and scaffolding ========================================= */

/* Where a template comes from. */
typedef struct weft_templates_source weft_templates_source;

typedef struct {
	const char *spec;     /* shipped pattern name, template folder, or git URL or path */
	const char *ref;      /* tag, branch or commit to check out (git sources) */
	const char *pin;      /* commit to use when ref is NULL and the source is a git
			       * repository (the one an answers file recorded); or NULL */
	const char *pin_ref;  /* the ref recorded with pin (kept in the new answers) */
	const char *subdir;   /* the template is this folder inside the repository or
			       * folder (relative, no '..'; links may not leave it) */
	bool allow_dirty;     /* take a local repository's work tree with uncommitted
			       * changes (recorded as dirty) instead of refusing it */
	const char *data_dir; /* where shipped patterns live; NULL = weft_data_dir() */
} weft_templates_source_opts;

/* Resolve spec: a name without '/' is a shipped pattern (folder
 * <data>/templates/patterns/<name>), else a folder, else a git URL. Git
 * sources (URLs, and folders that are repositories when ref or pin is set)
 * are cloned with libgit2 into a temporary folder and checked out at ref.
 * A folder that is a repository used in place (no ref, no pin) must have no
 * uncommitted changes unless allow_dirty (WEFT_EINVALID, naming the paths).
 * With subdir the template is that folder of the clone or folder. */
int weft_templates_source_open(weft_templates_source **out, const weft_templates_source_opts *o,
			       weft_diags *d);
/* Free; removes a temporary clone. */
void weft_templates_source_free(weft_templates_source *s);
const char *weft_templates_source_dir(const weft_templates_source *s);    /* template folder */
const char *weft_templates_source_origin(const weft_templates_source *s); /* as recorded */
const char *weft_templates_source_ref(const weft_templates_source *s);    /* or NULL */
const char *weft_templates_source_commit(const weft_templates_source *s); /* hex, or NULL */
const char *weft_templates_source_subdir(const weft_templates_source *s); /* or NULL */
/* A local repository used with uncommitted changes (allow_dirty). */
bool weft_templates_source_dirty(const weft_templates_source *s);
/* The folder the template's includes must stay in: the clone or repository
 * (and with subdir, the folder given); NULL for a shipped pattern or a plain
 * folder, whose includes come from the folder holding it. */
const char *weft_templates_source_root(const weft_templates_source *s);

/* The content digest of a template, "sha256:<64 hex>" into out: SHA-256 over
 * a canonical listing of its folder (less .git) and of the shared folders it
 * includes: sorted relative paths, each folder, each file's executable bit
 * and bytes, each link's target. The same files give the same digest
 * wherever the template lies. */
int weft_templates_digest(char out[72], const weft_templates_manifest *m, weft_diags *d);

/* The shipped patterns: sorted folder names under <data>/templates/patterns
 * that hold a template.yaml. data_dir NULL = weft_data_dir(). */
int weft_templates_shipped_list(char ***names, size_t *n, const char *data_dir, weft_diags *d);
void weft_templates_names_free(char **names, size_t n);

typedef enum {
	WEFT_TEMPLATES_RENDERED, /* a text file rendered with Mustache */
	WEFT_TEMPLATES_COPIED,   /* copied byte for byte (binary or a copy rule) */
	WEFT_TEMPLATES_SYMLINK,  /* a symbolic link inside the project */
	WEFT_TEMPLATES_DIR,      /* a folder */
} weft_templates_action;

/* One entry of a plan. path is relative to the destination, '/'-separated. */
typedef struct {
	const char *path;
	const char *source; /* path in the template's files folder, or NULL (answers file) */
	weft_templates_action action;
	unsigned mode;      /* 0644, 0755 */
	size_t size;        /* bytes written (link target length for links) */
} weft_templates_file;

/* Everything a run will write, rendered in memory: nothing touches the disk
 * until weft_templates_plan_write. Entries are sorted by path; the last is
 * .weft-answers.yaml. src may be NULL (then the answers record the folder). */
typedef struct weft_templates_plan weft_templates_plan;
int weft_templates_plan_new(weft_templates_plan **out, const weft_templates_manifest *m,
			    const weft_templates_source *src, const cJSON *values, weft_diags *d);
void weft_templates_plan_free(weft_templates_plan *p);
size_t weft_templates_plan_count(const weft_templates_plan *p);
const weft_templates_file *weft_templates_plan_file(const weft_templates_plan *p, size_t i);

typedef struct {
	bool force;   /* DEST may be a non-empty folder: write the plan's files only */
	bool git;     /* git init, add everything, first commit */
	bool dry_run; /* check DEST and fill the result's replaced list; write nothing */
	/* Test hook: called before each file is written (path relative to
	 * DEST); a nonzero errno value makes that write fail with it. */
	int (*before_write)(void *ctx, const char *path);
	/* Test hook: with force into a non-empty folder, called before each
	 * step that changes DEST (a folder made, an existing file moved aside,
	 * a new one moved in; path relative to DEST); a nonzero errno value
	 * makes that step fail with it. */
	int (*before_move)(void *ctx, const char *path);
	void *hook_ctx;
} weft_templates_write_opts;

typedef struct {
	char commit[41];   /* the first commit, "" when none */
	char author[256];  /* "Name <email>" of the commit */
	bool identity_fallback; /* no git identity was configured */
	bool merged;       /* written into an existing, non-empty folder */
	bool git_skipped;  /* DEST was already a git repository: no commit */
	/* With force: the existing files (or links) of DEST that the plan
	 * replaced (with dry_run: would replace), relative to DEST, in plan
	 * order. Owned by the result: free with weft_templates_write_result_free. */
	char **replaced;
	size_t n_replaced;
} weft_templates_write_result;

/* Free what a result owns and zero it; NULL is fine. */
void weft_templates_write_result_free(weft_templates_write_result *res);

/* Write the plan to dest: render into a temporary folder beside dest, make
 * the git repository there, then rename it into place (into an existing
 * empty folder, move its entries in; with force into a non-empty folder,
 * move the plan's files only, as one transaction: every file it replaces is
 * first moved aside into the temporary folder, and on any failure the new
 * files are moved out, the originals back and the folders it made removed).
 * On failure dest is as it was and the temporary folder is gone (unless the
 * originals could not be put back: then a warning names the folder that
 * holds them, and the next write into dest tries again). dest must not be a
 * symbolic link; with force, no folder on the way to a written file may be
 * one. res must be freed with weft_templates_write_result_free (a result
 * passed in is overwritten, not freed). */
int weft_templates_plan_write(const weft_templates_plan *p, const char *dest,
			      const weft_templates_write_opts *o, weft_templates_write_result *res,
			      weft_diags *d);

/* The checks weft_templates_plan_write makes before writing anything, with
 * the same messages and codes, writing nothing: dest is not a link nor a
 * file, empty or (with force) a folder whose folders on the way to the
 * plan's files are real folders, its parent exists and is writable. A dry
 * run calls it so that it fails as the real run would. */
int weft_templates_plan_check_dest(const weft_templates_plan *p, const char *dest,
				   const weft_templates_write_opts *o, weft_diags *d);

/* ==== 4. Reports: what `weft templates list|show` and `weft new` print == */

typedef enum {
	WEFT_TEMPLATES_FORMAT_TEXT,
	WEFT_TEMPLATES_FORMAT_JSON,
	WEFT_TEMPLATES_FORMAT_NAMES, /* list only: the names, one a line */
} weft_templates_format;

/* The shipped patterns (weft templates list), appended to out: a table
 * (NAME VERSION SUMMARY, with a heading when n > 0), a JSON array of
 * {name, version, summary, path}, or the names alone. names[i] is the
 * folder name of ms[i]; an ms[i] of NULL (a template that did not load) is
 * left out. 0 or WEFT_ENOMEM (out then holds part of it). */
int weft_templates_list_render(weft_buf *out, const char *const *names,
			       const weft_templates_manifest *const *ms, size_t n, weft_templates_format fmt);

/* One template (weft templates show), from src (NULL: m's folder): name,
 * version, summary, description, its variables (type, default or how it is
 * computed, help, choices, constraints, condition, secret) and its
 * validation rules, as text or as one JSON object. 0 or WEFT_ENOMEM. */
int weft_templates_show_render(weft_buf *out, const weft_templates_manifest *m,
			       const weft_templates_source *src, weft_templates_format fmt);

/* What a `weft new` run did (or with dry_run, would do). */
typedef struct {
	const char *dest;
	bool dry_run;
	const weft_templates_manifest *m;
	const weft_templates_source *src;      /* or NULL: m's folder */
	const cJSON *values;                   /* from weft_templates_values_resolve */
	const weft_templates_plan *plan;
	const weft_templates_write_result *res; /* or NULL: nothing written */
} weft_templates_new_report;

/* The report of a run, appended to out: as text, the summary line, the
 * files (dry run) and the files replaced; as JSON, one object with dest,
 * dry_run, template (name, version, source, subdir, ref, commit, dirty,
 * template_digest: what the answers file records), answers (a secret
 * variable's value is null: it is never printed), files, replaced and git.
 * 0 or WEFT_ENOMEM. */
int weft_templates_new_render(weft_buf *out, const weft_templates_new_report *r, weft_templates_format fmt);

/* ==== 5. Updating a project to a new template version (weft update) ===== */

/* What an update does to one path of the template's (old or new version). */
typedef enum {
	WEFT_TEMPLATES_UPD_UNCHANGED, /* the template did not change it, or you already have its change */
	WEFT_TEMPLATES_UPD_UPDATED,   /* you had not changed it: the new version written */
	WEFT_TEMPLATES_UPD_MERGED,    /* both changed it, in different places (or one the mode): merged */
	WEFT_TEMPLATES_UPD_CONFLICT,  /* both changed the same place: marked, or a .rej / .weft-new beside */
	WEFT_TEMPLATES_UPD_ADDED,     /* new in the template */
	WEFT_TEMPLATES_UPD_REMOVED,   /* the template dropped it and you had not changed it */
	WEFT_TEMPLATES_UPD_KEPT,      /* yours kept: you changed what the template dropped, or deleted
				       * what it changed, or it is not a file in your project */
	WEFT_TEMPLATES_UPD_MOVED,     /* the template moved it (a migration): at its new path now,
				       * with your changes and the template's */
} weft_templates_update_status;

/* "unchanged", "updated", "merged", "conflict", "added", "removed", "kept". */
const char *weft_templates_update_status_name(weft_templates_update_status s);

typedef struct {
	const char *path;   /* relative to DEST */
	weft_templates_update_status status;
	const char *note;   /* why, for kept and conflict; or NULL */
	const char *beside; /* a conflict's file written beside it (path.rej, path.weft-new); or NULL */
} weft_templates_update_file;

typedef enum {
	WEFT_TEMPLATES_CONFLICT_INLINE, /* conflict markers in the file, as git merge does */
	WEFT_TEMPLATES_CONFLICT_REJ,    /* the file keeps your side; path.rej holds the clashes */
} weft_templates_conflict_style;

typedef struct {
	const char *ref;        /* the new version of a git template: tag, branch or commit; NULL: a
				 * URL's default branch, a local repository's work tree */
	const char *const *sets; /* "name=value": new or changed values */
	size_t n_sets;
	const weft_templates_answers *answers; /* values instead of the recorded ones; or NULL */
	weft_templates_ask_fn ask;             /* for new variables; NULL: never ask */
	void *ask_ctx;
	bool dry_run;  /* decide every file, write nothing */
	bool force;    /* run on a work tree with uncommitted changes */
	weft_templates_conflict_style conflict;
	const char *data_dir; /* shipped patterns; NULL = weft_data_dir() */
	/* test hooks, as in weft_templates_write_opts */
	int (*before_write)(void *ctx, const char *path);
	int (*before_move)(void *ctx, const char *path);
	void *hook_ctx;
} weft_templates_update_opts;

typedef struct weft_templates_update weft_templates_update;

/* Update the project in dest to the template's new version: read
 * dest/.weft-answers.yaml, take the base (refs/weft/base of dest's
 * repository, else the recorded git commit rendered again), render the new
 * version with the recorded answers (plus o's), and merge base -> new into
 * dest file by file (see update.c), as one transaction. Refuses a git work
 * tree with uncommitted changes unless o->force (WEFT_EEXISTS). Clashes are
 * not an error: count them with weft_templates_update_conflicts. On an
 * error dest is as it was and *out is NULL. */
int weft_templates_update_run(weft_templates_update **out, const char *dest, const weft_templates_update_opts *o,
			      weft_diags *d);
void weft_templates_update_free(weft_templates_update *u);
size_t weft_templates_update_count(const weft_templates_update *u);
/* Path i, sorted by path. WEFT_EINVALID when i is out of range. */
int weft_templates_update_file_at(weft_templates_update_file *out, const weft_templates_update *u, size_t i);
size_t weft_templates_update_conflicts(const weft_templates_update *u);
/* The report: as text, a summary line, each path that is not unchanged
 * and the counts; as JSON, one object (dest, dry_run, template {name,
 * from_version, to_version, from_commit, to_commit}, base, files [{path,
 * status, note, beside}], counts). 0 or WEFT_ENOMEM. */
int weft_templates_update_render(weft_buf *out, const weft_templates_update *u, weft_templates_format fmt);

#ifdef __cplusplus
}
#endif
#endif
