/* git_test.h - building small git repositories for the template and history tests
 * (libgit2, so the tests need no git program). Call between
 * git_libgit2_init() and git_libgit2_shutdown(). */
#ifndef WEFT_TESTS_GIT_TEST_H
#define WEFT_TESTS_GIT_TEST_H

#include <git2.h>
#include <stdint.h>

/* Commit every file of dir (initialising a repository there if needed) on
 * HEAD, after its current commit if any; *out gets the new commit's id. */
void weft_test_git_commit_all(const char *dir, const char *msg, git_oid *out);
/* The same by author (name, t@example.com) at when (epoch s; 0: now);
 * files deleted from dir are removed from the commit too. */
void weft_test_git_commit_as(const char *dir, const char *msg, const char *author, int64_t when, git_oid *out);
/* A lightweight tag name on commit id. */
void weft_test_git_tag(const char *dir, const char *name, const git_oid *id);

#endif
