/* test_pipelines_examples.c - the shipped example, as README runs it:
 * `weft bench candidates pipelines/examples/crm-churn.yaml` at its own load
 * (about 40 s: three full runs), through the built binary. It must print
 * the table with real accuracy figures (rising with model size, as the
 * training script's rule makes them) and recommend the most accurate
 * candidate that fits, which this test recomputes from the JSON.
 *
 * ctest-labels: slow
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "weft_core.h"

#define EXAMPLES WEFT_SOURCE_DIR "/pipelines/examples/"

Test(examples, crm_churn_candidates, .timeout = 600)
{
	char *text, *err;
	int rc = weft_test_run(&text, &err, NULL, "bench candidates " EXAMPLES "crm-churn.yaml -q --format json");
	free(err);
	/* exit 0 with a recommendation, 1 when none fits (a loaded machine can
	 * stretch the model stage's tail); the JSON must agree with either */
	cr_assert(rc == 0 || rc == 1, "exit %d: %s", rc, text);
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "%s", text);
	const char *best = NULL;
	double best_acc = -1;
	int n = 0;
	cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "candidates"))
	{
		n++;
		cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(c, "failed")));
		double acc = cJSON_GetObjectItem(c, "accuracy")->valuedouble;
		double auc = cJSON_GetObjectItem(c, "roc_auc")->valuedouble;
		/* better than always answering "stays" (0.774), below the rule itself (0.849) */
		cr_assert(acc > 0.774 && acc < 0.849, "accuracy %g", acc);
		cr_assert(auc > 0.5 && auc < 0.89, "ROC AUC %g", auc);
		cJSON *fits = cJSON_GetObjectItem(c, "fits");
		cr_assert(cJSON_IsString(fits), "every candidate is judged");
		if (!strcmp(fits->valuestring, "yes") && acc > best_acc) {
			best_acc = acc;
			best = cJSON_GetObjectItem(c, "name")->valuestring;
		}
		cJSON *run = cJSON_GetObjectItem(c, "run");
		cr_assert_geq(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "queries"), "measured")->valuedouble, 400);
	}
	cr_assert_eq(n, 3);
	/* in the file's order: medium, small, large */
	double acc[3];
	for (int i = 0; i < 3; i++)
		acc[i] = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), i),
					     "accuracy")->valuedouble;
	cr_assert(acc[1] < acc[0] && acc[0] < acc[2], "small < medium < large: %g %g %g", acc[1], acc[0], acc[2]);
	cJSON *rec = cJSON_GetObjectItem(j, "recommendation");
	if (best) {
		cr_assert_str_eq(rec->valuestring, best);
		cr_assert_eq(rc, 0);
	} else {
		cr_assert(cJSON_IsNull(rec));
		cr_assert_eq(rc, 1);
	}
	cJSON_Delete(j);
	free(text);
}
