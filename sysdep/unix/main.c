/*
 * metalbird -- the daemon's entry point
 *
 * Options (SPEC section 2), the lint mode -p, daemonizing, the pid file,
 * dropping privileges, signals, the control socket, and the first config.
 * Everything after start-up happens in callbacks of the event loop.
 */
#include "conf/commit.h"
#include "conf/conf.h"
#include "nest/cmds.h"
#include "nest/log.h"
#include "nest/protocol.h"
#include "nest/rt-table.h"
#include "sysdep/unix/ctl.h"
#include "sysdep/unix/loop.h"
#include "sysdep/unix/main.h"
#include "sysdep/unix/notify.h"

void metrics_init(void);

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *opt_config = "/etc/metalbird/metallb.conf";
static const char *opt_socket = "/run/metalbird/metalbird.ctl";
static const char *opt_pidfile, *opt_user, *opt_group;
static int opt_parse, opt_verbose, opt_foreground, opt_debug;
int opt_graceful_restart;	/* -R */
int daemon_crashed;		/* see crash_check() */
static char *running_marker;	/* state dir/metalbird.running while we run */

static char router_id_buf[IP_STRLEN];
static char node_name_buf[256];
static struct timer *shutdown_timer;
static struct defer *exit_defer;

void daemon_init_modules(void)
{
	metrics_init();
	for (int i = 0; proto_classes[i]; i++)
		if (proto_classes[i]->class_init)
			proto_classes[i]->class_init();
}

/*
 * SPEC section 2 / RFC 4724: after a crash the daemon comes back in
 * graceful-restart recovery as with -R.  A marker in the state directory
 * holds our PID while we run and goes at a clean stop; a marker whose PID
 * is no longer alive means the last run ended without one (a crash, kill -9).
 * Protocols with `graceful restart on` then restart gracefully.
 */
static void crash_check(const struct config *c)
{
	char path[4096];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof path, "%s/metalbird.running", c->state_dir);
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
		if (pid > 0 && pid != (int)getpid() && kill(pid, 0) == 0) {
			log_msg(L_WARN, "%s names a running process (%d): not treating this start as a recovery",
				path, pid);
		} else {
			daemon_crashed = 1;
			log_msg(L_WARN, "%s is left from a run that did not stop cleanly: sessions with graceful "
				"restart on start in recovery (as with -R)", path);
		}
	}
	mkdir(c->state_dir, 0755);
	if (!(f = fopen(path, "w"))) {
		log_msg(L_WARN, "cannot write %s: %s (crash recovery will not be detected)", path, strerror(errno));
		return;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	running_marker = xstrdup(path);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: metalbird [-c FILE] [-s SOCKET] [-p [-v]] [-f] [-d] [-l] [-P PIDFILE] [-u USER] [-g GROUP] [-R] [-V] [-h]\n"
		"  -c FILE     config file (default /etc/metalbird/metallb.conf)\n"
		"  -s SOCKET   control socket (default /run/metalbird/metalbird.ctl)\n"
		"  -p          parse the config and exit: 0 if valid, else FILE:LINE:COL: message and 1\n"
		"  -v          with -p: print the parsed config in canonical form\n"
		"  -f          stay in the foreground\n"
		"  -d          foreground, debug logging to stderr\n"
		"  -l          local mode: ./metallb.conf and ./metalbird.ctl\n"
		"  -P PIDFILE  write the process id to PIDFILE\n"
		"  -u USER     drop privileges to USER after opening sockets\n"
		"  -g GROUP    drop privileges to GROUP after opening sockets\n"
		"  -R          start in graceful-restart recovery (RFC 4724)\n"
		"  -V          print the version and exit\n"
		"  -h          this help\n");
}

/* The lowest IPv4 address of the node: the default router id (as BIRD). */
static ip_addr lowest_ipv4(void)
{
	struct ifaddrs *ifa, *i;
	uint32_t best = 0;

	if (getifaddrs(&ifa) < 0)
		return ip4_make(0);
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		if ((a >> 24) == 127 || !a)
			continue;
		if (!best || a < best)
			best = a;
	}
	freeifaddrs(ifa);
	return ip4_make(best);
}

ip_addr daemon_router_id;
const char *daemon_node_name;

static void apply_identity(struct config *old, struct config *c)
{
	daemon_router_id = c->router_id_set ? c->router_id : lowest_ipv4();
	ip_ntop(daemon_router_id, router_id_buf);
	cmd_router_id_text = router_id_buf;
	if (c->node_name)
		snprintf(node_name_buf, sizeof node_name_buf, "%s", c->node_name);
	else if (getenv("NODE_NAME") && *getenv("NODE_NAME"))
		snprintf(node_name_buf, sizeof node_name_buf, "%s", getenv("NODE_NAME"));
	else if (gethostname(node_name_buf, sizeof node_name_buf) < 0)
		snprintf(node_name_buf, sizeof node_name_buf, "unknown");
	node_name_buf[sizeof node_name_buf - 1] = 0;
	daemon_node_name = node_name_buf;
	cmd_node_name = node_name_buf;
	log_configure(c->logs, opt_foreground, opt_debug);
}

static void exit_done(void)
{
	if (opt_pidfile)
		unlink(opt_pidfile);
	log_msg(L_INFO, "Shutdown completed");
	loop_exit();
}

static void exit_now(void *data)
{
	static int done;

	if (done++)
		return;
	/* control clients get the replies queued for them (`down`'s own) */
	ctl_drain(1, exit_done);
}

/* The protocols are down.  This may be called from inside a command
 * handler (`down` with protocols that stop at once), where the control
 * connection must not go away under its caller: go on from the loop. */
static void finish_exit(void)
{
	if (!exit_defer)
		exit_defer = defer_new(exit_now, NULL);
	defer_schedule(exit_defer);
}

static void shutdown_timeout(void *data)
{
	log_msg(L_WARN, "Protocols did not stop in time; exiting anyway");
	finish_exit();
}

static int shutting_down;

void daemon_shutdown(void)
{
	if (shutting_down)
		return;
	shutting_down = 1;
	log_msg(L_INFO, "Shutting down");
	notify_stopping();
	proto_all_down_hook = finish_exit;
	shutdown_timer = tm_new(shutdown_timeout, NULL);
	tm_start(shutdown_timer, 5);
	if (proto_shutdown_all(PDR_SHUTDOWN))
		finish_exit();
}

static void sig_term(int sig)
{
	daemon_shutdown();
}

static void sig_hup(int sig)
{
	char err[1024];

	log_msg(L_INFO, "SIGHUP: reconfiguring");
	/* systemd (Type=notify-reload) waits for RELOADING=1, then READY=1, also when the reload fails */
	notify_reloading();
	config_reload(config_main_file, 0, err, sizeof err);
	notify_ready();
}

static void write_pidfile(void)
{
	if (!opt_pidfile)
		return;
	FILE *f = fopen(opt_pidfile, "w");
	if (!f) {
		log_msg(L_ERR, "cannot write pid file %s: %s", opt_pidfile, strerror(errno));
		exit(1);
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

static void drop_privileges(void)
{
	if (opt_group) {
		struct group *g = getgrnam(opt_group);
		if (!g || setgid(g->gr_gid) < 0 || setgroups(0, NULL) < 0) {
			fprintf(stderr, "metalbird: cannot switch to group %s\n", opt_group);
			exit(1);
		}
	}
	if (opt_user) {
		struct passwd *pw = getpwnam(opt_user);
		if (!pw || (!opt_group && setgid(pw->pw_gid) < 0) || setuid(pw->pw_uid) < 0) {
			fprintf(stderr, "metalbird: cannot switch to user %s\n", opt_user);
			exit(1);
		}
	}
}

static void daemonize(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	loop_reinit();
	if (chdir("/") < 0) {
		/* not fatal: every path of the config is absolute by now */
	}
}

static void mkdir_for(const char *path)
{
	char *tmp = strdup(path), *slash = strrchr(tmp, '/');
	if (slash && slash != tmp) {
		*slash = 0;
		mkdir(tmp, 0755);
	}
	free(tmp);
}

int main(int argc, char **argv)
{
	int c;
	char err[1024];

	while ((c = getopt(argc, argv, "c:s:pvfdlP:u:g:RVh")) != -1) {
		switch (c) {
		case 'c': opt_config = optarg; break;
		case 's': opt_socket = optarg; break;
		case 'p': opt_parse = 1; break;
		case 'v': opt_verbose = 1; break;
		case 'f': opt_foreground = 1; break;
		case 'd': opt_foreground = opt_debug = 1; break;
		case 'l': opt_config = "./metallb.conf"; opt_socket = "./metalbird.ctl"; break;
		case 'P': opt_pidfile = optarg; break;
		case 'u': opt_user = optarg; break;
		case 'g': opt_group = optarg; break;
		case 'R': opt_graceful_restart = 1; break;
		case 'V': printf("metalbird %s\n", MB_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "metalbird: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	log_init(1, opt_debug);
	if (loop_init() < 0) {
		fprintf(stderr, "metalbird: cannot initialize the event loop\n");
		return 1;
	}

	if (opt_parse) {
		struct config *cf = config_parse(opt_config, err, sizeof err);
		if (!cf) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		if (opt_verbose)
			config_dump(stdout, cf);
		config_free(cf);
		return 0;
	}

	/* the daemon leaves its working directory: keep an absolute name */
	char *abs = realpath(opt_config, NULL);
	config_main_file = abs ? abs : opt_config;
	struct config *cf = config_parse(opt_config, err, sizeof err);
	if (!cf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	cmd_init();
	daemon_init_modules();
	cmd_down_hook = daemon_shutdown;
	config_hook_add(apply_identity);
	apply_identity(NULL, cf);

	mkdir_for(opt_socket);
	if (ctl_open(opt_socket, err, sizeof err) < 0) {
		fprintf(stderr, "metalbird: %s\n", err);
		config_free(cf);
		return 1;
	}
	if (!opt_foreground)
		daemonize();
	drop_privileges();
	write_pidfile();
	loop_signal(SIGTERM, sig_term);
	loop_signal(SIGINT, sig_term);
	loop_signal(SIGHUP, sig_hup);

	config_start_time = now_real();
	log_msg(L_INFO, "Started (metalbird %s, config %s)", MB_VERSION, opt_config);
	crash_check(cf);
	notify_init();		/* READY=1 once this first commit is done */
	config_commit(cf, 0);
	loop_run();

	/* Everything is down: give back what is left, so that a leak checker
	 * run over start, reloads and stop sees only real leaks. */
	tm_free(shutdown_timer);
	defer_free(exit_defer);
	config_cleanup();
	rt_cleanup();
	loop_cleanup();
	if (running_marker)
		unlink(running_marker);	/* a clean stop */
	free(running_marker);
	free(abs);
	return 0;
}
