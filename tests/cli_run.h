/* cli_run.h - running the built `weft` (or any shell line) from a test and
 * capturing what it printed: the one helper every CLI test file uses.
 *
 * weft_test_run is static inline because WEFT_BIN is defined per test
 * executable, not for the helper library. */
#ifndef WEFT_TESTS_CLI_RUN_H
#define WEFT_TESTS_CLI_RUN_H

#include <stdio.h>

/* Run a shell command line with /bin/sh, in dir (NULL: the current folder),
 * stdin from stdin_text (NULL: empty), NO_PROGRESS=1 and NO_COLOR=1 set;
 * *out and *err get what it wrote to stdout and stderr (malloc'd, NUL
 * terminated). Returns its exit status; a test assertion fails when it did
 * not exit normally or its output cannot be read back. */
int weft_test_sh(char **out, char **err, const char *dir, const char *stdin_text, const char *line);

#ifdef WEFT_BIN
/* `weft <args>`, args as a shell would split them. */
static inline int weft_test_run(char **out, char **err, const char *dir, const char *args)
{
	char line[8192];
	snprintf(line, sizeof line, "'%s' %s", WEFT_BIN, args);
	return weft_test_sh(out, err, dir, NULL, line);
}
#endif

#endif
