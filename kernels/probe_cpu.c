/* probe_cpu.c - the CPU side of weft_kernels_probe: which BLAS serves the
 * reference path. Shared by both builds; the CUDA build adds the device. */
#include <stdio.h>
#include <string.h>

#include "kernels_int.h"

/* OpenBLAS exports its configuration string; declared here to avoid pulling
 * cblas.h's many declarations into every file. */
char *openblas_get_config(void);

void weft_kernels_probe_cpu(weft_kernels_info *info)
{
	const char *cfg = openblas_get_config();
	snprintf(info->blas, sizeof info->blas, "%s", cfg ? cfg : "OpenBLAS");
}
