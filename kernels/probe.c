/* probe.c - weft_kernels_probe: what this build and this machine offer.
 * The CPU side names the BLAS (opening it with one thread); the GPU side
 * opens the CUDA module (cuda.c) and asks it for the runtime and device. */
#include <stdio.h>
#include <string.h>

#include "kernels_int.h"

void weft_kernels_probe(weft_kernels_info *info)
{
	memset(info, 0, sizeof *info);
	weft_kernels_blas_describe(info->blas, sizeof info->blas);
	weft_kernels_cuda_probe(info);
}
