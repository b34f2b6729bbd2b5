/* requires.h - a test that needs something outside the project: a peer
 * suite file under ../shared/peer-suites, or a program on PATH.
 *
 * Outside CI a missing one skips the test with a message saying what is
 * missing and where it was looked for; under CI (CI=true, or CI=1) it fails
 * the test, because CI always has the peer suites beside the clone and the
 * tools that scripts/bootstrap installs. Never use this for a CUDA device:
 * CI has none, so a missing device is always a skip (see test_kernels_gpu.c).
 *
 * The macros record the caller's file and line in the message. */
#ifndef WEFT_TESTS_REQUIRES_H
#define WEFT_TESTS_REQUIRES_H

#include <stdbool.h>

/* The JUnit schema that weft's JUnit output must validate against. */
#ifdef WEFT_PEER_SUITES
#define WEFT_TEST_JUNIT_XSD WEFT_PEER_SUITES "/junit/junit-10.xsd"
#endif

/* True when the CI variable says this is a CI run ("true" or "1"). */
bool weft_test_in_ci(void);

/* Returns when path exists (a file or a folder); otherwise skips the test
 * outside CI and fails it under CI. what names it for the message, e.g.
 * "the Mustache spec". */
#define weft_test_require_path(path, what) weft_test_require_path_at(__FILE__, __LINE__, (path), (what))
/* Returns when an executable named tool is on PATH; otherwise skips the
 * test outside CI and fails it under CI. hint says how to get it, e.g.
 * "Debian: libxml2-utils". */
#define weft_test_require_tool(tool, hint) weft_test_require_tool_at(__FILE__, __LINE__, (tool), (hint))

/* Validates the XML text xml against the XML Schema at xsd with xmllint;
 * returns xmllint's exit status (0: valid). Requires xmllint as above; a
 * missing xsd fails the test, so require a peer-suite schema first with
 * weft_test_require_path. */
int weft_test_xmllint(const char *xsd, const char *xml);

void weft_test_require_path_at(const char *file, int line, const char *path, const char *what);
void weft_test_require_tool_at(const char *file, int line, const char *tool, const char *hint);

#endif
