/* json_schema.c - see json_schema.h: the document goes to a temporary
 * file, `node validate.js SCHEMA DOC` runs with its stdout and stderr in a
 * second one, and the exit status is the answer. */
#include "json_schema.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "requires.h"
#include "weft_core.h"

#define INSTALL_HINT "run scripts/bootstrap (or: npm ci --prefix tests/tools)"

/* requires.h's convention for something scripts/bootstrap installs: skips
 * outside CI, fails under CI; does not return. */
static void missing(const char *what, const char *detail)
{
	if (weft_test_in_ci())
		cr_assert_fail("CI is set and %s is missing: %s", what, detail);
	cr_skip_test("%s is missing (%s); skipped outside CI, a failure when CI=true", what, detail);
}

void weft_test_require_validator_in(const char *tools_dir)
{
	weft_test_require_tool("node", "Debian: nodejs; then " INSTALL_HINT);
	static const char *const needed[] = { "ajv/package.json", "ajv-formats/package.json" };
	for (size_t i = 0; i < sizeof needed / sizeof *needed; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/node_modules/%s", tools_dir, needed[i]);
		struct stat st;
		if (stat(path, &st) != 0) {
			char detail[4200];
			snprintf(detail, sizeof detail, "%s: %s; %s", path, strerror(errno), INSTALL_HINT);
			missing("the JSON Schema validator (ajv)", detail);
		}
	}
}

char *weft_test_temp_file(const char *text, const char *suffix)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	size_t n = strlen(tmp) + strlen(suffix) + 32;
	char *path = malloc(n);
	cr_assert_not_null(path);
	snprintf(path, n, "%s/weft-schema-XXXXXX%s", tmp, suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	cr_assert_geq(fd, 0, "cannot create a temporary file %s: %s", path, strerror(errno));
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			cr_assert_fail("cannot write %s: %s", path, strerror(e));
		}
		off += (size_t)w;
	}
	cr_assert_eq(close(fd), 0, "cannot write %s: %s", path, strerror(errno));
	return path;
}

int weft_test_schema_count(const char *errors)
{
	int n = 0;
	for (const char *p = errors; p && *p; p++)
		if (*p == '\n' || !p[1])
			n++;
	return n;
}

/* What the validator wrote, with the temporary file's name taken off the
 * front of each "DOC: PATH: MESSAGE" line. */
static char *strip_doc_name(const char *text, const char *doc)
{
	weft_buf b = WEFT_BUF_INIT;
	size_t dn = strlen(doc);
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
		if (len > dn + 2 && !strncmp(line, doc, dn) && !strncmp(line + dn, ": ", 2))
			weft_buf_put(&b, line + dn + 2, len - dn - 2);
		else
			weft_buf_put(&b, line, len);
		line += len;
	}
	char *s = weft_buf_detach(&b);
	return s ? s : strdup("");
}

static char *read_all(const char *path)
{
	weft_diags *d = NULL;
	cr_assert_eq(weft_diags_new(&d), 0);
	char *text = NULL;
	int rc = weft_file_read(&text, NULL, path, 0, d);
	weft_diags_free(d);
	return rc == 0 && text ? text : strdup("");
}

int weft_test_schema_check_in(const char *tools_dir, const char *schema_path, const char *json_text,
			      char **errors_out)
{
	if (errors_out)
		*errors_out = NULL;
	weft_test_require_validator_in(tools_dir);
	char script[4096];
	snprintf(script, sizeof script, "%s/validate.js", tools_dir);

	char *doc = weft_test_temp_file(json_text, ".json");
	char *out = weft_test_temp_file("", ".out");
	int rc;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_TRUNC);
		int null = open("/dev/null", O_RDONLY);
		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		char *const argv[] = { "node", script, (char *)schema_path, doc, NULL };
		execvp("node", argv);
		fprintf(stderr, "cannot run node: %s\n", strerror(errno));
		_exit(127);
	}
	char *said;
	if (pid < 0) {
		char msg[256];
		snprintf(msg, sizeof msg, "cannot fork to run the validator: %s\n", strerror(errno));
		said = strdup(msg);
		rc = -1;
	} else {
		int status = 0;
		pid_t w;
		while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		char *raw = read_all(out);
		said = strip_doc_name(raw, doc);
		free(raw);
		if (w < 0 || !WIFEXITED(status))
			rc = -1; /* killed, or lost */
		else if (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1)
			rc = WEXITSTATUS(status);
		else if (WEXITSTATUS(status) == 2)
			rc = -2; /* the validator refused its input: schema or document */
		else
			rc = -1;
	}
	unlink(doc);
	unlink(out);
	free(doc);
	free(out);
	if (errors_out)
		*errors_out = said;
	else
		free(said);
	return rc;
}

int weft_test_schema_check_doc_in(const char *tools_dir, const char *schema_path, const struct cJSON *doc,
				  char **errors_out)
{
	char *text = cJSON_PrintUnformatted(doc);
	cr_assert_not_null(text, "cannot print the JSON document");
	int rc = weft_test_schema_check_in(tools_dir, schema_path, text, errors_out);
	cJSON_free(text);
	return rc;
}
