/* test_kernels_probe.c - device detection: the build's answer agrees with
 * how it was configured, and on a machine with a device the device is
 * named with a plausible compute capability.
 * ctest-labels: gpu
 */
#include <criterion/criterion.h>
#include <string.h>

#include "weft_kernels.h"

Test(kernels_probe, agrees_with_the_build)
{
	weft_kernels_info k;
	weft_kernels_probe(&k);
#ifdef WEFT_HAVE_CUDA
	cr_assert(k.cuda_compiled);
	cr_assert_gt(k.runtime_version, 0);
	cr_assert_gt(k.cublas_version, 0);
#else
	cr_assert_not(k.cuda_compiled);
	cr_assert_not(k.device_found);
#endif
	cr_assert_neq(k.blas[0], '\0');
	if (!k.device_found)
		cr_assert_neq(k.reason[0], '\0', "a missing device says why");
}

Test(kernels_probe, names_the_device)
{
	weft_kernels_info k;
	weft_kernels_probe(&k);
	if (!k.device_found)
		cr_skip_test("no CUDA device: %s", k.reason);
	cr_assert_neq(k.device_name[0], '\0');
	cr_assert_geq(k.cc_major, 7, "weft targets sm_80 and sm_90");
	cr_assert_gt(k.device_memory, (size_t)1 << 30);
	cr_assert_geq(k.device_count, 1);
}
