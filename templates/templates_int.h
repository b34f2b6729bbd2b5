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

/* ---- manifest (manifest.c) ---- */

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

struct weft_templates_manifest {
	weft_templates_info info;
	char *dir, *path, *name, *version, *summary, *description;
	char *files_dir;    /* absolute or as given: dir/root */
	char *partials_dir; /* NULL when the template has none */
	char *partials_rel; /* the partials folder as given ("partials") */
	bool root_is_dir;   /* root: "." - the files are the template folder's */
	bool escape_html;
	weft_templates_var_impl *vars;
	size_t n_vars;
	weft_templates_rule *rules;
	size_t n_rules;
	weft_templates_include *includes;
	size_t n_includes;
};

/* A relative path that stays inside its folder: not empty, not absolute,
 * no "." or ".." component, no NUL, no backslash. */
bool weft_templates_path_is_safe(const char *p);

/* Does glob match path (or a folder above it)? '*' and '?' stay inside one
 * component; a "**" component matches any number of components. */
bool weft_templates_glob_match(const char *glob, const char *path);

/* The text of .weft-answers.yaml for these values. */
int weft_templates_answers_text(weft_buf *out, const weft_templates_manifest *m, const char *source,
				const char *ref, const char *commit, const cJSON *values);

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

/* Remove a folder tree we created, never following symbolic links. */
void weft_templates_rm_tree(const char *path);

/* Name of the answers file written into every generated project. */
#define WEFT_TEMPLATES_ANSWERS_FILE ".weft-answers.yaml"

#endif
