/* fsutil.c - folder helpers for the destinations (database, export, log).
 *
 * Key choice: output folders are created on demand, so a fresh install
 * runs without a setup step; a path component that exists but is not a
 * folder makes the caller's open fail with ENOTDIR, reported as a storage
 * failure rather than papered over.
 */
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *fs_dir_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int fs_make_dirs(const char *dir)
{
	char *p = strdup(dir);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = 0;
	if (mkdir(p, 0777) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int fs_make_parent(const char *path)
{
	const char *base;
	char *dir = fs_dir_of(path, &base);
	if (!dir) {
		errno = ENOMEM;
		return -1;
	}
	int rc = fs_make_dirs(dir);
	free(dir);
	return rc;
}
