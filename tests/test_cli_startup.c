/* test_cli_startup.c - what a command pays for before it works: which
 * shared libraries it maps (the dynamic loader's own account, LD_DEBUG), and
 * whether it completes under a small address-space limit.
 *
 * The claims: assess, new, templates, bench validate, a model stage on the
 * CPU and --version never open the CUDA module or cuBLAS; only commands
 * with matrix work open OpenBLAS; and the commands that do no matrix work
 * finish under `ulimit -v 300000` (OpenBLAS's thread pool used to hang the
 * process at exit there). The control case, `weft doctor`, must show the
 * module opened in a CUDA build, so a loader trace that says nothing cannot
 * pass the test. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "weft_core.h"

#define SRC WEFT_SOURCE_DIR
#define TINY WEFT_FIXTURES "/kernels/valid/tiny.safetensors"

static char tmp[] = "/tmp/weft-startup-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void)
{
	char line[256];
	snprintf(line, sizeof line, "rm -rf '%s'", tmp);
	cr_assert_eq(system(line), 0);
}

TestSuite(startup, .init = setup, .fini = teardown, .timeout = 120);

/* The loader's trace of `weft <args>` run in the source tree: what it
 * printed to stderr with LD_DEBUG=files (the command's own stderr too). */
static char *loader_trace(const char *args)
{
	char line[4096], *out = NULL, *err = NULL;
	snprintf(line, sizeof line, "LD_DEBUG=files '%s' %s >/dev/null", WEFT_BIN, args);
	int rc = weft_test_sh(&out, &err, SRC, NULL, line);
	cr_assert_eq(rc, 0, "weft %s exited %d:\n%s", args, rc, err);
	free(out);
	return err;
}

static bool mapped(const char *trace, const char *lib)
{
	char key[128];
	snprintf(key, sizeof key, "file=%s", lib);
	if (strstr(trace, key))
		return true;
	/* opened by full path: "file=/.../libweft-cuda.so" */
	snprintf(key, sizeof key, "/%s", lib);
	for (const char *p = strstr(trace, key); p; p = strstr(p + 1, key)) {
		const char *eq = p;
		while (eq > trace && eq[-1] != '=' && eq[-1] != ' ' && eq[-1] != '\n')
			eq--;
		if (eq > trace && eq[-1] == '=')
			return true;
	}
	return false;
}

static void expect_no_gpu_libraries(const char *args)
{
	char *t = loader_trace(args);
	cr_expect_not(mapped(t, "libweft-cuda.so"), "weft %s opened the CUDA module", args);
	cr_expect_not(mapped(t, "libcublas.so"), "weft %s mapped cuBLAS", args);
	cr_expect_not(mapped(t, "libcublasLt.so"), "weft %s mapped cuBLASLt", args);
	cr_expect_not(mapped(t, "libcudart.so"), "weft %s mapped the CUDA runtime", args);
	free(t);
}

static void expect_no_blas(const char *args)
{
	char *t = loader_trace(args);
	cr_expect_not(mapped(t, "libopenblas.so"), "weft %s opened OpenBLAS", args);
	free(t);
}

Test(startup, the_control_case_sees_what_doctor_opens)
{
	char *t = loader_trace("doctor");
	cr_expect(mapped(t, "libopenblas.so.0"), "doctor names the BLAS, so it opens it");
#ifdef WEFT_HAVE_CUDA
	cr_expect(mapped(t, "libweft-cuda.so"), "doctor of a CUDA build opens the module");
	cr_expect(mapped(t, "libcublasLt.so"), "the module brings cuBLASLt");
	cr_expect_not(mapped(t, "libcublas.so"), "and nothing else of cuBLAS");
#else
	cr_expect_not(mapped(t, "libweft-cuda.so"));
#endif
	free(t);
}

Test(startup, commands_without_a_gpu_stage_map_no_cuda)
{
	char args[1024];
	expect_no_gpu_libraries("--version");
	expect_no_gpu_libraries("assess score assess/examples/claims-2026.yaml");
	expect_no_gpu_libraries("assess validate assess/questionnaires/ai-integration.yaml");
	expect_no_gpu_libraries("templates list");
	snprintf(args, sizeof args, "new api '%s/churn'", tmp);
	expect_no_gpu_libraries(args);
	expect_no_gpu_libraries("bench validate pipelines/examples/crm-churn.yaml");
}

Test(startup, a_model_stage_on_the_cpu_maps_no_cuda)
{
	char spec[512], args[1024];
	snprintf(spec, sizeof spec, "%s/cpu.yaml", tmp);
	FILE *f = fopen(spec, "w");
	cr_assert_not_null(f);
	fprintf(f, "pipeline: cpu\nstages:\n  - name: model\n"
		   "    model: {file: '%s', device: cpu}\n    budget: {p50: 1s}\n"
		   "load: {scenario: single-stream, duration: 50ms, min_queries: 20, warmup: 2}\n",
		TINY);
	fclose(f);
	snprintf(args, sizeof args, "bench run '%s' --format json", spec);
	char *t = loader_trace(args);
	cr_expect(mapped(t, "libopenblas.so.0"), "the CPU stage runs its products on OpenBLAS");
	cr_expect_not(mapped(t, "libweft-cuda.so"), "a CPU stage opened the CUDA module");
	cr_expect_not(mapped(t, "libcublas.so"));
	free(t);
}

Test(startup, commands_without_matrix_work_open_no_blas)
{
	char args[1024];
	expect_no_blas("--version");
	expect_no_blas("assess score assess/examples/claims-2026.yaml");
	expect_no_blas("templates list");
	snprintf(args, sizeof args, "new api '%s/churn'", tmp);
	expect_no_blas(args);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
Test(startup, small_address_space_limit)
{
	cr_skip_test("AddressSanitizer reserves terabytes of address space; no ulimit -v under it");
}
#else
/* Under `ulimit -v 300000` (about 293 MiB of address space), each command
 * completes, exit 0, well inside a 20 s timeout (which exits 124). */
static void expect_completes_in_300mb(const char *args)
{
	char line[4096], *out = NULL, *err = NULL;
	snprintf(line, sizeof line, "ulimit -v 300000 && timeout 20 '%s' %s >/dev/null", WEFT_BIN,
		 args);
	uint64_t t0 = weft_now_ns();
	int rc = weft_test_sh(&out, &err, SRC, NULL, line);
	double s = (double)(weft_now_ns() - t0) / 1e9;
	cr_expect_eq(rc, 0, "weft %s under ulimit -v 300000: exit %d (124 = hung):\n%s", args, rc,
		     err);
	cr_expect_lt(s, 10.0, "weft %s took %.1f s under the limit", args, s);
	free(out);
	free(err);
}

Test(startup, small_address_space_limit)
{
	char args[1024];
	expect_completes_in_300mb("--version");
	expect_completes_in_300mb("assess score assess/examples/claims-2026.yaml");
	snprintf(args, sizeof args, "new api '%s/small'", tmp);
	expect_completes_in_300mb(args);
	expect_completes_in_300mb("templates list");
}
#endif
