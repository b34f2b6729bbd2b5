/* weft_kernels.h - weft's compute, behind one header.
 *
 * Two implementations serve this header: a CPU one (always built; the
 * reference) and a CUDA one (built when the build found nvcc and cuBLAS,
 * WEFT_HAVE_CUDA). The CUDA build still runs without a device: every entry
 * point falls back to the CPU path, and weft_kernels_probe says why.
 * This is the only part that includes CUDA headers.
 */
#ifndef WEFT_KERNELS_H
#define WEFT_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What this build and this machine offer. */
typedef struct {
	bool cuda_compiled;     /* built with CUDA kernels */
	bool device_found;      /* a usable CUDA device is present */
	int device_count;
	char device_name[256];  /* device 0, when found */
	int cc_major, cc_minor; /* compute capability of device 0 */
	size_t device_memory;   /* bytes, device 0 */
	int runtime_version;    /* CUDA runtime, e.g. 13000; 0 without CUDA */
	int driver_version;     /* 0 when no driver */
	int cublas_version;     /* e.g. 130000; 0 without CUDA */
	char reason[256];       /* why no device, when device_found is false */
	char blas[128];         /* CPU BLAS in use, e.g. "OpenBLAS 0.3.21" */
} weft_kernels_info;

/* Fill info. Never fails: a missing driver or device is reported in it. */
void weft_kernels_probe(weft_kernels_info *info);

#ifdef __cplusplus
}
#endif
#endif
