/* listing.h - what a folder holds, as one string, for tests that check
 * "nothing else was left here". */
#ifndef WEFT_TESTS_LISTING_H
#define WEFT_TESTS_LISTING_H

/* Names in folder path, sorted, as "a b c" ("" when empty; "." and ".."
 * left out); NULL when it cannot be read. malloc'd. No Criterion calls, so
 * forked children may use it. */
char *weft_test_listing(const char *path);

#endif
