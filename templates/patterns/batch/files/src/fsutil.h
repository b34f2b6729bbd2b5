/* fsutil.h - small file-system helpers shared by the destinations. */
#ifndef FSUTIL_H
#define FSUTIL_H

/* The folder of path (malloc'ed: "." when there is no slash) and, in
 * *base, a pointer into path at its last component. NULL on no memory. */
char *fs_dir_of(const char *path, const char **base);
/* mkdir -p dir. Returns 0 or -1 with errno set. */
int fs_make_dirs(const char *dir);
/* mkdir -p the folder that will hold path. Returns 0 or -1 with errno. */
int fs_make_parent(const char *path);

#endif
