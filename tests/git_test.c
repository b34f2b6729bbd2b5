/* git_test.c - commit and tag with libgit2 for the template tests: one
 * copy of the steps (index, tree, signature, parent) instead of one per
 * test file. */
#include <criterion/criterion.h>

#include "git_test.h"

void weft_test_git_commit_all(const char *dir, const char *msg, git_oid *out)
{
	weft_test_git_commit_as(dir, msg, "t", 0, out);
}

void weft_test_git_commit_as(const char *dir, const char *msg, const char *author, int64_t when, git_oid *out)
{
	git_repository *repo = NULL;
	if (git_repository_open(&repo, dir) != 0)
		cr_assert_eq(git_repository_init(&repo, dir, 0), 0);
	git_index *idx = NULL;
	git_oid tree_id;
	cr_assert_eq(git_repository_index(&idx, repo), 0);
	cr_assert_eq(git_index_add_all(idx, NULL, 0, NULL, NULL), 0);
	cr_assert_eq(git_index_update_all(idx, NULL, NULL, NULL), 0); /* removals too */
	cr_assert_eq(git_index_write(idx), 0);
	cr_assert_eq(git_index_write_tree(&tree_id, idx), 0);
	git_tree *tree = NULL;
	cr_assert_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	git_signature *sig = NULL;
	if (when)
		cr_assert_eq(git_signature_new(&sig, author, "t@example.com", (git_time_t)when, 0), 0);
	else
		cr_assert_eq(git_signature_now(&sig, author, "t@example.com"), 0);
	git_oid parent_id;
	git_commit *parent = NULL;
	if (git_reference_name_to_id(&parent_id, repo, "HEAD") == 0)
		cr_assert_eq(git_commit_lookup(&parent, repo, &parent_id), 0);
	const git_commit *parents[1] = { parent };
	cr_assert_eq(git_commit_create(out, repo, "HEAD", sig, sig, NULL, msg, tree, parent ? 1 : 0, parents), 0);
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	git_repository_free(repo);
}

void weft_test_git_tag(const char *dir, const char *name, const git_oid *id)
{
	git_repository *repo = NULL;
	cr_assert_eq(git_repository_open(&repo, dir), 0);
	git_object *obj = NULL;
	cr_assert_eq(git_object_lookup(&obj, repo, id, GIT_OBJECT_COMMIT), 0);
	git_oid tag_id;
	cr_assert_eq(git_tag_create_lightweight(&tag_id, repo, name, obj, 0), 0);
	git_object_free(obj);
	git_repository_free(repo);
}
