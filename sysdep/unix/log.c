/*
 * metalbird -- logging to stderr, syslog and files
 *
 * Targets come from the config's `log` statements; until a config is read
 * (and for -p) everything goes to stderr.  A file target is opened in
 * append mode when the config is applied; a file that cannot be opened is
 * reported on stderr and skipped, not fatal.
 */
#include "nest/log.h"
#include "conf/conf.h"
#include "nest/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/time.h>

static const char *const class_names[L__MAX] = {
	"DBG", "TRACE", "INFO", "RMT", "WARN", "ERR", "AUTH", "FATAL", "BUG",
};

static const int syslog_prio[L__MAX] = {
	LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR, LOG_INFO, LOG_CRIT, LOG_CRIT,
};

struct target {
	enum log_target type;
	unsigned mask;
	FILE *f;
	char *path;
};

#define MAX_TARGETS 8
static struct target targets[MAX_TARGETS];
static int ntargets;
static int syslog_open;

const char *log_class_name(int cls)
{
	return cls >= 0 && cls < L__MAX ? class_names[cls] : "?";
}

static void close_targets(void)
{
	for (int i = 0; i < ntargets; i++) {
		if (targets[i].f && targets[i].f != stderr)
			fclose(targets[i].f);
		free(targets[i].path);
	}
	ntargets = 0;
}

static unsigned default_mask(int debug)
{
	unsigned m = ~0u;
	if (!debug)
		m &= ~(1u << L_DEBUG | 1u << L_TRACE);
	return m;
}

void log_init(int foreground, int debug)
{
	close_targets();
	targets[0].type = LOG_T_STDERR;
	targets[0].mask = default_mask(debug);
	targets[0].f = stderr;
	ntargets = 1;
	(void)foreground;
}

void log_configure(const struct log_cfg *cfs, int foreground, int debug)
{
	close_targets();
	if (debug || !cfs) {
		targets[ntargets].type = LOG_T_STDERR;
		targets[ntargets].mask = default_mask(debug);
		targets[ntargets].f = stderr;
		ntargets++;
		if (!cfs && !foreground) {
			targets[0].type = LOG_T_SYSLOG;
		}
	}
	for (const struct log_cfg *c = cfs; c && ntargets < MAX_TARGETS; c = c->next) {
		struct target *t = &targets[ntargets];
		t->type = c->type;
		t->mask = c->mask;
		if (c->type == LOG_T_STDERR) {
			if (debug)
				continue;	/* -d already logs everything to stderr */
			t->f = stderr;
		} else if (c->type == LOG_T_FILE) {
			t->f = fopen(c->path, "a");
			if (!t->f) {
				fprintf(stderr, "metalbird: cannot open log file %s: %s\n", c->path, strerror(errno));
				continue;
			}
			setvbuf(t->f, NULL, _IOLBF, 0);
			t->path = xstrdup(c->path);
		}
		ntargets++;
	}
	for (int i = 0; i < ntargets; i++)
		if (targets[i].type == LOG_T_SYSLOG && !syslog_open) {
			openlog("metalbird", LOG_PID | LOG_NDELAY, LOG_DAEMON);
			syslog_open = 1;
		}
}

void log_vmsg(int cls, const char *fmt, va_list ap)
{
	char msg[1024], stamp[64];
	struct timeval tv;
	struct tm tm;

	if (cls < 0 || cls >= L__MAX)
		cls = L_BUG;
	vsnprintf(msg, sizeof msg, fmt, ap);
	/* one event, one line: never let a peer's text break lines */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	for (int i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		if (!(t->mask & (1u << cls)))
			continue;
		if (t->type == LOG_T_SYSLOG)
			syslog(syslog_prio[cls], "%s", msg);
		else
			fprintf(t->f, "%s.%03d <%s> %s\n", stamp, (int)(tv.tv_usec / 1000), class_names[cls], msg);
	}
}

void log_msg(int cls, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(cls, fmt, ap);
	va_end(ap);
}

void cf_log_target(int type, const char *path)
{
	struct log_cfg *c = cf_alloc(sizeof *c), **pp = &new_config->logs;

	c->type = (enum log_target)type;
	c->path = path;
	c->mask = ~0u;
	/* the grammar fills the mask of the newest target: keep it first */
	c->next = *pp;
	*pp = c;
}
