/* cmd_assess_portfolio.c - `weft assess portfolio` (being written). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const weft_cli_option weft_cli_assess_portfolio_opts[] = {
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

int weft_cmd_assess_portfolio(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		puts("usage: weft assess portfolio [--help]\n\nNot built yet.");
		return WEFT_EXIT_OK;
	}
	return weft_cli_usage_error("assess portfolio", "not built yet");
}
