/* blas.c - OpenBLAS, opened on first use with an explicit thread count.
 *
 * Design choice: weft does not link OpenBLAS. Its pthread build starts a pool
 * of one thread per core in its load-time constructor, before main() runs,
 * so every command paid for it (and under a low `ulimit -v` a worker retrying
 * a failed buffer allocation hung the process at exit). Here the library is
 * opened with dlopen only when a matrix product is about to run, with
 * OPENBLAS_NUM_THREADS set around the dlopen call to the count asked for, so
 * its constructor starts exactly that pool (none for one thread); the
 * variable is put back at once, so commands run by stages do not inherit
 * it. The count is process-wide (OpenBLAS has one pool): a later, larger
 * request raises it with openblas_set_num_threads, a smaller one keeps it.
 *
 * Without OpenBLAS on the machine the products fall back to a plain loop
 * (correct, slower) and weft_kernels_blas_open reports why.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_int.h"

#define BLAS_SONAME "libopenblas.so.0"
#define CBLAS_ROW_MAJOR 101
#define CBLAS_NO_TRANS 111
#define CBLAS_TRANS 112

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
			 const float *a, int lda, const float *b, int ldb, float beta, float *c,
			 int ldc);

static struct {
	pthread_mutex_t lock;
	bool tried; /* written under lock; read without it through ready */
	bool ready; /* tried, published with release semantics */
	void *handle;
	sgemm_fn sgemm;
	void (*set_threads)(int);
	char *(*get_config)(void);
	int threads;
	char error[256];
} blas = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Called with blas.lock held. */
static void open_locked(int threads)
{
	blas.tried = true;
	const char *old = getenv("OPENBLAS_NUM_THREADS");
	char *saved = old ? strdup(old) : NULL;
	char n[16];
	snprintf(n, sizeof n, "%d", threads);
	setenv("OPENBLAS_NUM_THREADS", n, 1);
	blas.handle = dlopen(BLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (saved)
		setenv("OPENBLAS_NUM_THREADS", saved, 1);
	else
		unsetenv("OPENBLAS_NUM_THREADS");
	free(saved);
	if (!blas.handle) {
		snprintf(blas.error, sizeof blas.error, "cannot load %s: %s", BLAS_SONAME, dlerror());
		return;
	}
	*(void **)&blas.sgemm = dlsym(blas.handle, "cblas_sgemm");
	*(void **)&blas.set_threads = dlsym(blas.handle, "openblas_set_num_threads");
	*(void **)&blas.get_config = dlsym(blas.handle, "openblas_get_config");
	if (!blas.sgemm) {
		snprintf(blas.error, sizeof blas.error, "%s has no cblas_sgemm", BLAS_SONAME);
		dlclose(blas.handle);
		blas.handle = NULL;
		return;
	}
	blas.threads = threads;
}

int weft_kernels_blas_open(int threads, weft_diags *d)
{
	if (threads < 1)
		threads = 1;
	pthread_mutex_lock(&blas.lock);
	if (!blas.tried) {
		open_locked(threads);
		__atomic_store_n(&blas.ready, true, __ATOMIC_RELEASE);
	}
	else if (blas.handle && threads > blas.threads && blas.set_threads) {
		blas.set_threads(threads);
		blas.threads = threads;
	}
	bool ok = blas.handle != NULL;
	pthread_mutex_unlock(&blas.lock);
	if (!ok) {
		weft_diags_add(d, WEFT_SEV_WARNING, NULL, 0, 0,
			       "install OpenBLAS (Debian: libopenblas0) for fast CPU products",
			       "%s; matrix products use a plain loop", blas.error);
		return WEFT_EENV;
	}
	return WEFT_OK;
}

int weft_kernels_blas_threads(void)
{
	pthread_mutex_lock(&blas.lock);
	int n = blas.handle ? blas.threads : 0;
	pthread_mutex_unlock(&blas.lock);
	return n;
}

void weft_kernels_blas_describe(char *buf, size_t n)
{
	weft_kernels_blas_open(1, NULL);
	pthread_mutex_lock(&blas.lock);
	const char *cfg = blas.get_config ? blas.get_config() : NULL;
	if (blas.handle)
		snprintf(buf, n, "%s, %d thread%s", cfg ? cfg : "OpenBLAS", blas.threads,
			 blas.threads == 1 ? "" : "s");
	else
		snprintf(buf, n, "none (%s)", blas.error);
	pthread_mutex_unlock(&blas.lock);
}

bool weft_ref_linear_gemm(float *y, const float *x, const float *w, size_t batch, size_t in,
			  size_t out, bool accumulate)
{
	if (!__atomic_load_n(&blas.ready, __ATOMIC_ACQUIRE))
		weft_kernels_blas_open(1, NULL);
	if (!blas.sgemm)
		return false;
	/* y[batch x out] (+)= x[batch x in] . w[out x in]^T, all row-major */
	blas.sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, (int)batch, (int)out, (int)in, 1.0f, x,
		   (int)in, w, (int)in, accumulate ? 1.0f : 0.0f, y, (int)out);
	return true;
}

void weft_ref_linear(float *y, const float *x, const float *w, size_t batch, size_t in,
		     size_t out)
{
	if (weft_ref_linear_gemm(y, x, w, batch, in, out, false))
		return;
	for (size_t r = 0; r < batch; r++)
		for (size_t c = 0; c < out; c++) {
			float acc = 0.0f;
			for (size_t k = 0; k < in; k++)
				acc += x[r * in + k] * w[c * in + k];
			y[r * out + c] = acc;
		}
}
