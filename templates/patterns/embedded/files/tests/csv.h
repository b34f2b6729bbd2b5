/* csv.h - test helper: reads models/sample.csv (feature columns, label,
 * expected) into fixed arrays. */
#ifndef TEST_CSV_H
#define TEST_CSV_H

#define CSV_MAX_ROWS 256
#define CSV_MAX_COLS 64

typedef struct sample {
	int rows, features;
	float x[CSV_MAX_ROWS][CSV_MAX_COLS];
	float label[CSV_MAX_ROWS];
	float expected[CSV_MAX_ROWS];
	char header[1024];
} sample;

/* Reads path; the last two columns are label and expected. Returns 0 or -1. */
int sample_read(sample *s, const char *path);

#endif
