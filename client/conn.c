/*
 * metalbirdc -- a session with the daemon on its control socket
 *
 * Connects to the Unix socket, reads the greeting, optionally switches the
 * session to restricted mode, then sends command lines and reads replies line
 * by line through the reply parser, handing each line on as soon as it has
 * arrived: a long `show route` streams instead of piling up in memory.
 */
#include "client/client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

volatile sig_atomic_t conn_interrupt;

void conn_init(struct conn *c, const char *path, int restricted)
{
	memset(c, 0, sizeof *c);
	c->path = path;
	c->fd = -1;
	c->restricted = restricted;
	c->setup_wait_ms = CONN_SETUP_WAIT_MS;
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rpos = c->rlen = 0;
	reply_init(&c->rp);
}

static int conn_connect(struct conn *c)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(c->path) >= sizeof sa.sun_path) {
		fprintf(stderr, "metalbirdc: cannot connect to %s: socket path too long\n", c->path);
		return -1;
	}
	strcpy(sa.sun_path, c->path);

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fprintf(stderr, "metalbirdc: cannot create socket: %s\n", strerror(errno));
		return -1;
	}
	int r;
	do
		r = connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fprintf(stderr, "metalbirdc: cannot connect to %s: %s\n", c->path, strerror(errno));
		conn_close(c);
		return -1;
	}
	c->rpos = c->rlen = 0;
	reply_init(&c->rp);
	return 0;
}

/* Keeps the last line of a reply, to say why a session was refused. */
struct last_line {
	int code;		/* code of the final line, -1 if none */
	char text[256];		/* its text */
	conn_line_fn fn;	/* every line is passed on to fn */
	void *arg;		/* and its argument */
};

static void note_last(const struct reply_line *l, void *arg)
{
	struct last_line *ll = arg;

	if (l->final) {
		ll->code = l->code;
		snprintf(ll->text, sizeof ll->text, "%.*s", (int)l->len, l->text);
	}
	if (ll->fn)
		ll->fn(l, ll->arg);
}

/* The greeting, and restricted mode if asked for. */
static int conn_setup(struct conn *c, conn_line_fn fn, void *arg)
{
	struct last_line lc = { -1, "", fn, arg };
	int r;

	/* The daemon speaks first: "0001 metalbird VERSION ready." */
	r = conn_reply(c, note_last, &lc);
	if (r == CONN_ELOST)
		return -1;
	if (r == CONN_EREPLY) {
		fprintf(stderr, "metalbirdc: %s refused the session: %04d %s\n", c->path, lc.code,
			lc.text);
		conn_close(c);
		return -1;
	}

	if (c->restricted) {
		/* The daemon enforces restricted mode; we only ask for it, and do
		 * not go on unless it confirms with 0016. */
		lc.code = -1;
		if (conn_send(c, "restrict") < 0)
			return -1;
		r = conn_reply(c, note_last, &lc);
		if (r == CONN_ELOST)
			return -1;
		if (lc.code != 16) {
			fprintf(stderr, "metalbirdc: %s did not confirm restricted mode: %04d %s\n",
				c->path, lc.code, lc.text);
			conn_close(c);
			return -1;
		}
	}
	return 0;
}

int conn_open(struct conn *c, conn_line_fn fn, void *arg)
{
	int r;

	if (conn_connect(c) < 0)
		return -1;
	c->wait_ms = c->setup_wait_ms;
	r = conn_setup(c, fn, arg);
	c->wait_ms = 0;
	return r;
}

int conn_alive(struct conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char b;

	if (c->fd < 0)
		return 0;
	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		return 1;
	/* readable while no command is out: either spontaneous lines, which
	 * the next reply will show, or the end of the connection */
	ssize_t r = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
		return 1;
	conn_close(c);
	return 0;
}

int conn_send(struct conn *c, const char *cmd)
{
	size_t n = strlen(cmd);
	char line[8192];

	if (c->fd < 0) {
		fprintf(stderr, "metalbirdc: not connected to %s\n", c->path);
		return -1;
	}
	if (n + 1 > sizeof line) {
		fprintf(stderr, "metalbirdc: command too long\n");
		return -1;
	}
	/* one write for the whole line, so the daemon never sees half of it
	 * unless the socket buffer is full */
	memcpy(line, cmd, n);
	line[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = send(c->fd, line + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "metalbirdc: cannot send to %s: %s\n", c->path, strerror(errno));
			conn_close(c);
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

int conn_reply(struct conn *c, conn_line_fn fn, void *arg)
{
	struct reply_line l;
	size_t used;
	int seen = 0;

	if (c->fd < 0) {
		fprintf(stderr, "metalbirdc: not connected to %s\n", c->path);
		return CONN_ELOST;
	}
	for (;;) {
		while (c->rpos < c->rlen) {
			int got = reply_feed(&c->rp, c->rbuf + c->rpos, c->rlen - c->rpos, &used, &l);
			c->rpos += used;
			if (!got)
				break;
			if (l.kind != REPLY_ASYNC)
				seen = 1;
			if (fn)
				fn(&l, arg);
			if (l.final)
				return reply_error(&c->rp) ? CONN_EREPLY : CONN_OK;
		}
		c->rpos = c->rlen = 0;

		ssize_t r = -1;
		if (c->wait_ms > 0) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
			int pr = poll(&pfd, 1, c->wait_ms);
			if (pr == 0) {
				fprintf(stderr, "metalbirdc: no answer from %s within %g s\n", c->path,
					c->wait_ms / 1000.0);
				conn_close(c);
				return CONN_ELOST;
			}
			if (pr > 0)
				r = read(c->fd, c->rbuf, sizeof c->rbuf);
		} else {
			r = read(c->fd, c->rbuf, sizeof c->rbuf);
		}
		if (r < 0 && errno == EINTR && conn_interrupt) {
			/* the user gave up on this reply; the rest of it would
			 * be taken for the next one, so drop the session */
			conn_interrupt = 0;
			fflush(stdout);
			fprintf(stderr, "metalbirdc: interrupted\n");
			conn_close(c);
			return CONN_ELOST;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fflush(stdout);
			if (r < 0)
				fprintf(stderr, "metalbirdc: cannot read from %s: %s\n", c->path,
					strerror(errno));
			else if (seen || reply_pending(&c->rp))
				fprintf(stderr, "metalbirdc: connection closed by the daemon in the middle of a reply\n");
			else
				fprintf(stderr, "metalbirdc: connection closed by the daemon\n");
			conn_close(c);
			return CONN_ELOST;
		}
		c->rlen = (size_t)r;
		/* lines already printed reach the terminal or pipe while we
		 * wait for the rest */
		fflush(stdout);
	}
}

void client_print_line(const struct reply_line *l, void *arg)
{
	int raw = arg ? *(const int *)arg : 0;

	if (raw) {
		fwrite(l->raw, 1, l->rawlen, stdout);
		putchar('\n');
	} else if (l->kind == REPLY_ASYNC) {
		printf(">>> %.*s\n", (int)l->len, l->text);
	} else if (l->kind == REPLY_BAD) {
		printf("??? <%.*s>\n", (int)l->rawlen, l->raw);
	} else if (!reply_line_hidden(l)) {
		fwrite(l->text, 1, l->len, stdout);
		putchar('\n');
	}
	if (l->truncated)
		fprintf(stderr, "metalbirdc: reply line longer than %d bytes, cut short\n", REPLY_LINE_MAX);
	if (l->final)
		fflush(stdout);
}
