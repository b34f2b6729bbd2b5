/* cmd_assess.c - `weft assess` (placeholder until its issue lands). */
#include "cli.h"

int weft_cmd_assess(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: weft assess ...\n\nNot available in this build yet.\n");
	return WEFT_EXIT_OK;
}
