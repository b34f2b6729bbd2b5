/* test_pipelines_command.c - the command stage: a process per query; a
 * non-zero exit, a crash or a hang is an error of that query (a hang killed
 * at the timeout, with its whole process group), never of the run. */
#include <criterion/criterion.h>
#include <string.h>

#include "weft_pipelines.h"

static weft_diags *d;
static void setup(void)
{
	weft_diags_new(&d);
}
static void teardown(void)
{
	weft_diags_free(d);
}
TestSuite(command, .init = setup, .fini = teardown, .timeout = 60);

static int run(weft_pipelines_result **r, const char *command, double *secs)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "pipeline: c\nstages:\n  - name: cmd\n    command: %s\n"
		 "load: {scenario: concurrency, concurrency: 2, duration: 50ms, min_queries: 4, warmup: 0}\n",
		 command);
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "c.yaml", ".", text, strlen(text), d), 0);
	uint64_t t0 = weft_now_ns();
	int err = weft_pipelines_run(r, s, NULL, d);
	if (secs)
		*secs = (double)(weft_now_ns() - t0) / 1e9;
	weft_pipelines_spec_free(s);
	return err;
}

static const char *kind(const weft_pipelines_result *r)
{
	const weft_pipelines_series *s = weft_pipelines_result_series(r, "cmd");
	cr_assert_eq(s->n_error_kinds, 1);
	return s->error_kinds[0].error;
}

Test(command, success)
{
	weft_pipelines_result *r;
	cr_assert_eq(run(&r, "{argv: [/bin/true]}", NULL), 0);
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(r->measured, 4);
	weft_pipelines_result_free(r);
	cr_assert_eq(run(&r, "{argv: [sh, -c, 'exit 0']}", NULL), 0);
	cr_assert_eq(r->errors, 0);
	weft_pipelines_result_free(r);
}

Test(command, exit_status)
{
	weft_pipelines_result *r;
	cr_assert_eq(run(&r, "{argv: [/bin/false]}", NULL), 0);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(kind(r), "exit 1");
	weft_pipelines_result_free(r);
	cr_assert_eq(run(&r, "'exit 3'", NULL), 0);
	cr_assert_str_eq(kind(r), "exit 3");
	weft_pipelines_result_free(r);
}

Test(command, crash)
{
	weft_pipelines_result *r;
	cr_assert_eq(run(&r, "{shell: 'kill -SEGV $$'}", NULL), 0);
	cr_assert_eq(r->errors, r->measured);
	cr_assert_str_eq(kind(r), "crashed (SIGSEGV)");
	weft_pipelines_result_free(r);
}

Test(command, hang_is_killed_at_the_timeout)
{
	weft_pipelines_result *r;
	double secs;
	/* a shell with a child: the whole group must go */
	cr_assert_eq(run(&r, "{shell: 'sleep 30 & sleep 30; wait', timeout: 100ms}", &secs), 0);
	cr_assert_str_eq(kind(r), "timeout (killed)");
	cr_assert_geq(r->errors, 4);
	cr_assert_lt(secs, 5.0, "took %g s", secs);
	weft_pipelines_result_free(r);
}

Test(command, missing_program)
{
	weft_pipelines_result *r = NULL;
	/* by path: refused before the run starts */
	cr_assert_eq(run(&r, "{argv: [/no/such/program]}", NULL), WEFT_EENV);
	cr_assert_null(r);
	bool found = false;
	for (size_t i = 0; i < weft_diags_count(d); i++)
		found |= strstr(weft_diags_get(d, i)->message, "cannot run '/no/such/program'") != NULL;
	cr_assert(found);
	/* by name on PATH: each query fails to start */
	cr_assert_eq(run(&r, "{argv: [weft-no-such-program-x]}", NULL), 0);
	cr_assert(strstr(kind(r), "cannot start"), "%s", kind(r));
	weft_pipelines_result_free(r);
}
