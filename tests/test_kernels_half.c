/* test_kernels_half.c - fp16 and bf16 conversions: known bit patterns,
 * ties to even, subnormals, overflow and NaN; every 16-bit pattern round
 * trips; random floats land on the nearest representable value (checked
 * against the neighbours, in double). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "weft_kernels.h"

static uint32_t bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

Test(half, f16_known_values)
{
	cr_assert_eq(weft_f32_to_f16(1.0f), 0x3c00);
	cr_assert_eq(weft_f32_to_f16(-2.0f), 0xc000);
	cr_assert_eq(weft_f32_to_f16(0.0f), 0x0000);
	cr_assert_eq(weft_f32_to_f16(-0.0f), 0x8000);
	cr_assert_eq(weft_f32_to_f16(65504.0f), 0x7bff, "largest finite");
	cr_assert_eq(weft_f32_to_f16(65519.0f), 0x7bff, "below the midpoint to 65536");
	cr_assert_eq(weft_f32_to_f16(65520.0f), 0x7c00, "the midpoint rounds to even: infinity");
	cr_assert_eq(weft_f32_to_f16(1e10f), 0x7c00);
	cr_assert_eq(weft_f32_to_f16(-INFINITY), 0xfc00);
	cr_assert_eq(weft_f32_to_f16(ldexpf(1.0f, -14)), 0x0400, "smallest normal");
	cr_assert_eq(weft_f32_to_f16(ldexpf(1.0f, -24)), 0x0001, "smallest subnormal");
	cr_assert_eq(weft_f32_to_f16(ldexpf(1.0f, -25)), 0x0000, "half of it: tie to even 0");
	cr_assert_eq(weft_f32_to_f16(ldexpf(3.0f, -26)), 0x0001, "0.75 of it rounds up");
	cr_assert_eq(weft_f32_to_f16(ldexpf(3.0f, -25)), 0x0002, "1.5 of it: tie to even 2");
	cr_assert_eq(weft_f32_to_f16(1.0f + ldexpf(1.0f, -11)), 0x3c00, "tie to even (down)");
	cr_assert_eq(weft_f32_to_f16(1.0f + ldexpf(3.0f, -11)), 0x3c02, "tie to even (up)");
	cr_assert_eq(weft_f32_to_f16(ldexpf(1023.0f, -24) + ldexpf(1.0f, -25)), 0x0400,
		     "largest subnormal + half an ulp: ties up to the smallest normal");
	uint16_t n = weft_f32_to_f16(NAN);
	cr_assert((n & 0x7c00) == 0x7c00 && (n & 0x3ff), "NaN stays NaN: %04x", n);
	cr_assert(isnan(weft_f16_to_f32(0x7e00)));
	cr_assert_eq(weft_f16_to_f32(0x0001), ldexpf(1.0f, -24));
	cr_assert_eq(weft_f16_to_f32(0x3555), 0.333251953125f);
	cr_assert_eq(bits(weft_f16_to_f32(0x8000)), 0x80000000u);
}

Test(half, bf16_known_values)
{
	cr_assert_eq(weft_f32_to_bf16(1.0f), 0x3f80);
	cr_assert_eq(weft_f32_to_bf16(-2.5f), 0xc020);
	cr_assert_eq(weft_f32_to_bf16(1.0f + ldexpf(1.0f, -8)), 0x3f80, "tie to even (down)");
	cr_assert_eq(weft_f32_to_bf16(1.0f + ldexpf(3.0f, -8)), 0x3f82, "tie to even (up)");
	cr_assert_eq(weft_f32_to_bf16(3.4028235e38f), 0x7f80, "FLT_MAX rounds to infinity");
	cr_assert_eq(weft_f32_to_bf16(INFINITY), 0x7f80);
	uint16_t n = weft_f32_to_bf16(NAN);
	cr_assert((n & 0x7f80) == 0x7f80 && (n & 0x7f), "NaN stays NaN: %04x", n);
	/* a NaN whose payload sits in the low bits only must not become inf */
	float low_nan;
	uint32_t u = 0x7f800001u;
	memcpy(&low_nan, &u, 4);
	cr_assert(isnan(weft_bf16_to_f32(weft_f32_to_bf16(low_nan))));
	cr_assert_eq(weft_bf16_to_f32(0x3eab), 0.333984375f);
}

Test(half, every_pattern_round_trips)
{
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f16 = weft_f16_to_f32((uint16_t)h), bf = weft_bf16_to_f32((uint16_t)h);
		if (!isnan(f16))
			cr_assert_eq(weft_f32_to_f16(f16), h, "f16 %04x", h);
		else
			cr_assert(isnan(weft_f16_to_f32(weft_f32_to_f16(f16))), "f16 NaN %04x", h);
		if (!isnan(bf))
			cr_assert_eq(weft_f32_to_bf16(bf), h, "bf16 %04x", h);
	}
}

/* nearest: no neighbour of the result is closer to x (ties: even wins) */
static void check_nearest(float x, uint16_t h, float (*back)(uint16_t), const char *what)
{
	double v = back(h), err = fabs(v - (double)x);
	if (isinf(v))
		return; /* overflow: checked by the known values */
	for (int dir = -1; dir <= 1; dir += 2) {
		uint16_t nb = (uint16_t)(h + dir);
		double w = back(nb);
		if (isnan(w) || isinf(w) || (nb & 0x7fff) == 0x7fff)
			continue;
		if ((h & 0x8000) != (nb & 0x8000))
			continue;
		double e2 = fabs(w - (double)x);
		cr_assert(err < e2 || (err == e2 && !(h & 1)), "%s: %.9g -> %04x (%.9g), but %04x "
			  "(%.9g) is closer", what, x, h, v, nb, w);
	}
}

Test(half, random_floats_round_to_nearest)
{
	uint64_t s = 12345;
	for (int i = 0; i < 200000; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t r = (uint32_t)(s >> 32);
		/* exponents in the fp16 range, any mantissa and sign */
		float x = ldexpf((float)(r & 0xffffff) / 16777216.0f + 0.5f, (int)(r >> 24) % 42 - 26);
		if (r & 1)
			x = -x;
		check_nearest(x, weft_f32_to_f16(x), weft_f16_to_f32, "f16");
		check_nearest(x, weft_f32_to_bf16(x), weft_bf16_to_f32, "bf16");
	}
}
