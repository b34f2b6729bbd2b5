/* test_noheap.c - the predict and telemetry calls never touch the heap.
 *
 * The test is linked with -Wl,--wrap for malloc, calloc, realloc and free,
 * so every call to them from the library lands in the counters below.
 * Counting is armed only around the library's calls (Criterion itself
 * allocates). The static twin of this test is no_heap_symbols (nm). */
#include "{{project_name}}.h"
#include "csv.h"

#include <criterion/criterion.h>
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static volatile int armed;
static volatile unsigned long heap_calls;

void *__wrap_malloc(size_t n)
{
	if (armed)
		heap_calls++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (armed)
		heap_calls++;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (armed)
		heap_calls++;
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	if (armed)
		heap_calls++;
	__real_free(p);
}

static void on_call(const {{project_name}}_telemetry *t, float score, void *ctx)
{
	(void)t;
	(void)score;
	(*(int *)ctx)++;
}

Test(noheap, the_counter_sees_an_allocation)
{
	/* the hook works: an allocation while armed is counted */
	heap_calls = 0;
	armed = 1;
	void *volatile p = malloc(16);
	free(p);
	armed = 0;
	cr_assert_eq(heap_calls, 2);
}

Test(noheap, predict_and_telemetry_allocate_nothing)
{
	static sample s;
	cr_assert_eq(sample_read(&s, MODELS_DIR "/sample.csv"), 0);
	int calls = 0;
	float y[{{project_upper}}_OUTPUTS];
	{{project_name}}_telemetry t;
	heap_calls = 0;
	armed = 1;
	{{project_name}}_set_telemetry(on_call, &calls);
	for (int rep = 0; rep < 50; rep++)
		for (int r = 0; r < s.rows; r++)
			{{project_name}}_predict(s.x[r], y);
	{{project_name}}_telemetry_get(&t);
	{{project_name}}_telemetry_reset();
	{{project_name}}_set_telemetry(NULL, NULL);
	armed = 0;
	cr_assert_eq(calls, 50 * s.rows);
	cr_assert_eq(heap_calls, 0, "%lu heap calls during predict", (unsigned long)heap_calls);
}
