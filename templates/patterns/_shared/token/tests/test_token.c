/* test_token.c - the shared bearer-token code (src/token.c): the header
 * parser, digest parsing, the constant-time lookup, hash-token and
 * new-token. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "token.h"

/* SHA-256 of "abc" (FIPS 180-2) */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

Test(token, bearer_header)
{
	const char *t;
	cr_expect_eq(token_bearer("Bearer abc", &t), 3u);
	cr_expect_eq(strncmp(t, "abc", 3), 0);
	cr_expect_eq(token_bearer("  BEARER \t abc  ", &t), 3u);
	cr_expect_eq(strncmp(t, "abc", 3), 0);
	cr_expect_eq(token_bearer("bearer\tabc", &t), 3u);
	cr_expect_eq(token_bearer("Bearerabc", &t), 0u);
	cr_expect_eq(token_bearer("Bearer a b", &t), 0u); /* one word only */
	cr_expect_eq(token_bearer("Bearer a\x01", &t), 0u);
	cr_expect_eq(token_bearer("Token abc", &t), 0u);
	cr_expect_eq(token_bearer("Basic abc", &t), 0u);
	cr_expect_eq(token_bearer("Bearer ", &t), 0u);
	cr_expect_eq(token_bearer(NULL, &t), 0u);
	cr_expect_null(t);
}

Test(token, digest_parsing)
{
	unsigned char h[TOKEN_DIGEST_LEN];
	cr_expect_eq(token_parse_digest(h, "sha256:" ABC_SHA256), 0);
	cr_expect_eq(h[0], 0xba);
	cr_expect_eq(h[31], 0xad);
	cr_expect_eq(token_parse_digest(h, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"), 0);
	cr_expect_eq(h[1], 0x78);
	cr_expect_eq(token_parse_digest(h, "sha256:" ABC_SHA256 "00"), -1);
	cr_expect_eq(token_parse_digest(h, "sha256:ba78"), -1);
	cr_expect_eq(token_parse_digest(h, ""), -1);
	cr_expect_eq(token_parse_digest(h, "sha256:zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), -1);
	cr_expect_eq(token_parse_digest(h, "md5:" ABC_SHA256), -1);
}

typedef struct {
	char name[8];
	unsigned char hash[TOKEN_DIGEST_LEN];
	unsigned roles;
} entry;

Test(token, find_among_configured_digests)
{
	entry e[3] = { { "x", { 0 }, 1 }, { "abc", { 0 }, 2 }, { "y", { 0 }, 4 } };
	sha256("x", 1, e[0].hash);
	cr_assert_eq(token_parse_digest(e[1].hash, ABC_SHA256), 0);
	sha256("y", 1, e[2].hash);
	cr_expect_eq(token_find("abc", 3, e[0].hash, 3, sizeof e[0]), 1u);
	cr_expect_eq(token_find("y", 1, e[0].hash, 3, sizeof e[0]), 2u);
	cr_expect_eq(token_find("x", 1, e[0].hash, 3, sizeof e[0]), 0u);
	cr_expect_eq(token_find("abd", 3, e[0].hash, 3, sizeof e[0]), 3u);
	cr_expect_eq(token_find("abc", 2, e[0].hash, 3, sizeof e[0]), 3u); /* length counts */
	cr_expect_eq(token_find("abc", 3, e[0].hash, 0, sizeof e[0]), 0u);  /* none configured */
	/* the digest itself is not the token */
	cr_expect_eq(token_find(ABC_SHA256, strlen(ABC_SHA256), e[0].hash, 3, sizeof e[0]), 3u);
}

static FILE *input(const char *text, size_t len)
{
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	rewind(f);
	return f;
}

Test(token, hash_input)
{
	char out[TOKEN_TEXT_LEN];
	const char *why;
	FILE *f = input("abc\n", 4);
	cr_expect_eq(token_hash_input(f, out, &why), 0);
	cr_expect_str_eq(out, "sha256:" ABC_SHA256);
	fclose(f);
	f = input("\n", 1);
	cr_expect_eq(token_hash_input(f, out, &why), -1);
	cr_expect_str_eq(why, "give the token on standard input");
	fclose(f);
	static char big[TOKEN_MAX_LEN + 1];
	memset(big, 'a', sizeof big);
	f = input(big, sizeof big);
	cr_expect_eq(token_hash_input(f, out, &why), -1);
	cr_expect_str_eq(why, "the token is longer than 4096 bytes");
	fclose(f);
}

Test(token, new_tokens_are_random_and_match_their_digest)
{
	char t1[65], t2[65], d1[TOKEN_TEXT_LEN], d2[TOKEN_TEXT_LEN];
	cr_assert_eq(token_new(t1, d1), 0);
	cr_assert_eq(token_new(t2, d2), 0);
	cr_expect_eq(strlen(t1), 64u);
	cr_expect_neq(strcmp(t1, t2), 0);
	unsigned char h[TOKEN_DIGEST_LEN];
	cr_assert_eq(token_parse_digest(h, d1), 0);
	cr_expect_eq(token_find(t1, strlen(t1), h, 1, sizeof h), 0u);
	cr_expect_eq(token_find(t2, strlen(t2), h, 1, sizeof h), 1u);
}
