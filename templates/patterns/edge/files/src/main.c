/* main.c - command line of the {{project_name}} device agent.
 *
 * Design: one binary, subcommands for what a fleet tool runs on the device:
 * run (score a stream), sync (forward the outbox), update (swap in a new
 * model), rollback, status. Exit codes: 0 ok, 1 failed, 2 usage. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "sync.h"
#include "update.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: {{project_name}} [--config FILE] [--set key=value]... COMMAND\n"
		"  run [--input FILE|-] [--sync-every N]  score a stream of feature rows\n"
		"  sync                                   forward the outbox once\n"
		"  update --model FILE --manifest FILE    install a new model (atomic swap, rollback)\n"
		"  rollback                               restore the previous model\n"
		"  status                                 model, outbox and device profile\n");
	return 2;
}

int main(int argc, char **argv)
{
	profile p;
	char err[1024];
	profile_defaults(&p);
	const char *config = "device.conf";
	int i = 1, explicit_config = 0;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
			explicit_config = 1;
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc)
			i++;
		else
			break;
	}
	FILE *probe = fopen(config, "r");
	if (probe || explicit_config) {
		if (probe)
			fclose(probe);
		if (profile_load(&p, config, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	}
	for (int k = 1; k < i; k++) {
		if (!strcmp(argv[k], "--config")) {
			k++;
			continue;
		}
		if (profile_set(&p, argv[++k], err, sizeof err) != 0) {
			fprintf(stderr, "--set: %s\n", err);
			return 2;
		}
	}
	if (i >= argc)
		return usage();
	const char *cmd = argv[i++];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = 0;
	if (!strcmp(cmd, "run") || !strcmp(cmd, "sync") || !strcmp(cmd, "status")) {
		const char *input = "-";
		int every = 100;
		for (; i < argc; i++) {
			if (!strcmp(argv[i], "--input") && i + 1 < argc)
				input = argv[++i];
			else if (!strcmp(argv[i], "--sync-every") && i + 1 < argc)
				every = atoi(argv[++i]);
			else {
				curl_global_cleanup();
				return usage();
			}
		}
		agent a;
		if (agent_open(&a, &p, err, sizeof err) != 0) {
			fprintf(stderr, "{{project_name}}: %s\n", err);
			curl_global_cleanup();
			return 1;
		}
		if (a.rolled_back)
			fprintf(stderr, "{{project_name}}: the installed model failed its check; rolled back to the previous one\n");
		if (!strcmp(cmd, "run")) {
			FILE *in = strcmp(input, "-") ? fopen(input, "r") : stdin;
			if (!in) {
				fprintf(stderr, "{{project_name}}: cannot open %s\n", input);
				rc = 1;
			} else {
				rc = agent_run(&a, in, every) == 0 ? 0 : 1;
				if (in != stdin)
					fclose(in);
				fprintf(stderr, "processed %ld, rejected %ld, over budget %ld, pending %ld, dropped %ld\n",
					a.processed, a.rejected, a.over_budget, outbox_pending(a.ob), outbox_dropped(a.ob));
			}
		} else if (!strcmp(cmd, "sync")) {
			int sent = 0, unreachable = 0;
			rc = agent_sync(&a, sync_now_ms(), &sent, &unreachable) == 0 ? 0 : 1;
			printf("sent %d, pending %ld%s\n", sent, outbox_pending(a.ob),
			       unreachable ? " (endpoint unreachable)" : "");
		} else {
			printf("device %s (%s, %ld MB, %ld cores)\nmodel %s %s\noutbox %s: pending %ld, dropped %ld\nsync %s\n",
			       p.device_id, p.device_class, p.memory_mb, p.cpu_cores, a.model_version,
			       model_digest(a.m), p.outbox_path, outbox_pending(a.ob), outbox_dropped(a.ob),
			       *p.sync_url ? p.sync_url : "(off)");
		}
		agent_close(&a);
	} else if (!strcmp(cmd, "update")) {
		const char *new_model = NULL, *mf = NULL;
		for (; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--model"))
				new_model = argv[i + 1];
			else if (!strcmp(argv[i], "--manifest"))
				mf = argv[i + 1];
		}
		if (!new_model || !mf || i != argc) {
			curl_global_cleanup();
			return usage();
		}
		if (update_install(&p, new_model, mf, err, sizeof err) != 0) {
			fprintf(stderr, "{{project_name}}: update refused: %s\n", err);
			rc = 1;
		} else
			printf("model updated\n");
	} else if (!strcmp(cmd, "rollback")) {
		if (update_rollback(&p, err, sizeof err) != 0) {
			fprintf(stderr, "{{project_name}}: %s\n", err);
			rc = 1;
		} else
			printf("rolled back\n");
	} else
		rc = usage();
	curl_global_cleanup();
	return rc;
}
