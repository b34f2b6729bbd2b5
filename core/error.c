/* error.c - weft_error codes and their mapping to process exit codes.
 *
 * One table keeps the code, its name and its exit code together so the three
 * cannot drift apart.
 */
#include "weft_core.h"

static const struct {
	int err;
	int exit_code;
	const char *name;
} errors[] = {
	{ WEFT_OK, WEFT_EXIT_OK, "ok" },
	{ WEFT_EGATE, WEFT_EXIT_GATE, "gate failed" },
	{ WEFT_EUSAGE, WEFT_EXIT_USAGE, "usage error" },
	{ WEFT_EINVALID, WEFT_EXIT_INVALID, "invalid input" },
	{ WEFT_EENV, WEFT_EXIT_ENV, "environment error" },
	{ WEFT_EEXISTS, WEFT_EXIT_ENV, "file exists" },
	{ WEFT_ENOMEM, WEFT_EXIT_ENV, "out of memory" },
};

int weft_exit_code(int err)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].err == err)
			return errors[i].exit_code;
	return WEFT_EXIT_ENV;
}

const char *weft_error_str(int err)
{
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].err == err)
			return errors[i].name;
	return "unknown error";
}
