/* csv.c - test helper: a strict reader for models/sample.csv. Numbers are
 * read with strtof, which gives back exactly the float32 values the model
 * generator wrote. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sample_read(sample *s, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	memset(s, 0, sizeof *s);
	char line[4096];
	if (!fgets(line, sizeof line, f)) {
		fclose(f);
		return -1;
	}
	line[strcspn(line, "\r\n")] = 0;
	size_t hl = strlen(line);
	if (hl >= sizeof s->header)
		hl = sizeof s->header - 1;
	memcpy(s->header, line, hl);
	int cols = 1;
	for (char *p = line; *p; p++)
		cols += *p == ',';
	if (cols < 3 || cols - 2 > CSV_MAX_COLS) {
		fclose(f);
		return -1;
	}
	s->features = cols - 2;
	while (s->rows < CSV_MAX_ROWS && fgets(line, sizeof line, f)) {
		char *p = line;
		float v[CSV_MAX_COLS + 2];
		for (int c = 0; c < cols; c++) {
			char *end;
			v[c] = strtof(p, &end);
			if (end == p || (c + 1 < cols && *end != ',')) {
				fclose(f);
				return -1;
			}
			p = end + 1;
		}
		memcpy(s->x[s->rows], v, sizeof(float) * (size_t)s->features);
		s->label[s->rows] = v[cols - 2];
		s->expected[s->rows] = v[cols - 1];
		s->rows++;
	}
	fclose(f);
	return s->rows > 0 ? 0 : -1;
}
