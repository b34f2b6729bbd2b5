/* test_pipelines_model.c - the model stage runs a real dense network through
 * kernels' model API (on the CPU here): a tiny network is written with the
 * safetensors writer, loaded once per run (two instances shared by three
 * workers), and every query's forward pass is timed; a file that is not a
 * model stops the run before it starts; the inputs are made before the run,
 * so a slow input generator does not show in the stage's latency (issue 14). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft_kernels.h"
#include "weft_pipelines.h"

/* stage_model.c's test hook: called per input batch generated */
extern void (*weft_pl_model_input_hook)(size_t rows);
static int hook_calls;
static void slow_input(size_t rows)
{
	(void)rows;
	__atomic_add_fetch(&hook_calls, 1, __ATOMIC_RELAXED);
	usleep(5000); /* 5 ms per batch: far more than the forward pass of 4 rows */
}

static weft_diags *d;
static char model_path[64];

static void setup(void)
{
	weft_diags_new(&d);
	snprintf(model_path, sizeof model_path, "/tmp/weft-model-XXXXXX");
	int fd = mkstemp(model_path);
	cr_assert_geq(fd, 0);
	close(fd);
	/* 8 inputs -> 16 (relu) -> 1 (sigmoid) */
	weft_safetensors_writer *w;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	weft_safetensors_writer_meta(w, "weft.activations", "relu,sigmoid");
	float w0[16 * 8], b0[16], w1[16], b1[1] = { 0.1f };
	for (int i = 0; i < 16 * 8; i++)
		w0[i] = (float)((i * 37) % 17 - 8) / 10.0f;
	for (int i = 0; i < 16; i++)
		b0[i] = w1[i] = (float)(i % 5 - 2) / 10.0f;
	uint64_t s0[] = { 16, 8 }, s1[] = { 16 }, s2[] = { 1, 16 }, s3[] = { 1 };
	cr_assert_eq(weft_safetensors_writer_add(w, "net.0.weight", WEFT_DTYPE_F32, 2, s0, w0), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "net.0.bias", WEFT_DTYPE_F32, 1, s1, b0), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "net.1.weight", WEFT_DTYPE_F32, 2, s2, w1), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "net.1.bias", WEFT_DTYPE_F32, 1, s3, b1), 0);
	cr_assert_eq(weft_safetensors_writer_save(w, model_path, WEFT_WRITE_FORCE, d), 0);
	weft_safetensors_writer_free(w);
}

static void teardown(void)
{
	unlink(model_path);
	weft_diags_free(d);
}
TestSuite(model, .init = setup, .fini = teardown, .timeout = 60);

static int run(weft_pipelines_result **r, const char *file)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "pipeline: m\nstages:\n  - name: pre\n    delay: 50us\n"
		 "  - name: model\n    model: {file: '%s', batch: 4, instances: 2, device: cpu}\n"
		 "    budget: {p50: 1s}\n"
		 "load: {scenario: concurrency, concurrency: 3, duration: 50ms, min_queries: 30, warmup: 3}\n",
		 file);
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "m.yaml", ".", text, strlen(text), d), 0);
	cr_assert_eq(s->stages[1].model.batch, 4);
	int err = weft_pipelines_run(r, s, NULL, d);
	weft_pipelines_spec_free(s);
	return err;
}

Test(model, forward_passes_are_timed)
{
	weft_pipelines_result *r = NULL;
	cr_assert_eq(run(&r, model_path), 0);
	const weft_pipelines_series *m = weft_pipelines_result_series(r, "model");
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(m->count, 30);
	cr_assert_gt(m->min_ms, 0.0);
	cr_assert_eq(m->checks[0].verdict, WEFT_VERDICT_MET);
	/* rows per query default to the model's batch */
	cr_assert_eq(r->load.rows_per_query, 4);
	weft_pipelines_result_free(r);
}

Test(model, a_file_that_is_not_a_model_stops_the_run)
{
	weft_pipelines_result *r = NULL;
	cr_assert_eq(run(&r, WEFT_FIXTURES "/pipelines/samples.txt"), WEFT_EINVALID);
	cr_assert_null(r);
	bool noted = false;
	for (size_t i = 0; i < weft_diags_count(d); i++)
		noted |= strstr(weft_diags_get(d, i)->message, "while loading the model of stage 'model'") != NULL;
	cr_assert(noted);
	cr_assert_eq(run(&r, "/no/such/model.safetensors"), WEFT_EENV);
}

static int run_text(weft_pipelines_result **r, const char *extra, const char *queries)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "pipeline: m\nstages:\n"
		 "  - name: model\n    model: {file: '%s', batch: 4, instances: 2, device: cpu%s}\n"
		 "load: {scenario: concurrency, concurrency: 3, duration: 50ms, min_queries: %s, "
		 "warmup: 3}\n",
		 model_path, extra, queries);
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "m.yaml", ".", text, strlen(text), d), 0);
	int err = weft_pipelines_run(r, s, NULL, d);
	weft_pipelines_spec_free(s);
	return err;
}

Test(model, input_generation_is_outside_the_timed_call)
{
	hook_calls = 0;
	weft_pl_model_input_hook = slow_input;
	weft_pipelines_result *r = NULL;
	int err = run_text(&r, "", "300");
	weft_pl_model_input_hook = NULL;
	cr_assert_eq(err, 0);
	const weft_pipelines_series *m = weft_pipelines_result_series(r, "model");
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(m->count, 300);
	/* generated before the run, a pool far smaller than the queries run */
	cr_assert_gt(hook_calls, 0);
	cr_assert_leq(hook_calls, 64, "%d input batches made for %llu queries", hook_calls,
		      (unsigned long long)m->count);
	/* had a query made its input, each would take >= 5 ms */
	cr_assert_lt(m->min_ms, 5.0, "min %.3f ms", m->min_ms);
	cr_assert_lt(m->pctl[0].value_ms, 5.0, "%s %.3f ms", m->pctl[0].label, m->pctl[0].value_ms);
	weft_pipelines_result_free(r);
}

Test(model, an_evaluation_set_feeds_the_inputs)
{
	char csv[64];
	snprintf(csv, sizeof csv, "/tmp/weft-eval-XXXXXX");
	int fd = mkstemp(csv);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "a,b,c,d,e,f,g,h,label\n");
	for (int i = 0; i < 10; i++)
		fprintf(f, "%d,1,2,3,4,5,6,%d,%d\n", i, -i, i % 2);
	fclose(f);
	char extra[128];
	snprintf(extra, sizeof extra, ", eval: '%s'", csv);
	hook_calls = 0;
	weft_pl_model_input_hook = slow_input;
	weft_pipelines_result *r = NULL;
	int err = run_text(&r, extra, "30");
	weft_pl_model_input_hook = NULL;
	unlink(csv);
	cr_assert_eq(err, 0);
	cr_assert_eq(r->errors, 0);
	cr_assert_eq(hook_calls, 0, "the evaluation set's rows are the inputs: nothing generated");
	cr_assert_geq(weft_pipelines_result_series(r, "model")->count, 30);
	weft_pipelines_result_free(r);
}
