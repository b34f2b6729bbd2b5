/* cuda.c - the GPU side of kernels/, through the CUDA module opened on demand.
 *
 * Design choice: weft links no CUDA library, so commands that never touch a
 * GPU (assess, new, templates, bench validate, a model on device cpu) start
 * in milliseconds and map nothing of CUDA. The first call that needs the GPU
 * opens libweft-cuda.so (cuda_module.h) once, under pthread_once; every
 * weft_gpu_* function here forwards to it, or reports why there is no GPU
 * (no CUDA in this build, module not found, a library it needs missing).
 *
 * Where the module is looked for, first found wins: $WEFT_CUDA_MODULE; the
 * path recorded at build time relative to the installed binary's folder
 * (../lib/weft/libweft-cuda.so for a plain prefix); the build folder, only
 * when the binary runs from it. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cuda_module.h"

#ifndef WEFT_CUDA_MODULE_REL
#define WEFT_CUDA_MODULE_REL "../lib/weft/libweft-cuda.so"
#endif
#ifndef WEFT_CUDA_MODULE_BUILD
#define WEFT_CUDA_MODULE_BUILD ""
#endif

static struct {
	pthread_once_t once;
	const weft_cuda_module_api *api;
	char path[PATH_MAX]; /* the module opened, or the last place looked */
	char error[512];     /* why api is NULL */
} mod = { .once = PTHREAD_ONCE_INIT };

#ifdef WEFT_HAVE_CUDA
/* The first candidate that exists, into mod.path; false when none does. */
static bool find_module(void)
{
	const char *env = getenv("WEFT_CUDA_MODULE");
	if (env && *env) {
		snprintf(mod.path, sizeof mod.path, "%s", env);
		return access(mod.path, R_OK) == 0;
	}
	const char *dir = weft_exe_dir();
	if (dir) {
		int n = snprintf(mod.path, sizeof mod.path, "%s/%s", dir, WEFT_CUDA_MODULE_REL);
		if (n > 0 && (size_t)n < sizeof mod.path && access(mod.path, R_OK) == 0)
			return true;
	}
	if (weft_running_from_build() && access(WEFT_CUDA_MODULE_BUILD, R_OK) == 0) {
		snprintf(mod.path, sizeof mod.path, "%s", WEFT_CUDA_MODULE_BUILD);
		return true;
	}
	return false;
}
#endif

static void open_module(void)
{
#ifndef WEFT_HAVE_CUDA
	snprintf(mod.error, sizeof mod.error, "this build has no CUDA support");
#else
	if (!find_module()) {
		snprintf(mod.error, sizeof mod.error,
			 "the CUDA module is not installed (looked for %.400s)", mod.path);
		return;
	}
	char *real = realpath(mod.path, NULL); /* bin/../lib/... named plainly */
	if (real) {
		snprintf(mod.path, sizeof mod.path, "%s", real);
		free(real);
	}
	void *h = dlopen(mod.path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(mod.error, sizeof mod.error, "cannot load the CUDA module: %.480s", dlerror());
		return;
	}
	weft_cuda_module_fn entry;
	*(void **)&entry = dlsym(h, WEFT_CUDA_MODULE_SYMBOL);
	const weft_cuda_module_api *api = entry ? entry() : NULL;
	if (!api || api->abi != WEFT_CUDA_MODULE_ABI || api->size != sizeof *api ||
	    !api->version || strcmp(api->version, weft_version()) != 0) {
		snprintf(mod.error, sizeof mod.error,
			 "%.400s is not a CUDA module of weft %s (from another build?)", mod.path,
			 weft_version());
		dlclose(h);
		return;
	}
	/* kept open for the life of the process */
	mod.api = api;
#endif
}

static const weft_cuda_module_api *cuda(void)
{
	pthread_once(&mod.once, open_module);
	return mod.api;
}

void weft_kernels_cuda_probe(weft_kernels_info *info)
{
	const weft_cuda_module_api *api = cuda();
#ifdef WEFT_HAVE_CUDA
	info->cuda_compiled = true;
#endif
	snprintf(info->cuda_module, sizeof info->cuda_module, "%.511s", mod.path);
	if (!api) {
		snprintf(info->reason, sizeof info->reason, "%s", mod.error);
		return;
	}
	info->cuda_loaded = true;
	api->probe(info);
}

int weft_gpu_model_new(weft_gpu_model **out, const weft_model *m, weft_precision prec,
		       size_t max_batch, bool use_graph, weft_diags *d)
{
	*out = NULL;
	const weft_cuda_module_api *api = cuda();
	if (!api) {
		weft_diags_add(d, WEFT_SEV_ERROR, m->path, 0, 0, NULL, "%s", mod.error);
		return WEFT_EENV;
	}
	return api->model_new(out, m, prec, max_batch, use_graph, d);
}

void weft_gpu_model_free(weft_gpu_model *g)
{
	/* a model exists only when the module was loaded */
	if (g)
		mod.api->model_free(g);
}

int weft_gpu_model_forward(weft_gpu_model *g, const weft_model *m, float *out, const float *in,
			   size_t batch, weft_model_timing *timing, weft_diags *d)
{
	return mod.api->model_forward(g, m, out, in, batch, timing, d);
}

int weft_gpu_model_graph_kernels(const weft_model *m, size_t batch, bool timed)
{
	return m->gpu ? mod.api->graph_kernels(m, batch, timed) : -1;
}

int weft_model_set_gpu_test_flags(weft_model *m, unsigned flags)
{
	if (!m->gpu)
		return WEFT_EINVALID;
	mod.api->set_test_flags(m->gpu, flags);
	return 0;
}

/* The test hooks' common start: the module, or WEFT_EENV and why in d. */
static const weft_cuda_module_api *hook_api(weft_diags *d)
{
	const weft_cuda_module_api *api = cuda();
	if (!api)
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "%s", mod.error);
	return api;
}

int weft_gpu_test_convert(float *out, const float *in, size_t n, weft_precision prec,
			  weft_diags *d)
{
	const weft_cuda_module_api *api = hook_api(d);
	return api ? api->test_convert(out, in, n, prec, d) : WEFT_EENV;
}

int weft_gpu_test_bias_act(float *y, const float *x, const float *b, size_t rows, size_t cols,
			   weft_activation act, weft_precision prec, weft_diags *d)
{
	const weft_cuda_module_api *api = hook_api(d);
	return api ? api->test_bias_act(y, x, b, rows, cols, act, prec, d) : WEFT_EENV;
}

int weft_gpu_test_softmax(float *y, const float *x, size_t rows, size_t cols, weft_precision prec,
			  weft_diags *d)
{
	const weft_cuda_module_api *api = hook_api(d);
	return api ? api->test_softmax(y, x, rows, cols, prec, d) : WEFT_EENV;
}

int weft_gpu_test_linear(float *y, const float *x, const float *w, const float *b, size_t batch,
			 size_t in, size_t out, weft_activation act, weft_precision prec,
			 weft_diags *d)
{
	const weft_cuda_module_api *api = hook_api(d);
	return api ? api->test_linear(y, x, w, b, batch, in, out, act, prec, d) : WEFT_EENV;
}
