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
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "templates_int.h"

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

static int hostile(walker *w, const char *src_rel, const char *hint, const char *fmt, const char *a,
		   const char *b) WEFT_PRINTF(4, 0);
static int hostile(walker *w, const char *src_rel, const char *hint, const char *fmt, const char *a,
		   const char *b)
{
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", w->base, src_rel);
	weft_diags_add(w->d, WEFT_SEV_ERROR, p.ptr, 0, 0, hint, fmt, a, b);
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

/* Render one path component; "" means "leave this entry out". */
static int render_name(walker *w, const char *src_rel, const char *name, char **out)
{
	if (w->verbatim || !strstr(name, "{{"))
		return (*out = strdup(name)) ? WEFT_OK : WEFT_ENOMEM;
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", w->base, src_rel);
	weft_templates_render_opts ro = { .max_output = 4096 };
	int err = p.oom ? WEFT_ENOMEM : weft_templates_render_string(out, p.ptr, name, w->values, &ro, w->d);
	weft_buf_free(&p);
	return err;
}

static int check_name(walker *w, const char *src_rel, const char *name, const char *rendered, bool top)
{
	const char *hint = "a file name may not take '/', '..' or control characters from a variable";
	if (strchr(rendered, '/'))
		return hostile(w, src_rel, hint, "name '%s' renders to '%s', which contains '/'", name, rendered);
	if (!strcmp(rendered, ".") || !strcmp(rendered, ".."))
		return hostile(w, src_rel, hint, "name '%s' renders to '%s'", name, rendered);
	for (const unsigned char *u = (const unsigned char *)rendered; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return hostile(w, src_rel, hint, "name '%s' renders to a name with control characters%s",
				       name, "");
	if (!strcasecmp(rendered, ".git"))
		return hostile(w, src_rel, "a template may not write into the project's git repository",
			       "name '%s' renders to '%s'", name, rendered);
	if (top && !strcmp(rendered, WEFT_TEMPLATES_ANSWERS_FILE))
		return hostile(w, src_rel, "weft writes this file itself", "name '%s' renders to '%s'", name,
			       rendered);
	if (strlen(rendered) > 255)
		return hostile(w, src_rel, NULL, "name '%s' renders to a name longer than 255 bytes%s", name, "");
	return WEFT_OK;
}

/* A link may only climb with leading "..", no higher than its own folder's
 * depth, and then only go down: so it resolves inside the project whatever
 * the other links are. */
static int check_link(walker *w, const char *src_rel, const char *target, int depth)
{
	const char *hint = "links in a template must stay inside its files folder";
	if (!*target || target[0] == '/')
		return hostile(w, src_rel, hint, "symbolic link to '%s' points outside the template%s", target, "");
	bool down = false;
	int level = depth;
	for (const char *s = target; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		bool up = n == 2 && s[0] == '.' && s[1] == '.';
		if (n == 0 || (n == 1 && s[0] == '.') || (up && down))
			return hostile(w, src_rel, hint, "symbolic link to '%s' has a path weft does not follow%s",
				       target, "");
		if (up && --level < 0)
			return hostile(w, src_rel, hint, "symbolic link to '%s' points outside the template%s", target,
				       "");
		if (!up)
			down = true;
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
		return hostile(w, src_rel, NULL, "the project would be larger than %s%s", "512 MiB", "");
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
		return hostile(w, src_rel, NULL, "folders nested more than %s deep%s", "32", "");
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
			err = hostile(w, src.ptr, NULL, "more than %s files and folders%s", "10000", "");
		} else if (lstat(full.ptr, &st) != 0) {
			weft_diags_add(w->d, WEFT_SEV_ERROR, full.ptr, 0, 0, NULL, "cannot read: %s", strerror(errno));
			err = WEFT_EENV;
		} else if ((err = apply_rules(w, src.ptr, &at)) || at.skip) {
			/* left out */
		} else if ((err = render_name(w, src.ptr, name, &rendered)) || !*rendered) {
			/* a name that renders empty leaves the entry (and what it holds) out */
		} else if (!(err = check_name(w, src.ptr, name, rendered, !*out_rel))) {
			weft_buf_printf(&out, "%s%s%s", out_rel, *out_rel ? "/" : "", rendered);
			if (out.oom) {
				err = WEFT_ENOMEM;
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
					err = check_link(w, src.ptr, target, depth);
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
					      "special file (device, pipe or socket)%s%s", "", "");
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
	if (!err && m->n_includes && src && weft_templates_source_commit(src)) {
		/* a clone holds one template: its "collection" would be a scratch folder */
		weft_diags_add(d, WEFT_SEV_ERROR, m->path, m->includes[0].line, m->includes[0].col,
			       "include works for templates in a folder of templates, such as the shipped patterns",
			       "a template from a git repository cannot include shared folders");
		err = WEFT_EINVALID;
	}
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
		err = weft_templates_answers_text(&text, m, src ? weft_templates_source_origin(src) : m->dir,
						  src ? weft_templates_source_ref(src) : NULL,
						  src ? weft_templates_source_commit(src) : NULL, values);
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

static int move_entries(const weft_templates_plan *p, const char *tmp, const char *dest, weft_diags *d)
{
	for (size_t i = 0; i < p->n; i++) {
		const entry *e = &p->v[i];
		char *from = join(tmp, e->path), *to = join(dest, e->path);
		int err = from && to ? WEFT_OK : WEFT_ENOMEM;
		if (!err && e->pub.action == WEFT_TEMPLATES_DIR) {
			if (mkdir(to, 0755) != 0 && errno != EEXIST) {
				weft_diags_add(d, WEFT_SEV_ERROR, to, 0, 0, NULL, "cannot create the folder: %s",
					       strerror(errno));
				err = WEFT_EENV;
			}
		} else if (!err && rename(from, to) != 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, to, 0, 0, NULL, "cannot move into place: %s", strerror(errno));
			err = WEFT_EENV;
		}
		free(from);
		free(to);
		if (err)
			return err;
	}
	return WEFT_OK;
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
		weft_buf full = WEFT_BUF_INIT;
		weft_buf_printf(&full, "%s%s%s", parent, strcmp(parent, "/") ? "/" : "", de->d_name);
		if (full.oom) {
			weft_buf_free(&full);
			break;
		}
		weft_templates_rm_tree(full.ptr);
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
	char *dest = strdup(dest_in ? dest_in : "");
	if (!dest)
		return WEFT_ENOMEM;
	size_t dl = strlen(dest);
	while (dl > 1 && dest[dl - 1] == '/')
		dest[--dl] = '\0';
	char *tmp = NULL, *root = NULL;
	int err = WEFT_OK;
	bool merge = false, exists = false;
	struct stat st;
	if (!*dest) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "no destination folder given");
		err = WEFT_EUSAGE;
		goto out;
	}
	if (lstat(dest, &st) == 0) {
		exists = true;
		if (S_ISLNK(st.st_mode)) {
			weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, "give the real path of the folder",
				       "the destination is a symbolic link");
			err = WEFT_EENV;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "exists and is not a folder");
			err = WEFT_EEXISTS;
			goto out;
		}
		DIR *dh = opendir(dest);
		struct dirent *de;
		while (dh && (de = readdir(dh)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				merge = true;
		if (dh)
			closedir(dh);
		if (merge && !o->force) {
			weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0,
				       "choose a new folder, or pass --force to write the template's files into it "
				       "(other files are left alone)",
				       "destination folder is not empty");
			err = WEFT_EEXISTS;
			goto out;
		}
		if (merge && (err = check_merge(p, dest, d)))
			goto out;
	} else if (errno != ENOENT) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot inspect: %s", strerror(errno));
		err = WEFT_EENV;
		goto out;
	}
	res->merged = merge;

	/* a canonical path, so that "." or "x/.." have a real parent and name */
	char *canon = canonical(dest, d);
	if (!canon) {
		err = WEFT_EENV;
		goto out;
	}
	free(dest);
	dest = canon;

	/* the temporary folder: beside dest, so the final rename is atomic */
	char *slash = strrchr(dest, '/');
	weft_buf t = WEFT_BUF_INIT;
	if (!slash) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot find the parent folder");
		err = WEFT_EENV;
		goto out;
	}
	*slash = '\0';
	remove_leftovers(slash == dest ? "/" : dest, slash + 1, d);
	weft_buf_printf(&t, "%s/" TMP_PREFIX "XXXXXX", dest);
	*slash = '/';
	if (t.oom) {
		err = WEFT_ENOMEM;
		goto out;
	}
	tmp = weft_buf_detach(&t);
	if (!mkdtemp(tmp)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0,
			       "the folder that will hold the destination must exist and be writable",
			       "cannot create a temporary folder beside the destination: %s", strerror(errno));
		free(tmp);
		tmp = NULL;
		err = WEFT_EENV;
		goto out;
	}
	if ((err = write_marker(tmp, slash + 1, d)))
		goto out;
	/* the project: mode 0777 less the umask, applied by the kernel */
	root = join(tmp, TMP_PROJECT);
	if (!root) {
		err = WEFT_ENOMEM;
		goto out;
	}
	if (mkdir(root, 0777) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, root, 0, 0, NULL, "cannot create the folder: %s", strerror(errno));
		err = WEFT_EENV;
		goto out;
	}
	if ((err = write_entries(p, root, o, d)))
		goto out;
	if (o->git) {
		char *git_dir = join(dest, ".git");
		if (!git_dir) {
			err = WEFT_ENOMEM;
			goto out;
		}
		res->git_skipped = merge && weft_path_exists(git_dir);
		free(git_dir);
		if (!res->git_skipped) {
			weft_buf msg = WEFT_BUF_INIT;
			weft_buf_printf(&msg, "Create project from template %s %s\n\n"
					"Generated by weft %s from %s; the answers are in %s.\n",
					p->name, p->version, weft_version(), p->origin, WEFT_TEMPLATES_ANSWERS_FILE);
			err = msg.oom ? WEFT_ENOMEM
				      : weft_templates_git_commit(res->commit, res->author, sizeof res->author,
								  &res->identity_fallback, root, msg.ptr, d);
			weft_buf_free(&msg);
			if (err)
				goto out;
		}
	}
	if (!merge && exists) {
		/* an empty folder (perhaps the current one): fill it, keep it */
		if ((err = move_top(root, dest, d)))
			goto out;
	} else if (!merge) {
		if (rename(root, dest) != 0) {
			int saved = errno;
			weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot move the project into place: %s",
				       strerror(saved));
			err = saved == ENOTEMPTY || saved == EEXIST ? WEFT_EEXISTS : WEFT_EENV;
			goto out;
		}
	} else {
		if ((err = move_entries(p, root, dest, d)))
			goto out;
		if (res->commit[0]) {
			char *from = join(root, ".git"), *to = join(dest, ".git");
			if (!from || !to || rename(from, to) != 0) {
				weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "cannot move the git repository into place");
				err = WEFT_EENV;
			}
			free(from);
			free(to);
		}
	}
out:
	/* the marker and whatever was not moved into place */
	if (tmp)
		weft_templates_rm_tree(tmp);
	free(tmp);
	free(root);
	free(dest);
	if (err)
		memset(res, 0, sizeof *res);
	return err;
}
