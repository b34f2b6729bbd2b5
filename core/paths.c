/* paths.c - where weft finds the files it ships, relative to itself.
 *
 * Design choice: nothing is fixed at configure time but the layout. The
 * build records where the data folder and the CUDA module sit relative to
 * the installed binary (e.g. ../share/weft from bin/), so any --prefix, a
 * copied prefix and a Debian package all work; the source tree is used only
 * when the binary runs from its own build folder, and an environment
 * variable overrides both. Each lookup is done once and remembered with the
 * reason, which `weft doctor` prints.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft_core.h"

#ifndef WEFT_BUILD_DIR
#define WEFT_BUILD_DIR ""
#endif
#ifndef WEFT_DATA_REL
#define WEFT_DATA_REL "../share/weft"
#endif

static char exe_dir[PATH_MAX];
static pthread_once_t exe_once = PTHREAD_ONCE_INIT;

static void find_exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0 || (size_t)n >= sizeof buf - 1)
		return;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(exe_dir, sizeof exe_dir, "%s", buf[0] ? buf : "/");
}

const char *weft_exe_dir(void)
{
	pthread_once(&exe_once, find_exe_dir);
	return exe_dir[0] ? exe_dir : NULL;
}

bool weft_running_from_build(void)
{
	const char *dir = weft_exe_dir();
	size_t n = strlen(WEFT_BUILD_DIR);
	if (!dir || n == 0 || strncmp(dir, WEFT_BUILD_DIR, n) != 0)
		return false;
	return dir[n] == '\0' || dir[n] == '/';
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char data_dir[PATH_MAX];
static const char *data_why = "";
static pthread_once_t data_once = PTHREAD_ONCE_INIT;

static void find_data_dir(void)
{
	const char *env = getenv("WEFT_DATA_DIR");
	if (env && *env) {
		snprintf(data_dir, sizeof data_dir, "%s", env);
		data_why = "from the environment variable WEFT_DATA_DIR";
		return;
	}
	const char *dir = weft_exe_dir();
	char beside[PATH_MAX];
	beside[0] = '\0';
	if (dir) {
		int n = snprintf(beside, sizeof beside, "%s/%s", dir, WEFT_DATA_REL);
		if (n > 0 && (size_t)n < sizeof beside && is_dir(beside)) {
			char *real = realpath(beside, NULL);
			snprintf(data_dir, sizeof data_dir, "%s", real ? real : beside);
			free(real);
			data_why = "installed beside the binary (" WEFT_DATA_REL " from its folder)";
			return;
		}
	}
	if (weft_running_from_build() && is_dir(WEFT_SOURCE_DIR "/assess/questionnaires")) {
		snprintf(data_dir, sizeof data_dir, "%s", WEFT_SOURCE_DIR);
		data_why = "the source tree, since the binary runs from its build folder";
		return;
	}
	/* nothing found: name where an installed copy belongs, so the error
	 * that follows says where weft looked */
	snprintf(data_dir, sizeof data_dir, "%s", beside[0] ? beside : WEFT_DATA_REL);
	data_why = "not found: no " WEFT_DATA_REL " beside the binary and WEFT_DATA_DIR is unset";
}

const char *weft_data_dir(void)
{
	pthread_once(&data_once, find_data_dir);
	return data_dir;
}

const char *weft_data_dir_why(void)
{
	pthread_once(&data_once, find_data_dir);
	return data_why;
}
