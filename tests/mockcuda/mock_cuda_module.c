/* mock_cuda_module.c - a stand-in for libweft-cuda.so that runs on the CPU,
 * so that what the GPU path's callers and tests do can be checked where no
 * GPU is (CI, the development machines). Loaded in place of the real module
 * through WEFT_CUDA_MODULE (tests/CMakeLists.txt); never installed.
 *
 * It keeps what the tests' verdicts depend on from dense_cuda.cu: a
 * persistent "pinned" output buffer that a pass writes and a replay that
 * launches nothing leaves as it was; each batch size's first pass, timed
 * or not, "eager", then "captured" (up to GRAPH_MAX_BATCH rows) and
 * replayed; timing "events" that only a pass that runs updates; the test
 * flags (poison, no-op replay, failed capture, with the real module's
 * note); a device memory that a too large model does not fit. The pass
 * itself is the CPU reference (weft_ref_forward), so every precision
 * agrees with the CPU exactly. WEFT_MOCK_NOOP_REPLAY=1 makes every replay
 * a no-op, as if the graph launch in dense_cuda.cu were deleted: the
 * replay tests must then fail (ctest test_kernels_gpu_mock_noop).
 *
 * What it cannot show: anything about CUDA itself (kernels, cuBLASLt,
 * capture, streams); those wait for a device (scripts/gpu-check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_module.h"
#include "weft_version.h"

#define GRAPH_MAX_BATCH 1024 /* as dense_cuda.cu */
#define MAX_PLANS 32
#define MOCK_MEMORY ((size_t)2 << 30)

typedef struct {
	size_t batch;
	bool graph[2], no_graph[2]; /* [timed] */
} mock_plan;

struct weft_gpu_model {
	weft_model cpu;      /* the caller's model, with buffers of our own */
	bool use_graph;
	unsigned flags;
	float *h_in, *h_out; /* the "pinned" buffers */
	double ev[3];        /* the last pass's h2d, compute, d2h */
	mock_plan plans[MAX_PLANS];
	size_t n_plans;
};

static void probe(weft_kernels_info *info)
{
	info->cuda_compiled = true;
	info->runtime_version = 13000;
	info->driver_version = 13000;
	info->cublas_version = 130000;
	info->device_found = true;
	info->device_count = 1;
	snprintf(info->device_name, sizeof info->device_name, "weft mock GPU (the CPU)");
	info->cc_major = 9;
	info->device_memory = MOCK_MEMORY;
}

static void model_free(weft_gpu_model *g)
{
	if (!g)
		return;
	free(g->cpu.act[0]);
	free(g->cpu.act[1]);
	free(g->h_in);
	free(g->h_out);
	free(g);
}

static int model_new(weft_gpu_model **out, const weft_model *m, weft_precision prec,
		     size_t max_batch, bool use_graph, weft_diags *d)
{
	(void)prec;
	*out = NULL;
	double need = (double)max_batch * (double)(m->inputs + m->outputs + 2 * m->max_width) * 4.0 +
		      (double)m->params * 4.0;
	if (need > (double)MOCK_MEMORY) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL,
			       "CUDA: input buffer: out of memory (mock: %.0f bytes)", need);
		return WEFT_EENV;
	}
	weft_gpu_model *g = calloc(1, sizeof *g);
	if (!g)
		return WEFT_ENOMEM;
	weft_kernels_blas_open(1, d); /* the "device" is OpenBLAS on one thread */
	g->cpu = *m;
	g->cpu.gpu = NULL;
	g->use_graph = use_graph;
	for (int i = 0; i < 2; i++)
		g->cpu.act[i] = malloc(max_batch * m->max_width * sizeof(float));
	g->h_in = malloc(max_batch * m->inputs * sizeof(float));
	g->h_out = malloc(max_batch * m->outputs * sizeof(float));
	if (!g->cpu.act[0] || !g->cpu.act[1] || !g->h_in || !g->h_out) {
		model_free(g);
		return WEFT_ENOMEM;
	}
	memset(g->h_out, 0xff, max_batch * m->outputs * sizeof(float));
	*out = g;
	return 0;
}

static mock_plan *plan(weft_gpu_model *g, size_t batch)
{
	for (size_t i = 0; i < g->n_plans; i++)
		if (g->plans[i].batch == batch)
			return &g->plans[i];
	if (g->n_plans == MAX_PLANS)
		return NULL;
	mock_plan *p = &g->plans[g->n_plans++];
	memset(p, 0, sizeof *p);
	p->batch = batch;
	return p;
}

static double ms_since(uint64_t t0)
{
	double ms = (double)(weft_now_ns() - t0) / 1e6;
	return ms > 0 ? ms : 1e-6;
}

/* What the real module's stream does for one pass: copy in, compute, copy
 * out, each "event" updated. */
static void pass(weft_gpu_model *g, size_t batch)
{
	uint64_t t0 = weft_now_ns();
	float *d_in = malloc(batch * g->cpu.inputs * sizeof(float));
	if (d_in)
		memcpy(d_in, g->h_in, batch * g->cpu.inputs * sizeof(float));
	g->ev[0] = ms_since(t0);
	t0 = weft_now_ns();
	if (d_in)
		weft_ref_forward(&g->cpu, g->h_out, d_in, batch);
	g->ev[1] = ms_since(t0);
	g->ev[2] = 1e-6;
	free(d_in);
}

static int model_forward(weft_gpu_model *g, const weft_model *m, float *out, const float *in,
			 size_t batch, weft_model_timing *timing, weft_diags *d)
{
	(void)m;
	mock_plan *pl = plan(g, batch);
	if (!pl) {
		weft_diags_error(d, NULL, 0, 0, "mock: too many batch sizes");
		return WEFT_EENV;
	}
	bool timed = timing != NULL;
	if (g->flags & WEFT_GPU_TEST_POISON)
		memset(g->h_out, 0xff, batch * g->cpu.outputs * sizeof(float));
	memcpy(g->h_in, in, batch * g->cpu.inputs * sizeof(float));
	bool graph = g->use_graph && batch <= GRAPH_MAX_BATCH && !pl->no_graph[timed];
	const char *noop = getenv("WEFT_MOCK_NOOP_REPLAY");
	if (!graph || !pl->graph[timed])
		pass(g, batch);
	else if (!(g->flags & WEFT_GPU_TEST_NOOP_REPLAY) && !(noop && strcmp(noop, "1") == 0))
		pass(g, batch);
	if (graph && !pl->graph[timed]) {
		if (g->flags & WEFT_GPU_TEST_FAIL_CAPTURE) {
			pl->no_graph[timed] = true;
			weft_diags_add(d, WEFT_SEV_NOTE, NULL, 0, 0, NULL,
				       "batches of %zu rows run without a CUDA graph: capturing one "
				       "failed (mock: the test flag)", batch);
		} else {
			pl->graph[timed] = true;
		}
	}
	memcpy(out, g->h_out, batch * g->cpu.outputs * sizeof(float));
	if (timed) {
		timing->h2d_ms = g->ev[0];
		timing->compute_ms = g->ev[1];
		timing->d2h_ms = g->ev[2];
	}
	return 0;
}

static int graph_kernels(const weft_model *m, size_t batch, bool timed)
{
	for (size_t i = 0; i < m->gpu->n_plans; i++)
		if (m->gpu->plans[i].batch == batch && m->gpu->plans[i].graph[timed])
			return (int)m->n_layers + 1;
	return -1;
}

static void set_test_flags(weft_gpu_model *g, unsigned flags)
{
	g->flags = flags;
}

static int no_kernels(weft_diags *d)
{
	weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "the mock CUDA module runs no kernels");
	return WEFT_EENV;
}

static int test_convert(float *out, const float *in, size_t n, weft_precision prec, weft_diags *d)
{
	(void)out, (void)in, (void)n, (void)prec;
	return no_kernels(d);
}

static int test_bias_act(float *y, const float *x, const float *b, size_t rows, size_t cols,
			 weft_activation act, weft_precision prec, weft_diags *d)
{
	(void)y, (void)x, (void)b, (void)rows, (void)cols, (void)act, (void)prec;
	return no_kernels(d);
}

static int test_softmax(float *y, const float *x, size_t rows, size_t cols, weft_precision prec,
			weft_diags *d)
{
	(void)y, (void)x, (void)rows, (void)cols, (void)prec;
	return no_kernels(d);
}

static int test_linear(float *y, const float *x, const float *w, const float *b, size_t batch,
		       size_t in, size_t out, weft_activation act, weft_precision prec, weft_diags *d)
{
	(void)y, (void)x, (void)w, (void)b, (void)batch, (void)in, (void)out, (void)act, (void)prec;
	return no_kernels(d);
}

__attribute__((visibility("default"))) const weft_cuda_module_api *weft_cuda_module_v1(void);

const weft_cuda_module_api *weft_cuda_module_v1(void)
{
	static const weft_cuda_module_api api = {
		WEFT_CUDA_MODULE_ABI, sizeof(weft_cuda_module_api), WEFT_VERSION, probe, model_new,
		model_free, model_forward, graph_kernels, set_test_flags, test_convert, test_bias_act,
		test_softmax, test_linear,
	};
	return &api;
}
