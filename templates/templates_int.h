/* templates_int.h - what the files of templates/ share and nobody else sees. */
#ifndef WEFT_TEMPLATES_INT_H
#define WEFT_TEMPLATES_INT_H

#include <regex.h>

#include "weft_templates.h"

/* ---- conditions (expr.c) ---- */

/* Check a condition's syntax and that every name is in known[0..n). On error
 * returns WEFT_EINVALID with a message and the 1-based column. */
int weft_templates_expr_check(const char *src, const char *const *known, size_t n_known, char *msg,
			      size_t msglen, int *col);
/* Evaluate a condition over values (a JSON object; absent names are null). */
int weft_templates_expr_eval(bool *out, const char *src, const cJSON *values, char *msg, size_t msglen,
			     int *col);

/* A variable as a validation rule sees it: its name and type. */
typedef struct {
	const char *name;
	weft_templates_type type;
} weft_templates_expr_var;

/* Check a validation rule (validate:): syntax, that every name is one of
 * vars[0..n), that each operator gets the types it takes (arithmetic on
 * ints; order of two numbers or two strings; == and != between like types;
 * !, and, or on yes/no values), and that the result is yes/no. used (n
 * entries, may be NULL) gets true for each variable the rule names. On
 * error returns WEFT_EINVALID with a message and the 1-based column. Rules
 * are evaluated with weft_templates_expr_eval: division by zero and integer
 * overflow are errors there. */
int weft_templates_expr_check_rule(const char *src, const weft_templates_expr_var *vars, size_t n,
				   bool *used, char *msg, size_t msglen, int *col);

/* ---- manifest (manifest.c) ---- */

/* A variable name: a letter or '_', then letters, digits, '_'; at most 64. */
bool weft_templates_ident_ok(const char *s);

typedef struct {
	weft_templates_var pub; /* first: a public pointer converts back */
	char **choices;
	regex_t re;
	bool has_re;
	bool default_templated; /* default contains {{ and is rendered first */
} weft_templates_var_impl;

typedef struct {
	char *glob;       /* over paths relative to the files root, '/'-separated */
	char *when;       /* condition, or NULL */
	int render;       /* -1 unset, 0 copy verbatim, 1 render */
	int executable;   /* -1 unset */
	int escape_html;  /* -1 unset */
	bool skip;        /* never written */
	int line, col;
} weft_templates_rule;

/* include: a shared folder of the template collection (a sibling of the
 * template whose name starts with '_'), copied verbatim into the project. */
typedef struct {
	char *dir; /* checked real folder: <collection>/<from> */
	char *to;  /* relative output folder, "" for the project root */
	int line, col;
} weft_templates_include;

/* migrations: (migrate.c): what one version renamed or moved. */
typedef struct {
	char *from, *to;
	int line, col; /* of `to` in template.yaml */
} weft_templates_pair;

typedef struct {
	char *version;                   /* the version that made the change */
	weft_templates_pair *renames;    /* variables */
	size_t n_renames;
	weft_templates_pair *moves;      /* output paths, relative to the project */
	size_t n_moves;
	int line, col;
} weft_templates_migration;

struct weft_templates_manifest {
	weft_templates_info info;
	char *dir, *path, *name, *version, *summary, *description;
	char *files_dir;    /* absolute or as given: dir/root */
	char *partials_dir; /* NULL when the template has none */
	char *partials_rel; /* the partials folder as given ("partials") */
	bool root_is_dir;   /* root: "." - the files are the template folder's */
	bool escape_html;
	bool case_sensitive_paths; /* outputs may differ only in case (collide on macOS, Windows) */
	weft_templates_var_impl *vars;
	size_t n_vars;
	weft_templates_rule *rules;
	size_t n_rules;
	weft_templates_include *includes;
	size_t n_includes;
	struct weft_templates_validation_impl *validations; /* validate: (manifest.c) */
	size_t n_validations;
	weft_templates_migration *migrations; /* oldest first, none after version */
	size_t n_migrations;
};

/* Load root's `migrations:` into m (after its variables): each entry's
 * version is at most m's and after the one before; renames are variable
 * names ending at one of m's variables (or renamed again later); moves are
 * paths weft writes. Errors with path:line:col. migrate.c. */
int weft_templates_migrations_load(weft_templates_manifest *m, const weft_yaml_doc *doc,
				   const weft_yaml_node *root, weft_diags *d);
void weft_templates_migrations_free(weft_templates_manifest *m);
/* The names a variable of m had in versions from from_version on, newest
 * first, up to max into out; 0 when none (or from_version is NULL). */
size_t weft_templates_migrate_old_names(const char **out, size_t max, const weft_templates_manifest *m,
					const char *from_version, const char *name);
/* Is name an earlier name (since from_version) of one of m's variables? */
bool weft_templates_migrate_renamed(const weft_templates_manifest *m, const char *from_version, const char *name);
/* Where path (an output path of m) was in from_version, if migrations
 * moved it since; else NULL. */
const char *weft_templates_migrate_old_path(const weft_templates_manifest *m, const char *from_version,
					    const char *path);

/* A relative path that stays inside its folder: not empty, not absolute,
 * no "." or ".." component, no NUL, no backslash, no control character, not
 * too long (weft_templates_path_check's rules, less the one about .git). */
bool weft_templates_path_is_safe(const char *p);

/* Does glob match path (or a folder above it)? '*' and '?' stay inside one
 * component; a "**" component matches any number of components. */
bool weft_templates_glob_match(const char *glob, const char *path);

/* What .weft-answers.yaml records about the template a project came from. */
typedef struct {
	const char *source;       /* origin: pattern name, absolute folder or URL */
	const char *subdir;       /* --subdir inside source, or NULL */
	const char *ref;          /* git ref asked for, or NULL */
	const char *commit;       /* git commit rendered; NULL: not a git source */
	bool dirty;               /* git: rendered from a work tree with changes */
	char digest[72];          /* "sha256:<64 hex>" (weft_templates_digest); "" = leave out */
	const char *weft_version; /* NULL = leave out */
} weft_templates_record;

/* Fill r for a plan of m from src (NULL: the folder m->dir): origin, ref,
 * commit, dirty, the content digest and weft's version; and check that m's
 * includes stay inside src's root (weft_templates_source_root). source.c. */
int weft_templates_record_of(weft_templates_record *r, const weft_templates_source *src,
			     const weft_templates_manifest *m, weft_diags *d);

/* The content digest a plan recorded in its answers file (record_of's,
 * "sha256:<64 hex>"; "" when left out). scaffold.c. */
const char *weft_templates_plan_digest(const weft_templates_plan *p);

/* The text of .weft-answers.yaml for these values: r's fields, every asked
 * variable's type, default and constraints (so that a replay can say what
 * changed), and the answers, less those of secret variables. */
int weft_templates_answers_text(weft_buf *out, const weft_templates_manifest *m,
				const weft_templates_record *r, const cJSON *values);

/* ---- paths (paths.c) ---- */

#define WEFT_TEMPLATES_NAME_MAX 255  /* bytes in one path component */
#define WEFT_TEMPLATES_PATH_MAX 1024 /* bytes in a path relative to DEST or a template folder */

/* The rule a path breaks (the first one found), in the order checked. */
typedef enum {
	WEFT_TEMPLATES_PATH_OK = 0,
	WEFT_TEMPLATES_PATH_EMPTY,     /* "", "a//b", "a/" */
	WEFT_TEMPLATES_PATH_ABSOLUTE,  /* "/etc" */
	WEFT_TEMPLATES_PATH_TOO_LONG,  /* over WEFT_TEMPLATES_PATH_MAX bytes */
	WEFT_TEMPLATES_PATH_DOTS,      /* a "." or ".." component */
	WEFT_TEMPLATES_PATH_BACKSLASH, /* '\\' anywhere */
	WEFT_TEMPLATES_PATH_CONTROL,   /* a byte below 0x20, or 0x7f */
	WEFT_TEMPLATES_PATH_NAME_LONG, /* a component over WEFT_TEMPLATES_NAME_MAX bytes */
	WEFT_TEMPLATES_PATH_GIT,       /* a component a file system takes for ".git" */
} weft_templates_path_rule;

typedef struct {
	weft_templates_path_rule rule;
	size_t off, len; /* the offending component (the whole path for ABSOLUTE, TOO_LONG) */
} weft_templates_path_why;

/* The one checker for every path a template names or makes: its files'
 * output paths (after rendering), include sources and destinations, the
 * files and partials folders, file-rule patterns. Returns the rule broken
 * (0: none); why (may be NULL) says where. See paths.c for the rules. */
weft_templates_path_rule weft_templates_path_check(const char *rel, weft_templates_path_why *why);
/* One sentence naming the rule, for messages. */
const char *weft_templates_path_rule_text(weft_templates_path_rule r);
/* Is name[0..len) ".git" to some file system: any case, trailing dots or
 * spaces, an NTFS stream suffix, HFS+-ignored code points, "git~1"? */
bool weft_templates_name_is_git(const char *name, size_t len);
/* Does a file name (before rendering) use a partial or a parent ({{> {{<)? */
bool weft_templates_name_has_partial(const char *name);
/* The key under which paths are the same file on a case-insensitive file
 * system: ASCII letters lowered, trailing dots and spaces of each component
 * dropped (malloc'ed; NULL when out of memory). */
char *weft_templates_path_fold(const char *path);

/* The patterns of a project's .gitignore files, to tell which files the
 * first commit leaves out. Add the files from the top folder down (base:
 * the folder holding the .gitignore, "" at the top). Supported: comments,
 * blank lines, '!' negation, a trailing '/' for folders, a leading or
 * inner '/' anchoring to base, '*', '?', '[...]' within a component and
 * "**" components; a folder ignored takes all it holds. Not supported:
 * .git/info/exclude, core.excludesFile, a "**" that is part of a longer
 * component. */
typedef struct weft_templates_ignore weft_templates_ignore;
int weft_templates_ignore_add(weft_templates_ignore **ig, const char *base, const char *text, size_t len);
bool weft_templates_ignore_match(const weft_templates_ignore *ig, const char *path);
void weft_templates_ignore_free(weft_templates_ignore *ig);

/* ---- git (gitops.c) ---- */

/* git init dir, add every file (honouring .gitignore), commit with message.
 * Identity: GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, else git config, else a
 * fallback "weft <weft@localhost>" (*fallback set). */
int weft_templates_git_commit(char hex[41], char *author, size_t author_len, bool *fallback,
			      const char *dir, const char *message, weft_diags *d);
/* Clone url (or a local repository path) into the empty folder dir and check
 * out ref (tag, branch, commit; NULL = the default branch). hex gets the
 * commit checked out. */
int weft_templates_git_clone(char hex[41], const char *url, const char *ref, const char *dir,
			     weft_diags *d);
/* The HEAD commit of the repository whose work tree is exactly dir. */
int weft_templates_git_head(char hex[41], const char *dir);
/* The paths (relative to dir, malloc'ed, *n of them) that differ from HEAD
 * in the repository whose work tree is exactly dir: changed, staged, deleted
 * and untracked files; ignored files do not count. Free with
 * weft_templates_names_free. */
int weft_templates_git_dirty(char ***paths, size_t *n, const char *dir, weft_diags *d);

/* The pristine render of the template a project was made from (or last
 * updated to), kept as a commit in the project's repository. */
#define WEFT_TEMPLATES_BASE_REF "refs/weft/base"

/* refs/weft/base of the repository whose work tree is exactly dir, into
 * hex; -1 when there is none (no repository, or no such ref). */
int weft_templates_git_base_head(char hex[41], const char *dir);
/* The base commit that matches the project's answers file (answers, len
 * bytes): the newest on refs/weft/base's first-parent history whose own
 * answers file is the same bytes (0), else the newest whose answers hold
 * digest_line (1), else the ref's tip (-1); -2 when there is no base. An
 * update the user threw away (git checkout .) leaves the ref ahead of the
 * work tree: this finds the base the work tree really came from. */
int weft_templates_git_base_find(char hex[41], const char *dir, const char *answers, size_t len,
				 const char *digest_line);
/* Store every file and link of p (not its folders) as a commit in dir's
 * repository, on top of the current base if any; hex gets it. The ref is
 * not moved: weft_templates_git_base_set does that. */
int weft_templates_git_base_commit(char hex[41], const char *dir, const weft_templates_plan *p,
				   const char *message, weft_diags *d);
/* Point refs/weft/base at hex; NULL or "" deletes it. */
int weft_templates_git_base_set(const char *dir, const char *hex, weft_diags *d);
/* The files of base commit hex of dir's repository, as a plan (links and
 * modes kept; its paths checked as safe). */
int weft_templates_git_base_read(weft_templates_plan **out, const char *dir, const char *hex, weft_diags *d);
/* Three-way merge of one text (libgit2's merge-file): *out (malloc'ed,
 * NUL-terminated) is the merge, with conflict markers labelled our_label
 * and their_label unless favor_ours (then each clashing region keeps ours);
 * *clean when nothing clashed. */
int weft_templates_git_merge_file(char **out, size_t *out_len, bool *clean, const char *base, size_t base_len,
				  const char *ours, size_t ours_len, const char *theirs, size_t theirs_len,
				  const char *our_label, const char *their_label, bool favor_ours);

/* ---- plans built by hand (scaffold.c, for weft update) ---- */

/* An empty plan; name, version and origin name it in messages. */
int weft_templates_plan_empty(weft_templates_plan **out, const char *name, const char *version,
			      const char *origin);
/* Add a file (RENDERED or COPIED) or link (data: its target) at path, and
 * the folders on its way; data is copied. Call plan_sort after the last. */
int weft_templates_plan_put(weft_templates_plan *p, const char *path, weft_templates_action action,
			    unsigned mode, const char *data, size_t len);
void weft_templates_plan_sort(weft_templates_plan *p);
/* The bytes entry i writes (a link's target); NULL for a folder. */
const char *weft_templates_plan_data(const weft_templates_plan *p, size_t i, size_t *len);
/* Write p's files into the existing folder dest and remove remove[0..n)
 * (paths relative to dest), as one transaction: the --force transaction of
 * weft_templates_plan_write with removals as steps that move the file
 * aside. On failure dest is as it was. The folders a removal leaves empty
 * are removed afterwards. o's hooks apply; force, git, dry_run do not. */
int weft_templates_plan_apply(const weft_templates_plan *p, const char *const *remove, size_t n_remove,
			      const char *dest, const weft_templates_write_opts *o, weft_diags *d);

/* The base commit of plan p in dir's repository (message naming the
 * template and version), into hex; keep_base also points the ref at it
 * (what weft new does after the first commit). */
int weft_templates_plan_base_commit(char hex[41], const weft_templates_plan *p, const char *dir, weft_diags *d);
int weft_templates_plan_keep_base(const weft_templates_plan *p, const char *dir, weft_diags *d);

/* Name of the answers file written into every generated project. */
#define WEFT_TEMPLATES_ANSWERS_FILE ".weft-answers.yaml"

#endif
