/* test_kernels_blas.c - OpenBLAS opened on demand (blas.c): the thread
 * count is the one asked for, no pool starts for one thread, the count
 * only rises, the user's OPENBLAS_NUM_THREADS is left as it was, and the
 * products are right (the tiny fixture network, worked out by hand in
 * test_kernels_model.c: x = [1, 2] -> sigmoid(5.5)).
 *
 * Criterion runs every test in a process of its own, so each starts with
 * OpenBLAS not yet opened. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_int.h"

#define TINY WEFT_FIXTURES "/kernels/valid/tiny.safetensors"

static int threads_of_process(void)
{
	DIR *d = opendir("/proc/self/task");
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static weft_model *load(int threads)
{
	weft_diags *d = NULL;
	cr_assert_eq(weft_diags_new(&d), 0);
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	o.threads = threads;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, TINY, &o, d), 0);
	weft_diags_free(d);
	return m;
}

static void check_forward(weft_model *m)
{
	float in[2] = { 1.0f, 2.0f }, out[1] = { 0 };
	cr_assert_eq(weft_model_forward(m, out, in, 1, NULL, NULL), 0);
	double want = 1.0 / (1.0 + exp(-5.5));
	cr_assert(fabs(out[0] - want) < 1e-6, "got %.9f, want %.9f", out[0], want);
}

Test(blas, not_opened_before_a_model)
{
	cr_assert_eq(weft_kernels_blas_threads(), 0);
}

Test(blas, one_thread_starts_no_pool)
{
	int before = threads_of_process();
	weft_model *m = load(1);
	cr_assert_eq(weft_kernels_blas_threads(), 1);
	check_forward(m);
	cr_assert_eq(threads_of_process(), before, "OpenBLAS started threads for a one-thread stage");
	weft_model_free(m);
}

Test(blas, the_count_only_rises)
{
	weft_model *a = load(3);
	cr_assert_eq(weft_kernels_blas_threads(), 3);
	weft_model *b = load(1);
	cr_assert_eq(weft_kernels_blas_threads(), 3, "a smaller request must not lower the pool");
	weft_model *c = load(4);
	cr_assert_eq(weft_kernels_blas_threads(), 4);
	check_forward(c);
	weft_model_free(a);
	weft_model_free(b);
	weft_model_free(c);
}

Test(blas, the_users_variable_is_put_back)
{
	cr_assert_eq(setenv("OPENBLAS_NUM_THREADS", "7", 1), 0);
	weft_model *m = load(1);
	/* the stage's count wins over the variable, which is left as it was */
	cr_assert_eq(weft_kernels_blas_threads(), 1);
	cr_assert_str_eq(getenv("OPENBLAS_NUM_THREADS"), "7");
	weft_model_free(m);
}

Test(blas, an_unset_variable_stays_unset)
{
	unsetenv("OPENBLAS_NUM_THREADS");
	weft_model *m = load(2);
	cr_assert_null(getenv("OPENBLAS_NUM_THREADS"));
	weft_model_free(m);
}

Test(blas, describe_names_the_library_and_count)
{
	char buf[192];
	weft_kernels_blas_describe(buf, sizeof buf);
	cr_assert(strstr(buf, "OpenBLAS"), "%s", buf);
	cr_assert(strstr(buf, ", 1 thread"), "%s", buf);
}
