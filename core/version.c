/* version.c - the project version and, when built from a checkout, the
 * `git describe` stamped into weft_version.h at build time. */
#include "weft_core.h"
#include "weft_version.h"

const char *weft_version(void)
{
	return WEFT_VERSION;
}

const char *weft_version_long(void)
{
	return WEFT_GIT_DESCRIBE[0] ? WEFT_VERSION " (" WEFT_GIT_DESCRIBE ")" : WEFT_VERSION;
}
