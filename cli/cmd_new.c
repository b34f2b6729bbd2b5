/* cmd_new.c - `weft new` and `weft templates` (placeholder until the
 * template engine lands). */
#include "cli.h"

int weft_cmd_new(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: weft new PATTERN DEST\n\nNot available in this build yet.\n");
	return WEFT_EXIT_OK;
}

int weft_cmd_templates(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: weft templates list|show\n\nNot available in this build yet.\n");
	return WEFT_EXIT_OK;
}
