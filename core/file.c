/* file.c - reading whole files and writing them atomically.
 *
 * Design of weft_file_write_atomic:
 * - The data goes to a temporary file in the destination's own folder (so the
 *   final rename stays on one file system), named ".weft-tmp-" plus 12
 *   random characters from getrandom(2): 22 bytes whatever the target's name,
 *   so a target whose name is NAME_MAX (255) bytes long works too. A name
 *   already taken (EEXIST) is retried with fresh random characters.
 * - The temporary is opened with O_CREAT|O_EXCL|O_CLOEXEC and mode 0644 (0755
 *   with WEFT_WRITE_EXEC): the kernel applies the process umask (or a default
 *   ACL) itself, so this file never calls umask(), whose read-by-writing is a
 *   race in threaded programs.
 * - The data is written, fsync'ed and closed, then moved into place: with
 *   WEFT_WRITE_FORCE by rename(2) (an existing file is replaced); without it
 *   by renameat2(RENAME_NOREPLACE), which fails with EEXIST atomically when
 *   the name is taken, so there is no check-then-write race. Where the kernel
 *   or the file system does not support that flag (EINVAL or ENOSYS: kernels
 *   before 3.15, NFS, some FUSE file systems), link(2) + unlink(2) of the
 *   temporary gives the same guarantee. The folder is fsync'ed afterwards.
 * - The temporary is removed on every failure path, so a destination is
 *   either untouched or complete; diagnostics name the destination path and
 *   the failing step. Devices and pipes are written into instead (never
 *   replaced).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "weft_core.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1u << 0) /* <linux/fs.h> */
#endif

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

/* Remove everything under the open folder fd (links are removed, never
 * followed). Depth is bounded by what we created. */
static void rm_at(int fd, unsigned depth)
{
	DIR *dh = fdopendir(fd);
	if (!dh) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 64) {
			int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (sub >= 0)
				rm_at(sub, depth + 1);
			unlinkat(fd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(fd, e->d_name, 0);
		}
	}
	closedir(dh);
}

void weft_file_rm_tree(const char *path)
{
	if (!path || !*path)
		return;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd >= 0)
		rm_at(fd, 0);
	rmdir(path);
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

/* Move tmp to path unless path exists: 0, or -1 with errno (EEXIST when the
 * name is taken) and *step naming the call that failed. */
static int rename_noreplace(const char *tmp, const char *path, const char **step)
{
	*step = "rename";
#ifdef SYS_renameat2
	if (syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* no RENAME_NOREPLACE here: link(2) fails with EEXIST just as atomically */
	*step = "link";
	if (link(tmp, path) != 0)
		return -1;
	unlink(tmp);
	return 0;
}

#define TMP_PREFIX ".weft-tmp-"
#define TMP_RANDOM 12

/* Fill out[0..TMP_RANDOM) with random characters from [a-z2-7]. */
static void random_name(char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[TMP_RANDOM];
	size_t got = 0;
	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, GRND_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof r) {
		/* no getrandom (old kernel, seccomp): uniqueness still comes from
		 * O_EXCL; this only makes the names hard to guess */
		static atomic_ulong counter;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t n = (uint64_t)atomic_fetch_add(&counter, 1) + 1;
		uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 16) ^
			     (uint64_t)(uintptr_t)&counter ^ n * 0x9e3779b97f4a7c15u;
		for (size_t i = got; i < sizeof r; i++) {
			x ^= x >> 33;
			x *= 0xff51afd7ed558ccdu;
			x ^= x >> 29;
			r[i] = (unsigned char)x;
		}
	}
	for (size_t i = 0; i < sizeof r; i++)
		out[i] = alphabet[r[i] & 31];
}

/* Create a new temporary file in path's folder: the fd, with its name in
 * *tmp; -1 with errno; -2 when out of memory. */
static int create_temporary(weft_buf *tmp, const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	for (int attempt = 0; attempt < 100; attempt++) {
		char rnd[TMP_RANDOM];
		random_name(rnd);
		tmp->len = 0;
		weft_buf_printf(tmp, "%.*s" TMP_PREFIX "%.*s", dir_len, path, TMP_RANDOM, rnd);
		if (tmp->oom)
			return -2;
		int fd = open(tmp->ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

struct weft_file_out {
	int fd;
	bool is_tmp;            /* a temporary to rename into place (else written into directly) */
	bool keep_fd;           /* stdout: not ours to close */
	unsigned flags;
	char *path;
	weft_buf tmp;
	int err;                /* the first write's errno, or 0 */
};

void weft_file_out_abort(weft_file_out *f)
{
	if (!f)
		return;
	if (f->fd >= 0 && !f->keep_fd)
		close(f->fd);
	if (f->is_tmp && f->tmp.ptr)
		unlink(f->tmp.ptr);
	weft_buf_free(&f->tmp);
	free(f->path);
	free(f);
}

int weft_file_out_open(weft_file_out **out, const char *path, unsigned flags, weft_diags *d)
{
	*out = NULL;
	weft_file_out *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(path && strcmp(path, "-") ? path : "<stdout>"))) {
		free(f);
		return WEFT_ENOMEM;
	}
	f->fd = -1;
	f->flags = flags;
	if (!path || strcmp(path, "-") == 0) {
		f->fd = STDOUT_FILENO;
		f->keep_fd = true;
		*out = f;
		return WEFT_OK;
	}
	struct stat target;
	if (stat(path, &target) == 0 && (S_ISCHR(target.st_mode) || S_ISFIFO(target.st_mode) ||
					 S_ISSOCK(target.st_mode))) {
		/* devices and pipes (/dev/null, a FIFO) are written into, never replaced */
		f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (f->fd < 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "write failed: %s", strerror(errno));
			weft_file_out_abort(f);
			return WEFT_EENV;
		}
		*out = f;
		return WEFT_OK;
	}
	if (stat(path, &target) == 0 && S_ISDIR(target.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "is a directory, expected a file path");
		weft_file_out_abort(f);
		return WEFT_EENV;
	}
	/* a quick refusal; the guarantee is rename_noreplace at the commit */
	if (!(flags & WEFT_WRITE_FORCE) && weft_path_exists(path)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, "pass --force to replace it",
			       "file exists; not overwriting it");
		weft_file_out_abort(f);
		return WEFT_EEXISTS;
	}
	f->fd = create_temporary(&f->tmp, path, (flags & WEFT_WRITE_EXEC) ? 0755 : 0644);
	if (f->fd < 0) {
		int fd = f->fd;
		if (fd == -1)
			weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL,
				       "cannot create a temporary file beside it: %s", strerror(errno));
		f->fd = -1;
		weft_buf_free(&f->tmp);
		weft_file_out_abort(f);
		return fd == -1 ? WEFT_EENV : WEFT_ENOMEM;
	}
	f->is_tmp = true;
	*out = f;
	return WEFT_OK;
}

int weft_file_out_write(weft_file_out *f, const void *data, size_t len)
{
	if (f->err)
		return -1;
	if (f->keep_fd) {
		/* stdout goes through stdio, in order with what else was printed */
		if (fwrite(data, 1, len, stdout) != len) {
			f->err = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	if (write_all(f->fd, data, len) != 0) {
		f->err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

int weft_file_out_commit(weft_file_out *f, weft_diags *d)
{
	int err = WEFT_OK;
	const char *step = "write";
	int saved = f->err;
	if (!saved && f->keep_fd && fflush(stdout) != 0)
		saved = errno ? errno : EIO;
	if (saved) {
		err = WEFT_EENV;
	} else if (!f->is_tmp) {
		if (!f->keep_fd) {
			int rc = close(f->fd);
			f->fd = -1;
			if (rc != 0) {
				saved = errno;
				step = "close";
				err = WEFT_EENV;
			}
		}
	} else if (fsync(f->fd) != 0) {
		saved = errno;
		step = "fsync";
		err = WEFT_EENV;
	}
	if (f->is_tmp) {
		if (close(f->fd) != 0 && !err) {
			saved = errno;
			step = "close";
			err = WEFT_EENV;
		}
		f->fd = -1;
	}
	if (!err && f->is_tmp) {
		if (f->flags & WEFT_WRITE_FORCE) {
			if (rename(f->tmp.ptr, f->path) != 0) {
				saved = errno;
				step = "rename";
				err = WEFT_EENV;
			}
		} else if (rename_noreplace(f->tmp.ptr, f->path, &step) != 0) {
			saved = errno;
			if (saved == EEXIST) {
				weft_diags_add(d, WEFT_SEV_ERROR, f->path, 0, 0, "pass --force to replace it",
					       "file exists; not overwriting it");
				err = WEFT_EEXISTS;
			} else {
				err = WEFT_EENV;
			}
		}
	}
	if (err == WEFT_EENV)
		weft_diags_add(d, WEFT_SEV_ERROR, f->path, 0, 0, NULL, "%s failed: %s", step, strerror(saved));
	if (!err && f->is_tmp) {
		/* after a rename or a link + unlink the temporary name is gone */
		fsync_dir_of(f->path);
		f->is_tmp = false;
	}
	weft_file_out_abort(f);
	return err;
}

int weft_file_write_atomic(const char *path, const void *data, size_t len, unsigned flags,
			   weft_diags *d)
{
	weft_file_out *f;
	int err = weft_file_out_open(&f, path, flags, d);
	if (err)
		return err;
	weft_file_out_write(f, data, len);
	return weft_file_out_commit(f, d);
}
