/*
 * mailsched.c - the daemon's IMAP polls: one child process per poll
 * (`folio mail --once --account NAME`), accounts in turn, with back-off
 * after a failure. See include/folio/imap.h.
 */
#include "folio/imap.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "folio/util.h"

#define FIRST_RETRY 30.0

struct sched_account {
	char *name;
	double every, next, backoff;
	int polled; /* at least once (for once) */
	int failed; /* its last poll failed */
	int idle;   /* idle = yes: a child of its own, waiting on IMAP IDLE */
	pid_t pid;  /* that child */
};

struct folio_mail_sched {
	struct sched_account *v;
	size_t n;
	char exe[PATH_MAX];
	char *archive, *config;
	pid_t child;
	size_t running; /* index of the account being polled */
};

void folio_mail_sched_free(struct folio_mail_sched *s)
{
	size_t i;

	if (!s)
		return;
	if (s->child > 0) {
		kill(s->child, SIGTERM);
		while (waitpid(s->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	/* the IDLE children end their IDLE and log out on SIGTERM */
	for (i = 0; i < s->n; i++)
		if (s->v[i].pid > 0)
			kill(s->v[i].pid, SIGTERM);
	for (i = 0; i < s->n; i++)
		if (s->v[i].pid > 0)
			while (waitpid(s->v[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	free(s->archive);
	free(s->config);
	free(s);
}

static int add_account(struct folio_mail_sched *s, const struct folio_config *cfg, const char *name)
{
	struct sched_account *a;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return 0;
	if (!(a = realloc(s->v, (s->n + 1) * sizeof(*a))))
		return -1;
	s->v = a;
	a = &s->v[s->n];
	memset(a, 0, sizeof(*a));
	if (!(a->name = strdup(name)))
		return -1;
	a->every = 300;
	for (i = 0; i < cfg->nmail_opts; i++) {
		if (strcmp(cfg->mail_opts[i].profile, name))
			continue;
		if (!strcmp(cfg->mail_opts[i].key, "poll_seconds"))
			a->every = atof(cfg->mail_opts[i].value);
		if (!strcmp(cfg->mail_opts[i].key, "idle"))
			a->idle = !strcmp(cfg->mail_opts[i].value, "yes");
	}
	s->n++;
	return 0;
}

struct folio_mail_sched *folio_mail_sched_new(const struct folio_config *cfg,
					      const char *archive_dir, const char *config_path,
					      struct folio_err *err)
{
	struct folio_mail_sched *s;
	ssize_t len;
	size_t i;

	if (!cfg->nmail_opts)
		return NULL;
	if (!(s = calloc(1, sizeof(*s))))
		goto nomem;
	len = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	if (len <= 0) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
			      "cannot find the running binary: %s", strerror(errno));
		folio_mail_sched_free(s);
		return NULL;
	}
	s->exe[len] = '\0';
	if (!(s->archive = strdup(archive_dir)) ||
	    (config_path && !(s->config = strdup(config_path))))
		goto nomem;
	for (i = 0; i < cfg->nmail_opts; i++)
		if (add_account(s, cfg, cfg->mail_opts[i].profile))
			goto nomem;
	return s;
nomem:
	folio_mail_sched_free(s);
	folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return NULL;
}

/* The poll of account i (`folio mail --once`), or with idle its IDLE
 * child (`folio mail --idle`). */
static void start(struct folio_mail_sched *s, size_t i, int idle,
		  void (*log)(void *arg, int failed, const char *line), void *arg)
{
	char line[256];
	const char *argv[12];
	int n = 0;
	pid_t pid;

	argv[n++] = s->exe;
	argv[n++] = "--archive";
	argv[n++] = s->archive;
	if (s->config) {
		argv[n++] = "--config";
		argv[n++] = s->config;
	}
	argv[n++] = "-q";
	argv[n++] = "mail";
	argv[n++] = idle ? "--idle" : "--once";
	argv[n++] = "--account";
	argv[n++] = s->v[i].name;
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		sigset_t none;

		/* the daemon blocks its signals (signalfd): the child takes them */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(s->exe, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0) {
		snprintf(line, sizeof(line), "mail: cannot start the poll of account %s: %s",
			 s->v[i].name, strerror(errno));
		log(arg, 1, line);
		s->v[i].next = folio_now() + FIRST_RETRY;
		return;
	}
	if (idle) {
		s->v[i].pid = pid;
		snprintf(line, sizeof(line),
			 "mail: polling account %s, then waiting on IMAP IDLE (pid %ld)",
			 s->v[i].name, (long)pid);
	} else {
		s->child = pid;
		s->running = i;
		snprintf(line, sizeof(line), "mail: polling account %s (pid %ld)", s->v[i].name,
			 (long)pid);
	}
	log(arg, 0, line);
}

/* Account i's poll (or IDLE child) ended with `status`: its next one. */
static void finished(struct folio_mail_sched *s, size_t i, int status,
		     void (*log)(void *arg, int failed, const char *line), void *arg)
{
	struct sched_account *a = &s->v[i];
	char line[256];

	if (a->pid > 0)
		a->pid = 0;
	else
		s->child = 0;
	a->polled = 1;
	a->failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!a->failed) {
		a->backoff = 0;
		a->next = folio_now() + a->every;
		return;
	}
	a->backoff = a->backoff ? a->backoff * 2 : FIRST_RETRY;
	if (a->backoff > a->every)
		a->backoff = a->every;
	a->next = folio_now() + a->backoff;
	snprintf(line, sizeof(line),
		 "mail: the poll of account %s failed (%s %d); retrying in %.0f s", a->name,
		 WIFEXITED(status) ? "exit" : "signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), a->backoff);
	log(arg, 1, line);
}

double folio_mail_sched_step(struct folio_mail_sched *s, int once,
			     void (*log)(void *arg, int failed, const char *line), void *arg)
{
	double now = folio_now(), wait = 3600;
	size_t i;
	int status;

	/* IDLE children (not with once: each account is polled once then)
	 * run beside the polls, each as long as it lasts */
	for (i = 0; !once && i < s->n; i++) {
		pid_t r;

		if (!s->v[i].idle)
			continue;
		if (s->v[i].pid > 0) {
			if (!(r = waitpid(s->v[i].pid, &status, WNOHANG)))
				continue;
			if (r < 0)
				status = 0x7f00;
			finished(s, i, status, log, arg);
		}
		if (s->v[i].next <= now)
			start(s, i, 1, log, arg);
		else if (s->v[i].next - now < wait)
			wait = s->v[i].next - now;
	}
	if (s->child > 0) {
		pid_t r = waitpid(s->child, &status, WNOHANG);

		if (r == 0)
			return 0.5;
		if (r < 0)
			status = 0x7f00; /* lost: counts as a failure */
		finished(s, s->running, status, log, arg);
	}
	for (i = 0; i < s->n; i++) {
		if ((once && s->v[i].polled) || (!once && s->v[i].idle))
			continue;
		if (s->v[i].next <= now) {
			start(s, i, 0, log, arg);
			return 0.5;
		}
		if (s->v[i].next - now < wait)
			wait = s->v[i].next - now;
	}
	return wait;
}

int folio_mail_sched_busy(const struct folio_mail_sched *s, int once)
{
	size_t i;

	if (!s)
		return 0;
	if (s->child > 0)
		return 1;
	for (i = 0; once && i < s->n; i++)
		if (!s->v[i].polled)
			return 1;
	return 0;
}

size_t folio_mail_sched_failed(const struct folio_mail_sched *s, char *names, size_t size)
{
	size_t i, n = 0, at = 0;

	if (size)
		names[0] = '\0';
	for (i = 0; s && i < s->n; i++) {
		if (!s->v[i].failed)
			continue;
		if (size > at) {
			int k = snprintf(names + at, size - at, "%s%s", n ? ", " : "",
					 s->v[i].name);

			at += k > 0 ? (size_t)k : 0;
		}
		n++;
	}
	return n;
}
