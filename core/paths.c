/* paths.c - where weft finds the data it ships.
 *
 * A build used from its checkout reads the checkout (so edits show at once);
 * an installed binary reads share/weft; WEFT_DATA_DIR overrides both (tests
 * and relocated installs).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "weft_core.h"

const char *weft_data_dir(void)
{
	const char *env = getenv("WEFT_DATA_DIR");
	if (env && *env)
		return env;
	struct stat st;
	if (stat(WEFT_SOURCE_DIR "/assess/questionnaires", &st) == 0 && S_ISDIR(st.st_mode))
		return WEFT_SOURCE_DIR;
	return WEFT_DATA_DIR;
}
