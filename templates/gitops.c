/* gitops.c - the git work of `weft new`, all through libgit2.
 *
 * Design: no shelling out to git. A generated project gets `git init`, every
 * file added as `git add -A` would (so the template's own .gitignore is
 * honoured) and one commit; a git template source is cloned into a private
 * folder and checked out detached at the requested ref, so the commit that
 * was used can be recorded; a local repository used in place is checked for
 * uncommitted changes, so that what gets recorded is what was rendered. Each
 * entry point brackets its work with git_libgit2_init/shutdown (reference
 * counted by libgit2).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "templates_int.h"

static int git_fail(weft_diags *d, const char *where, const char *what)
{
	const git_error *e = git_error_last();
	weft_diags_add(d, WEFT_SEV_ERROR, where, 0, 0, NULL, "%s: %s", what,
		       e && e->message ? e->message : "unknown libgit2 error");
	return WEFT_EENV;
}

/* Identity for the commit: the environment git honours, then config. */
static int signature(git_signature **out, git_repository *repo, bool *fallback)
{
	*fallback = false;
	const char *name = getenv("GIT_AUTHOR_NAME"), *email = getenv("GIT_AUTHOR_EMAIL");
	if (name && *name && email && *email && git_signature_now(out, name, email) == 0)
		return 0;
	if (git_signature_default(out, repo) == 0)
		return 0;
	*fallback = true;
	return git_signature_now(out, "weft", "weft@localhost");
}

int weft_templates_git_commit(char hex[41], char *author, size_t author_len, bool *fallback,
			      const char *dir, const char *message, weft_diags *d)
{
	hex[0] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id, commit_id;
	int err = WEFT_OK;
	if (git_repository_init(&repo, dir, 0) != 0)
		err = git_fail(d, dir, "git init failed");
	else if (git_repository_index(&index, repo) != 0 ||
		 git_index_add_all(index, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL) != 0 ||
		 git_index_write(index) != 0 || git_index_write_tree(&tree_id, index) != 0)
		err = git_fail(d, dir, "git add failed");
	else if (git_tree_lookup(&tree, repo, &tree_id) != 0)
		err = git_fail(d, dir, "git tree lookup failed");
	else if (signature(&sig, repo, fallback) != 0)
		err = git_fail(d, dir, "no usable git identity");
	else if (git_commit_create_v(&commit_id, repo, "HEAD", sig, sig, NULL, message, tree, 0) != 0)
		err = git_fail(d, dir, "git commit failed");
	if (!err) {
		git_oid_tostr(hex, 41, &commit_id);
		snprintf(author, author_len, "%s <%s>", sig->name, sig->email);
	}
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}

/* ref as given, then as a remote branch, then as a tag. */
static int resolve(git_object **out, git_repository *repo, const char *ref)
{
	static const char *const forms[] = { "%s", "origin/%s", "refs/tags/%s" };
	for (size_t i = 0; i < 3; i++) {
		char spec[512];
		snprintf(spec, sizeof spec, forms[i], ref);
		git_object *obj = NULL;
		if (git_revparse_single(&obj, repo, spec) != 0)
			continue;
		int rc = git_object_peel(out, obj, GIT_OBJECT_COMMIT);
		git_object_free(obj);
		if (rc == 0)
			return 0;
	}
	return -1;
}

int weft_templates_git_clone(char hex[41], const char *url, const char *ref, const char *dir,
			     weft_diags *d)
{
	hex[0] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	git_object *commit = NULL;
	int err = WEFT_OK;
	git_clone_options co;
	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	if (git_clone(&repo, url, dir, &co) != 0) {
		err = git_fail(d, url, "cannot clone the template repository");
	} else if (ref) {
		if (resolve(&commit, repo, ref) != 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, url, 0, 0, "give a tag, a branch or a commit of it",
				       "ref '%s' not found in the template repository", ref);
			err = WEFT_EINVALID;
		} else {
			git_checkout_options ch;
			git_checkout_options_init(&ch, GIT_CHECKOUT_OPTIONS_VERSION);
			ch.checkout_strategy = GIT_CHECKOUT_FORCE;
			if (git_checkout_tree(repo, commit, &ch) != 0 ||
			    git_repository_set_head_detached(repo, git_object_id(commit)) != 0)
				err = git_fail(d, url, "cannot check out the ref");
			else
				git_oid_tostr(hex, 41, git_object_id(commit));
		}
	} else {
		git_oid id;
		if (git_reference_name_to_id(&id, repo, "HEAD") != 0)
			err = git_fail(d, url, "the template repository has no commit");
		else
			git_oid_tostr(hex, 41, &id);
	}
	git_object_free(commit);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}

int weft_templates_git_head(char hex[41], const char *dir)
{
	hex[0] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	git_oid id;
	int rc = -1;
	if (git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0 &&
	    !git_repository_is_bare(repo) && git_reference_name_to_id(&id, repo, "HEAD") == 0) {
		git_oid_tostr(hex, 41, &id);
		rc = 0;
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/* Paths with uncommitted changes in the work tree at dir: modified, staged,
 * deleted, renamed and untracked files (ignored ones are not counted). */
int weft_templates_git_dirty(char ***paths, size_t *n, const char *dir, weft_diags *d)
{
	*paths = NULL;
	*n = 0;
	git_libgit2_init();
	git_repository *repo = NULL;
	git_status_list *list = NULL;
	int err = WEFT_OK;
	git_status_options so;
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY;
	if (git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0)
		err = git_fail(d, dir, "cannot open the template repository");
	else if (git_status_list_new(&list, repo, &so) != 0)
		err = git_fail(d, dir, "cannot read the status of the template repository");
	size_t count = list ? git_status_list_entrycount(list) : 0;
	char **v = count ? calloc(count, sizeof *v) : NULL;
	if (count && !v)
		err = WEFT_ENOMEM;
	for (size_t i = 0; !err && i < count; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		if (!e || e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED))
			continue;
		const git_diff_delta *dd = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
		const char *p = dd ? (dd->new_file.path ? dd->new_file.path : dd->old_file.path) : NULL;
		if (!(v[*n] = strdup(p ? p : "?")))
			err = WEFT_ENOMEM;
		else
			(*n)++;
	}
	git_status_list_free(list);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (err) {
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		*n = 0;
		return err;
	}
	*paths = v;
	return WEFT_OK;
}

/* ---- the template base of a project: refs/weft/base ---------------------------
 *
 * `weft new` keeps the pristine render of the template (every planned file,
 * link and mode, whether or not .gitignore leaves it out of the first
 * commit) as a commit on refs/weft/base of the project's repository, so
 * that `weft update` can merge from it without the old template version.
 * Each update adds a commit on top, so the ref's history lists the
 * versions the project went through.
 */

/* Open the repository whose work tree is exactly dir. */
static int open_exact(git_repository **repo, const char *dir)
{
	*repo = NULL;
	if (git_repository_open_ext(repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0)
		return -1;
	if (git_repository_is_bare(*repo)) {
		git_repository_free(*repo);
		*repo = NULL;
		return -1;
	}
	return 0;
}

int weft_templates_git_base_head(char hex[41], const char *dir)
{
	hex[0] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	git_oid id;
	int rc = -1;
	if (open_exact(&repo, dir) == 0 && git_reference_name_to_id(&id, repo, WEFT_TEMPLATES_BASE_REF) == 0) {
		git_oid_tostr(hex, 41, &id);
		rc = 0;
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int weft_templates_git_base_commit(char hex[41], const char *dir, const weft_templates_plan *p,
				   const char *message, weft_diags *d)
{
	hex[0] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	git_oid id, tree_id, parent_id;
	bool fallback;
	int err = WEFT_OK;
	if (open_exact(&repo, dir) != 0)
		err = git_fail(d, dir, "cannot open the project's git repository");
	else if (git_index_new(&idx) != 0)
		err = git_fail(d, dir, "cannot make an index");
	for (size_t i = 0; !err && i < weft_templates_plan_count(p); i++) {
		const weft_templates_file *f = weft_templates_plan_file(p, i);
		if (f->action == WEFT_TEMPLATES_DIR)
			continue;
		size_t len;
		const char *data = weft_templates_plan_data(p, i, &len);
		git_index_entry e;
		memset(&e, 0, sizeof e);
		e.path = f->path;
		e.mode = f->action == WEFT_TEMPLATES_SYMLINK ? GIT_FILEMODE_LINK
			 : f->mode & 0111			? GIT_FILEMODE_BLOB_EXECUTABLE
								: GIT_FILEMODE_BLOB;
		if (git_blob_create_from_buffer(&e.id, repo, data, len) != 0 || git_index_add(idx, &e) != 0)
			err = git_fail(d, f->path, "cannot store the template's file");
	}
	if (!err && (git_index_write_tree_to(&tree_id, idx, repo) != 0 || git_tree_lookup(&tree, repo, &tree_id) != 0))
		err = git_fail(d, dir, "cannot store the template's tree");
	if (!err && git_reference_name_to_id(&parent_id, repo, WEFT_TEMPLATES_BASE_REF) == 0 &&
	    git_commit_lookup(&parent, repo, &parent_id) != 0)
		err = git_fail(d, dir, "cannot read " WEFT_TEMPLATES_BASE_REF);
	if (!err && signature(&sig, repo, &fallback) != 0)
		err = git_fail(d, dir, "no usable git identity");
	if (!err) {
		const git_commit *parents[1] = { parent };
		if (git_commit_create(&id, repo, NULL, sig, sig, NULL, message, tree, parent ? 1 : 0, parents) != 0)
			err = git_fail(d, dir, "cannot store the template's base commit");
		else
			git_oid_tostr(hex, 41, &id);
	}
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(tree);
	git_index_free(idx);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}

int weft_templates_git_base_set(const char *dir, const char *hex, weft_diags *d)
{
	git_libgit2_init();
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	git_oid id;
	int err = WEFT_OK;
	if (open_exact(&repo, dir) != 0) {
		err = git_fail(d, dir, "cannot open the project's git repository");
	} else if (!hex || !*hex) {
		int rc = git_reference_lookup(&ref, repo, WEFT_TEMPLATES_BASE_REF);
		if (rc == 0 && git_reference_delete(ref) != 0)
			err = git_fail(d, dir, "cannot delete " WEFT_TEMPLATES_BASE_REF);
	} else if (git_oid_fromstr(&id, hex) != 0 ||
		   git_reference_create(&ref, repo, WEFT_TEMPLATES_BASE_REF, &id, 1, "weft: template base") != 0) {
		err = git_fail(d, dir, "cannot set " WEFT_TEMPLATES_BASE_REF);
	}
	git_reference_free(ref);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}

typedef struct {
	git_repository *repo;
	weft_templates_plan *p;
	int err;
	weft_diags *d;
} base_reader;

static int base_entry(const char *root, const git_tree_entry *e, void *ctx)
{
	base_reader *r = ctx;
	git_filemode_t mode = git_tree_entry_filemode(e);
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE && mode != GIT_FILEMODE_LINK)
		return 0; /* folders are walked into; anything else is not ours */
	weft_buf path = WEFT_BUF_INIT;
	weft_buf_printf(&path, "%s%s", root, git_tree_entry_name(e));
	git_blob *blob = NULL;
	if (path.oom) {
		r->err = WEFT_ENOMEM;
	} else if (weft_templates_path_check(path.ptr, NULL) != WEFT_TEMPLATES_PATH_OK) {
		weft_diags_add(r->d, WEFT_SEV_ERROR, WEFT_TEMPLATES_BASE_REF, 0, 0, NULL, "holds an unsafe path '%s'",
			       path.ptr);
		r->err = WEFT_EINVALID;
	} else if (git_blob_lookup(&blob, r->repo, git_tree_entry_id(e)) != 0) {
		r->err = git_fail(r->d, path.ptr, "cannot read the template base's file");
	} else {
		r->err = weft_templates_plan_put(r->p, path.ptr,
						 mode == GIT_FILEMODE_LINK ? WEFT_TEMPLATES_SYMLINK : WEFT_TEMPLATES_RENDERED,
						 mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644,
						 git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	}
	git_blob_free(blob);
	weft_buf_free(&path);
	return r->err ? -1 : 0;
}

int weft_templates_git_base_read(weft_templates_plan **out, const char *dir, const char *hex, weft_diags *d)
{
	*out = NULL;
	git_libgit2_init();
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid id;
	base_reader r = { .d = d };
	int err = WEFT_OK;
	if (open_exact(&repo, dir) != 0)
		err = git_fail(d, dir, "cannot open the project's git repository");
	else if (git_oid_fromstr(&id, hex) != 0 || git_commit_lookup(&commit, repo, &id) != 0 ||
		 git_commit_tree(&tree, commit) != 0)
		err = git_fail(d, dir, "cannot read " WEFT_TEMPLATES_BASE_REF);
	else
		err = weft_templates_plan_empty(&r.p, "base", "", dir);
	if (!err) {
		r.repo = repo;
		if (git_tree_walk(tree, GIT_TREEWALK_PRE, base_entry, &r) != 0)
			err = r.err ? r.err : git_fail(d, dir, "cannot read " WEFT_TEMPLATES_BASE_REF);
	}
	if (!err) {
		weft_templates_plan_sort(r.p);
		*out = r.p;
	} else {
		weft_templates_plan_free(r.p);
	}
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return err;
}

/* ---- three-way merge of one file --------------------------------------------- */

int weft_templates_git_merge_file(char **out, size_t *out_len, bool *clean, const char *base, size_t base_len,
				  const char *ours, size_t ours_len, const char *theirs, size_t theirs_len,
				  const char *our_label, const char *their_label, bool favor_ours)
{
	*out = NULL;
	*out_len = 0;
	*clean = false;
	git_libgit2_init();
	git_merge_file_input a, o, t;
	git_merge_file_input_init(&a, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&o, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&t, GIT_MERGE_FILE_INPUT_VERSION);
	a.ptr = base;
	a.size = base_len;
	o.ptr = ours;
	o.size = ours_len;
	t.ptr = theirs;
	t.size = theirs_len;
	git_merge_file_options mo;
	git_merge_file_options_init(&mo, GIT_MERGE_FILE_OPTIONS_VERSION);
	mo.ancestor_label = "template base";
	mo.our_label = our_label;
	mo.their_label = their_label;
	mo.favor = favor_ours ? GIT_MERGE_FILE_FAVOR_OURS : GIT_MERGE_FILE_FAVOR_NORMAL;
	git_merge_file_result res;
	memset(&res, 0, sizeof res);
	int err = WEFT_OK;
	if (git_merge_file(&res, &a, &o, &t, &mo) != 0) {
		err = WEFT_ENOMEM;
	} else {
		*clean = res.automergeable != 0;
		*out = malloc(res.len + 1);
		if (!*out) {
			err = WEFT_ENOMEM;
		} else {
			if (res.len)
				memcpy(*out, res.ptr, res.len);
			(*out)[res.len] = '\0';
			*out_len = res.len;
		}
	}
	git_merge_file_result_free(&res);
	git_libgit2_shutdown();
	return err;
}

/* The answers file of base commit c, or NULL. */
static git_blob *base_answers(git_repository *repo, git_commit *c)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	if (git_commit_tree(&tree, c) == 0 && git_tree_entry_bypath(&e, tree, WEFT_TEMPLATES_ANSWERS_FILE) == 0)
		git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(tree);
	return blob;
}

int weft_templates_git_base_find(char hex[41], const char *dir, const char *answers, size_t len,
				 const char *digest_line)
{
	hex[0] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_oid id;
	int rc = -2;
	char by_digest[41] = "";
	if (open_exact(&repo, dir) == 0 && git_reference_name_to_id(&id, repo, WEFT_TEMPLATES_BASE_REF) == 0 &&
	    git_commit_lookup(&c, repo, &id) == 0) {
		git_oid_tostr(hex, 41, &id);
		rc = -1;
		for (int depth = 0; c && depth < 10000; depth++) {
			git_blob *b = base_answers(repo, c);
			const char *s = b ? git_blob_rawcontent(b) : NULL;
			size_t n = b ? (size_t)git_blob_rawsize(b) : 0;
			if (s && n == len && !memcmp(s, answers, len)) {
				git_oid_tostr(hex, 41, git_commit_id(c));
				rc = 0;
			} else if (s && digest_line && !by_digest[0]) {
				size_t dl = strlen(digest_line);
				for (size_t i = 0; i + dl <= n; i++)
					if (!memcmp(s + i, digest_line, dl)) {
						git_oid_tostr(by_digest, 41, git_commit_id(c));
						break;
					}
			}
			git_blob_free(b);
			git_commit *parent = NULL;
			if (rc == 0 || git_commit_parentcount(c) == 0 || git_commit_parent(&parent, c, 0) != 0)
				parent = NULL;
			git_commit_free(c);
			c = parent;
		}
		if (rc && by_digest[0]) {
			memcpy(hex, by_digest, 41);
			rc = 1;
		}
	}
	git_commit_free(c);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
