/* evidence_files.c - the files of a folder that evidence rules look at, and
 * the globs rules name them with.
 *
 * Design choice: the folder is walked once into a sorted list of relative
 * paths, and every rule matches against that list, so a report is the same
 * on every machine (no readdir order) and a rule costs no system calls to
 * find its files. The walk does not follow symbolic links (a repository
 * cannot point the scan outside itself), skips .git, and in a git
 * repository skips what git ignores (build folders, node_modules), asked of
 * libgit2 per folder so an ignored tree is never entered.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess_int.h"

#define WALK_MAX_DEPTH 64

typedef struct {
	assess_filelist *fl;
	size_t cap, max;
	git_repository *repo;
	const char *prefix; /* the root's path inside the repository's working tree ("" or "a/b/") */
	weft_diags *d;
	const char *root;
	bool truncated;
} walker;

static bool ignored(walker *w, const char *rel, bool dir)
{
	if (!w->repo)
		return false;
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s%s%s", w->prefix, rel, dir ? "/" : "") >= (int)sizeof path)
		return true;
	int ign = 0;
	return !git_ignore_path_is_ignored(&ign, w->repo, path) && ign;
}

static int add(walker *w, const char *rel)
{
	if (w->fl->n == w->max) {
		w->truncated = true;
		return 0;
	}
	if (w->fl->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		char **p = realloc(w->fl->paths, cap * sizeof *p);
		if (!p)
			return WEFT_ENOMEM;
		w->fl->paths = p;
		w->cap = cap;
	}
	if (!(w->fl->paths[w->fl->n] = strdup(rel)))
		return WEFT_ENOMEM;
	w->fl->n++;
	return 0;
}

static int walk(walker *w, const char *abs, const char *rel, int depth)
{
	DIR *dir = opendir(abs);
	if (!dir) {
		weft_diags_add(w->d, depth ? WEFT_SEV_WARNING : WEFT_SEV_ERROR, abs, 0, 0, NULL,
			       "cannot read the folder: %s", strerror(errno));
		return depth ? 0 : WEFT_EENV;
	}
	int err = 0;
	struct dirent *e;
	while (!err && !w->truncated && (e = readdir(dir))) {
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, ".git"))
			continue;
		char a[PATH_MAX], r[PATH_MAX];
		if (snprintf(a, sizeof a, "%s/%s", abs, n) >= (int)sizeof a ||
		    snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", n) >= (int)sizeof r)
			continue;
		struct stat st;
		if (lstat(a, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < WALK_MAX_DEPTH && !ignored(w, r, true))
			err = walk(w, a, r, depth + 1);
		else if (S_ISREG(st.st_mode) && !ignored(w, r, false))
			err = add(w, r);
	}
	closedir(dir);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Open the repository root is in, and root's path inside its working tree. */
static git_repository *open_repo(const char *root, char prefix[PATH_MAX])
{
	git_libgit2_init();
	git_repository *repo = NULL;
	char *abs = realpath(root, NULL);
	if (!abs || git_repository_open_ext(&repo, abs, 0, NULL)) {
		free(abs);
		return NULL;
	}
	const char *wd = git_repository_workdir(repo);
	char *wdabs = wd ? realpath(wd, NULL) : NULL;
	size_t wl = wdabs ? strlen(wdabs) : 0;
	prefix[0] = '\0';
	if (!wdabs || strncmp(abs, wdabs, wl) || (abs[wl] && abs[wl] != '/')) {
		git_repository_free(repo);
		repo = NULL;
	} else if (abs[wl]) {
		snprintf(prefix, PATH_MAX, "%s/", abs + wl + 1);
	}
	free(wdabs);
	free(abs);
	return repo;
}

int assess_files_list(assess_filelist *out, const char *root, size_t max, weft_diags *d)
{
	memset(out, 0, sizeof *out);
	struct stat st;
	int rc = stat(root, &st), why = rc ? errno : 0;
	if (rc || !S_ISDIR(st.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, root, 0, 0, "give the folder of a repository or project", "%s",
			       why == ENOENT ? "no such folder" : why ? strerror(why) : "not a folder");
		return WEFT_EINVALID;
	}
	char prefix[PATH_MAX];
	walker w = { out, 0, max, open_repo(root, prefix), prefix, d, root, false };
	out->git = w.repo != NULL;
	int err = walk(&w, root, "", 0);
	git_repository_free(w.repo);
	if (err) {
		assess_files_free(out);
		return err;
	}
	if (w.truncated)
		weft_diags_add(d, WEFT_SEV_WARNING, root, 0, 0, NULL,
			       "more than %zu files: only the first %zu found were looked at", max, max);
	qsort(out->paths, out->n, sizeof *out->paths, cmp_str);
	return 0;
}

void assess_files_free(assess_filelist *fl)
{
	for (size_t i = 0; fl && i < fl->n; i++)
		free(fl->paths[i]);
	if (fl) {
		free(fl->paths);
		fl->paths = NULL;
		fl->n = 0;
	}
}

/* Match the '/'-separated parts of glob against those of path; "**" takes
 * any number of parts (none included). */
static bool match_parts(const char *g, const char *p)
{
	for (;;) {
		const char *ge = strchr(g, '/'), *pe = strchr(p, '/');
		size_t gl = ge ? (size_t)(ge - g) : strlen(g);
		if (gl == 2 && g[0] == '*' && g[1] == '*') {
			if (!ge)
				return true; /* trailing **: everything below */
			for (const char *q = p;; q = strchr(q, '/') + 1) {
				if (match_parts(ge + 1, q))
					return true;
				if (!strchr(q, '/'))
					return false;
			}
		}
		char gs[512], ps[512];
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		if (gl >= sizeof gs || pl >= sizeof ps)
			return false;
		memcpy(gs, g, gl);
		gs[gl] = '\0';
		memcpy(ps, p, pl);
		ps[pl] = '\0';
		if (fnmatch(gs, ps, FNM_PERIOD))
			return false;
		if (!ge || !pe)
			return !ge && !pe;
		g = ge + 1;
		p = pe + 1;
	}
}

bool assess_glob_match(const char *glob, const char *path)
{
	if (!strchr(glob, '/')) {
		const char *base = strrchr(path, '/');
		return !fnmatch(glob, base ? base + 1 : path, FNM_PERIOD);
	}
	return match_parts(glob, path);
}
