/* scaffold.c - plan a project from a template, then write it safely.
 *
 * Design: two phases. The plan walks the template's files folder (never
 * following symbolic links), applies the manifest's file rules, renders
 * every path component and every text file in memory, and refuses anything
 * that could land outside the destination (names rendering to "..", to
 * something with '/', to .git; links leaving the tree). Only a complete plan
 * is written: into a temporary folder beside DEST (same file system), where
 * the git repository is also made, then renamed into place in one step (an
 * existing empty DEST, perhaps the current folder, keeps its identity: the
 * top-level entries are moved into it, and moved back on failure). A
 * failure at any point removes the temporary folder and leaves DEST as it
 * was. With --force into a non-empty folder, the plan's files alone are
 * moved in, after every folder on their way was checked not to be a link.
 *
 * The temporary folder is "DEST's parent/.weft-tmp-XXXXXX" (mkdtemp, mode
 * 0700: short whatever DEST's name, up to NAME_MAX). It holds a marker file,
 * .weft-incomplete (pid, host name and DEST's name), written right after it
 * is made, and the project itself in a subfolder "p", made with mkdir(0777)
 * so the kernel applies the umask (no umask() calls: they race in threaded
 * programs). The marker is never part of the project or its commit. If weft
 * is killed, the folder stays; the next scaffold into the same DEST removes
 * every such folder in the parent whose marker names DEST, this host and a
 * process that is gone (kill(pid, 0) fails with ESRCH), owned by this user,
 * never following links, and says so in a note. Folders without a marker are
 * never touched.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "templates_int.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1u << 0) /* <linux/fs.h> */
#endif

#define MAX_ENTRIES 10000
#define MAX_DEPTH 32
#define MAX_TOTAL ((size_t)512 << 20)
#define MAX_FILE_OUTPUT ((size_t)64 << 20)

typedef struct {
	weft_templates_file pub;
	char *path, *source;
	char *data; /* content, or the link target */
	size_t len;
} entry;

struct weft_templates_plan {
	entry *v;
	size_t n, cap;
	char *name, *version, *origin; /* for the commit message */
	char digest[72];               /* as recorded in the answers file */
};

typedef struct {
	const weft_templates_manifest *m;
	const cJSON *values;
	weft_templates_partials *partials;
	weft_diags *d;
	weft_templates_plan *plan;
	size_t total;
	const char *base; /* folder being walked: the files folder or an include */
	bool verbatim;    /* an include: no rules, no rendering of names or contents */
} walker;

/* The template's file src_rel (under the folder walked) is refused: an
 * error naming it; returns WEFT_EINVALID. */
static int hostile(walker *w, const char *src_rel, const char *hint, const char *fmt, ...)
	WEFT_PRINTF(4, 5);
static int hostile(walker *w, const char *src_rel, const char *hint, const char *fmt, ...)
{
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", w->base, src_rel);
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(w->d, WEFT_SEV_ERROR, p.ptr, 0, 0, hint, fmt, ap);
	va_end(ap);
	weft_buf_free(&p);
	return WEFT_EINVALID;
}

static entry *plan_add(weft_templates_plan *p)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		entry *nv = realloc(p->v, cap * sizeof *nv);
		if (!nv)
			return NULL;
		p->v = nv;
		p->cap = cap;
	}
	entry *e = &p->v[p->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static bool plan_has_dir(const weft_templates_plan *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].pub.action == WEFT_TEMPLATES_DIR && p->v[i].path && !strcmp(p->v[i].path, path))
			return true;
	return false;
}

/* Plan the folders of rel ("a/b": "a", then "a/b") that are not planned yet. */
static int plan_dirs(weft_templates_plan *p, const char *rel)
{
	char *copy = strdup(rel);
	if (!copy)
		return WEFT_ENOMEM;
	int err = WEFT_OK;
	for (char *s = copy;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (*copy && !plan_has_dir(p, copy)) {
			entry *e = plan_add(p);
			if (!e || !(e->path = strdup(copy)) || !(e->source = strdup(copy))) {
				err = WEFT_ENOMEM;
				break;
			}
			e->pub.action = WEFT_TEMPLATES_DIR;
			e->pub.mode = 0755;
		}
		*s = c;
		if (!c)
			break;
	}
	free(copy);
	return err;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

typedef struct {
	bool skip;
	int render, exec, escape;
} attrs;

static int apply_rules(walker *w, const char *src_rel, attrs *at)
{
	*at = (attrs){ false, w->verbatim ? 0 : -1, -1, -1 };
	for (size_t i = 0; i < w->m->n_rules && !w->verbatim; i++) {
		const weft_templates_rule *r = &w->m->rules[i];
		if (!weft_templates_glob_match(r->glob, src_rel))
			continue;
		if (r->skip)
			at->skip = true;
		if (r->when) {
			bool holds;
			char msg[256];
			int col;
			if (weft_templates_expr_eval(&holds, r->when, w->values, msg, sizeof msg, &col)) {
				weft_diags_add(w->d, WEFT_SEV_ERROR, w->m->path, r->line, r->col, NULL, "when: %s", msg);
				return WEFT_EINVALID;
			}
			if (!holds)
				at->skip = true;
		}
		if (r->render >= 0)
			at->render = r->render;
		if (r->executable >= 0)
			at->exec = r->executable;
		if (r->escape_html >= 0)
			at->escape = r->escape_html;
	}
	return WEFT_OK;
}

/* Render one path component; "" means "leave this entry out". Names render
 * as strictly as contents, with no partials: a partial in a name is refused
 * (else a missing one would render "" and silently drop the file). */
static int render_name(walker *w, const char *src_rel, const char *name, char **out)
{
	if (w->verbatim || !strstr(name, "{{"))
		return (*out = strdup(name)) ? WEFT_OK : WEFT_ENOMEM;
	if (weft_templates_name_has_partial(name))
		return hostile(w, src_rel, "file and folder names take variables and sections, not partials",
			       "name '%s' uses a partial ('{{>' or '{{<'); partials are refused in names", name);
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", w->base, src_rel);
	/* no partials at all, strictly: one hidden behind changed delimiters fails here */
	weft_templates_render_opts ro = { .max_output = 4096, .strict_partials = true };
	int err = p.oom ? WEFT_ENOMEM : weft_templates_render_string(out, p.ptr, name, w->values, &ro, w->d);
	weft_buf_free(&p);
	return err;
}

/* A name as it will be written: one component that passes the path rules.
 * The message names the template's name, what it renders to and the rule. */
static int check_name(walker *w, const char *src_rel, const char *name, const char *rendered, bool top)
{
	const char *hint = "a file name may not take '/', '..' or control characters from a variable";
	bool same = !strcmp(name, rendered);
	if (strchr(rendered, '/'))
		return hostile(w, src_rel, hint, "name '%s' renders to '%s', which contains '/'", name, rendered);
	weft_templates_path_rule rule = weft_templates_path_check(rendered, NULL);
	if (rule == WEFT_TEMPLATES_PATH_CONTROL)
		return hostile(w, src_rel, hint, "name '%s' renders to a name with control characters: %s", name,
			       weft_templates_path_rule_text(rule));
	if (rule == WEFT_TEMPLATES_PATH_NAME_LONG || rule == WEFT_TEMPLATES_PATH_TOO_LONG)
		return hostile(w, src_rel, NULL, "name '%s' renders to a name longer than 255 bytes: %s", name,
			       weft_templates_path_rule_text(WEFT_TEMPLATES_PATH_NAME_LONG));
	if (rule) {
		weft_buf msg = WEFT_BUF_INIT;
		if (same)
			weft_buf_printf(&msg, "name '%s': %s", name, weft_templates_path_rule_text(rule));
		else
			weft_buf_printf(&msg, "name '%s' renders to '%s': %s", name, rendered,
					weft_templates_path_rule_text(rule));
		int err = hostile(w, src_rel,
				  rule == WEFT_TEMPLATES_PATH_GIT ? "a template may not write into the project's git repository"
								  : hint,
				  "%s", msg.oom ? "refused name" : msg.ptr);
		weft_buf_free(&msg);
		return err;
	}
	if (top && !strcmp(rendered, WEFT_TEMPLATES_ANSWERS_FILE))
		return hostile(w, src_rel, "weft writes this file itself", "name '%s' renders to '%s'", name,
			       rendered);
	return WEFT_OK;
}

/* A link may only climb with leading "..", no higher than its own folder's
 * depth, and then only go down: so it resolves inside the project whatever
 * the other links are. */
static int check_link(walker *w, const char *src_rel, const char *name, const char *target, int depth)
{
	const char *hint = "links in a template must stay inside its files folder";
	/* git refuses these as links: they would be read from outside the project */
	static const char *const git_files[] = { ".gitmodules", ".gitattributes", ".gitignore", ".mailmap" };
	for (size_t i = 0; i < sizeof git_files / sizeof *git_files; i++)
		if (!strcasecmp(name, git_files[i]))
			return hostile(w, src_rel, "make it a regular file",
				       "'%s' is a symbolic link; git refuses %s as a link", name, git_files[i]);
	if (!*target || target[0] == '/')
		return hostile(w, src_rel, hint, "symbolic link to '%s' points outside the template", target);
	bool down = false;
	int level = depth;
	for (const char *s = target; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		bool up = n == 2 && s[0] == '.' && s[1] == '.';
		if (n == 0 || (n == 1 && s[0] == '.') || (up && down))
			return hostile(w, src_rel, hint, "symbolic link to '%s' has a path weft does not follow",
				       target);
		if (up && --level < 0)
			return hostile(w, src_rel, hint, "symbolic link to '%s' points outside the template", target);
		if (!up)
			down = true;
		if (weft_templates_name_is_git(s, n))
			return hostile(w, src_rel, "a template may not write into the project's git repository",
				       "symbolic link to '%s' points into the git repository: %s", target,
				       weft_templates_path_rule_text(WEFT_TEMPLATES_PATH_GIT));
		s += n;
		if (*s == '/')
			s++;
	}
	return WEFT_OK;
}

static int add_file(walker *w, const char *src_rel, const char *out_rel, const char *full,
		    const struct stat *st, const attrs *at)
{
	char *data = NULL;
	size_t len = 0;
	int err = weft_file_read(&data, &len, full, MAX_FILE_OUTPUT, w->d);
	if (err)
		return err;
	bool binary = memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
	bool render = at->render >= 0 ? at->render == 1 : !binary;
	weft_templates_action action = WEFT_TEMPLATES_COPIED;
	if (render) {
		weft_templates_mustache *t = NULL;
		weft_buf out = WEFT_BUF_INIT;
		weft_templates_render_opts ro = {
			.escape_html = at->escape >= 0 ? at->escape == 1 : w->m->escape_html,
			.strict_partials = true,
			.max_output = MAX_FILE_OUTPUT,
			.partials = w->partials,
		};
		err = weft_templates_mustache_parse(&t, full, data, len, w->d);
		if (!err) {
			weft_buf_put(&out, "", 0);
			err = weft_templates_mustache_render(&out, t, w->values, &ro, w->d);
		}
		weft_templates_mustache_free(t);
		free(data);
		data = NULL;
		if (!err && out.oom)
			err = WEFT_ENOMEM;
		if (err) {
			weft_buf_free(&out);
			return err;
		}
		len = out.len;
		data = weft_buf_detach(&out);
		action = WEFT_TEMPLATES_RENDERED;
	}
	w->total += len;
	if (w->total > MAX_TOTAL) {
		free(data);
		return hostile(w, src_rel, NULL, "the project would be larger than %zu MiB", MAX_TOTAL >> 20);
	}
	entry *e = plan_add(w->plan);
	if (!e) {
		free(data);
		return WEFT_ENOMEM;
	}
	e->data = data;
	e->len = len;
	e->path = strdup(out_rel);
	e->source = strdup(src_rel);
	e->pub.action = action;
	e->pub.mode = (at->exec >= 0 ? at->exec == 1 : (st->st_mode & 0111) != 0) ? 0755 : 0644;
	e->pub.size = len;
	return e->path && e->source ? WEFT_OK : WEFT_ENOMEM;
}

/* With root ".", the top-level entries that are the template's own: its
 * manifest, its partials folder and a clone's .git. */
static bool is_template_own(const weft_templates_manifest *m, const char *name)
{
	if (!strcmp(name, "template.yaml") || !strcmp(name, ".git"))
		return true;
	size_t n = strcspn(m->partials_rel, "/");
	return strlen(name) == n && !strncmp(name, m->partials_rel, n);
}

static int walk(walker *w, const char *src_rel, const char *out_rel, int depth);

/* Plan a folder and walk into it. An include may merge into a folder the
 * files already planned (its "to"); the files' own folders may not collide. */
static int add_dir(walker *w, const char *src_rel, const char *out_rel, int depth)
{
	if (depth + 1 > MAX_DEPTH)
		return hostile(w, src_rel, NULL, "folders nested more than %d deep", MAX_DEPTH);
	if (!(w->verbatim && plan_has_dir(w->plan, out_rel))) {
		entry *e = plan_add(w->plan);
		if (!e)
			return WEFT_ENOMEM;
		e->path = strdup(out_rel);
		e->source = strdup(src_rel);
		e->pub.action = WEFT_TEMPLATES_DIR;
		e->pub.mode = 0755;
		if (!e->path || !e->source)
			return WEFT_ENOMEM;
	}
	return walk(w, src_rel, out_rel, depth + 1);
}

static int walk(walker *w, const char *src_rel, const char *out_rel, int depth)
{
	weft_buf dir = WEFT_BUF_INIT;
	weft_buf_printf(&dir, "%s%s%s", w->base, *src_rel ? "/" : "", src_rel);
	if (dir.oom)
		return WEFT_ENOMEM;
	struct dirent **ents = NULL;
	int k = scandir(dir.ptr, &ents, NULL, by_name);
	if (k < 0) {
		weft_diags_add(w->d, WEFT_SEV_ERROR, dir.ptr, 0, 0, NULL, "cannot read the folder: %s",
			       strerror(errno));
		weft_buf_free(&dir);
		return WEFT_EENV;
	}
	int err = WEFT_OK;
	for (int i = 0; i < k; i++) {
		const char *name = ents[i]->d_name;
		if (err || !strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (!*src_rel && !w->verbatim && w->m->root_is_dir && is_template_own(w->m, name))
			continue;
		weft_buf src = WEFT_BUF_INIT, full = WEFT_BUF_INIT, out = WEFT_BUF_INIT;
		char *rendered = NULL;
		weft_buf_printf(&src, "%s%s%s", src_rel, *src_rel ? "/" : "", name);
		weft_buf_printf(&full, "%s/%s", dir.ptr, name);
		struct stat st;
		attrs at;
		if (src.oom || full.oom) {
			err = WEFT_ENOMEM;
		} else if (w->plan->n >= MAX_ENTRIES) {
			err = hostile(w, src.ptr, NULL, "more than %d files and folders", MAX_ENTRIES);
		} else if (lstat(full.ptr, &st) != 0) {
			weft_diags_add(w->d, WEFT_SEV_ERROR, full.ptr, 0, 0, NULL, "cannot read: %s", strerror(errno));
			err = WEFT_EENV;
		} else if ((err = apply_rules(w, src.ptr, &at)) || at.skip) {
			/* left out */
		} else if ((err = render_name(w, src.ptr, name, &rendered)) || !*rendered) {
			/* a name that renders empty leaves the entry (and what it holds) out */
		} else if (!(err = check_name(w, src.ptr, name, rendered, !*out_rel))) {
			weft_buf_printf(&out, "%s%s%s", out_rel, *out_rel ? "/" : "", rendered);
			weft_templates_path_rule rule = out.oom ? 0 : weft_templates_path_check(out.ptr, NULL);
			if (out.oom) {
				err = WEFT_ENOMEM;
			} else if (rule) {
				/* the whole path (an include's "to" and its names; the length) */
				err = hostile(w, src.ptr, NULL, "would write '%s': %s", out.ptr,
					      weft_templates_path_rule_text(rule));
			} else if (S_ISDIR(st.st_mode)) {
				err = add_dir(w, src.ptr, out.ptr, depth);
			} else if (S_ISREG(st.st_mode)) {
				err = add_file(w, src.ptr, out.ptr, full.ptr, &st, &at);
			} else if (S_ISLNK(st.st_mode)) {
				char target[PATH_MAX];
				ssize_t n = readlink(full.ptr, target, sizeof target - 1);
				if (n < 0) {
					weft_diags_add(w->d, WEFT_SEV_ERROR, full.ptr, 0, 0, NULL, "cannot read the link: %s",
						       strerror(errno));
					err = WEFT_EENV;
				} else {
					target[n] = '\0';
					err = check_link(w, src.ptr, rendered, target, depth);
					entry *e = err ? NULL : plan_add(w->plan);
					if (!err && !e)
						err = WEFT_ENOMEM;
					if (e) {
						e->path = strdup(out.ptr);
						e->source = strdup(src.ptr);
						e->data = strdup(target);
						e->len = (size_t)n;
						e->pub.action = WEFT_TEMPLATES_SYMLINK;
						e->pub.mode = 0777;
						e->pub.size = (size_t)n;
						if (!e->path || !e->source || !e->data)
							err = WEFT_ENOMEM;
					}
				}
			} else {
				err = hostile(w, src.ptr, "templates hold files, folders and links only",
					      "special file (device, pipe or socket)");
			}
		}
		free(rendered);
		weft_buf_free(&src);
		weft_buf_free(&full);
		weft_buf_free(&out);
	}
	for (int i = 0; i < k; i++)
		free(ents[i]);
	free(ents);
	weft_buf_free(&dir);
	return err;
}

/* Where an entry comes from, for messages: its template file, else the manifest. */
static void entry_origin(weft_buf *b, const weft_templates_manifest *m, const entry *e)
{
	if (e->source)
		weft_buf_printf(b, "%s/%s", m->files_dir, e->source);
	else
		weft_buf_puts(b, m->path);
}

typedef struct {
	char *key;
	size_t i;
} folded;

static int by_key(const void *a, const void *b)
{
	int c = strcmp(((const folded *)a)->key, ((const folded *)b)->key);
	if (c)
		return c;
	size_t x = ((const folded *)a)->i, y = ((const folded *)b)->i;
	return x < y ? -1 : x > y;
}

/* Two outputs that are one file on a case-insensitive file system (macOS,
 * Windows: case, trailing dots and spaces) are refused: the project would
 * lose one of them when checked out there. */
static int check_case(const weft_templates_plan *p, const weft_templates_manifest *m, weft_diags *d)
{
	if (p->n < 2)
		return WEFT_OK;
	folded *f = calloc(p->n, sizeof *f);
	if (!f)
		return WEFT_ENOMEM;
	int err = WEFT_OK;
	for (size_t i = 0; i < p->n && !err; i++) {
		f[i].i = i;
		if (!(f[i].key = weft_templates_path_fold(p->v[i].path)))
			err = WEFT_ENOMEM;
	}
	if (!err)
		qsort(f, p->n, sizeof *f, by_key);
	for (size_t i = 1; i < p->n && !err; i++) {
		if (strcmp(f[i - 1].key, f[i].key))
			continue;
		const entry *a = &p->v[f[i - 1].i], *b = &p->v[f[i].i];
		weft_buf o = WEFT_BUF_INIT;
		entry_origin(&o, m, b);
		weft_diags_add(d, WEFT_SEV_ERROR, o.ptr, 0, 0,
			       "rename one of them; paths may not differ only in case",
			       "'%s' and '%s' differ only in case (or trailing dots or spaces): they are the "
			       "same file on macOS and Windows",
			       a->path, b->path);
		weft_buf_free(&o);
		err = WEFT_EINVALID;
	}
	for (size_t i = 0; i < p->n; i++)
		free(f[i].key);
	free(f);
	return err;
}

static size_t depth_of(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* A warning naming the planned files that the project's own .gitignore
 * files would leave out of the first commit (git add -A honours them). */
static int warn_ignored(const weft_templates_plan *p, const weft_templates_manifest *m, weft_diags *d)
{
	weft_templates_ignore *ig = NULL;
	const entry *first = NULL;
	int err = WEFT_OK;
	size_t deepest = 0;
	for (size_t i = 0; i < p->n; i++)
		if (depth_of(p->v[i].path) > deepest)
			deepest = depth_of(p->v[i].path);
	/* the top folder's file first, then deeper ones: deeper patterns win */
	for (size_t depth = 0; depth <= deepest && !err; depth++) {
		for (size_t i = 0; i < p->n && !err; i++) {
			const entry *e = &p->v[i];
			const char *slash = strrchr(e->path, '/');
			const char *base = slash ? slash + 1 : e->path;
			if (strcmp(base, ".gitignore") || depth_of(e->path) != depth ||
			    (e->pub.action != WEFT_TEMPLATES_RENDERED && e->pub.action != WEFT_TEMPLATES_COPIED))
				continue;
			char *folder = strndup(e->path, slash ? (size_t)(slash - e->path) : 0);
			err = folder ? weft_templates_ignore_add(&ig, folder, e->data ? e->data : "", e->len)
				     : WEFT_ENOMEM;
			free(folder);
			if (!first)
				first = e;
		}
	}
	weft_buf names = WEFT_BUF_INIT;
	size_t n = 0;
	for (size_t i = 0; ig && !err && i < p->n; i++) {
		const entry *e = &p->v[i];
		if (e->pub.action == WEFT_TEMPLATES_DIR || !weft_templates_ignore_match(ig, e->path))
			continue;
		if (n < 10)
			weft_buf_printf(&names, "%s'%s'", n ? ", " : "", e->path);
		n++;
	}
	if (n > 10)
		weft_buf_printf(&names, " and %zu more", n - 10);
	if (!err && n) {
		weft_buf o = WEFT_BUF_INIT;
		entry_origin(&o, m, first);
		weft_diags_add(d, WEFT_SEV_WARNING, o.ptr, 0, 0,
			       "remove the pattern, or add a '!' pattern after it for these files",
			       "ignores %zu of the template's files, which the first commit will leave out: %s", n,
			       names.oom ? "(out of memory)" : names.ptr);
		weft_buf_free(&o);
	}
	weft_buf_free(&names);
	weft_templates_ignore_free(ig);
	return err;
}

int weft_templates_plan_new(weft_templates_plan **out, const weft_templates_manifest *m,
			    const weft_templates_source *src, const cJSON *values, weft_diags *d)
{
	*out = NULL;
	weft_templates_plan *p = calloc(1, sizeof *p);
	if (!p)
		return WEFT_ENOMEM;
	walker w = { .m = m, .values = values, .d = d, .plan = p, .base = m->files_dir };
	p->name = strdup(m->name);
	p->version = strdup(m->version);
	p->origin = strdup(src ? weft_templates_source_origin(src) : m->dir);
	int err = p->name && p->version && p->origin ? WEFT_OK : WEFT_ENOMEM;
	if (!err)
		err = weft_templates_partials_new(&w.partials);
	if (!err && m->partials_dir)
		err = weft_templates_partials_load_dir(w.partials, m->partials_dir, d);
	if (!err)
		err = walk(&w, "", "", 0);
	/* what the answers record; refuses includes outside a repository's root */
	weft_templates_record rec;
	if (!err)
		err = weft_templates_record_of(&rec, src, m, d);
	if (!err)
		memcpy(p->digest, rec.digest, sizeof p->digest);
	for (size_t i = 0; !err && i < m->n_includes; i++) {
		w.base = m->includes[i].dir;
		w.verbatim = true;
		err = plan_dirs(p, m->includes[i].to);
		if (!err)
			err = walk(&w, "", m->includes[i].to, 0);
	}
	weft_templates_partials_free(w.partials);
	if (!err && p->n) {
		qsort(p->v, p->n, sizeof *p->v, by_path);
		for (size_t i = 1; i < p->n && !err; i++) {
			if (strcmp(p->v[i - 1].path, p->v[i].path))
				continue;
			weft_buf a = WEFT_BUF_INIT;
			weft_buf_printf(&a, "%s/%s", m->files_dir, p->v[i].source);
			weft_diags_add(d, WEFT_SEV_ERROR, a.ptr, 0, 0, NULL,
				       "renders to '%s', the same path as '%s'", p->v[i].path, p->v[i - 1].source);
			weft_buf_free(&a);
			err = WEFT_EINVALID;
		}
	}
	if (!err) {
		weft_buf text = WEFT_BUF_INIT;
		err = weft_templates_answers_text(&text, m, &rec, values);
		entry *e = err ? NULL : plan_add(p);
		if (!err && !e)
			err = WEFT_ENOMEM;
		if (e) {
			e->len = text.len;
			e->data = weft_buf_detach(&text);
			e->path = strdup(WEFT_TEMPLATES_ANSWERS_FILE);
			e->pub.action = WEFT_TEMPLATES_RENDERED;
			e->pub.mode = 0644;
			e->pub.size = e->len;
			if (!e->data || !e->path)
				err = WEFT_ENOMEM;
		}
		weft_buf_free(&text);
	}
	if (!err && !m->case_sensitive_paths)
		err = check_case(p, m, d);
	if (!err)
		err = warn_ignored(p, m, d);
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].pub.path = p->v[i].path;
		p->v[i].pub.source = p->v[i].source;
	}
	if (err) {
		if (err == WEFT_ENOMEM)
			weft_diags_add(d, WEFT_SEV_ERROR, m->dir, 0, 0, NULL, "out of memory");
		weft_templates_plan_free(p);
		return err;
	}
	*out = p;
	return WEFT_OK;
}

const char *weft_templates_plan_digest(const weft_templates_plan *p)
{
	return p->digest;
}

void weft_templates_plan_free(weft_templates_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].source);
		free(p->v[i].data);
	}
	free(p->v);
	free(p->name);
	free(p->version);
	free(p->origin);
	free(p);
}

size_t weft_templates_plan_count(const weft_templates_plan *p)
{
	return p->n;
}

const weft_templates_file *weft_templates_plan_file(const weft_templates_plan *p, size_t i)
{
	return i < p->n ? &p->v[i].pub : NULL;
}

/* ---- writing ------------------------------------------------------------------------ */

static char *join(const char *a, const char *b)
{
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", a, b);
	return weft_buf_detach(&p);
}

/* With --force into a non-empty folder: every folder on the way to a
 * written path must be a real folder (not a link), and no folder may stand
 * where a file goes. */
static int check_merge(const weft_templates_plan *p, const char *dest, weft_diags *d)
{
	for (size_t i = 0; i < p->n; i++) {
		const entry *e = &p->v[i];
		char *full = join(dest, e->path);
		if (!full)
			return WEFT_ENOMEM;
		size_t base = strlen(dest) + 1;
		int err = WEFT_OK;
		for (char *s = full + base;; s++) {
			char c = *s;
			if (c != '/' && c != '\0')
				continue;
			*s = '\0';
			struct stat st;
			bool last = c == '\0';
			if (lstat(full, &st) == 0) {
				if (S_ISLNK(st.st_mode) && (!last || e->pub.action == WEFT_TEMPLATES_DIR)) {
					weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0,
						       "weft does not write through links in the destination",
						       "is a symbolic link; the template writes into it");
					err = WEFT_EINVALID;
				} else if (!S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode) &&
					   (!last || e->pub.action == WEFT_TEMPLATES_DIR)) {
					weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0, NULL,
						       "is a file, but the template makes a folder there");
					err = WEFT_EEXISTS;
				} else if (last && S_ISDIR(st.st_mode) && e->pub.action != WEFT_TEMPLATES_DIR) {
					weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0, NULL,
						       "is a folder, but the template writes a file there");
					err = WEFT_EEXISTS;
				}
			} else {
				last = true; /* nothing deeper exists */
			}
			*s = c;
			if (err || last)
				break;
		}
		free(full);
		if (err)
			return err;
	}
	return WEFT_OK;
}

static int write_entries(const weft_templates_plan *p, const char *root, const weft_templates_write_opts *o,
			 weft_diags *d)
{
	for (size_t i = 0; i < p->n; i++) {
		const entry *e = &p->v[i];
		char *full = join(root, e->path);
		if (!full)
			return WEFT_ENOMEM;
		int err = WEFT_OK;
		int injected = o->before_write ? o->before_write(o->hook_ctx, e->path) : 0;
		if (injected) {
			weft_diags_add(d, WEFT_SEV_ERROR, e->path, 0, 0, NULL, "cannot write: %s", strerror(injected));
			err = WEFT_EENV;
		} else if (e->pub.action == WEFT_TEMPLATES_DIR) {
			if (mkdir(full, 0755) != 0) {
				weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0, NULL, "cannot create the folder: %s",
					       strerror(errno));
				err = WEFT_EENV;
			}
		} else if (e->pub.action == WEFT_TEMPLATES_SYMLINK) {
			if (symlink(e->data, full) != 0) {
				weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0, NULL, "cannot create the link: %s",
					       strerror(errno));
				err = WEFT_EENV;
			}
		} else {
			err = weft_file_write_atomic(full, e->data, e->len,
						     e->pub.mode & 0111 ? WEFT_WRITE_EXEC : 0, d);
		}
		free(full);
		if (err)
			return err;
	}
	return WEFT_OK;
}

/* ---- --force into a non-empty folder: one transaction ---------------------------
 *
 * The project is rendered in T/p (T the temporary folder beside DEST, so
 * every rename below stays on one file system and is atomic). Then:
 *  1. scan: for each planned entry, in plan order (a folder before what it
 *     holds), what DEST has at its path now: no folder yet (dir: one to
 *     make), nothing (new), or a file or link (replace); .git last when a
 *     commit was made. The device and inode of each entry to move in are
 *     taken from T/p (a rename keeps them): they say later which entry in
 *     DEST is ours.
 *  2. journal: this list as text in T/journal (written to a temporary name,
 *     fsync'ed and renamed), before DEST is touched. The marker beside it
 *     says whose run it is.
 *  3. apply, in order: dir: mkdir DEST/P; new: rename T/p/P to DEST/P, never
 *     over a name that appeared meanwhile; replace: rename DEST/P to T/b/P
 *     (the original, mode and all), then T/p/P to DEST/P. Each file is in
 *     exactly one place at every moment.
 *     remove (weft update: a file the new template version no longer has):
 *     rename DEST/P to T/b/P, as the first half of a replace.
 *  4. commit: unlink T/journal (the commit point), then remove T and the
 *     originals in T/b with it.
 * On a failure in 2 or 3, rollback, in reverse order and judged by what is
 * on disk, not by how far 3 got: an entry at DEST/P with the journal's
 * device and inode is ours and goes back to T/p/P; an original in T/b/P
 * goes back to DEST/P; a folder made is removed (when empty). If every
 * original is back, T is removed; if not, T is kept with its journal and a
 * warning names it. If weft is killed in 2 or 3, T stays with marker and
 * journal: the next write into the same DEST (remove_leftovers, once the
 * process is gone) runs the same rollback from the journal, then removes T.
 * A leftover without a journal never touched DEST (or committed) and is
 * removed as before.
 */

#define TMP_BACKUP "b"
#define TMP_JOURNAL "journal"
#define JOURNAL_HEAD "weft new --force journal 1\n"
#define JOURNAL_MAX ((size_t)32 << 20)

typedef enum { J_DIR, J_NEW, J_REPLACE, J_GIT, J_REMOVE } jkind;

static const char *const jkind_name[] = { "dir", "new", "replace", "git", "remove" };

typedef struct {
	jkind kind;
	char *path; /* relative to DEST */
	uintmax_t dev, ino; /* new, replace, git: the entry moved in */
} jstep;

typedef struct {
	jstep *v;
	size_t n, cap;
} journal;

static void journal_free(journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->v[i].path);
	free(j->v);
	memset(j, 0, sizeof *j);
}

static jstep *journal_add(journal *j, jkind kind, const char *path, size_t len)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 32;
		jstep *nv = realloc(j->v, cap * sizeof *nv);
		if (!nv)
			return NULL;
		j->v = nv;
		j->cap = cap;
	}
	char *copy = strndup(path, len);
	if (!copy)
		return NULL;
	jstep *s = &j->v[j->n++];
	*s = (jstep){ .kind = kind, .path = copy };
	return s;
}

/* Step 1. root NULL (a dry run): only what DEST has, no inodes. Then the
 * removals that exist in DEST. */
static int merge_scan(journal *j, const weft_templates_plan *p, const char *root, const char *dest, bool git,
		      const char *const *remove, size_t n_remove, weft_diags *d)
{
	int err = WEFT_OK;
	for (size_t i = 0; i < n_remove && !err; i++) {
		char *at = join(dest, remove[i]);
		struct stat st;
		if (!at)
			err = WEFT_ENOMEM;
		else if (lstat(at, &st) == 0 && !journal_add(j, J_REMOVE, remove[i], strlen(remove[i])))
			err = WEFT_ENOMEM;
		free(at);
	}
	for (size_t i = 0; i <= p->n && !err; i++) {
		const char *rel = i < p->n ? p->v[i].path : ".git";
		bool dir = i < p->n && p->v[i].pub.action == WEFT_TEMPLATES_DIR;
		if (i == p->n && !git)
			break;
		char *at = join(dest, rel), *from = root ? join(root, rel) : NULL;
		struct stat st;
		int rc = at ? lstat(at, &st) : -1;
		if (!at || (root && !from)) {
			err = WEFT_ENOMEM;
		} else if (rc != 0 && errno != ENOENT) {
			weft_diags_add(d, WEFT_SEV_ERROR, at, 0, 0, NULL, "cannot inspect: %s", strerror(errno));
			err = WEFT_EENV;
		} else {
			bool there = rc == 0;
			jkind kind = i == p->n ? J_GIT : dir ? J_DIR : there ? J_REPLACE : J_NEW;
			jstep *s = dir && there ? NULL : journal_add(j, kind, rel, strlen(rel));
			if (!(dir && there) && !s) {
				err = WEFT_ENOMEM;
			} else if (s && root && kind != J_DIR) {
				if (lstat(from, &st) != 0) {
					weft_diags_add(d, WEFT_SEV_ERROR, from, 0, 0, NULL, "cannot inspect: %s",
						       strerror(errno));
					err = WEFT_EENV;
				} else {
					s->dev = (uintmax_t)st.st_dev;
					s->ino = (uintmax_t)st.st_ino;
				}
			}
		}
		free(at);
		free(from);
	}
	return err;
}

/* Step 2. */
static int journal_save(const journal *j, const char *path, weft_diags *d)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put(&b, JOURNAL_HEAD, strlen(JOURNAL_HEAD));
	for (size_t i = 0; i < j->n; i++) {
		const jstep *s = &j->v[i];
		if (s->kind == J_DIR)
			weft_buf_printf(&b, "dir %s\n", s->path);
		else
			weft_buf_printf(&b, "%s %ju %ju %s\n", jkind_name[s->kind], s->dev, s->ino, s->path);
	}
	int err = b.oom ? WEFT_ENOMEM : weft_file_write_atomic(path, b.ptr, b.len, 0, d);
	weft_buf_free(&b);
	return err;
}

/* Read a journal back (a leftover's). false when it is not one we wrote. */
static bool journal_load(journal *j, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	weft_diags *scratch = NULL;
	if (weft_diags_new(&scratch))
		return false;
	bool ok = weft_file_read(&text, &len, path, JOURNAL_MAX, scratch) == 0 && strlen(text) == len &&
		  !strncmp(text, JOURNAL_HEAD, strlen(JOURNAL_HEAD));
	weft_diags_free(scratch);
	for (char *s = ok ? text + strlen(JOURNAL_HEAD) : NULL; s && *s && ok;) {
		char *nl = strchr(s, '\n');
		if (!nl) {
			ok = false;
			break;
		}
		*nl = '\0';
		jkind kind = J_DIR;
		size_t k = strcspn(s, " ");
		while (kind <= J_REMOVE && (strlen(jkind_name[kind]) != k || strncmp(s, jkind_name[kind], k)))
			kind++;
		char *rest = s + k, *end;
		uintmax_t dev = 0, ino = 0;
		ok = kind <= J_REMOVE && *rest == ' ';
		rest++;
		if (ok && kind != J_DIR) {
			errno = 0;
			dev = strtoumax(rest, &end, 10);
			ok = !errno && end != rest && *end == ' ';
			rest = end + 1;
			ino = ok ? strtoumax(rest, &end, 10) : 0;
			ok = ok && !errno && end != rest && *end == ' ';
			rest = end + 1;
		}
		ok = ok && weft_templates_path_is_safe(rest) && (kind != J_GIT || !strcmp(rest, ".git"));
		jstep *st = ok ? journal_add(j, kind, rest, strlen(rest)) : NULL;
		if (!st) {
			ok = false;
			break;
		}
		st->dev = dev;
		st->ino = ino;
		s = nl + 1;
	}
	free(text);
	if (!ok)
		journal_free(j);
	return ok;
}

/* rename, failing with EEXIST when to exists (where the kernel or the file
 * system has no RENAME_NOREPLACE, checked just before: a narrow race). */
static int rename_noreplace(const char *from, const char *to)
{
#ifdef SYS_renameat2
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	struct stat st;
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* The folders of rel's parent under base, made as needed (private). */
static int mkdir_parents(const char *base, const char *rel)
{
	char *full = join(base, rel);
	if (!full) {
		errno = ENOMEM;
		return -1;
	}
	int rc = 0;
	for (char *s = full + strlen(base) + 1; *s && !rc; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(full, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(full);
	return rc;
}

/* The test hook: true (with errno set) when it fails this step. */
static bool injected_move(const weft_templates_write_opts *o, const char *rel)
{
	int e = o->before_move ? o->before_move(o->hook_ctx, rel) : 0;
	if (e)
		errno = e;
	return e != 0;
}

/* Step 3. */
static int merge_apply(const journal *j, const char *root, const char *backup, const char *dest,
		       const weft_templates_write_opts *o, weft_diags *d)
{
	int err = WEFT_OK;
	for (size_t i = 0; i < j->n && !err; i++) {
		const jstep *s = &j->v[i];
		char *at = join(dest, s->path), *from = join(root, s->path), *aside = join(backup, s->path);
		const char *what = NULL;
		if (!at || !from || !aside) {
			err = WEFT_ENOMEM;
		} else if (s->kind == J_DIR) {
			if (injected_move(o, s->path) || mkdir(at, 0755) != 0)
				what = "cannot create the folder";
		} else if (s->kind == J_REMOVE) {
			if (injected_move(o, s->path) || mkdir_parents(backup, s->path) != 0 || rename(at, aside) != 0)
				what = "cannot remove";
		} else {
			if (s->kind == J_REPLACE &&
			    (injected_move(o, s->path) || mkdir_parents(backup, s->path) != 0 || rename(at, aside) != 0))
				what = "cannot move the existing file aside";
			else if (injected_move(o, s->path) || rename_noreplace(from, at) != 0)
				what = s->kind == J_GIT ? "cannot move the git repository into place"
							: "cannot move into place";
		}
		if (what) {
			weft_diags_add(d, WEFT_SEV_ERROR, at, 0, 0, NULL, "%s: %s", what, strerror(errno));
			err = WEFT_EENV;
		}
		free(at);
		free(from);
		free(aside);
	}
	return err;
}

/* Undo step 3, whatever part of it happened. Returns how many originals
 * are still in backup (0: DEST has them all back). */
static size_t merge_rollback(const journal *j, const char *root, const char *backup, const char *dest,
			     weft_diags *d)
{
	size_t stuck = 0;
	for (size_t i = j->n; i-- > 0;) {
		const jstep *s = &j->v[i];
		char *at = join(dest, s->path), *from = join(root, s->path), *aside = join(backup, s->path);
		struct stat st;
		if (!at || !from || !aside) {
			stuck += s->kind == J_REPLACE;
		} else if (s->kind == J_DIR) {
			if (rmdir(at) != 0 && errno != ENOENT)
				weft_diags_add(d, WEFT_SEV_WARNING, at, 0, 0, NULL,
					       "cannot remove the folder weft new made here: %s", strerror(errno));
		} else if (s->kind == J_REMOVE) {
			if (lstat(aside, &st) == 0 && rename_noreplace(aside, at) != 0) {
				weft_diags_add(d, WEFT_SEV_WARNING, at, 0, 0, NULL, "cannot put the original back: %s",
					       strerror(errno));
				stuck++;
			}
		} else {
			if (lstat(at, &st) == 0 && (uintmax_t)st.st_dev == s->dev && (uintmax_t)st.st_ino == s->ino &&
			    rename(at, from) != 0)
				weft_diags_add(d, WEFT_SEV_WARNING, at, 0, 0, NULL, "cannot move the new file out again: %s",
					       strerror(errno));
			if (s->kind == J_REPLACE && lstat(aside, &st) == 0 && rename_noreplace(aside, at) != 0) {
				weft_diags_add(d, WEFT_SEV_WARNING, at, 0, 0, NULL, "cannot put the original back: %s",
					       strerror(errno));
				stuck++;
			}
		}
		free(at);
		free(from);
		free(aside);
	}
	return stuck;
}

/* The replaced files of a scan, into res. */
static int list_replaced(const journal *j, weft_templates_write_result *res)
{
	size_t n = 0;
	for (size_t i = 0; i < j->n; i++)
		n += j->v[i].kind == J_REPLACE;
	if (!n)
		return WEFT_OK;
	res->replaced = calloc(n, sizeof *res->replaced);
	if (!res->replaced)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].kind == J_REPLACE && !(res->replaced[res->n_replaced++] = strdup(j->v[i].path)))
			return WEFT_ENOMEM;
	return WEFT_OK;
}

/* Steps 1 to 4, with rollback; *keep set when tmp holds originals that
 * could not be put back and must not be removed. */
static int merge_into(const weft_templates_plan *p, const char *const *remove, size_t n_remove, const char *tmp,
		      const char *root, const char *dest, const weft_templates_write_opts *o,
		      weft_templates_write_result *res, bool *keep, weft_diags *d)
{
	journal j = { 0 };
	char *backup = join(tmp, TMP_BACKUP), *jpath = join(tmp, TMP_JOURNAL);
	int err = backup && jpath ? WEFT_OK : WEFT_ENOMEM;
	if (!err)
		err = merge_scan(&j, p, root, dest, res->commit[0] != '\0', remove, n_remove, d);
	if (!err)
		err = list_replaced(&j, res);
	if (!err && mkdir(backup, 0700) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, backup, 0, 0, NULL, "cannot create the folder: %s", strerror(errno));
		err = WEFT_EENV;
	}
	bool journaled = false;
	if (!err)
		journaled = !(err = journal_save(&j, jpath, d)) || weft_path_exists(jpath);
	if (!err)
		err = merge_apply(&j, root, backup, dest, o, d);
	if (!err && unlink(jpath) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, jpath, 0, 0, NULL, "cannot finish: %s", strerror(errno));
		err = WEFT_EENV;
	}
	if (err && journaled) {
		size_t stuck = merge_rollback(&j, root, backup, dest, d);
		if (stuck) {
			*keep = true;
			weft_diags_add(d, WEFT_SEV_WARNING, backup, 0, 0,
				       "the next weft new into the same folder puts them back; or move them back by hand",
				       "%zu of the files --force replaced in '%s' could not be put back; the originals are "
				       "kept here",
				       stuck, dest);
		} else {
			unlink(jpath);
		}
	}
	journal_free(&j);
	free(backup);
	free(jpath);
	return err;
}

/* A killed run's journal (see above): undo what it did to dest. true when
 * every original is back and the leftover folder may go. */
static bool merge_recover(const char *leftover, const char *root, const char *dest, size_t *restored,
			  weft_diags *d)
{
	journal j = { 0 };
	char *jpath = join(leftover, TMP_JOURNAL), *backup = join(leftover, TMP_BACKUP);
	bool ok = jpath && backup && journal_load(&j, jpath);
	*restored = 0;
	for (size_t i = 0; ok && i < j.n; i++) {
		char *aside = j.v[i].kind == J_REPLACE || j.v[i].kind == J_REMOVE ? join(backup, j.v[i].path) : NULL;
		struct stat st;
		*restored += aside && lstat(aside, &st) == 0;
		free(aside);
	}
	if (ok)
		ok = merge_rollback(&j, root, backup, dest, d) == 0;
	if (ok)
		ok = unlink(jpath) == 0;
	journal_free(&j);
	free(jpath);
	free(backup);
	return ok;
}

/* Move every top-level entry of tmp into the empty folder dest; on failure
 * move back what was moved, so dest is empty again. */
static int move_top(const char *tmp, const char *dest, weft_diags *d)
{
	struct dirent **ents = NULL;
	int k = scandir(tmp, &ents, NULL, by_name);
	if (k < 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, tmp, 0, 0, NULL, "cannot read: %s", strerror(errno));
		return WEFT_EENV;
	}
	int err = WEFT_OK, moved = 0;
	for (int i = 0; i < k && !err; i++) {
		const char *n = ents[i]->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..")) {
			moved = i + 1;
			continue;
		}
		char *from = join(tmp, n), *to = join(dest, n);
		if (!from || !to) {
			err = WEFT_ENOMEM;
		} else if (rename(from, to) != 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, to, 0, 0, NULL, "cannot move into place: %s", strerror(errno));
			err = WEFT_EENV;
		} else {
			moved = i + 1;
		}
		free(from);
		free(to);
	}
	for (int i = 0; err && i < moved; i++) {
		const char *n = ents[i]->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		char *from = join(dest, n), *to = join(tmp, n);
		if (from && to)
			rename(from, to);
		free(from);
		free(to);
	}
	for (int i = 0; i < k; i++)
		free(ents[i]);
	free(ents);
	return err;
}

/* ---- the temporary folder and its marker ---- */

#define TMP_PREFIX ".weft-tmp-"
#define TMP_MARKER ".weft-incomplete"
#define TMP_PROJECT "p"
#define MARKER_MAX 1024

static void host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		buf[0] = '\0';
	buf[len - 1] = '\0';
}

/* The marker's text: a line saying what this is, then pid, host, dest. The
 * destination's name comes last and runs to the final newline. */
static int write_marker(const char *tmp, const char *name, weft_diags *d)
{
	char host[256];
	host_name(host, sizeof host);
	weft_buf text = WEFT_BUF_INIT, path = WEFT_BUF_INIT;
	weft_buf_printf(&text, "weft new: an unfinished project; removed by the next weft new into the same folder\n"
			       "pid %ld\nhost %s\ndest %s\n",
			(long)getpid(), host, name);
	weft_buf_printf(&path, "%s/%s", tmp, TMP_MARKER);
	if (text.oom || path.oom) {
		weft_buf_free(&text);
		weft_buf_free(&path);
		return WEFT_ENOMEM;
	}
	int err = WEFT_OK;
	int fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t off = 0;
	while (fd >= 0 && off < text.len) {
		ssize_t w = write(fd, text.ptr + off, text.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fd < 0 || off < text.len || close(fd) != 0) {
		int saved = errno;
		if (fd >= 0 && off < text.len)
			close(fd);
		weft_diags_add(d, WEFT_SEV_ERROR, path.ptr, 0, 0, NULL, "cannot mark the temporary folder: %s",
			       strerror(saved));
		err = WEFT_EENV;
	}
	weft_buf_free(&text);
	weft_buf_free(&path);
	return err;
}

/* Read the marker of the folder open as dir_fd: its pid, host and
 * destination name. false when there is none or it is not one of ours. */
static bool read_marker(int dir_fd, long *pid, char *host, size_t host_len, char *name, size_t name_len)
{
	int fd = openat(dir_fd, TMP_MARKER, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return false;
	struct stat st;
	char buf[MARKER_MAX + 1];
	size_t got = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= MARKER_MAX) {
		ssize_t r;
		while (got < MARKER_MAX && (r = read(fd, buf + got, MARKER_MAX - got)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				got = 0;
				break;
			}
			got += (size_t)r;
		}
	}
	close(fd);
	buf[got] = '\0';
	if (got == 0 || strlen(buf) != got || buf[got - 1] != '\n' || strncmp(buf, "weft new: ", 10))
		return false;
	const char *p = strstr(buf, "\npid "), *h = strstr(buf, "\nhost "), *n = strstr(buf, "\ndest ");
	if (!p || !h || !n || !(p < h && h < n))
		return false;
	char *end;
	errno = 0;
	*pid = strtol(p + 5, &end, 10);
	if (errno || end == p + 5 || end != h || *pid <= 0 || *pid > INT_MAX)
		return false;
	size_t hl = strcspn(h + 6, "\n"), nl = strlen(n + 6) - 1;
	if (hl >= host_len || nl >= name_len || h + 6 + hl != n)
		return false;
	memcpy(host, h + 6, hl);
	host[hl] = '\0';
	memcpy(name, n + 6, nl);
	name[nl] = '\0';
	return true;
}

/* Remove the temporary folders in parent that a killed weft left while
 * writing a project named name there (see the design note at the top). */
static void remove_leftovers(const char *parent, const char *name, weft_diags *d)
{
	int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return;
	DIR *dh = fdopendir(pfd);
	if (!dh) {
		close(pfd);
		return;
	}
	char host[256];
	host_name(host, sizeof host);
	size_t prefix = strlen(TMP_PREFIX);
	struct dirent *de;
	while ((de = readdir(dh))) {
		/* mkdtemp's names: the prefix and six characters */
		if (strncmp(de->d_name, TMP_PREFIX, prefix) || strlen(de->d_name) != prefix + 6)
			continue;
		struct stat st, fst;
		if (fstatat(pfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		int fd = openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		long pid = 0;
		char mhost[256], mname[NAME_MAX + 1];
		bool ours = fstat(fd, &fst) == 0 && fst.st_dev == st.st_dev && fst.st_ino == st.st_ino &&
			    read_marker(fd, &pid, mhost, sizeof mhost, mname, sizeof mname);
		close(fd);
		if (!ours || strcmp(mname, name) || strcmp(mhost, host))
			continue;
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* its weft may still be running */
		weft_buf full = WEFT_BUF_INIT, journal_path = WEFT_BUF_INIT, root = WEFT_BUF_INIT,
			 dest = WEFT_BUF_INIT;
		const char *sep = strcmp(parent, "/") ? "/" : "";
		weft_buf_printf(&full, "%s%s%s", parent, sep, de->d_name);
		weft_buf_printf(&journal_path, "%s/" TMP_JOURNAL, full.ptr);
		weft_buf_printf(&root, "%s/" TMP_PROJECT, full.ptr);
		weft_buf_printf(&dest, "%s%s%s", parent, sep, name);
		if (full.oom || journal_path.oom || root.oom || dest.oom) {
			weft_buf_free(&full);
			weft_buf_free(&journal_path);
			weft_buf_free(&root);
			weft_buf_free(&dest);
			break;
		}
		/* an interrupted --force: put DEST back first (see merge_into) */
		struct stat jst;
		size_t restored = 0;
		bool journaled = lstat(journal_path.ptr, &jst) == 0;
		bool recovered = journaled && merge_recover(full.ptr, root.ptr, dest.ptr, &restored, d);
		weft_buf_free(&journal_path);
		weft_buf_free(&root);
		if (journaled && !recovered) {
			weft_diags_add(d, WEFT_SEV_WARNING, full.ptr, 0, 0,
				       "its folder " TMP_BACKUP " holds the original files; move them back by hand",
				       "cannot undo an interrupted weft new --force into '%s' (process %ld); kept",
				       name, pid);
			weft_buf_free(&full);
			weft_buf_free(&dest);
			continue;
		}
		if (recovered)
			weft_diags_add(d, WEFT_SEV_NOTE, dest.ptr, 0, 0, NULL,
				       "undid an interrupted weft new --force (process %ld is gone): %zu replaced "
				       "file%s put back, its new files removed",
				       pid, restored, restored == 1 ? "" : "s");
		weft_buf_free(&dest);
		weft_file_rm_tree(full.ptr);
		if (weft_path_exists(full.ptr))
			weft_diags_add(d, WEFT_SEV_WARNING, full.ptr, 0, 0, "remove it by hand",
				       "cannot remove the temporary folder left by an interrupted weft new into "
				       "'%s' (process %ld)",
				       name, pid);
		else
			weft_diags_add(d, WEFT_SEV_NOTE, full.ptr, 0, 0, NULL,
				       "removed the temporary folder left by an interrupted weft new into '%s' "
				       "(process %ld is gone)",
				       name, pid);
		weft_buf_free(&full);
	}
	closedir(dh);
}

/* realpath of dest, or of its parent joined with its name when dest does
 * not exist yet. NULL (with a diagnostic) when the parent is missing. */
static char *canonical(const char *dest, weft_diags *d)
{
	char buf[PATH_MAX];
	if (weft_path_exists(dest)) {
		if (!realpath(dest, buf)) {
			weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot resolve: %s", strerror(errno));
			return NULL;
		}
		if (!strcmp(buf, "/")) {
			weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot create a project at the root folder");
			return NULL;
		}
		return strdup(buf);
	}
	char *copy = strdup(dest);
	if (!copy)
		return NULL;
	char *slash = strrchr(copy, '/');
	const char *parent = ".", *base = copy;
	if (slash) {
		*slash = '\0';
		parent = slash == copy ? "/" : copy;
		base = slash + 1;
	}
	char *out = NULL;
	if (!realpath(parent, buf)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, "create the folder that will hold it first",
			       "cannot use '%s' as the parent folder: %s", parent, strerror(errno));
	} else {
		weft_buf b = WEFT_BUF_INIT;
		weft_buf_printf(&b, "%s/%s", strcmp(buf, "/") ? buf : "", base);
		out = weft_buf_detach(&b);
	}
	free(copy);
	return out;
}

/* dest without trailing slashes (a copy), or NULL without memory. */
static char *dest_norm(const char *dest_in)
{
	char *dest = strdup(dest_in ? dest_in : "");
	size_t dl = dest ? strlen(dest) : 0;
	while (dl > 1 && dest[dl - 1] == '/')
		dest[--dl] = '\0';
	return dest;
}

/* The checks on dest before anything is written, shared by the dry run and
 * the real run so both refuse alike: not a symbolic link, a folder when it
 * exists, empty unless --force, and a merge the plan can make. *exists and
 * *merge (dest holds something) are set for the caller. */
static int dest_check(const weft_templates_plan *p, const char *dest, const weft_templates_write_opts *o,
		      bool *exists, bool *merge, weft_diags *d)
{
	*exists = *merge = false;
	struct stat st;
	if (!*dest) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "no destination folder given");
		return WEFT_EUSAGE;
	}
	if (lstat(dest, &st) != 0) {
		if (errno == ENOENT)
			return WEFT_OK;
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot inspect: %s", strerror(errno));
		return WEFT_EENV;
	}
	*exists = true;
	if (S_ISLNK(st.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, "give the real path of the folder",
			       "the destination is a symbolic link");
		return WEFT_EENV;
	}
	if (!S_ISDIR(st.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "exists and is not a folder");
		return WEFT_EEXISTS;
	}
	DIR *dh = opendir(dest);
	struct dirent *de;
	while (dh && (de = readdir(dh)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			*merge = true;
	if (dh)
		closedir(dh);
	if (*merge && !o->force) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0,
			       "choose a new folder, or pass --force to write the template's files into it "
			       "(other files are left alone)",
			       "destination folder is not empty");
		return WEFT_EEXISTS;
	}
	return *merge ? check_merge(p, dest, d) : WEFT_OK;
}

/* A leftover of an earlier run beside dest is recovered (an interrupted
 * --force put back) or removed first, so that what dest holds is checked
 * as the user left it. */
static void recover_beside(const char *dest, weft_diags *d)
{
	weft_diags *quiet = NULL; /* a bad dest is reported by the checks that follow */
	if (!*dest || weft_diags_new(&quiet))
		return;
	char *canon = canonical(dest, quiet);
	char *slash = canon ? strrchr(canon, '/') : NULL;
	if (slash) {
		*slash = '\0';
		remove_leftovers(slash == canon ? "/" : canon, slash + 1, d);
	}
	free(canon);
	weft_diags_free(quiet);
}

int weft_templates_plan_check_dest(const weft_templates_plan *p, const char *dest_in,
				   const weft_templates_write_opts *o, weft_diags *d)
{
	weft_templates_write_opts none = { 0 };
	if (!o)
		o = &none;
	char *dest = dest_norm(dest_in);
	if (!dest)
		return WEFT_ENOMEM;
	bool exists, merge;
	int err = dest_check(p, dest, o, &exists, &merge, d);
	char *canon = err ? NULL : canonical(dest, d);
	if (!err && !canon)
		err = WEFT_EENV;
	char *slash = canon ? strrchr(canon, '/') : NULL;
	if (canon && slash) {
		/* the temporary folder is made beside dest */
		*slash = '\0';
		if (access(slash == canon ? "/" : canon, W_OK | X_OK) != 0) {
			*slash = '/';
			weft_diags_add(d, WEFT_SEV_ERROR, canon, 0, 0,
				       "the folder that will hold the destination must exist and be writable",
				       "cannot create a temporary folder beside the destination: %s", strerror(errno));
			err = WEFT_EENV;
		}
	}
	free(canon);
	free(dest);
	return err;
}

/* The temporary folder beside dest (so that the final rename is atomic),
 * into *tmp, with its marker naming dest. */
static int make_temp(char **tmp, const char *dest, weft_diags *d)
{
	*tmp = NULL;
	const char *slash = strrchr(dest, '/');
	if (!slash) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot find the parent folder");
		return WEFT_EENV;
	}
	weft_buf t = WEFT_BUF_INIT;
	weft_buf_printf(&t, "%.*s/" TMP_PREFIX "XXXXXX", (int)(slash - dest), dest);
	if (t.oom)
		return WEFT_ENOMEM;
	char *dir = weft_buf_detach(&t);
	if (!mkdtemp(dir)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0,
			       "the folder that will hold the destination must exist and be writable",
			       "cannot create a temporary folder beside the destination: %s", strerror(errno));
		free(dir);
		return WEFT_EENV;
	}
	*tmp = dir;
	return write_marker(dir, slash + 1, d);
}

/* The project folder inside tmp (mode 0777 less the umask, applied by the
 * kernel), into *root, with the plan's entries written into it. */
static int make_project(char **root, const weft_templates_plan *p, const char *tmp,
			const weft_templates_write_opts *o, weft_diags *d)
{
	if (!(*root = join(tmp, TMP_PROJECT)))
		return WEFT_ENOMEM;
	if (mkdir(*root, 0777) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, *root, 0, 0, NULL, "cannot create the folder: %s", strerror(errno));
		return WEFT_EENV;
	}
	return write_entries(p, *root, o, d);
}

/* The git repository of the project at root and its first commit (into
 * res), unless it is written into dest that is one already (merge). */
static int first_commit(const weft_templates_plan *p, const char *root, const char *dest, bool merge,
			weft_templates_write_result *res, weft_diags *d)
{
	char *git_dir = join(dest, ".git");
	if (!git_dir)
		return WEFT_ENOMEM;
	res->git_skipped = merge && weft_path_exists(git_dir);
	free(git_dir);
	if (res->git_skipped)
		return WEFT_OK;
	weft_buf msg = WEFT_BUF_INIT;
	weft_buf_printf(&msg, "Create project from template %s %s\n\n"
			"Generated by weft %s from %s; the answers are in %s.\n",
			p->name, p->version, weft_version(), p->origin, WEFT_TEMPLATES_ANSWERS_FILE);
	int err = msg.oom ? WEFT_ENOMEM
			  : weft_templates_git_commit(res->commit, res->author, sizeof res->author,
						      &res->identity_fallback, root, msg.ptr, d);
	weft_buf_free(&msg);
	return err ? err : weft_templates_plan_keep_base(p, root, d);
}

int weft_templates_plan_keep_base(const weft_templates_plan *p, const char *dir, weft_diags *d)
{
	char hex[41];
	int err = weft_templates_plan_base_commit(hex, p, dir, d);
	return err ? err : weft_templates_git_base_set(dir, hex, d);
}

int weft_templates_plan_base_commit(char hex[41], const weft_templates_plan *p, const char *dir, weft_diags *d)
{
	weft_buf msg = WEFT_BUF_INIT;
	weft_buf_printf(&msg, "weft template base: %s %s\n\n"
			"The files of template %s %s from %s as weft %s rendered them for this\n"
			"project; weft update merges the next version from here.\n",
			p->name, p->version, p->name, p->version, p->origin, weft_version());
	int err = msg.oom ? WEFT_ENOMEM : weft_templates_git_base_commit(hex, dir, p, msg.ptr, d);
	weft_buf_free(&msg);
	return err;
}

/* Move the project at root into dest: rename it (dest absent), move its
 * entries in (dest an empty folder), or merge its files in as one
 * transaction (merge: see merge_into; *keep when tmp holds originals). */
static int move_into_place(const weft_templates_plan *p, const char *tmp, const char *root, const char *dest,
			   bool exists, bool merge, const weft_templates_write_opts *o,
			   weft_templates_write_result *res, bool *keep, weft_diags *d)
{
	if (merge)
		return merge_into(p, NULL, 0, tmp, root, dest, o, res, keep, d);
	if (exists) /* an empty folder (perhaps the current one): fill it, keep it */
		return move_top(root, dest, d);
	if (rename(root, dest) != 0) {
		int saved = errno;
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot move the project into place: %s",
			       strerror(saved));
		return saved == ENOTEMPTY || saved == EEXIST ? WEFT_EEXISTS : WEFT_EENV;
	}
	return WEFT_OK;
}

/* A dry run with force into a non-empty dest (merge): which of its files
 * the plan would replace, into res; nothing is written. */
static int dry_run_replaced(const weft_templates_plan *p, const char *dest, bool merge,
			    weft_templates_write_result *res, weft_diags *d)
{
	journal j = { 0 };
	int err = WEFT_OK;
	if (merge && !(err = merge_scan(&j, p, NULL, dest, false, NULL, 0, d)))
		err = list_replaced(&j, res);
	journal_free(&j);
	return err;
}

int weft_templates_plan_write(const weft_templates_plan *p, const char *dest_in,
			      const weft_templates_write_opts *o, weft_templates_write_result *res,
			      weft_diags *d)
{
	weft_templates_write_opts none = { 0 };
	weft_templates_write_result scratch;
	if (!o)
		o = &none;
	if (!res)
		res = &scratch;
	memset(res, 0, sizeof *res);
	char *dest = dest_norm(dest_in);
	if (!dest)
		return WEFT_ENOMEM;
	char *tmp = NULL, *root = NULL;
	bool merge = false, exists = false, keep = false;
	if (!o->dry_run)
		recover_beside(dest, d);
	int err = dest_check(p, dest, o, &exists, &merge, d);
	res->merged = merge;
	if (!err && o->dry_run) {
		err = dry_run_replaced(p, dest, merge, res, d);
	} else if (!err) {
		/* a canonical path, so that "." or "x/.." have a real parent and name */
		char *canon = canonical(dest, d);
		free(dest);
		dest = canon;
		err = dest ? make_temp(&tmp, dest, d) : WEFT_EENV;
		if (!err)
			err = make_project(&root, p, tmp, o, d);
		if (!err && o->git)
			err = first_commit(p, root, dest, merge, res, d);
		if (!err)
			err = move_into_place(p, tmp, root, dest, exists, merge, o, res, &keep, d);
	}
	/* the marker and whatever was not moved into place, unless it holds
	 * originals that could not be put back */
	if (tmp && !keep)
		weft_file_rm_tree(tmp);
	free(tmp);
	free(root);
	free(dest);
	if (err || res == &scratch)
		weft_templates_write_result_free(res);
	return err;
}

void weft_templates_write_result_free(weft_templates_write_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_replaced; i++)
		free(res->replaced[i]);
	free(res->replaced);
	memset(res, 0, sizeof *res);
}

/* ---- plans built by hand: weft update ------------------------------------------- */

int weft_templates_plan_empty(weft_templates_plan **out, const char *name, const char *version,
			      const char *origin)
{
	*out = NULL;
	weft_templates_plan *p = calloc(1, sizeof *p);
	if (!p)
		return WEFT_ENOMEM;
	p->name = strdup(name ? name : "");
	p->version = strdup(version ? version : "");
	p->origin = strdup(origin ? origin : "");
	if (!p->name || !p->version || !p->origin) {
		weft_templates_plan_free(p);
		return WEFT_ENOMEM;
	}
	*out = p;
	return WEFT_OK;
}

int weft_templates_plan_put(weft_templates_plan *p, const char *path, weft_templates_action action,
			    unsigned mode, const char *data, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (slash) {
		char *parent = strndup(path, (size_t)(slash - path));
		int err = parent ? plan_dirs(p, parent) : WEFT_ENOMEM;
		free(parent);
		if (err)
			return err;
	}
	entry *e = plan_add(p);
	if (!e)
		return WEFT_ENOMEM;
	e->path = strdup(path);
	e->data = malloc(len + 1);
	if (!e->path || !e->data) {
		free(e->path);
		free(e->data);
		p->n--;
		return WEFT_ENOMEM;
	}
	if (len)
		memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->pub.action = action;
	e->pub.mode = mode;
	e->pub.size = len;
	return WEFT_OK;
}

void weft_templates_plan_sort(weft_templates_plan *p)
{
	if (p->n)
		qsort(p->v, p->n, sizeof *p->v, by_path);
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].pub.path = p->v[i].path;
		p->v[i].pub.source = p->v[i].source;
	}
}

const char *weft_templates_plan_data(const weft_templates_plan *p, size_t i, size_t *len)
{
	if (i >= p->n) {
		*len = 0;
		return NULL;
	}
	*len = p->v[i].len;
	return p->v[i].data;
}

/* Remove the folders above rel in dest that the removal left empty. */
static void prune_empty(const char *dest, const char *rel)
{
	char *full = join(dest, rel);
	for (char *s = full ? strrchr(full, '/') : NULL; s && s > full + strlen(dest); s = strrchr(full, '/')) {
		*s = '\0';
		if (rmdir(full) != 0)
			break;
	}
	free(full);
}

int weft_templates_plan_apply(const weft_templates_plan *p, const char *const *remove, size_t n_remove,
			      const char *dest_in, const weft_templates_write_opts *o, weft_diags *d)
{
	weft_templates_write_opts none = { 0 };
	if (!o)
		o = &none;
	weft_templates_write_result res = { 0 };
	char *dest = dest_norm(dest_in);
	if (!dest)
		return WEFT_ENOMEM;
	struct stat st;
	int err = WEFT_OK;
	if (lstat(dest, &st) != 0 || !S_ISDIR(st.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "is not a folder");
		err = WEFT_EENV;
	}
	if (!err) {
		recover_beside(dest, d);
		err = check_merge(p, dest, d);
	}
	char *tmp = NULL, *root = NULL;
	bool keep = false;
	if (!err) {
		char *canon = canonical(dest, d);
		free(dest);
		dest = canon;
		err = dest ? make_temp(&tmp, dest, d) : WEFT_EENV;
	}
	if (!err)
		err = make_project(&root, p, tmp, o, d);
	if (!err)
		err = merge_into(p, remove, n_remove, tmp, root, dest, o, &res, &keep, d);
	for (size_t i = 0; !err && i < n_remove; i++)
		prune_empty(dest, remove[i]);
	if (tmp && !keep)
		weft_file_rm_tree(tmp);
	weft_templates_write_result_free(&res);
	free(tmp);
	free(root);
	free(dest);
	return err;
}
