/* cmd_bench.c - `weft bench` (placeholder until its issue lands). */
#include "cli.h"

int weft_cmd_bench(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: weft bench ...\n\nNot available in this build yet.\n");
	return WEFT_EXIT_OK;
}
