/* probe_cuda.cu - weft_kernels_probe for CUDA builds: asks the runtime for
 * a device and cuBLAS for its version. The runtime is linked statically, so
 * the binary starts on machines without a CUDA driver; it then reports the
 * driver as missing instead of failing to load. */
#include <cstdio>
#include <cstring>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "kernels_int.h"

extern "C" void weft_kernels_probe(weft_kernels_info *info)
{
	memset(info, 0, sizeof *info);
	info->cuda_compiled = true;
	weft_kernels_probe_cpu(info);
	cudaRuntimeGetVersion(&info->runtime_version);
	cudaDriverGetVersion(&info->driver_version);
	int major = 0, minor = 0, patch = 0;
	cublasGetProperty(MAJOR_VERSION, &major);
	cublasGetProperty(MINOR_VERSION, &minor);
	cublasGetProperty(PATCH_LEVEL, &patch);
	info->cublas_version = major * 10000 + minor * 100 + patch;

	int count = 0;
	cudaError_t err = cudaGetDeviceCount(&count);
	if (err != cudaSuccess || count == 0) {
		snprintf(info->reason, sizeof info->reason, "%s",
			 err == cudaSuccess ? "no CUDA device found" : cudaGetErrorString(err));
		cudaGetLastError(); /* clear the sticky error */
		return;
	}
	cudaDeviceProp prop;
	if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
		snprintf(info->reason, sizeof info->reason, "cannot query device 0");
		return;
	}
	info->device_found = true;
	info->device_count = count;
	snprintf(info->device_name, sizeof info->device_name, "%s", prop.name);
	info->cc_major = prop.major;
	info->cc_minor = prop.minor;
	info->device_memory = prop.totalGlobalMem;
}
