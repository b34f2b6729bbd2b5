/* cuda_module.cu - the entry point of libweft-cuda.so: the table of its
 * functions (cuda_module.h), and the CUDA half of weft_kernels_probe, which
 * asks the runtime for a device and cuBLAS for its version. The runtime is
 * linked statically into the module, so it loads on machines without a CUDA
 * driver and then reports the driver as missing. Only the entry point is
 * exported (the link uses a version script); everything else, the copies of
 * core's diagnostics included, stays inside the module. */
#include <cstdio>
#include <cstring>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "cuda_module.h"
#include "weft_version.h"

static void probe(weft_kernels_info *info)
{
	info->cuda_compiled = true;
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

extern "C" __attribute__((visibility("default"))) const weft_cuda_module_api *
weft_cuda_module_v1(void)
{
	static const weft_cuda_module_api api = {
		WEFT_CUDA_MODULE_ABI,
		sizeof(weft_cuda_module_api),
		WEFT_VERSION,
		probe,
		weft_gpu_model_new,
		weft_gpu_model_free,
		weft_gpu_model_forward,
		weft_gpu_model_graph_kernels,
		weft_gpu_test_convert,
		weft_gpu_test_bias_act,
		weft_gpu_test_softmax,
		weft_gpu_test_linear,
	};
	return &api;
}
