/* half.c - fp16 and bf16 conversions on the CPU, bit for bit what the CUDA
 * intrinsics (__float2half_rn, __float2bfloat16_rn) compute: round to
 * nearest, ties to even; NaN stays NaN, overflow goes to infinity, tiny values
 * become subnormals. Plain integer code so it is the same on every host. */
#include <string.h>

#include "weft_kernels.h"

static uint32_t f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static float bits_f32(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

uint16_t weft_f32_to_f16(float f)
{
	uint32_t x = f32_bits(f);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
	uint32_t exp = (x >> 23) & 0xffu;
	uint32_t man = x & 0x7fffffu;

	if (exp == 0xff) /* inf or NaN (keep NaN quiet and non-zero) */
		return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0));
	/* unbiased exponent; f16 normals have e in [-14, 15] */
	int e = (int)exp - 127;
	if (e > 15)
		return (uint16_t)(sign | 0x7c00u);
	if (e >= -14) {
		/* normal: 10 mantissa bits, round the dropped 13 bits */
		uint32_t h = ((uint32_t)(e + 15) << 10) | (man >> 13);
		uint32_t rest = man & 0x1fffu;
		if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
			h++; /* may carry into the exponent, up to infinity: right */
		return (uint16_t)(sign | h);
	}
	if (e < -25) /* below half the smallest subnormal: zero */
		return sign;
	/* subnormal: value = m * 2^-24, m = round(full * 2^(e - 23 + 24)) */
	uint32_t full = man | 0x800000u; /* 24 significant bits */
	int shift = -e - 1; /* 14 .. 24 bits dropped */
	uint32_t h = full >> shift;
	uint32_t rest = full & ((1u << shift) - 1u);
	uint32_t halfway = 1u << (shift - 1);
	if (rest > halfway || (rest == halfway && (h & 1u)))
		h++; /* may become the smallest normal: right */
	return (uint16_t)(sign | h);
}

float weft_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu;
	uint32_t man = h & 0x3ffu;
	if (exp == 0x1f)
		return bits_f32(sign | 0x7f800000u | (man << 13));
	if (exp == 0) {
		if (man == 0)
			return bits_f32(sign);
		/* subnormal: normalise */
		int e = -14;
		while (!(man & 0x400u)) {
			man <<= 1;
			e--;
		}
		man &= 0x3ffu;
		return bits_f32(sign | (uint32_t)(e + 127) << 23 | (man << 13));
	}
	return bits_f32(sign | (exp - 15 + 127) << 23 | (man << 13));
}

uint16_t weft_f32_to_bf16(float f)
{
	uint32_t x = f32_bits(f);
	if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu))
		return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
	uint32_t lsb = (x >> 16) & 1u;
	x += 0x7fffu + lsb; /* ties to even; overflow rounds to infinity */
	return (uint16_t)(x >> 16);
}

float weft_bf16_to_f32(uint16_t h)
{
	return bits_f32((uint32_t)h << 16);
}
