/* listing.c - see listing.h. */
#include "listing.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

char *weft_test_listing(const char *path)
{
	struct dirent **e;
	int n = scandir(path, &e, NULL, alphasort);
	if (n < 0)
		return NULL;
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put(&b, "", 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, ".."))
			weft_buf_printf(&b, "%s%s", b.len ? " " : "", e[i]->d_name);
		free(e[i]);
	}
	free(e);
	return weft_buf_detach(&b);
}
