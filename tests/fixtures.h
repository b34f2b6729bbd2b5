/* fixtures.h - where a test finds tests/fixtures/ at run time, so that a
 * test executable runs on another machine than the one that built it (the
 * GPU machine, scripts/gpu-check): $WEFT_TEST_FIXTURES when set, else the
 * folder `fixtures` beside the test executable (in a build, a link to the
 * source tree's tests/fixtures that tests/CMakeLists.txt makes; in
 * scripts/gpu-check's pack, a copy). Tests that only ever run in the build
 * tree still use the compiled-in WEFT_FIXTURES; the `gpu`-labelled ones use
 * this. */
#ifndef WEFT_TESTS_FIXTURES_H
#define WEFT_TESTS_FIXTURES_H

#include <stddef.h>

/* The path of fixture rel ("kernels/valid/tiny.safetensors") into buf;
 * returns buf. Fails the test when the fixtures folder cannot be found or
 * the path does not fit. */
const char *weft_test_fixture(char *buf, size_t n, const char *rel);

#endif
