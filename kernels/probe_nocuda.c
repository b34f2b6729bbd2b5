/* probe_nocuda.c - weft_kernels_probe for builds without CUDA: the CPU is
 * all there is. Replaced by probe_cuda.cu when CUDA is compiled in. */
#include <stdio.h>
#include <string.h>

#include "kernels_int.h"

void weft_kernels_probe(weft_kernels_info *info)
{
	memset(info, 0, sizeof *info);
	snprintf(info->reason, sizeof info->reason, "this build has no CUDA support");
	weft_kernels_probe_cpu(info);
}
