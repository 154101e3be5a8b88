/*
 * metalbird -- readiness notification for systemd (Type=notify)
 *
 * systemd's service manager passes the path of an AF_UNIX datagram socket
 * in $NOTIFY_SOCKET; a service tells it its state by sending datagrams of
 * newline-separated VARIABLE=value assignments (sd_notify(3)): READY=1
 * when start-up is done, RELOADING=1 and READY=1 around a reload,
 * STOPPING=1 when it begins to shut down.  A path starting with '@' names
 * a socket in the abstract namespace (the '@' stands for a leading NUL).
 * This is the whole protocol, so it is written here with sockets rather
 * than by linking libsystemd.
 *
 * metalbird is ready when the control socket is open and the first config
 * is committed (protocols started, listeners open): `metalbirdc` works
 * from then on, which is what units ordered after metalbird need.
 *
 * With WatchdogSec= in the unit, systemd sets $WATCHDOG_USEC (and
 * $WATCHDOG_PID) and restarts the service when WATCHDOG=1 does not come
 * within that time; it is sent from a timer of the event loop at half the
 * period, so a loop that hangs is noticed.
 */
#include "sysdep/unix/notify.h"
#include "conf/commit.h"
#include "nest/log.h"
#include "sysdep/unix/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_addrlen;
static int notify_in_reload;	/* between notify_reloading() and notify_ready() */
static int notify_failed_logged;
static struct timer *notify_wd_timer;
static double notify_wd_period;		/* seconds between WATCHDOG=1, 0: none */

static void notify_send(const char *msg)
{
	if (notify_fd < 0)
		return;
	/* MSG_DONTWAIT: a manager that does not read must not stop the loop */
	ssize_t n = sendto(notify_fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
			   (struct sockaddr *)&notify_addr, notify_addrlen);
	if (n < 0 && !notify_failed_logged) {
		notify_failed_logged = 1;
		log_msg(L_WARN, "notify: cannot send to $NOTIFY_SOCKET: %s", strerror(errno));
	} else if (n >= 0)
		notify_failed_logged = 0;
}

void notify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	/* systemd (Type=notify-reload) wants the monotonic time of the
	 * reload's start with RELOADING=1, to tell it from an older one */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu\n",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	notify_in_reload = 1;
	notify_send(msg);
}

void notify_ready(void)
{
	char msg[96];

	/* MAINPID: we may have forked since systemd started us (no -f) */
	snprintf(msg, sizeof msg, "READY=1\nSTATUS=Daemon is up and running\nMAINPID=%ld\n", (long)getpid());
	notify_in_reload = 0;
	notify_send(msg);
}

void notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=Shutting down\n");
}

static void notify_watchdog(void *data)
{
	notify_send("WATCHDOG=1\n");
	tm_start(notify_wd_timer, notify_wd_period);
}

/* sd_watchdog_enabled(3): $WATCHDOG_USEC, for us if $WATCHDOG_PID is unset
 * or names this process (we may have forked since it was set). */
static void notify_watchdog_init(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;

	if (!us || !*us)
		return;
	if (pid && *pid && strtol(pid, &end, 10) != (long)getpid())
		return;
	errno = 0;
	unsigned long long v = strtoull(us, &end, 10);
	if (errno || *end || !v) {
		log_msg(L_WARN, "notify: ignoring WATCHDOG_USEC '%s'", us);
		return;
	}
	notify_wd_period = (double)v / 2e6;
	notify_wd_timer = tm_new(notify_watchdog, NULL);
	tm_start(notify_wd_timer, notify_wd_period);
}

/* Every commit: the first is start-up; a later one is a reload (`configure`,
 * `configure undo`, `peer set`...) unless the caller bracketed it already. */
static void notify_commit(struct config *old, struct config *c)
{
	if (!old) {
		notify_ready();
		return;
	}
	if (notify_in_reload)
		return;
	notify_reloading();
	notify_ready();
}

void notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	config_hook_add(notify_commit);
	if (!path || !*path)
		return;
	size_t len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof notify_addr.sun_path) {
		log_msg(L_WARN, "notify: ignoring NOTIFY_SOCKET '%s' (not a path or an @abstract name)", path);
		return;
	}
	memset(&notify_addr, 0, sizeof notify_addr);
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, len);
	if (path[0] == '@')
		notify_addr.sun_path[0] = 0;
	/* an abstract name is exactly len bytes long, without a terminator */
	notify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd < 0) {
		log_msg(L_WARN, "notify: socket: %s", strerror(errno));
		return;
	}
	notify_watchdog_init();
}
