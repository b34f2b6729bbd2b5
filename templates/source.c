/* source.c - where a template comes from: shipped pattern, folder or git.
 *
 * Design: a bare name (no '/') is a shipped pattern, looked up in
 * <data>/templates/patterns, where <data> is weft_data_dir() ($WEFT_DATA_DIR,
 * else the source tree, else the installed share/weft). Anything that looks
 * like a URL is cloned; a local folder is used in place unless a ref (or a
 * commit pinned by an answers file) asks for a version of it, in which case a
 * local repository is cloned too. Clones live in a private temporary folder
 * that weft_templates_source_free removes. What gets recorded (origin,
 * subdir, ref, commit, dirty, a content digest, weft's version) is what a
 * second run needs to reproduce the project, and to say when it cannot:
 * a local repository used in place is refused when its work tree has
 * uncommitted changes (its HEAD would not describe what was rendered)
 * unless allow_dirty, which records dirty: true.
 *
 * --subdir: the template is a folder inside the clone (or folder); it must
 * resolve, links included, inside it, and so must the shared folders the
 * template includes (weft_templates_record_of checks them against the root).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "templates_int.h"

struct weft_templates_source {
	char *dir;    /* template folder */
	char *origin; /* pattern name, absolute folder, or URL */
	char *ref;
	char *subdir; /* as given (trailing '/' dropped), or NULL */
	char *root;   /* real path the includes must stay in, or NULL */
	char commit[41];
	bool dirty;
	char *clone;  /* temporary clone to remove, or NULL */
};

static bool is_url(const char *s)
{
	if (strstr(s, "://"))
		return true;
	/* scp-like user@host:path: an '@' before the first ':', no '/' before it */
	const char *colon = strchr(s, ':');
	if (!colon)
		return false;
	size_t n = (size_t)(colon - s);
	return memchr(s, '@', n) && !memchr(s, '/', n);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *data_dir_of(const weft_templates_source_opts *o)
{
	return o->data_dir ? o->data_dir : weft_data_dir();
}

int weft_templates_shipped_list(char ***names, size_t *n, const char *data_dir, weft_diags *d)
{
	*names = NULL;
	*n = 0;
	weft_buf dir = WEFT_BUF_INIT;
	weft_buf_printf(&dir, "%s/templates/patterns", data_dir ? data_dir : weft_data_dir());
	if (dir.oom)
		return WEFT_ENOMEM;
	struct dirent **ents = NULL;
	int k = scandir(dir.ptr, &ents, NULL, alphasort);
	if (k < 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, dir.ptr, 0, 0,
			       "set WEFT_DATA_DIR to the folder holding templates/patterns",
			       "cannot read the shipped patterns folder");
		weft_buf_free(&dir);
		return WEFT_EENV;
	}
	char **v = calloc((size_t)k + 1, sizeof *v);
	int err = v ? WEFT_OK : WEFT_ENOMEM;
	for (int i = 0; i < k; i++) {
		if (!err && ents[i]->d_name[0] != '.') {
			weft_buf p = WEFT_BUF_INIT;
			weft_buf_printf(&p, "%s/%s/template.yaml", dir.ptr, ents[i]->d_name);
			struct stat st;
			if (p.ptr && stat(p.ptr, &st) == 0 && S_ISREG(st.st_mode)) {
				if (!(v[*n] = strdup(ents[i]->d_name)))
					err = WEFT_ENOMEM;
				else
					(*n)++;
			}
			weft_buf_free(&p);
		}
		free(ents[i]);
	}
	free(ents);
	weft_buf_free(&dir);
	if (err) {
		weft_templates_names_free(v, *n);
		*n = 0;
		return err;
	}
	*names = v;
	return WEFT_OK;
}

void weft_templates_names_free(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static int make_clone_dir(char **out, weft_diags *d)
{
	const char *tmp = getenv("TMPDIR");
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/weft-template-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (p.oom)
		return WEFT_ENOMEM;
	if (!mkdtemp(p.ptr)) {
		weft_diags_add(d, WEFT_SEV_ERROR, p.ptr, 0, 0, NULL, "cannot create a temporary folder");
		weft_buf_free(&p);
		return WEFT_EENV;
	}
	/* canonical, so that checks against the root compare real paths */
	char real[PATH_MAX];
	if (realpath(p.ptr, real)) {
		weft_buf_free(&p);
		weft_buf_puts(&p, real);
		if (p.oom)
			return WEFT_ENOMEM;
	}
	*out = weft_buf_detach(&p);
	return WEFT_OK;
}

/* Refuse a work tree with uncommitted changes unless allowed. */
static int check_clean(weft_templates_source *s, const char *repo, const char *spec, bool allow,
		       weft_diags *d)
{
	char **paths = NULL;
	size_t n = 0;
	int err = weft_templates_git_dirty(&paths, &n, repo, d);
	if (err || !n) {
		weft_templates_names_free(paths, n);
		return err;
	}
	if (allow) {
		s->dirty = true;
		weft_templates_names_free(paths, n);
		return WEFT_OK;
	}
	weft_buf list = WEFT_BUF_INIT;
	for (size_t i = 0; i < n && i < 5; i++)
		weft_buf_printf(&list, "%s%s", i ? ", " : "", paths[i]);
	if (n > 5)
		weft_buf_printf(&list, " and %zu more", n - 5);
	weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0,
		       "commit or stash them, or pass --allow-dirty to use the work tree as it is "
		       "(the answers file then records dirty: true)",
		       "the template repository has uncommitted changes (%zu path%s: %s); its commit would "
		       "not describe what gets rendered",
		       n, n == 1 ? "" : "s", list.ptr ? list.ptr : "?");
	weft_buf_free(&list);
	weft_templates_names_free(paths, n);
	return WEFT_EINVALID;
}

/* dir = base/subdir, a real folder whose real path lies inside base. */
static int apply_subdir(weft_templates_source *s, const char *base, weft_diags *d)
{
	char rbase[PATH_MAX], rsub[PATH_MAX];
	if (!realpath(base, rbase)) {
		weft_diags_add(d, WEFT_SEV_ERROR, base, 0, 0, NULL, "cannot resolve the template source: %s",
			       strerror(errno));
		return WEFT_EENV;
	}
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", rbase, s->subdir);
	if (p.oom)
		return WEFT_ENOMEM;
	int err = WEFT_OK;
	size_t nb = strlen(rbase);
	if (!realpath(p.ptr, rsub) || !is_dir(rsub)) {
		weft_diags_add(d, WEFT_SEV_ERROR, s->origin, 0, 0, NULL,
			       "--subdir '%s': no such folder in the template source", s->subdir);
		err = WEFT_EUSAGE;
	} else if (strncmp(rsub, rbase, nb) || (rsub[nb] != '/' && !(nb == 1 && rbase[0] == '/'))) {
		weft_diags_add(d, WEFT_SEV_ERROR, s->origin, 0, 0,
			       "a template folder reached through a symbolic link must stay inside the source",
			       "--subdir '%s' leads outside the template source (to %s)", s->subdir, rsub);
		err = WEFT_EINVALID;
	} else if (!(s->dir = strdup(rsub)) || !(s->root = strdup(rbase))) {
		err = WEFT_ENOMEM;
	}
	weft_buf_free(&p);
	return err;
}

/* --subdir as given: relative, inside; a trailing '/' is dropped. */
static int check_subdir_opt(char **out, const char *sub, weft_diags *d)
{
	*out = NULL;
	if (!sub)
		return WEFT_OK;
	char *c = strdup(sub);
	if (!c)
		return WEFT_ENOMEM;
	size_t n = strlen(c);
	while (n > 1 && c[n - 1] == '/')
		c[--n] = '\0';
	if (!weft_templates_path_is_safe(c)) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
			       "a folder inside the repository or folder, such as templates/api (no '..', not absolute)",
			       "bad --subdir '%s'", sub);
		free(c);
		return WEFT_EUSAGE;
	}
	*out = c;
	return WEFT_OK;
}

int weft_templates_source_open(weft_templates_source **out, const weft_templates_source_opts *o,
			       weft_diags *d)
{
	*out = NULL;
	if (!o || !o->spec || !*o->spec) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "no template given");
		return WEFT_EUSAGE;
	}
	weft_templates_source *s = calloc(1, sizeof *s);
	if (!s)
		return WEFT_ENOMEM;
	const char *spec = o->spec;
	int err = WEFT_OK;
	const char *ref = o->ref ? o->ref : o->pin;
	if ((err = check_subdir_opt(&s->subdir, o->subdir, d)))
		goto fail;
	if (is_url(spec)) {
		if (!(s->origin = strdup(spec)) || (err = make_clone_dir(&s->clone, d)))
			goto fail;
		if ((err = weft_templates_git_clone(s->commit, spec, ref, s->clone, d)))
			goto fail;
		if (s->subdir)
			err = apply_subdir(s, s->clone, d);
		else if (!(s->dir = strdup(s->clone)) || !(s->root = strdup(s->clone)))
			err = WEFT_ENOMEM;
		if (err)
			goto fail;
	} else if (!strchr(spec, '/') && strcmp(spec, ".") && strcmp(spec, "..")) {
		/* a shipped pattern; a local folder of that name as a fallback */
		weft_buf p = WEFT_BUF_INIT;
		weft_buf_printf(&p, "%s/templates/patterns/%s", data_dir_of(o), spec);
		if (p.oom) {
			err = WEFT_ENOMEM;
			goto fail;
		}
		if (is_dir(p.ptr)) {
			if (o->ref) {
				weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
					       "--ref selects a version of a git template source",
					       "'%s' is a shipped pattern; --ref does not apply", spec);
				weft_buf_free(&p);
				err = WEFT_EUSAGE;
				goto fail;
			}
			if (o->subdir) {
				weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
					       "--subdir selects a template inside a repository or folder",
					       "'%s' is a shipped pattern; --subdir does not apply", spec);
				weft_buf_free(&p);
				err = WEFT_EUSAGE;
				goto fail;
			}
			s->dir = weft_buf_detach(&p);
			s->origin = strdup(spec);
		} else if (is_dir(spec)) {
			weft_buf_free(&p);
			goto local;
		} else {
			char **names = NULL;
			size_t n = 0;
			weft_diags *scratch = NULL;
			weft_diags_new(&scratch);
			weft_templates_shipped_list(&names, &n, data_dir_of(o), scratch);
			weft_diags_free(scratch);
			const char *sug = weft_suggest(spec, (const char *const *)names, n);
			char hint[200];
			snprintf(hint, sizeof hint, "did you mean '%s'? ('weft templates list' shows them)",
				 sug ? sug : "");
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
				       sug ? hint : "'weft templates list' shows the shipped patterns; a folder path needs a '/' (./name)",
				       "no template '%s': not a shipped pattern nor a folder", spec);
			weft_templates_names_free(names, n);
			weft_buf_free(&p);
			err = WEFT_EUSAGE;
			goto fail;
		}
	} else {
local:
		if (!is_dir(spec)) {
			weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0, NULL, "template folder not found");
			err = WEFT_EUSAGE;
			goto fail;
		}
		char abs[PATH_MAX];
		if (!realpath(spec, abs)) {
			weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0, NULL, "cannot resolve the template folder");
			err = WEFT_EENV;
			goto fail;
		}
		if (!(s->origin = strdup(abs))) {
			err = WEFT_ENOMEM;
			goto fail;
		}
		char head[41];
		bool repo = weft_templates_git_head(head, abs) == 0;
		if (ref && repo) {
			if ((err = make_clone_dir(&s->clone, d)) ||
			    (err = weft_templates_git_clone(s->commit, abs, ref, s->clone, d)))
				goto fail;
			if (s->subdir)
				err = apply_subdir(s, s->clone, d);
			else if (!(s->dir = strdup(s->clone)) || !(s->root = strdup(s->clone)))
				err = WEFT_ENOMEM;
			if (err)
				goto fail;
		} else if (o->ref) {
			weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0, NULL,
				       "--ref '%s' given, but the template folder is not a git repository", o->ref);
			err = WEFT_EUSAGE;
			goto fail;
		} else {
			if (repo) {
				memcpy(s->commit, head, sizeof head);
				if ((err = check_clean(s, abs, spec, o->allow_dirty, d)))
					goto fail;
			}
			if (s->subdir)
				err = apply_subdir(s, abs, d);
			else if (!(s->dir = strdup(abs)) || (repo && !(s->root = strdup(abs))))
				err = WEFT_ENOMEM;
			if (err)
				goto fail;
		}
	}
	if (!s->dir || !s->origin) {
		err = WEFT_ENOMEM;
		goto fail;
	}
	const char *keep = o->ref ? o->ref : o->pin_ref;
	if (keep && s->clone && !(s->ref = strdup(keep))) {
		err = WEFT_ENOMEM;
		goto fail;
	}
	*out = s;
	return WEFT_OK;
fail:
	if (err == WEFT_OK)
		err = WEFT_ENOMEM;
	weft_templates_source_free(s);
	return err;
}

void weft_templates_source_free(weft_templates_source *s)
{
	if (!s)
		return;
	if (s->clone)
		weft_file_rm_tree(s->clone);
	free(s->clone);
	free(s->dir);
	free(s->origin);
	free(s->ref);
	free(s->subdir);
	free(s->root);
	free(s);
}

const char *weft_templates_source_dir(const weft_templates_source *s)
{
	return s->dir;
}

const char *weft_templates_source_origin(const weft_templates_source *s)
{
	return s->origin;
}

const char *weft_templates_source_ref(const weft_templates_source *s)
{
	return s->ref;
}

const char *weft_templates_source_commit(const weft_templates_source *s)
{
	return s->commit[0] ? s->commit : NULL;
}

const char *weft_templates_source_subdir(const weft_templates_source *s)
{
	return s->subdir;
}

bool weft_templates_source_dirty(const weft_templates_source *s)
{
	return s->dirty;
}

const char *weft_templates_source_root(const weft_templates_source *s)
{
	return s->root;
}

/* ---- the content digest ------------------------------------------------------ */

#define DIGEST_MAX_ENTRIES 100000u
#define DIGEST_MAX_DEPTH 64u

typedef struct {
	weft_sha256 h;
	size_t entries;
	weft_diags *d;
} digester;

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name); /* bytes, not the locale */
}

static void put_field(digester *g, const char *s)
{
	weft_sha256_update(&g->h, s, strlen(s) + 1); /* with its NUL: fields cannot run together */
}

static int digest_file(digester *g, const char *path, const struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		weft_diags_add(g->d, WEFT_SEV_ERROR, path, 0, 0, NULL, "cannot read the template file: %s",
			       strerror(errno));
		return WEFT_EENV;
	}
	char num[32];
	snprintf(num, sizeof num, "%lld", (long long)st->st_size);
	put_field(g, num);
	char buf[65536];
	ssize_t got;
	while ((got = read(fd, buf, sizeof buf)) > 0)
		weft_sha256_update(&g->h, buf, (size_t)got);
	int e = errno;
	close(fd);
	if (got < 0) {
		weft_diags_add(g->d, WEFT_SEV_ERROR, path, 0, 0, NULL, "cannot read the template file: %s",
			       strerror(e));
		return WEFT_EENV;
	}
	return WEFT_OK;
}

/* One entry per folder, file and link under dir, in byte order of names,
 * each named label/rel; .git folders are left out. */
static int digest_dir(digester *g, const char *dir, const char *label, unsigned depth)
{
	if (depth > DIGEST_MAX_DEPTH) {
		weft_diags_add(g->d, WEFT_SEV_ERROR, dir, 0, 0, NULL, "template folders nested too deep");
		return WEFT_EINVALID;
	}
	struct dirent **ents = NULL;
	int k = scandir(dir, &ents, NULL, by_name);
	if (k < 0) {
		weft_diags_add(g->d, WEFT_SEV_ERROR, dir, 0, 0, NULL, "cannot read the template folder: %s",
			       strerror(errno));
		return WEFT_EENV;
	}
	int err = WEFT_OK;
	for (int i = 0; i < k; i++) {
		const char *name = ents[i]->d_name;
		if (err || !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".git"))
			continue;
		if (++g->entries > DIGEST_MAX_ENTRIES) {
			weft_diags_add(g->d, WEFT_SEV_ERROR, dir, 0, 0, NULL,
				       "the template holds more than %u entries", DIGEST_MAX_ENTRIES);
			err = WEFT_EINVALID;
			continue;
		}
		weft_buf full = WEFT_BUF_INIT, rel = WEFT_BUF_INIT;
		weft_buf_printf(&full, "%s/%s", dir, name);
		weft_buf_printf(&rel, "%s/%s", label, name);
		struct stat st;
		if (full.oom || rel.oom) {
			err = WEFT_ENOMEM;
		} else if (lstat(full.ptr, &st) != 0) {
			weft_diags_add(g->d, WEFT_SEV_ERROR, full.ptr, 0, 0, NULL, "cannot read: %s", strerror(errno));
			err = WEFT_EENV;
		} else if (S_ISDIR(st.st_mode)) {
			put_field(g, "D");
			put_field(g, rel.ptr);
			err = digest_dir(g, full.ptr, rel.ptr, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			put_field(g, st.st_mode & 0111 ? "X" : "F");
			put_field(g, rel.ptr);
			err = digest_file(g, full.ptr, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(full.ptr, target, sizeof target - 1);
			target[n < 0 ? 0 : n] = '\0';
			put_field(g, "L");
			put_field(g, rel.ptr);
			put_field(g, target);
		} else {
			put_field(g, "S"); /* refused when planned; named here all the same */
			put_field(g, rel.ptr);
		}
		weft_buf_free(&full);
		weft_buf_free(&rel);
	}
	for (int i = 0; i < k; i++)
		free(ents[i]);
	free(ents);
	return err;
}

int weft_templates_digest(char out[72], const weft_templates_manifest *m, weft_diags *d)
{
	out[0] = '\0';
	digester g = { .d = d };
	weft_sha256_init(&g.h);
	put_field(&g, "weft-template-digest-1");
	int err = digest_dir(&g, m->dir, "template", 0);
	/* shared folders by their path under the collection (the template's
	 * parent folder), so the same collection elsewhere digests the same */
	size_t nd = strlen(m->dir);
	while (nd > 1 && m->dir[nd - 1] != '/')
		nd--;
	for (size_t i = 0; !err && i < m->n_includes; i++) {
		const char *inc = m->includes[i].dir;
		const char *label = !strncmp(inc, m->dir, nd) ? inc + nd : inc;
		weft_buf l = WEFT_BUF_INIT;
		weft_buf_printf(&l, "include:%s", label);
		put_field(&g, "I");
		put_field(&g, l.ptr ? l.ptr : "");
		put_field(&g, m->includes[i].to ? m->includes[i].to : "");
		err = l.oom ? WEFT_ENOMEM : digest_dir(&g, inc, l.ptr, 0);
		weft_buf_free(&l);
	}
	if (err)
		return err;
	uint8_t raw[32];
	weft_sha256_final(&g.h, raw);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", raw[i]);
	return WEFT_OK;
}

/* ---- what the answers file records -------------------------------------------- */

/* Is path inside (or the same as) root? Both are real paths. */
static bool inside(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return true;
	return !strncmp(path, root, n) && (path[n] == '/' || path[n] == '\0');
}

int weft_templates_record_of(weft_templates_record *r, const weft_templates_source *src,
			     const weft_templates_manifest *m, weft_diags *d)
{
	memset(r, 0, sizeof *r);
	r->source = src ? src->origin : m->dir;
	if (src) {
		r->subdir = src->subdir;
		r->ref = src->ref;
		r->commit = src->commit[0] ? src->commit : NULL;
		r->dirty = src->dirty;
	}
	r->weft_version = weft_version();
	const char *root = src ? src->root : NULL;
	for (size_t i = 0; root && i < m->n_includes; i++) {
		char real[PATH_MAX];
		const char *dir = m->includes[i].dir;
		if (!realpath(dir, real) || !inside(real, root)) {
			weft_diags_add(d, WEFT_SEV_ERROR, m->path, m->includes[i].line, m->includes[i].col,
				       src->clone ? "keep the shared folders in the repository, beside the template, and "
						    "name the template's folder with --subdir"
						  : "keep the shared folders inside the repository or folder given",
				       "include '%s' lies outside the template %s", dir,
				       src->clone ? "repository" : "source");
			return WEFT_EINVALID;
		}
	}
	return weft_templates_digest(r->digest, m, d);
}
