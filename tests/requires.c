/* requires.c - see requires.h. */
#include "requires.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool weft_test_in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/* Skips, or fails under CI; does not return. */
static void missing(const char *file, int line, const char *what, const char *detail)
{
	if (weft_test_in_ci())
		cr_assert_fail("%s:%d: CI is set and %s is missing: %s", file, line, what, detail);
	cr_skip_test("%s:%d: %s is missing (%s); skipped outside CI, a failure when CI=true", file, line, what,
		     detail);
}

void weft_test_require_path_at(const char *file, int line, const char *path, const char *what)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return;
	char detail[1024];
	snprintf(detail, sizeof detail, "%s: %s; see ../shared/peer-suites/README.md", path, strerror(errno));
	missing(file, line, what, detail);
}

static bool on_path(const char *tool)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char full[4096];
		/* an empty PATH entry means the current folder */
		int k = n ? snprintf(full, sizeof full, "%.*s/%s", (int)n, path, tool)
			  : snprintf(full, sizeof full, "./%s", tool);
		struct stat st;
		if (k > 0 && (size_t)k < sizeof full && stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

void weft_test_require_tool_at(const char *file, int line, const char *tool, const char *hint)
{
	if (on_path(tool))
		return;
	char what[256], detail[512];
	snprintf(what, sizeof what, "the program %s", tool);
	snprintf(detail, sizeof detail, "not found on PATH; %s", hint);
	missing(file, line, what, detail);
}

int weft_test_xmllint(const char *xsd, const char *xml)
{
	weft_test_require_tool("xmllint", "Debian: libxml2-utils");
	struct stat st;
	cr_assert_eq(stat(xsd, &st), 0, "XML schema %s: %s", xsd, strerror(errno));
	char path[] = "/tmp/weft-xmllint-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	size_t len = strlen(xml);
	ssize_t w = write(fd, xml, len);
	close(fd);
	if (w != (ssize_t)len) {
		unlink(path);
		cr_assert_fail("cannot write %s", path);
	}
	char cmd[8192];
	int k = snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s' '%s' 2>/dev/null", xsd, path);
	if (k < 0 || (size_t)k >= sizeof cmd || strchr(xsd, '\'')) {
		unlink(path);
		cr_assert_fail("schema path unusable in a shell line: %s", xsd);
	}
	int rc = system(cmd);
	unlink(path);
	return rc;
}
