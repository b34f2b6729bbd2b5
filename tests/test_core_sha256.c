/* test_core_sha256.c - SHA-256 against the FIPS 180 example vectors,
 * and streaming in odd pieces against hashing at once. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

Test(sha256, fips_180_vectors)
{
	char hex[65];
	weft_sha256_hex(hex, "abc", 3);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	weft_sha256_hex(hex, "", 0);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	weft_sha256_hex(hex, two, strlen(two));
	cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	weft_sha256_hex(hex, four, strlen(four));
	cr_assert_str_eq(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, million_a_streamed)
{
	weft_sha256 s;
	weft_sha256_init(&s);
	char chunk[1000];
	memset(chunk, 'a', sizeof chunk);
	for (int i = 0; i < 1000; i++)
		weft_sha256_update(&s, chunk, sizeof chunk);
	uint8_t dg[32];
	weft_sha256_final(&s, dg);
	static const uint8_t want[32] = { 0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
					  0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
					  0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
					  0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0 };
	cr_assert(memcmp(dg, want, 32) == 0);
}

Test(sha256, pieces_equal_whole)
{
	uint8_t data[300];
	for (int i = 0; i < 300; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	char whole[65];
	for (size_t len = 0; len <= 300; len += 11) {
		weft_sha256_hex(whole, data, len);
		for (size_t step = 1; step < 70; step += 13) {
			weft_sha256 s;
			weft_sha256_init(&s);
			for (size_t at = 0; at < len; at += step)
				weft_sha256_update(&s, data + at, len - at < step ? len - at : step);
			uint8_t dg[32];
			weft_sha256_final(&s, dg);
			char hex[65];
			for (int i = 0; i < 32; i++)
				snprintf(hex + 2 * i, 3, "%02x", dg[i]);
			cr_assert_str_eq(hex, whole, "len %zu step %zu", len, step);
		}
	}
}
