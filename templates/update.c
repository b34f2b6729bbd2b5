/* update.c - `weft update`: bring a project to a new version of its template
 * by a three-way merge, file by file, losing none of the user's work.
 *
 * Design: three snapshots, each a plan held in memory. The base is the
 * pristine render the project came from: refs/weft/base of its repository
 * (kept by weft new and by every update), or, without it, the template's
 * recorded git commit rendered again with the recorded answers. The new
 * render is the template now (--ref, or the latest shipped pattern) with the
 * same answers plus any new variables. The third is what DEST holds. Each
 * path of base or new is decided on its own (decide()); paths in neither
 * are the user's and are never read or written. The decisions make one
 * hand-built plan of files to write and a list of files to remove, applied
 * by weft_templates_plan_apply as one transaction, so a failure part-way
 * leaves DEST as it was. The base ref moves to the new render just before
 * the transaction and back if it fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "templates_int.h"

#define MAX_WORK_FILE ((size_t)64 << 20)
#define BINARY_PROBE 8000 /* bytes looked at for a NUL, as git does */
#define MARK_OURS "<<<<<<< "
#define MARK_MID "======="
#define MARK_THEIRS ">>>>>>> "
#define NEW_SUFFIX ".weft-new"
#define REJ_SUFFIX ".rej"

typedef struct {
	char *path, *note, *beside;
	weft_templates_update_status status;
} ufile;

struct weft_templates_update {
	ufile *v;
	size_t n, cap;
	char *dest, *name, *from_version, *to_version, *from_commit, *to_commit;
	char *base_from; /* "refs/weft/base <hex>" or "template commit <hex>, rendered again" */
	size_t counts[WEFT_TEMPLATES_UPD_MOVED + 1];
	bool dry_run;
};

/* One side of a path: absent, a file (exec bit kept) or a link, or (DEST
 * only) something weft does not merge, such as a folder. */
typedef struct {
	bool present, link, other, exec;
	const char *data;
	size_t len;
	char *owned; /* data read from DEST */
} side;

static const char *const status_name[] = { "unchanged", "updated", "merged", "conflict",
					   "added",     "removed", "kept",   "moved" };

const char *weft_templates_update_status_name(weft_templates_update_status s)
{
	return (unsigned)s <= WEFT_TEMPLATES_UPD_MOVED ? status_name[s] : "?";
}

static char *join(const char *a, const char *b)
{
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", a, b);
	return weft_buf_detach(&p);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- the snapshots ------------------------------------------------------------- */

static side side_of(const weft_templates_plan *p, size_t i)
{
	side s = { 0 };
	const weft_templates_file *f = weft_templates_plan_file(p, i);
	if (f->action == WEFT_TEMPLATES_DIR)
		return s;
	s.present = true;
	s.link = f->action == WEFT_TEMPLATES_SYMLINK;
	s.exec = !s.link && (f->mode & 0111);
	s.data = weft_templates_plan_data(p, i, &s.len);
	return s;
}

/* The entry of plan p at path (a file or link), or none. Plans are sorted
 * by path, except that weft_templates_plan_new puts the answers file last. */
static side plan_side(const weft_templates_plan *p, const char *path)
{
	side none = { 0 };
	size_t n = weft_templates_plan_count(p);
	if (n && !strcmp(weft_templates_plan_file(p, n - 1)->path, path))
		return side_of(p, n - 1);
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(weft_templates_plan_file(p, mid)->path, path);
		if (c == 0)
			return side_of(p, mid);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return none;
}

/* What DEST has at path. */
static int work_side(side *s, const char *dest, const char *path, weft_diags *d)
{
	memset(s, 0, sizeof *s);
	char *full = join(dest, path);
	if (!full)
		return WEFT_ENOMEM;
	struct stat st;
	int err = WEFT_OK;
	if (lstat(full, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0, NULL, "cannot inspect: %s", strerror(errno));
			err = WEFT_EENV;
		}
	} else if (S_ISLNK(st.st_mode)) {
		s->present = s->link = true;
		char buf[4096];
		ssize_t k = readlink(full, buf, sizeof buf - 1);
		if (k < 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, full, 0, 0, NULL, "cannot read the link: %s", strerror(errno));
			err = WEFT_EENV;
		} else if (!(s->owned = strndup(buf, (size_t)k))) {
			err = WEFT_ENOMEM;
		} else {
			s->data = s->owned;
			s->len = (size_t)k;
		}
	} else if (S_ISREG(st.st_mode)) {
		s->present = true;
		s->exec = (st.st_mode & 0100) != 0;
		err = weft_file_read(&s->owned, &s->len, full, MAX_WORK_FILE, d);
		s->data = s->owned;
	} else {
		s->present = s->other = true;
	}
	free(full);
	return err;
}

static bool same_bytes(const side *a, const side *b)
{
	return a->link == b->link && !a->other && !b->other && a->len == b->len &&
	       (a->len == 0 || !memcmp(a->data, b->data, a->len));
}

static bool same(const side *a, const side *b)
{
	if (a->present != b->present)
		return false;
	return !a->present || (same_bytes(a, b) && a->exec == b->exec);
}

static bool is_binary(const side *s)
{
	size_t k = s->len < BINARY_PROBE ? s->len : BINARY_PROBE;
	return s->present && !s->link && k && memchr(s->data, '\0', k);
}

/* ---- the report ------------------------------------------------------------------ */

static int add_file(weft_templates_update *u, const char *path, weft_templates_update_status st,
		    const char *note, const char *beside)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		ufile *nv = realloc(u->v, cap * sizeof *nv);
		if (!nv)
			return WEFT_ENOMEM;
		u->v = nv;
		u->cap = cap;
	}
	ufile *f = &u->v[u->n];
	*f = (ufile){ .path = strdup(path), .note = dup_or_null(note), .beside = dup_or_null(beside), .status = st };
	if (!f->path || (note && !f->note) || (beside && !f->beside)) {
		free(f->path);
		free(f->note);
		free(f->beside);
		return WEFT_ENOMEM;
	}
	u->n++;
	u->counts[st]++;
	return WEFT_OK;
}

/* ---- merging one path --------------------------------------------------------------- */

typedef struct {
	weft_templates_update *u;
	weft_templates_plan *out;  /* what is written */
	char **remove;             /* what is removed */
	size_t n_remove;
	const char *dest;
	const char *their_label;   /* "template api 1.1.0" */
	weft_templates_conflict_style style;
	weft_diags *d;
	const char *watch; /* a path whose writing is noted in watched */
	bool watched;
} merger;

static int put(merger *g, const char *path, bool link, bool exec, const char *data, size_t len)
{
	if (g->watch && !strcmp(path, g->watch))
		g->watched = true;
	return weft_templates_plan_put(g->out, path, link ? WEFT_TEMPLATES_SYMLINK : WEFT_TEMPLATES_RENDERED,
				       exec ? 0755 : 0644, data, len);
}

/* A file weft writes beside path (the template's side of a clash): it must
 * not exist, so that no file of the user's is replaced. */
static int beside_path(char **out, merger *g, const char *path, const char *suffix)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_printf(&b, "%s%s", path, suffix);
	if (b.oom)
		return WEFT_ENOMEM;
	char *full = join(g->dest, b.ptr);
	struct stat st;
	bool taken = full && lstat(full, &st) == 0;
	free(full);
	if (taken) {
		weft_diags_add(g->d, WEFT_SEV_ERROR, b.ptr, 0, 0,
			       "move it away (it may be left from an earlier update), then run weft update again",
			       "exists; weft update writes the template's side of a clash in %s here", path);
		weft_buf_free(&b);
		return WEFT_EEXISTS;
	}
	*out = weft_buf_detach(&b);
	return WEFT_OK;
}

/* The clashing blocks of an inline merge, as the text of a .rej file; the
 * line numbers are those of the file that keeps the user's side. */
static int rej_text(weft_buf *r, const char *path, const char *inline_text, size_t len)
{
	weft_buf_printf(r, "# weft update: the template's changes to %s that clash with yours.\n"
			   "# %s keeps your side of each; take what you want of the template's side by\n"
			   "# hand, then delete this file.\n",
			path, path);
	size_t line = 0; /* lines of the kept file so far */
	int part = 0;     /* 0 outside a clash, 1 in ours, 2 in theirs */
	for (size_t i = 0; i < len;) {
		const char *s = inline_text + i, *nl = memchr(s, '\n', len - i);
		size_t k = nl ? (size_t)(nl - s) + 1 : len - i;
		bool ours = !strncmp(s, MARK_OURS, strlen(MARK_OURS)) && k > strlen(MARK_OURS);
		bool mid = k >= strlen(MARK_MID) && !strncmp(s, MARK_MID, strlen(MARK_MID)) &&
			   (k == strlen(MARK_MID) || s[strlen(MARK_MID)] == '\n' || s[strlen(MARK_MID)] == '\r');
		bool theirs = !strncmp(s, MARK_THEIRS, strlen(MARK_THEIRS)) && k > strlen(MARK_THEIRS);
		if (part == 0 && ours) {
			weft_buf_printf(r, "@@ %s, near line %zu @@\n", path, line + 1);
			part = 1;
		} else if (part == 1 && mid) {
			part = 2;
		} else if (part == 2 && theirs) {
			part = 0;
		} else if (part != 2) {
			line++;
		}
		if (part || ours || theirs)
			weft_buf_put(r, s, k);
		if (part || ours || theirs)
			if (k && s[k - 1] != '\n')
				weft_buf_put(r, "\n", 1);
		i += k;
	}
	return r->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* Both sides changed a text file: merge, and on a clash mark it inline or
 * keep the user's side and write the template's in a .rej. */
static int merge_text(merger *g, const char *path, const side *b, const side *w, const side *n, bool exec)
{
	char *inl = NULL;
	size_t inl_len = 0;
	bool clean;
	int err = weft_templates_git_merge_file(&inl, &inl_len, &clean, b->data, b->len, w->data, w->len, n->data,
						n->len, "yours", g->their_label, false);
	if (err)
		return err;
	if (clean) {
		err = put(g, path, false, exec, inl, inl_len);
		if (!err)
			err = add_file(g->u, path, WEFT_TEMPLATES_UPD_MERGED, NULL, NULL);
	} else if (g->style == WEFT_TEMPLATES_CONFLICT_INLINE) {
		err = put(g, path, false, exec, inl, inl_len);
		if (!err)
			err = add_file(g->u, path, WEFT_TEMPLATES_UPD_CONFLICT, "conflict markers in the file", NULL);
	} else {
		char *kept = NULL, *rej = NULL;
		size_t kept_len = 0;
		weft_buf r = WEFT_BUF_INIT;
		err = beside_path(&rej, g, path, REJ_SUFFIX);
		if (!err)
			err = weft_templates_git_merge_file(&kept, &kept_len, &clean, b->data, b->len, w->data, w->len,
							    n->data, n->len, "yours", g->their_label, true);
		if (!err)
			err = rej_text(&r, path, inl, inl_len);
		if (!err)
			err = put(g, path, false, exec, kept, kept_len);
		if (!err)
			err = put(g, rej, false, false, r.ptr, r.len);
		if (!err)
			err = add_file(g->u, path, WEFT_TEMPLATES_UPD_CONFLICT,
				       "your side kept; the template's clashing changes are in the .rej file", rej);
		weft_buf_free(&r);
		free(kept);
		free(rej);
	}
	free(inl);
	return err;
}

/* Both sides changed a binary file or a link differently: the user's stays;
 * a file of the template's is written beside it. */
static int clash_whole(merger *g, const char *path, const side *n)
{
	if (n->link)
		return add_file(g->u, path, WEFT_TEMPLATES_UPD_CONFLICT,
				"a link you and the template both changed: yours kept", NULL);
	char *beside = NULL;
	int err = beside_path(&beside, g, path, NEW_SUFFIX);
	if (!err)
		err = put(g, beside, false, n->exec, n->data, n->len);
	if (!err)
		err = add_file(g->u, path, WEFT_TEMPLATES_UPD_CONFLICT,
			       "yours kept (both changed or added it, and it is not text to merge); the template's is beside it",
			       beside);
	free(beside);
	return err;
}

/* Decide one path from its base b, the user's w and the new render n. */
static int decide(merger *g, const char *path, const side *b, const side *w, const side *n)
{
	if (!strcmp(path, WEFT_TEMPLATES_ANSWERS_FILE)) {
		/* moves to the new version, whatever was in it */
		if (same(w, n))
			return add_file(g->u, path, WEFT_TEMPLATES_UPD_UNCHANGED, NULL, NULL);
		int err = put(g, path, false, false, n->data, n->len);
		return err ? err : add_file(g->u, path, WEFT_TEMPLATES_UPD_UPDATED, NULL, NULL);
	}
	if (w->other)
		return add_file(g->u, path,
				same(b, n) ? WEFT_TEMPLATES_UPD_UNCHANGED : WEFT_TEMPLATES_UPD_KEPT,
				same(b, n) ? NULL : "not a file in your project (a folder?): left as it is", NULL);
	if (same(b, n) || same(w, n))
		return add_file(g->u, path, WEFT_TEMPLATES_UPD_UNCHANGED, NULL, NULL);
	if (!n->present) { /* the template dropped it */
		if (!w->present)
			return add_file(g->u, path, WEFT_TEMPLATES_UPD_UNCHANGED, NULL, NULL);
		if (!same_bytes(w, b))
			return add_file(g->u, path, WEFT_TEMPLATES_UPD_KEPT,
					"the template no longer has it; you changed it, so it stays", NULL);
		char *copy = strdup(path);
		if (!copy)
			return WEFT_ENOMEM;
		g->remove[g->n_remove++] = copy;
		return add_file(g->u, path, WEFT_TEMPLATES_UPD_REMOVED, NULL, NULL);
	}
	if (!w->present) {
		if (!b->present) {
			int err = put(g, path, n->link, n->exec, n->data, n->len);
			return err ? err : add_file(g->u, path, WEFT_TEMPLATES_UPD_ADDED, NULL, NULL);
		}
		return add_file(g->u, path, WEFT_TEMPLATES_UPD_KEPT,
				"you deleted it; the template changed it: not restored", NULL);
	}
	if (same(w, b)) {
		int err = put(g, path, n->link, n->exec, n->data, n->len);
		return err ? err : add_file(g->u, path, WEFT_TEMPLATES_UPD_UPDATED, NULL, NULL);
	}
	/* both added it: a file of the user's, never rewritten */
	if (!b->present)
		return clash_whole(g, path, n);
	/* both changed it: contents and the exec bit apart */
	const side *base = b;
	bool exec = w->exec == base->exec ? n->exec : w->exec;
	const side *content = NULL;
	if (same_bytes(w, base))
		content = n;
	else if (same_bytes(n, base) || same_bytes(w, n))
		content = w;
	if (content) {
		int err = put(g, path, content->link, content->link ? false : exec, content->data, content->len);
		return err ? err : add_file(g->u, path, WEFT_TEMPLATES_UPD_MERGED, NULL, NULL);
	}
	if (w->link || n->link || base->link || is_binary(w) || is_binary(n) || is_binary(base))
		return clash_whole(g, path, n);
	return merge_text(g, path, base, w, n, exec);
}

/* ---- files the template moved (migrations) ------------------------------------------ */

typedef struct {
	const char *from, *to; /* paths of the union list */
	bool relocate;         /* DEST has it at from only: weft moves it */
} move;

/* The union path equal to s, or NULL. */
static const char *path_in_list(char **paths, size_t n, const char *s)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(paths[mid], s);
		if (c == 0)
			return paths[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The moves: a path of the new render that the migrations (since
 * from_version) moved from a path of the base. Its base is the old path's.
 * Where DEST has the file (or link) at the old path and nothing at the new
 * one, weft moves it; where the user has the new path already (moved by
 * hand), that is the user's side, and the old path, if still there, is
 * decided as usual. */
static int find_moves(move **out, size_t *n_out, char **paths, size_t n, const weft_templates_manifest *m,
		      const char *from_version, const weft_templates_plan *base, const weft_templates_plan *next,
		      const char *dest)
{
	*out = NULL;
	*n_out = 0;
	if (!m->n_migrations || !from_version)
		return WEFT_OK;
	move *v = calloc(n + 1, sizeof *v);
	if (!v)
		return WEFT_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *was = weft_templates_migrate_old_path(m, from_version, paths[i]);
		const char *from = was ? path_in_list(paths, n, was) : NULL;
		if (!from || plan_side(base, paths[i]).present || !plan_side(next, paths[i]).present ||
		    !plan_side(base, from).present || plan_side(next, from).present)
			continue;
		char *old_full = join(dest, from), *new_full = join(dest, paths[i]);
		struct stat st;
		bool at_new = new_full && lstat(new_full, &st) == 0;
		bool relocate = !at_new && old_full && lstat(old_full, &st) == 0 &&
				(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
		if (!old_full || !new_full) {
			free(old_full);
			free(new_full);
			free(v);
			return WEFT_ENOMEM;
		}
		free(old_full);
		free(new_full);
		v[k++] = (move){ from, paths[i], relocate };
	}
	*out = v;
	*n_out = k;
	return WEFT_OK;
}

static const move *move_of(const move *v, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].from == path || v[i].to == path)
			return &v[i];
	return NULL;
}

/* A moved file, merged from the old path's base. Relocated: as if the
 * user's copy were already at its new path, written there whatever the
 * decision, and removed from the old path. */
static int decide_moved(merger *g, const move *mv, const weft_templates_plan *base, const weft_templates_plan *next)
{
	side b = plan_side(base, mv->from), n = plan_side(next, mv->to), w;
	int err = work_side(&w, g->dest, mv->relocate ? mv->from : mv->to, g->d);
	if (!err && !mv->relocate) {
		err = decide(g, mv->to, &b, &w, &n);
		free(w.owned);
		return err;
	}
	g->watch = mv->to;
	g->watched = false;
	if (!err)
		err = decide(g, mv->to, &b, &w, &n);
	g->watch = NULL;
	if (!err && !g->watched)
		err = put(g, mv->to, w.link, w.exec, w.data, w.len);
	free(w.owned);
	weft_buf note = WEFT_BUF_INIT;
	ufile *f = err ? NULL : &g->u->v[g->u->n - 1];
	if (f) {
		weft_buf_printf(&note, "moved from %s%s%s", mv->from, f->note ? "; " : "", f->note ? f->note : "");
		if (note.oom)
			err = WEFT_ENOMEM;
	}
	if (!err) {
		free(f->note);
		f->note = weft_buf_detach(&note);
		char *copy = strdup(mv->from);
		if (!copy)
			return WEFT_ENOMEM;
		g->remove[g->n_remove++] = copy;
		weft_buf_printf(&note, "to %s", mv->to);
		err = note.oom ? WEFT_ENOMEM : add_file(g->u, mv->from, WEFT_TEMPLATES_UPD_MOVED, note.ptr, NULL);
	}
	weft_buf_free(&note);
	return err;
}

/* ---- the run ------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The paths of base and new (files and links), sorted, each once. */
static int union_paths(char ***out, size_t *n, const weft_templates_plan *a, const weft_templates_plan *b)
{
	size_t na = weft_templates_plan_count(a), nb = weft_templates_plan_count(b), k = 0;
	char **v = calloc(na + nb + 1, sizeof *v);
	if (!v)
		return WEFT_ENOMEM;
	const weft_templates_plan *ps[2] = { a, b };
	for (int j = 0; j < 2; j++)
		for (size_t i = 0; i < weft_templates_plan_count(ps[j]); i++) {
			const weft_templates_file *f = weft_templates_plan_file(ps[j], i);
			if (f->action != WEFT_TEMPLATES_DIR)
				v[k++] = (char *)f->path;
		}
	qsort(v, k, sizeof *v, cmp_str);
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		if (!m || strcmp(v[m - 1], v[i]))
			v[m++] = v[i];
	*out = v;
	*n = m;
	return WEFT_OK;
}

/* DEST's repository must have nothing uncommitted (unless force). *repo is
 * whether DEST is the work tree of a git repository. */
static int check_clean(bool *repo, const char *dest, bool force, weft_diags *d)
{
	char hex[41];
	*repo = weft_templates_git_head(hex, dest) == 0;
	if (!*repo) {
		weft_diags_add(d, WEFT_SEV_NOTE, dest, 0, 0, NULL,
			       "not a git repository: weft update cannot check for uncommitted changes");
		return WEFT_OK;
	}
	char **paths = NULL;
	size_t n = 0;
	int err = weft_templates_git_dirty(&paths, &n, dest, d);
	if (!err && n && !force) {
		weft_buf list = WEFT_BUF_INIT;
		for (size_t i = 0; i < n && i < 5; i++)
			weft_buf_printf(&list, "%s%s", i ? ", " : "", paths[i]);
		if (n > 5)
			weft_buf_printf(&list, " and %zu more", n - 5);
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0,
			       "commit or stash them first, so the update is one change you can review and undo; "
			       "or pass --force",
			       "has uncommitted changes: %s", list.oom ? "?" : list.ptr);
		weft_buf_free(&list);
		err = WEFT_EEXISTS;
	}
	weft_templates_names_free(paths, n);
	return err;
}

/* Render the recorded version again: the template at its recorded commit
 * with the recorded answers (nothing asked). */
static int render_recorded(weft_templates_plan **out, const weft_templates_answers *rec, const char *data_dir,
			   weft_diags *d)
{
	weft_templates_source_opts so = {
		.spec = weft_templates_answers_field(rec, "source"),
		.pin = weft_templates_answers_field(rec, "commit"),
		.pin_ref = weft_templates_answers_field(rec, "ref"),
		.subdir = weft_templates_answers_field(rec, "subdir"),
		.data_dir = data_dir,
	};
	weft_templates_source *src = NULL;
	weft_templates_manifest *m = NULL;
	cJSON *values = NULL;
	int err = weft_templates_source_open(&src, &so, d);
	if (!err)
		err = weft_templates_manifest_load(&m, weft_templates_source_dir(src), d);
	if (!err) {
		weft_templates_values_opts vo = { .answers = rec };
		err = weft_templates_values_resolve(&values, m, &vo, d);
	}
	if (!err)
		err = weft_templates_plan_new(out, m, src, values, d);
	cJSON_Delete(values);
	weft_templates_manifest_free(m);
	weft_templates_source_free(src);
	return err;
}

/* The base: refs/weft/base, else the recorded git commit rendered again. */
static int load_base(weft_templates_plan **out, char **from, bool repo, const char *dest,
		     const weft_templates_answers *rec, const char *data_dir, weft_diags *d)
{
	char hex[41];
	weft_buf f = WEFT_BUF_INIT;
	int err;
	char *ans = NULL;
	size_t ans_len = 0;
	int found = -2;
	if (repo && weft_templates_git_base_head(hex, dest) == 0) {
		char *ans_path = join(dest, WEFT_TEMPLATES_ANSWERS_FILE);
		if (!ans_path || weft_file_read(&ans, &ans_len, ans_path, MAX_WORK_FILE, d)) {
			free(ans_path);
			return ans_path ? WEFT_EENV : WEFT_ENOMEM;
		}
		free(ans_path);
		const char *digest = weft_templates_answers_field(rec, "template_digest");
		weft_buf line = WEFT_BUF_INIT;
		if (digest)
			weft_buf_printf(&line, "template_digest: \"%s\"", digest);
		found = weft_templates_git_base_find(hex, dest, ans, ans_len, line.oom ? NULL : line.ptr);
		weft_buf_free(&line);
		free(ans);
	}
	if (found == -1 || found == 1)
		weft_diags_add(d, WEFT_SEV_WARNING, dest, 0, 0,
			       "if an earlier update was thrown away, check the result with git diff",
			       found == 1 ? "the answers file differs from every template base kept; merging from the base "
					    "of the same template version"
					  : "no kept template base matches the answers file; merging from the newest");
	if (found > -2) {
		weft_buf_printf(&f, WEFT_TEMPLATES_BASE_REF " %.12s", hex);
		err = weft_templates_git_base_read(out, dest, hex, d);
	} else if (weft_templates_answers_field(rec, "commit")) {
		weft_buf_printf(&f, "template commit %.12s, rendered again", weft_templates_answers_field(rec, "commit"));
		err = render_recorded(out, rec, data_dir, d);
	} else {
		const char *source = weft_templates_answers_field(rec, "source");
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0,
			       "weft new keeps it in the project's git repository (not with --no-git, not inside another "
			       "repository); a template from a git repository is rendered again at its recorded commit",
			       "no template base to merge from: %s has no " WEFT_TEMPLATES_BASE_REF
			       ", and its template '%s' is not a git repository at a recorded commit",
			       repo ? "the project's repository" : "the project is not a git repository and",
			       source ? source : "?");
		err = WEFT_EINVALID;
	}
	if (!err && f.oom)
		err = WEFT_ENOMEM;
	*from = err ? NULL : weft_buf_detach(&f);
	weft_buf_free(&f);
	return err;
}

static int apply(weft_templates_update *u, merger *g, bool repo, const weft_templates_plan *base,
		 const weft_templates_plan *next, const weft_templates_update_opts *o, weft_diags *d)
{
	char old[41] = "", now[41] = "";
	bool move_base = false;
	int err = WEFT_OK;
	if (repo) {
		/* the new base, stored first: objects only, nothing visible yet */
		weft_templates_git_base_head(old, u->dest);
		bool changed = weft_templates_plan_count(base) != weft_templates_plan_count(next);
		for (size_t i = 0; !changed && i < weft_templates_plan_count(next); i++) {
			const weft_templates_file *f = weft_templates_plan_file(next, i);
			side a = plan_side(base, f->path), b = plan_side(next, f->path);
			changed = f->action != WEFT_TEMPLATES_DIR && !same(&a, &b);
		}
		move_base = changed || !old[0];
		if (move_base && !(err = weft_templates_plan_base_commit(now, next, u->dest, d)))
			err = weft_templates_git_base_set(u->dest, now, d);
	}
	if (!err && (weft_templates_plan_count(g->out) || g->n_remove)) {
		weft_templates_write_opts wo = { .before_write = o->before_write, .before_move = o->before_move,
						 .hook_ctx = o->hook_ctx };
		err = weft_templates_plan_apply(g->out, (const char *const *)g->remove, g->n_remove, u->dest, &wo, d);
		if (err && move_base)
			weft_templates_git_base_set(u->dest, old, d);
	}
	return err;
}

int weft_templates_update_run(weft_templates_update **out, const char *dest, const weft_templates_update_opts *o,
			      weft_diags *d)
{
	*out = NULL;
	weft_templates_update_opts none = { 0 };
	if (!o)
		o = &none;
	weft_templates_update *u = calloc(1, sizeof *u);
	if (!u)
		return WEFT_ENOMEM;
	u->dry_run = o->dry_run;
	size_t dl = strlen(dest);
	while (dl > 1 && dest[dl - 1] == '/')
		dl--;
	u->dest = strndup(dest, dl);
	char *ans_path = u->dest ? join(u->dest, WEFT_TEMPLATES_ANSWERS_FILE) : NULL;
	weft_templates_answers *rec = NULL;
	weft_templates_source *src = NULL;
	weft_templates_manifest *m = NULL;
	weft_templates_plan *base = NULL, *next = NULL;
	cJSON *values = NULL;
	char **paths = NULL;
	size_t n_paths = 0;
	move *moves = NULL;
	size_t n_moves = 0;
	merger g = { .u = u, .dest = u->dest, .style = o->conflict, .d = d };
	weft_buf label = WEFT_BUF_INIT;
	bool repo = false;
	int err = ans_path ? WEFT_OK : WEFT_ENOMEM;
	struct stat st;
	if (!err && stat(ans_path, &st) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, ans_path, 0, 0,
			       "weft update works on a project made by weft new, which records its template there",
			       "not found: %s", strerror(errno));
		err = errno == ENOENT ? WEFT_EINVALID : WEFT_EENV;
	}
	if (!err)
		err = weft_templates_answers_load(&rec, ans_path, d);
	if (!err && !weft_templates_answers_field(rec, "source")) {
		weft_diags_add(d, WEFT_SEV_ERROR, ans_path, 0, 0, NULL, "records no template source (template: source:)");
		err = WEFT_EINVALID;
	}
	if (!err)
		err = check_clean(&repo, u->dest, o->force, d);
	if (!err)
		err = load_base(&base, &u->base_from, repo, u->dest, rec, o->data_dir, d);
	if (!err) {
		weft_templates_source_opts so = {
			.spec = weft_templates_answers_field(rec, "source"),
			.ref = o->ref,
			.subdir = weft_templates_answers_field(rec, "subdir"),
			.data_dir = o->data_dir,
		};
		err = weft_templates_source_open(&src, &so, d);
	}
	if (!err)
		err = weft_templates_manifest_load(&m, weft_templates_source_dir(src), d);
	if (!err) {
		char digest[72];
		weft_diags *cmp = NULL;
		if (!(err = weft_templates_digest(digest, m, d)) && !(err = weft_diags_new(&cmp)))
			weft_templates_answers_compare(rec, m, digest, weft_templates_source_commit(src), cmp);
		/* that the template changed is the point here; what changed in its
		 * variables (the notes) is worth saying */
		for (size_t i = 0; cmp && i < weft_diags_count(cmp); i++) {
			const weft_diag *x = weft_diags_get(cmp, i);
			if (x->severity == WEFT_SEV_NOTE)
				weft_diags_add(d, x->severity, x->path, x->line, x->col, x->hint, "%s", x->message);
		}
		weft_diags_free(cmp);
	}
	if (!err) {
		weft_templates_values_opts vo = { .sets = o->sets, .n_sets = o->n_sets,
						  .answers = o->answers ? o->answers : rec,
						  .ask = o->ask, .ask_ctx = o->ask_ctx,
						  .answers_version = weft_templates_answers_field(rec, "version") };
		err = weft_templates_values_resolve(&values, m, &vo, d);
	}
	if (!err)
		err = weft_templates_plan_new(&next, m, src, values, d);
	if (!err) {
		const weft_templates_info *info = weft_templates_manifest_info(m);
		u->name = strdup(info->name);
		u->to_version = strdup(info->version);
		u->from_version = dup_or_null(weft_templates_answers_field(rec, "version"));
		u->from_commit = dup_or_null(weft_templates_answers_field(rec, "commit"));
		u->to_commit = dup_or_null(weft_templates_source_commit(src));
		weft_buf_printf(&label, "template %s %s", info->name, info->version);
		g.their_label = label.ptr;
		if (!u->name || !u->to_version || label.oom)
			err = WEFT_ENOMEM;
	}
	if (!err)
		err = union_paths(&paths, &n_paths, base, next);
	if (!err && !(g.remove = calloc(n_paths + 1, sizeof *g.remove)))
		err = WEFT_ENOMEM;
	if (!err)
		err = weft_templates_plan_empty(&g.out, u->name, u->to_version, weft_templates_source_origin(src));
	if (!err)
		err = find_moves(&moves, &n_moves, paths, n_paths, m, u->from_version, base, next, u->dest);
	for (size_t i = 0; !err && i < n_paths; i++) {
		weft_templates_path_rule rule = weft_templates_path_check(paths[i], NULL);
		if (rule != WEFT_TEMPLATES_PATH_OK) {
			weft_diags_add(d, WEFT_SEV_ERROR, paths[i], 0, 0, NULL, "not a path weft writes: %s",
				       weft_templates_path_rule_text(rule));
			err = WEFT_EINVALID;
			break;
		}
		const move *mv = move_of(moves, n_moves, paths[i]);
		if (mv && mv->from == paths[i] && mv->relocate)
			continue; /* decided with where it moves to */
		if (mv && mv->to == paths[i]) {
			err = decide_moved(&g, mv, base, next);
			continue;
		}
		side b = plan_side(base, paths[i]), n = plan_side(next, paths[i]), w;
		err = work_side(&w, u->dest, paths[i], d);
		if (!err)
			err = decide(&g, paths[i], &b, &w, &n);
		free(w.owned);
	}
	if (!err)
		weft_templates_plan_sort(g.out);
	if (!err && !o->dry_run)
		err = apply(u, &g, repo, base, next, o, d);
	if (err == WEFT_ENOMEM)
		weft_diags_add(d, WEFT_SEV_ERROR, dest, 0, 0, NULL, "out of memory");
	for (size_t i = 0; i < g.n_remove; i++)
		free(g.remove[i]);
	free(g.remove);
	weft_templates_plan_free(g.out);
	free(paths);
	free(moves);
	weft_buf_free(&label);
	weft_templates_plan_free(next);
	weft_templates_plan_free(base);
	cJSON_Delete(values);
	weft_templates_manifest_free(m);
	weft_templates_source_free(src);
	weft_templates_answers_free(rec);
	free(ans_path);
	if (err) {
		weft_templates_update_free(u);
		return err;
	}
	*out = u;
	return WEFT_OK;
}

void weft_templates_update_free(weft_templates_update *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].path);
		free(u->v[i].note);
		free(u->v[i].beside);
	}
	free(u->v);
	free(u->dest);
	free(u->name);
	free(u->from_version);
	free(u->to_version);
	free(u->from_commit);
	free(u->to_commit);
	free(u->base_from);
	free(u);
}

size_t weft_templates_update_count(const weft_templates_update *u)
{
	return u->n;
}

int weft_templates_update_file_at(weft_templates_update_file *out, const weft_templates_update *u, size_t i)
{
	if (i >= u->n)
		return WEFT_EINVALID;
	*out = (weft_templates_update_file){ .path = u->v[i].path, .status = u->v[i].status,
					     .note = u->v[i].note, .beside = u->v[i].beside };
	return WEFT_OK;
}

size_t weft_templates_update_conflicts(const weft_templates_update *u)
{
	return u->counts[WEFT_TEMPLATES_UPD_CONFLICT];
}

/* ---- what weft update prints ------------------------------------------------------ */

static void json_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

int weft_templates_update_render(weft_buf *out, const weft_templates_update *u, weft_templates_format fmt)
{
	if (fmt == WEFT_TEMPLATES_FORMAT_JSON) {
		cJSON *o = cJSON_CreateObject(), *t = cJSON_CreateObject(), *files = cJSON_CreateArray(),
		      *counts = cJSON_CreateObject();
		if (!o || !t || !files || !counts) {
			cJSON_Delete(o);
			cJSON_Delete(t);
			cJSON_Delete(files);
			cJSON_Delete(counts);
			return WEFT_ENOMEM;
		}
		cJSON_AddStringToObject(o, "dest", u->dest);
		cJSON_AddBoolToObject(o, "dry_run", u->dry_run);
		cJSON_AddStringToObject(t, "name", u->name);
		json_str_or_null(t, "from_version", u->from_version);
		cJSON_AddStringToObject(t, "to_version", u->to_version);
		json_str_or_null(t, "from_commit", u->from_commit);
		json_str_or_null(t, "to_commit", u->to_commit);
		cJSON_AddItemToObject(o, "template", t);
		cJSON_AddStringToObject(o, "base", u->base_from);
		for (size_t i = 0; i < u->n; i++) {
			cJSON *f = cJSON_CreateObject();
			if (!f)
				break;
			cJSON_AddStringToObject(f, "path", u->v[i].path);
			cJSON_AddStringToObject(f, "status", status_name[u->v[i].status]);
			json_str_or_null(f, "note", u->v[i].note);
			json_str_or_null(f, "beside", u->v[i].beside);
			cJSON_AddItemToArray(files, f);
		}
		cJSON_AddItemToObject(o, "files", files);
		for (int s = 0; s <= WEFT_TEMPLATES_UPD_MOVED; s++)
			cJSON_AddNumberToObject(counts, status_name[s], (double)u->counts[s]);
		cJSON_AddItemToObject(o, "counts", counts);
		char *text = cJSON_Print(o);
		cJSON_Delete(o);
		if (!text)
			return WEFT_ENOMEM;
		weft_buf_printf(out, "%s\n", text);
		free(text);
		return out->oom ? WEFT_ENOMEM : WEFT_OK;
	}
	if (u->counts[WEFT_TEMPLATES_UPD_UNCHANGED] == u->n) {
		weft_buf_printf(out, "%s is up to date with %s %s (base: %s)\n", u->dest, u->name, u->to_version,
				u->base_from);
		return out->oom ? WEFT_ENOMEM : WEFT_OK;
	}
	weft_buf_printf(out, "%s %s: %s %s -> %s (base: %s)\n", u->dry_run ? "would update" : "updated", u->dest,
			u->name, u->from_version ? u->from_version : "?", u->to_version, u->base_from);
	for (size_t i = 0; i < u->n; i++) {
		const ufile *f = &u->v[i];
		if (f->status == WEFT_TEMPLATES_UPD_UNCHANGED)
			continue;
		weft_buf_printf(out, "  %-9s %s", status_name[f->status], f->path);
		if (f->beside)
			weft_buf_printf(out, " (+ %s)", f->beside);
		if (f->note)
			weft_buf_printf(out, ": %s", f->note);
		weft_buf_put(out, "\n", 1);
	}
	weft_buf_printf(out, "%zu unchanged, %zu updated, %zu merged, %zu added, %zu removed, %zu kept, %zu conflict%s\n",
			u->counts[0], u->counts[1], u->counts[2], u->counts[4], u->counts[5], u->counts[6], u->counts[3],
			u->counts[3] == 1 ? "" : "s");
	if (u->counts[WEFT_TEMPLATES_UPD_MOVED])
		weft_buf_printf(out, "%zu moved by the template's migrations\n", u->counts[WEFT_TEMPLATES_UPD_MOVED]);
	if (u->counts[3] && !u->dry_run)
		weft_buf_printf(out, "Resolve the conflicts, then review and commit: git diff; git commit -a\n");
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
