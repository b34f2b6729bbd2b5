/* stage_command.c - the command stage: runs a process per query.
 *
 * Design: posix_spawn (no fork of a large multi-threaded process), the child
 * in its own process group with stdin, stdout and stderr on /dev/null, so a
 * timeout can kill the whole group (a shell script and what it started), and
 * the harness's output stays clean. The wait uses a pidfd with poll where
 * the kernel has one, so the stage's latency does not carry polling slack;
 * elsewhere it polls waitpid with a short sleep. A timeout, a crash (killed
 * by a signal) or a non-zero exit is an error of the query, never of the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipelines_int.h"

extern char **environ;

static int cmd_shared_new(void **out, const weft_pipelines_stage *st, const weft_pipelines_spec *spec,
			  weft_diags *d)
{
	*out = NULL;
	const weft_pipelines_command *c = &st->command;
	if (!c->shell && c->argv && c->argv[0] && strchr(c->argv[0], '/') && access(c->argv[0], X_OK) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, spec->path, st->line, st->col, NULL,
			       "stage '%s': cannot run '%s': %s", st->name, c->argv[0], strerror(errno));
		return WEFT_EENV;
	}
	return WEFT_OK;
}

static void cmd_shared_free(void *shared)
{
}

static int cmd_worker_new(void **out, void *shared, const weft_pipelines_stage *st, weft_diags *d)
{
	*out = NULL;
	return WEFT_OK;
}

static void cmd_worker_free(void *worker)
{
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGPIPE: return "SIGPIPE";
	case SIGINT: return "SIGINT";
	}
	return NULL;
}

/* Wait for pid until deadline (monotonic ns). true: exited (status set). */
static bool wait_until(pid_t pid, uint64_t deadline, int *status)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0) {
		for (;;) {
			uint64_t now = weft_now_ns();
			if (now >= deadline)
				break;
			uint64_t left_ms = (deadline - now + 999999u) / 1000000u;
			struct pollfd p = { fd, POLLIN, 0 };
			int r = poll(&p, 1, left_ms > 60000 ? 60000 : (int)left_ms);
			if (r > 0)
				break;
			if (r < 0 && errno != EINTR)
				break;
		}
		close(fd);
		pid_t w;
		while ((w = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
			;
		return w == pid;
	}
#endif
	long nap = 20000; /* ns, doubling to 1 ms */
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR)
			return false;
		if (weft_now_ns() >= deadline)
			return false;
		struct timespec ts = { 0, nap };
		nanosleep(&ts, NULL);
		if (nap < 1000000)
			nap *= 2;
	}
}

static void cmd_run(void *worker, void *shared, const weft_pipelines_stage *st, uint64_t seed,
		    weft_pl_outcome *o)
{
	const weft_pipelines_command *c = &st->command;
	char *sh_argv[] = { (char *)"/bin/sh", (char *)"-c", c->argv[0], NULL };
	char *const *argv = c->shell ? sh_argv : c->argv;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	sigset_t none, deflt;
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGPIPE);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int rc = strchr(argv[0], '/') ? posix_spawn(&pid, argv[0], &fa, &attr, argv, environ)
				      : posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		weft_pl_fail(o, "cannot start: %s", strerror(rc));
		return;
	}
	uint64_t deadline = weft_now_ns() + (uint64_t)(c->timeout_ms * 1e6);
	int status = 0;
	if (!wait_until(pid, deadline, &status)) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		weft_pl_fail(o, "timeout (killed)");
		return;
	}
	if (WIFSIGNALED(status)) {
		const char *name = signal_name(WTERMSIG(status));
		if (name)
			weft_pl_fail(o, "crashed (%s)", name);
		else
			weft_pl_fail(o, "crashed (signal %d)", WTERMSIG(status));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		if (WEXITSTATUS(status) == 127 && c->shell)
			weft_pl_fail(o, "exit 127 (command not found?)");
		else
			weft_pl_fail(o, "exit %d", WEXITSTATUS(status));
	}
}

const weft_pl_stage_ops weft_pl_stage_command = {
	.shared_new = cmd_shared_new,
	.shared_free = cmd_shared_free,
	.worker_new = cmd_worker_new,
	.worker_free = cmd_worker_free,
	.run = cmd_run,
};
