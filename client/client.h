/*
 * metalbirdc -- shared declarations of the client's modules
 */
#ifndef MB_CLIENT_CLIENT_H
#define MB_CLIENT_CLIENT_H

#include <signal.h>
#include <stddef.h>

#include "client/reply.h"

#define CLIENT_DEFAULT_SOCKET "/run/metalbird/metalbird.ctl"
#define CLIENT_LOCAL_SOCKET "./metalbird.ctl"

/* Exit codes (SPEC section 2). */
#define CLIENT_EXIT_OK 0	/* success */
#define CLIENT_EXIT_ERROR 1	/* an error reply, a lost connection, a usage error */
#define CLIENT_EXIT_CONNECT 2	/* no session: connect, greeting or restrict failed */

/* Results of conn_reply(). */
#define CONN_OK 0		/* the reply ended with no error code */
#define CONN_EREPLY 1		/* the reply carried an 8xxx/9xxx code */
#define CONN_ELOST (-1)		/* the connection broke; conn is closed */

/* One session with the daemon. */
struct conn {
	const char *path;		/* control socket */
	int fd;				/* -1 when not connected */
	int restricted;			/* ask for restricted mode after the greeting */
	struct reply_parser rp;		/* reply lines */
	char rbuf[8192];		/* bytes read, not yet parsed */
	size_t rpos, rlen;		/* unparsed part of rbuf */
	int wait_ms;			/* >0: give up on a reply silent this long */
	int setup_wait_ms;		/* wait_ms for the greeting and `restrict` */
};

/* How long the greeting and the answer to `restrict` may take: they need no
 * work from the daemon, so silence means it is stuck.  Command replies may
 * take as long as the command does. */
#define CONN_SETUP_WAIT_MS 30000

/* Set from a signal handler: conn_reply() then abandons the reply it is
 * reading (and the session) when its read is interrupted. */
extern volatile sig_atomic_t conn_interrupt;

/* Called for every line of a reply as it arrives. */
typedef void (*conn_line_fn)(const struct reply_line *l, void *arg);

void conn_init(struct conn *c, const char *path, int restricted);

/* Connect, read the greeting (each of its lines to fn when fn is set),
 * switch to restricted mode if asked.  Returns 0, or -1 after printing why
 * on stderr. */
int conn_open(struct conn *c, conn_line_fn fn, void *arg);
void conn_close(struct conn *c);

/* Is the session still there?  Between commands the daemon may have gone
 * away (`down`, a restart); then the connection is closed and 0 returned. */
int conn_alive(struct conn *c);

/* Send one command line (a newline is added).  Returns 0, or -1 after
 * printing why (the connection is then closed). */
int conn_send(struct conn *c, const char *cmd);

/* Read one reply, handing each line to fn.  Returns CONN_OK, CONN_EREPLY, or
 * CONN_ELOST after printing why (also when conn_interrupt stopped it). */
int conn_reply(struct conn *c, conn_line_fn fn, void *arg);

/* Print a reply line the way birdc does (arg: pointer to int, non-zero for
 * raw lines with their codes), flushing stdout at the end of a reply. */
void client_print_line(const struct reply_line *l, void *arg);

/* Interactive mode with readline (rl.c).  Returns the exit code. */
int ia_main(struct conn *c, int verbose);

#endif
