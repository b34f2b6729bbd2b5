/* cli_run.c - weft_test_sh: run a shell line, capture stdout and stderr
 * through temporary files (no pipes to drain, so a chatty child cannot
 * block), and hand back the exit status. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "weft_core.h"

static char *temp_file(const char *what)
{
	char *path = strdup("/tmp/weft-test-XXXXXX");
	cr_assert_not_null(path);
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0, "cannot create a temporary file for %s", what);
	close(fd);
	return path;
}

static char *slurp(const char *path)
{
	weft_diags *d = NULL;
	cr_assert_eq(weft_diags_new(&d), 0);
	char *text = NULL;
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0, "cannot read back %s", path);
	weft_diags_free(d);
	return text;
}

int weft_test_sh(char **out, char **err, const char *dir, const char *stdin_text, const char *line)
{
	char *in = temp_file("stdin"), *po = temp_file("stdout"), *pe = temp_file("stderr");
	FILE *f = fopen(in, "w");
	cr_assert_not_null(f);
	if (stdin_text)
		fputs(stdin_text, f);
	fclose(f);
	size_t n = strlen(line) + (dir ? strlen(dir) : 0) + 256;
	char *cmd = malloc(n);
	cr_assert_not_null(cmd);
	snprintf(cmd, n, "%s%s%sexport NO_PROGRESS=1 NO_COLOR=1; (%s) <%s >%s 2>%s", dir ? "cd '" : "",
		 dir ? dir : "", dir ? "' || exit 97; " : "", line, in, po, pe);
	int st = system(cmd);
	free(cmd);
	*out = slurp(po);
	*err = slurp(pe);
	remove(in);
	remove(po);
	remove(pe);
	free(in);
	free(po);
	free(pe);
	cr_assert(WIFEXITED(st), "'%s' did not exit normally", line);
	return WEXITSTATUS(st);
}
