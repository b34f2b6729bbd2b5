/* cuda_module.cu - the entry point of libweft-cuda.so: the table of its
 * functions (cuda_module.h), and the CUDA half of weft_kernels_probe, which
 * asks the runtime for a device, whether the device runs this build's
 * kernels, and cuBLASLt for its version (cuBLASLt alone: the module uses
 * nothing else of cuBLAS, so it links nothing else of it). The runtime is
 * linked statically into the module, so it loads on machines without a CUDA
 * driver and then reports the driver as missing. Only the entry point is
 * exported (the link uses a version script); everything else, the copies of
 * core's diagnostics included, stays inside the module. */
#include <cstdio>
#include <cstring>

#include <cublasLt.h>
#include <cuda_runtime.h>

#include "cuda_module.h"
#include "weft_version.h"

static void probe(weft_kernels_info *info)
{
	info->cuda_compiled = true;
	cudaRuntimeGetVersion(&info->runtime_version);
	cudaDriverGetVersion(&info->driver_version);
	int major = 0, minor = 0, patch = 0;
	cublasLtGetProperty(MAJOR_VERSION, &major);
	cublasLtGetProperty(MINOR_VERSION, &minor);
	cublasLtGetProperty(PATCH_LEVEL, &patch);
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
	info->device_count = count;
	snprintf(info->device_name, sizeof info->device_name, "%s", prop.name);
	info->cc_major = prop.major;
	info->cc_minor = prop.minor;
	info->device_memory = prop.totalGlobalMem;
	/* a device this build has no code for counts as none (auto then
	 * falls back to the CPU, gpu fails), named with what the build has */
	char why[128];
	if (cudaSetDevice(0) != cudaSuccess || !weft_gpu_kernels_load(why, sizeof why)) {
		cudaGetLastError();
		snprintf(info->reason, sizeof info->reason,
			 "%.200s (compute capability %d.%d) cannot run this build's kernels, built "
			 "for CUDA architectures %s", prop.name, prop.major, prop.minor,
			 WEFT_CUDA_ARCHS);
		return;
	}
	info->device_found = true;
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
		weft_gpu_model_set_test_flags,
		weft_gpu_test_convert,
		weft_gpu_test_bias_act,
		weft_gpu_test_softmax,
		weft_gpu_test_linear,
	};
	return &api;
}
