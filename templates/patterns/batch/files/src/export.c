/* export.c - the CSV export destination.
 *
 * Key choice: readers must never see half a file. Rows go to a temporary
 * file in the destination's own folder (so rename(2) is atomic: same file
 * system), which is fsync'ed and renamed over the final name only when the
 * whole run succeeded; the folder is fsync'ed too so the rename survives a
 * power cut. A killed run leaves only a dot-file temporary, which the next
 * run for the same path removes before it starts.
 */
#include "export.h"
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct csv_export {
	char *path, *tmp, *dir;
	FILE *f;
	int fields; /* fields written in the current row */
	int failed;
};

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int export_open(csv_export **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	const char *base;
	csv_export *e = calloc(1, sizeof *e);
	if (!e || !(e->path = strdup(path)) || !(e->dir = fs_dir_of(path, &base))) {
		export_abort(e);
		errf(err, errlen, "out of memory");
		return -1;
	}
	if (!*base) {
		export_abort(e);
		errf(err, errlen, "%s: the export path names a folder, not a file", path);
		return -1;
	}
	if (fs_make_dirs(e->dir)) {
		errf(err, errlen, "%s: cannot create the folder: %s", e->dir, strerror(errno));
		export_abort(e);
		return -1;
	}
	size_t n = strlen(e->dir) + strlen(base) + 16;
	e->tmp = malloc(n);
	if (!e->tmp) {
		export_abort(e);
		errf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(e->tmp, n, "%s/.%s.tmp-XXXXXX", e->dir, base);
	int fd = mkstemp(e->tmp);
	if (fd < 0) {
		errf(err, errlen, "%s: cannot create a temporary file: %s", e->dir, strerror(errno));
		free(e->tmp);
		e->tmp = NULL;
		export_abort(e);
		return -1;
	}
	/* mkstemp makes 0600; an export is meant to be read by its consumers */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(e->f = fdopen(fd, "w"))) {
		errf(err, errlen, "%s: %s", e->tmp, strerror(errno));
		close(fd);
		export_abort(e);
		return -1;
	}
	*out = e;
	return 0;
}

const char *export_temp_path(const csv_export *e)
{
	return e->tmp;
}

int export_field(csv_export *e, const char *s)
{
	if (e->fields++ && fputc(',', e->f) == EOF)
		e->failed = 1;
	if (!strpbrk(s, ",\"\r\n")) {
		if (fputs(s, e->f) == EOF)
			e->failed = 1;
		return e->failed ? -1 : 0;
	}
	if (fputc('"', e->f) == EOF)
		e->failed = 1;
	for (; *s; s++) {
		if (*s == '"' && fputc('"', e->f) == EOF)
			e->failed = 1;
		if (fputc(*s, e->f) == EOF)
			e->failed = 1;
	}
	if (fputc('"', e->f) == EOF)
		e->failed = 1;
	return e->failed ? -1 : 0;
}

int export_number(csv_export *e, double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.9g", v);
	return export_field(e, buf);
}

int export_end_row(csv_export *e)
{
	if (fputc('\n', e->f) == EOF)
		e->failed = 1;
	e->fields = 0;
	return e->failed ? -1 : 0;
}

int export_commit(csv_export *e, char *err, size_t errlen)
{
	int rc = 0;
	if (e->failed || fflush(e->f) || ferror(e->f)) {
		errf(err, errlen, "%s: write failed: %s", e->tmp, strerror(errno ? errno : EIO));
		rc = -1;
	} else if (fsync(fileno(e->f))) {
		errf(err, errlen, "%s: fsync failed: %s", e->tmp, strerror(errno));
		rc = -1;
	}
	if (fclose(e->f) && !rc) {
		errf(err, errlen, "%s: close failed: %s", e->tmp, strerror(errno));
		rc = -1;
	}
	e->f = NULL;
	if (!rc && rename(e->tmp, e->path)) {
		errf(err, errlen, "%s: cannot rename into place: %s", e->path, strerror(errno));
		rc = -1;
	}
	if (!rc) {
		int dfd = open(e->dir, O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			if (fsync(dfd) && errno != EINVAL) {
				errf(err, errlen, "%s: fsync of the folder failed: %s", e->dir, strerror(errno));
				rc = -1;
			}
			close(dfd);
		}
		free(e->tmp);
		e->tmp = NULL; /* renamed: nothing for abort to remove */
	}
	export_abort(e);
	return rc;
}

void export_abort(csv_export *e)
{
	if (!e)
		return;
	if (e->f)
		fclose(e->f);
	if (e->tmp)
		unlink(e->tmp);
	free(e->tmp);
	free(e->path);
	free(e->dir);
	free(e);
}

int export_clean_stale(const char *path)
{
	const char *base;
	char *dir = fs_dir_of(path, &base);
	if (!dir)
		return 0;
	size_t plen = strlen(base) + 6;
	char *prefix = malloc(plen + 1);
	DIR *d = prefix ? opendir(dir) : NULL;
	int removed = 0;
	if (d) {
		snprintf(prefix, plen + 1, ".%s.tmp-", base);
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, prefix, plen) || strlen(de->d_name) != plen + 6)
				continue;
			size_t n = strlen(dir) + strlen(de->d_name) + 2;
			char *p = malloc(n);
			if (!p)
				break;
			snprintf(p, n, "%s/%s", dir, de->d_name);
			struct stat st;
			if (!lstat(p, &st) && S_ISREG(st.st_mode) && !unlink(p))
				removed++;
			free(p);
		}
		closedir(d);
	}
	free(prefix);
	free(dir);
	return removed;
}
