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
