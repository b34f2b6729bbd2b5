/* test_deploy.c - the three schedulers run the same job on the same
 * schedule: the systemd timer (built from the schedule), the cron line and
 * the Airflow DAG all agree with JOB_SCHEDULE, and each runs `run`. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "helpers.h"

TestSuite(deploy, .fini = h_cleanup);

static char *must_read(const char *path)
{
	char *s = h_read(path);
	cr_assert(s, "missing %s", path);
	return s;
}

Test(deploy, timer_fires_on_the_schedule)
{
	char *timer = must_read(JOB_BUILD_DIR "/deploy/" JOB_NAME ".timer");
	cron_expr e;
	char err[256], cal[1024];
	cr_assert_eq(cron_parse(&e, JOB_SCHEDULE, err, sizeof err), 0);
	cr_assert_eq(cron_to_oncalendar(&e, cal, sizeof cal), 0);
	/* every OnCalendar= line of the timer, in order, equals the translation */
	char want[2048] = "", got[2048] = "";
	char *save = NULL;
	for (char *l = strtok_r(cal, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		strcat(want, l);
		strcat(want, "|");
	}
	save = NULL;
	for (char *l = strtok_r(timer, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "OnCalendar=", 11)) {
			strcat(got, l + 11);
			strcat(got, "|");
		}
	cr_assert_str_eq(got, want);
	char *timer2 = must_read(JOB_BUILD_DIR "/deploy/" JOB_NAME ".timer");
	cr_assert(strstr(timer2, "\nUnit=" JOB_NAME ".service\n"), "%s", timer2);
	cr_assert(strstr(timer2, "\nPersistent=true\n"));
	cr_assert(!strstr(timer2, "@ONCALENDAR@"));
}

Test(deploy, service_runs_the_job_once)
{
	char *svc = must_read(JOB_SOURCE_DIR "/deploy/systemd/" JOB_NAME ".service");
	cr_assert(strstr(svc, "\nType=oneshot\n"), "%s", svc);
	cr_assert(strstr(svc, "/bin/" JOB_NAME " run --config "), "%s", svc);
	cr_assert(strstr(svc, "\nTimeoutStartSec="), "%s", svc);
	/* bad input, usage and model problems are not retried */
	cr_assert(strstr(svc, "\nRestartPreventExitStatus=2 3 6\n"), "%s", svc);
}

Test(deploy, cron_line_uses_the_schedule)
{
	char *cron = must_read(JOB_SOURCE_DIR "/deploy/cron/" JOB_NAME);
	char *save = NULL, *line = NULL;
	for (char *l = strtok_r(cron, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l[0] != '#' && strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strcspn(l, "=")) {
			cr_assert(!line, "more than one job line");
			line = l;
		}
	cr_assert(line, "no job line");
	size_t n = strlen(JOB_SCHEDULE);
	cr_assert(!strncmp(line, JOB_SCHEDULE, n) && line[n] == ' ', "'%s' does not start with '%s'", line,
		  JOB_SCHEDULE);
	cr_assert(strstr(line, "bin/" JOB_NAME " run --config"), "%s", line);
	/* cron gives no time limit of its own: the line brings one */
	cr_assert(strstr(line, "timeout "), "%s", line);
}

/* systemd itself reads the two units (where systemd-analyze is installed):
 * the service's paths are pointed at this build so that verify can check
 * them. */
Test(deploy, systemd_accepts_the_units)
{
	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0)
		cr_skip_test("systemd-analyze is not installed");
	char *dir = h_tmpdir();
	char *svc = must_read(JOB_SOURCE_DIR "/deploy/systemd/" JOB_NAME ".service");
	char *timer = must_read(JOB_BUILD_DIR "/deploy/" JOB_NAME ".timer");
	/* rewrite every /opt/<name>/... path: the binary to JOB_BIN, folders to dir */
	char out[16384];
	size_t k = 0;
	const char *opt = "/opt/" JOB_NAME;
	for (const char *p = svc; *p && k < sizeof out - 4200;) {
		if (!strncmp(p, opt, strlen(opt))) {
			const char *rest = p + strlen(opt);
			if (!strncmp(rest, "/bin/" JOB_NAME, strlen("/bin/" JOB_NAME))) {
				k += (size_t)snprintf(out + k, sizeof out - k, "%s", JOB_BIN);
				p = rest + strlen("/bin/" JOB_NAME);
			} else {
				k += (size_t)snprintf(out + k, sizeof out - k, "%s", dir);
				p = rest;
				while (*p && *p != ' ' && *p != '\n')
					p++;
			}
		} else {
			out[k++] = *p++;
		}
	}
	out[k] = '\0';
	char *svc_path = h_path(dir, JOB_NAME ".service");
	char *timer_path = h_path(dir, JOB_NAME ".timer");
	h_write(svc_path, out);
	h_write(timer_path, timer);
	char cmd[8400];
	snprintf(cmd, sizeof cmd, "cd '%s' && systemd-analyze verify './%s.service' './%s.timer' 2>&1", dir, JOB_NAME,
		 JOB_NAME);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char msg[4096];
	size_t n = fread(msg, 1, sizeof msg - 1, p);
	msg[n] = '\0';
	int rc = pclose(p);
	cr_assert_eq(rc, 0, "systemd-analyze verify: %s", msg);
	cr_assert_eq(n, 0, "systemd-analyze verify: %s", msg);
}
