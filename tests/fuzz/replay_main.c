/* replay_main.c - runs a fuzz target over every file of a corpus folder.
 *
 * Linked with a fuzz_*.c file instead of libFuzzer, this turns the saved
 * corpus into a regression test that any compiler can build: each input is
 * fed to LLVMFuzzerTestOneInput once, and the sanitizers (in the sanitizer
 * build) do the judging. A missing folder is not an error.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		if (got == 0)
			break;
		len += got;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	for (int i = 1; i < argc; i++) {
		DIR *dir = opendir(argv[i]);
		if (!dir)
			continue;
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			struct stat st;
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			if (run_file(path) != 0) {
				fprintf(stderr, "cannot read %s\n", path);
				closedir(dir);
				return 1;
			}
			count++;
		}
		closedir(dir);
	}
	printf("replayed %zu inputs\n", count);
	return 0;
}
