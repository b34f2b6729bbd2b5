/* file.c - reading whole files and writing them atomically.
 *
 * A write goes to a temporary file beside the destination, is fsync'ed, then
 * renamed into place (replace allowed) or hard-linked (no replace: link(2)
 * fails with EEXIST atomically, so no check-then-write race). The temporary
 * is removed on every failure path, so a destination is either untouched or
 * complete. Devices and pipes are written into instead (never replaced).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft_core.h"

#define DEFAULT_MAX_READ (64u << 20)

int weft_file_read(char **out, size_t *len_out, const char *path, size_t max_bytes,
		   weft_diags *d)
{
	*out = NULL;
	if (!max_bytes)
		max_bytes = DEFAULT_MAX_READ;
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return WEFT_EENV;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			fclose(fp);
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "is a directory, expected a file");
		return WEFT_EENV;
	}
	weft_buf b = WEFT_BUF_INIT;
	char chunk[65536];
	int err = WEFT_OK;
	for (;;) {
		size_t got = fread(chunk, 1, sizeof chunk, fp);
		if (got == 0) {
			if (ferror(fp)) {
				weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "read error: %s",
					       strerror(errno));
				err = WEFT_EENV;
			}
			break;
		}
		if (b.len + got > max_bytes) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, "the limit protects against runaway inputs",
				       "file is larger than the limit of %zu bytes", max_bytes);
			err = WEFT_EINVALID;
			break;
		}
		weft_buf_put(&b, chunk, got);
	}
	if (!is_stdin)
		fclose(fp);
	if (err) {
		weft_buf_free(&b);
		return err;
	}
	size_t len = b.len;
	char *data = weft_buf_detach(&b);
	if (!data)
		return WEFT_ENOMEM;
	*out = data;
	if (len_out)
		*len_out = len;
	return WEFT_OK;
}

bool weft_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Devices and pipes (/dev/null, /dev/stdout, a FIFO) are written into, never
 * replaced: renaming over them would swap a device for a plain file. */
static int write_through(const char *path, const void *data, size_t len, weft_diags *d)
{
	int fd = open(path, O_WRONLY | O_NOCTTY);
	if (fd < 0 || write_all(fd, data, len) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "write failed: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return WEFT_EENV;
	}
	close(fd);
	return WEFT_OK;
}

static void fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int weft_file_write_atomic(const char *path, const void *data, size_t len, unsigned flags,
			   weft_diags *d)
{
	if (!path || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, "<stdout>", 0, 0, NULL, "write error: %s",
				       strerror(errno));
			return WEFT_EENV;
		}
		return WEFT_OK;
	}
	struct stat target;
	if (stat(path, &target) == 0 && (S_ISCHR(target.st_mode) || S_ISFIFO(target.st_mode) ||
					 S_ISSOCK(target.st_mode)))
		return write_through(path, data, len, d);
	if (stat(path, &target) == 0 && S_ISDIR(target.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "is a directory, expected a file path");
		return WEFT_EENV;
	}
	if (!(flags & WEFT_WRITE_FORCE) && weft_path_exists(path)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, "pass --force to replace it",
			       "file exists; not overwriting it");
		return WEFT_EEXISTS;
	}
	weft_buf tmp = WEFT_BUF_INIT;
	weft_buf_printf(&tmp, "%s.weft-tmp-XXXXXX", path);
	if (tmp.oom)
		return WEFT_ENOMEM;
	int fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "cannot create a temporary file beside it: %s",
			       strerror(errno));
		weft_buf_free(&tmp);
		return WEFT_EENV;
	}
	mode_t mode = (flags & WEFT_WRITE_EXEC) ? 0755 : 0644;
	mode_t mask = umask(0);
	umask(mask);
	int err = WEFT_OK;
	const char *step = "write";
	if (fchmod(fd, mode & ~mask) != 0 || write_all(fd, data, len) != 0) {
		err = WEFT_EENV;
	} else if (fsync(fd) != 0) {
		step = "fsync";
		err = WEFT_EENV;
	}
	int saved = errno;
	if (close(fd) != 0 && !err) {
		saved = errno;
		step = "close";
		err = WEFT_EENV;
	}
	if (!err) {
		if (flags & WEFT_WRITE_FORCE) {
			if (rename(tmp.ptr, path) != 0) {
				saved = errno;
				step = "rename";
				err = WEFT_EENV;
			}
		} else if (link(tmp.ptr, path) != 0) {
			saved = errno;
			if (saved == EEXIST) {
				weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, "pass --force to replace it",
					       "file exists; not overwriting it");
				err = WEFT_EEXISTS;
			} else {
				step = "link";
				err = WEFT_EENV;
			}
		}
	}
	if (err == WEFT_EENV)
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "%s failed: %s", step, strerror(saved));
	/* after rename the temporary name is gone; after link it must go */
	if (err || !(flags & WEFT_WRITE_FORCE))
		unlink(tmp.ptr);
	if (!err)
		fsync_dir_of(path);
	weft_buf_free(&tmp);
	return err;
}
