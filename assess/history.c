/* history.c - an answers file's assessments over its git history.
 *
 * Design choice: git already is the history. Through libgit2 (no git
 * program), walk HEAD's first-parent line newest first, following the file
 * through renames (a path missing from the parent is looked up among the
 * parent-to-commit renames), and keep each commit whose blob of the file
 * differs from its parent's; then, when the file on disk differs from HEAD,
 * the working tree. Each version is scored against the one model given
 * (answers for an older model version are migrated by weft_assess_score),
 * at one target for every entry, so their PercentToTarget compare. A
 * version that does not parse or score is an entry with its error, not a
 * failed history: an old mistake must not hide the trend.
 */
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess_int.h"

static int git_err(weft_diags *d, const char *path, const char *what)
{
	const git_error *e = git_error_last();
	weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "%s%s%s", what, e && e->message ? ": " : "",
		       e && e->message ? e->message : "");
	return WEFT_EENV;
}

static void entry_clear(weft_assess_history_entry *e)
{
	weft_assess_result_free(e->result);
	weft_assess_answers_free(e->answers);
	free(e->author);
	free(e->message);
	free(e->path);
	free(e->error);
}

void weft_assess_history_free(weft_assess_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		entry_clear(&h->entries[i]);
	free(h->entries);
	free(h->file);
	free(h->repo);
	free(h);
}

static weft_assess_history_entry *entry_new(weft_assess_history *h, size_t *cap)
{
	if (h->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		weft_assess_history_entry *g = realloc(h->entries, nc * sizeof *g);
		if (!g)
			return NULL;
		h->entries = g;
		*cap = nc;
	}
	weft_assess_history_entry *e = &h->entries[h->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* The first error of d as "path:line:col: message", or a fallback. */
static char *first_error(const weft_diags *d)
{
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		if (g->severity != WEFT_SEV_ERROR)
			continue;
		weft_buf b = WEFT_BUF_INIT;
		if (g->path)
			weft_buf_printf(&b, "%s:", g->path);
		if (g->line)
			weft_buf_printf(&b, "%d:%d:", g->line, g->col);
		weft_buf_printf(&b, "%s%s", b.len ? " " : "", g->message ? g->message : "error");
		return weft_buf_detach(&b);
	}
	return strdup("could not be scored");
}

/* Load and score one version (bytes of the file) into e. */
static int entry_score(weft_assess_history_entry *e, const char *name, const char *buf, size_t len,
		       const weft_assess_model *m, const weft_assess_score_opts *so)
{
	weft_diags *scratch = NULL;
	if (weft_diags_new(&scratch))
		return WEFT_ENOMEM;
	weft_assess_result_free(e->result);
	e->result = NULL;
	free(e->error);
	e->error = NULL;
	int err = e->answers ? 0 : weft_assess_answers_load_buffer(&e->answers, name, buf, len, scratch);
	if (!err) {
		const weft_assess_answers *one = e->answers;
		err = weft_assess_score(&e->result, m, &one, 1, so, scratch);
	}
	if (err == WEFT_ENOMEM) {
		weft_diags_free(scratch);
		return err;
	}
	if (err && !(e->error = first_error(scratch)))
		err = WEFT_ENOMEM;
	else
		err = 0;
	weft_diags_free(scratch);
	return err;
}

/* Record commit c's version of path (blob id) as a new entry. */
static int add_commit(weft_assess_history *h, size_t *cap, git_repository *repo, git_commit *c,
		      const char *path, const git_oid *blob_id, const weft_assess_model *m,
		      const weft_assess_score_opts *so)
{
	git_blob *blob = NULL;
	if (git_blob_lookup(&blob, repo, blob_id))
		return WEFT_EENV;
	weft_assess_history_entry *e = entry_new(h, cap);
	if (!e) {
		git_blob_free(blob);
		return WEFT_ENOMEM;
	}
	git_oid_tostr(e->commit, sizeof e->commit, git_commit_id(c));
	e->time = (int64_t)git_commit_time(c);
	e->offset_min = git_commit_time_offset(c);
	const git_signature *a = git_commit_author(c);
	weft_buf who = WEFT_BUF_INIT;
	weft_buf_printf(&who, "%s <%s>", a && a->name ? a->name : "", a && a->email ? a->email : "");
	e->author = weft_buf_detach(&who);
	const char *sum = git_commit_summary(c);
	e->message = strdup(sum ? sum : "");
	e->path = strdup(path);
	char name[PATH_MAX + 16];
	snprintf(name, sizeof name, "%s@%.7s", path, e->commit);
	int err = e->author && e->message && e->path ? 0 : WEFT_ENOMEM;
	if (!err)
		err = entry_score(e, name, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), m, so);
	git_blob_free(blob);
	return err;
}

/* The path that became `path` in a rename from parent to tree, or NULL
 * (malloc'd). */
static char *renamed_from(git_repository *repo, git_tree *parent, git_tree *tree, const char *path)
{
	git_diff *diff = NULL;
	char *old = NULL;
	git_diff_find_options fo;
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_tree_to_tree(&diff, repo, parent, tree, NULL) || git_diff_find_similar(diff, &fo)) {
		git_diff_free(diff);
		return NULL;
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff) && !old; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);
		if (dl->status == GIT_DELTA_RENAMED && !strcmp(dl->new_file.path, path))
			old = strdup(dl->old_file.path);
	}
	git_diff_free(diff);
	return old;
}

/* Walk HEAD's first parents from newest, appending an entry per change of
 * the file (newest first); *head_blob gets HEAD's blob of it (zero when
 * HEAD does not hold it). */
static int walk(weft_assess_history *h, size_t *cap, git_repository *repo, const char *rel,
		const weft_assess_model *m, const weft_assess_score_opts *so, git_oid *head_blob, bool *in_head,
		weft_diags *d)
{
	git_revwalk *w = NULL;
	char *cur = strdup(rel);
	int err = cur ? 0 : WEFT_ENOMEM;
	*in_head = false;
	if (!err && (git_revwalk_new(&w, repo) || git_revwalk_push_head(w)))
		err = git_err(d, h->file, "cannot walk the repository's history");
	if (!err) {
		git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
		git_revwalk_simplify_first_parent(w);
	}
	git_oid id;
	bool first = true;
	while (!err && cur && git_revwalk_next(&id, w) == 0) {
		git_commit *c = NULL, *p = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_tree_entry *te = NULL, *pe = NULL;
		bool stop = false;
		if (git_commit_lookup(&c, repo, &id) || git_commit_tree(&t, c)) {
			err = git_err(d, h->file, "cannot read a commit");
		} else if (git_tree_entry_bypath(&te, t, cur)) {
			stop = true; /* not in this commit: its history ends here */
		} else {
			const git_oid *blob = git_tree_entry_id(te);
			if (first) {
				*head_blob = *blob;
				*in_head = true;
			}
			if (git_commit_parentcount(c) == 0 || git_commit_parent(&p, c, 0) || git_commit_tree(&pt, p)) {
				err = add_commit(h, cap, repo, c, cur, blob, m, so); /* the root */
				stop = true;
			} else if (git_tree_entry_bypath(&pe, pt, cur) == 0) {
				if (!git_oid_equal(git_tree_entry_id(pe), blob))
					err = add_commit(h, cap, repo, c, cur, blob, m, so);
			} else {
				char *old = renamed_from(repo, pt, t, cur);
				git_tree_entry *oe = NULL;
				/* renamed: an entry only if the content changed too */
				if (old && git_tree_entry_bypath(&oe, pt, old) == 0 && git_oid_equal(git_tree_entry_id(oe), blob)) {
					free(cur);
					cur = old;
				} else {
					err = add_commit(h, cap, repo, c, cur, blob, m, so);
					free(cur);
					cur = old;
					stop = !old; /* added here */
				}
				git_tree_entry_free(oe);
			}
		}
		first = false;
		git_tree_entry_free(te);
		git_tree_entry_free(pe);
		git_tree_free(t);
		git_tree_free(pt);
		git_commit_free(p);
		git_commit_free(c);
		if (stop)
			break;
	}
	free(cur);
	git_revwalk_free(w);
	return err;
}

/* Reverse entries [0, n) in place: the walk gives newest first. */
static void reverse(weft_assess_history_entry *e, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		weft_assess_history_entry t = e[i];
		e[i] = e[n - 1 - i];
		e[n - 1 - i] = t;
	}
}

/* Score every entry again at target (answers kept). */
static int rescore(weft_assess_history *h, const weft_assess_model *m, const weft_assess_score_opts *so)
{
	for (size_t i = 0; i < h->n; i++) {
		weft_assess_history_entry *e = &h->entries[i];
		if (!e->answers)
			continue;
		int err = entry_score(e, NULL, NULL, 0, m, so);
		if (err)
			return err;
	}
	return 0;
}

int weft_assess_history_load(weft_assess_history **out, const char *path, const weft_assess_model *m,
			     const weft_assess_history_opts *o, weft_diags *d)
{
	*out = NULL;
	weft_assess_history_opts dflt = { 0, true, { 0 } };
	if (!o)
		o = &dflt;
	char *abs = realpath(path, NULL);
	if (!abs) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "cannot read the file");
		return WEFT_EENV;
	}
	weft_assess_history *h = calloc(1, sizeof *h);
	if (!h || !(h->file = strdup(path))) {
		free(abs);
		free(h);
		return WEFT_ENOMEM;
	}
	git_libgit2_init();
	git_repository *repo = NULL;
	git_index *idx = NULL;
	int err = 0;
	size_t cap = 0;
	if (git_repository_open_ext(&repo, abs, 0, NULL)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0,
			       "keep the answers file in a git repository: its commits are the history",
			       "not inside a git repository");
		err = WEFT_EINVALID;
		goto done;
	}
	const char *wd = git_repository_workdir(repo);
	char *wdabs = wd ? realpath(wd, NULL) : NULL;
	size_t wl = wdabs ? strlen(wdabs) : 0;
	if (!wdabs || strncmp(abs, wdabs, wl) || abs[wl] != '/') {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "not in the repository's working tree");
		free(wdabs);
		err = WEFT_EINVALID;
		goto done;
	}
	h->repo = wdabs;
	const char *rel = abs + wl + 1;
	bool tracked = !git_repository_index(&idx, repo) && git_index_get_bypath(idx, rel, 0);
	git_oid head_blob;
	bool in_head = false;
	memset(&head_blob, 0, sizeof head_blob);
	if (!git_repository_head_unborn(repo))
		err = walk(h, &cap, repo, rel, m, &o->score, &head_blob, &in_head, d);
	if (err)
		goto done;
	if (!tracked && !in_head) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, "commit it (git add, git commit) to start its history",
			       "git does not track this file");
		err = WEFT_EINVALID;
		goto done;
	}
	reverse(h->entries, h->n);
	if (o->since) {
		size_t k = 0;
		for (size_t i = 0; i < h->n; i++) {
			if (h->entries[i].time >= o->since)
				h->entries[k++] = h->entries[i];
			else
				entry_clear(&h->entries[i]);
		}
		h->n = k;
	}
	if (o->working_tree) {
		size_t len = 0;
		char *buf = NULL;
		git_oid now;
		if ((err = weft_file_read(&buf, &len, abs, 0, d)))
			goto done;
		if (git_odb_hash(&now, buf, len, GIT_OBJECT_BLOB) == 0 && (!in_head || !git_oid_equal(&now, &head_blob))) {
			weft_assess_history_entry *e = entry_new(h, &cap);
			struct stat st;
			err = e ? 0 : WEFT_ENOMEM;
			if (e) {
				e->time = stat(abs, &st) == 0 ? (int64_t)st.st_mtime : 0;
				e->working_tree = true;
				e->path = strdup(rel);
				err = e->path ? entry_score(e, path, buf, len, m, &o->score) : WEFT_ENOMEM;
			}
		}
		free(buf);
		if (err)
			goto done;
	}
	/* one target for all: the option, else one above the latest rated level */
	h->target = o->score.target;
	if (!h->target) {
		h->target = 3;
		for (size_t i = h->n; i-- > 0;)
			if (h->entries[i].result && h->entries[i].result->rated) {
				int l = h->entries[i].result->level + 1;
				h->target = l > WEFT_ASSESS_LEVELS ? WEFT_ASSESS_LEVELS : l;
				break;
			}
		weft_assess_score_opts so = o->score;
		so.target = h->target;
		err = rescore(h, m, &so);
	}
done:
	git_index_free(idx);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(abs);
	if (err) {
		weft_assess_history_free(h);
		return err;
	}
	*out = h;
	return 0;
}
