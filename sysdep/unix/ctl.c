/*
 * metalbird -- the control socket
 *
 * A Unix stream socket speaking BIRD's line protocol (nest/cli.h).  Each
 * client sends one command per line and gets one reply; while a reply is
 * still being produced (a long `show route`), further input waits.  No
 * client can stall the daemon: output is queued per client, a streaming
 * reply produces its next slice only when the client has read the last one,
 * and a client whose queue grows past CTL_OUTQ_SOFT gets no further command
 * run until it has read its replies.  A client that then reads nothing for
 * CTL_STALL_SECS, or whose queue passes CTL_OUTQ_MAX, is cut off: it cannot
 * make the daemon hold its replies forever.
 */
#include "sysdep/unix/ctl.h"
#include "sysdep/unix/loop.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/log.h"
#include "nest/mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CTL_LINE_MAX 4096
#define CTL_OUTQ_SOFT (256u << 10)	/* above this, run no more commands until it drains */
#define CTL_OUTQ_MAX (16u << 20)	/* a client that reads nothing is cut off here */
#define CTL_STALL_SECS 10		/* ... or when it has read nothing for this long */
#define CTL_MAX_CLIENTS 128

struct ctl_conn {
	struct ctl_conn *next;
	struct sk *sk;
	struct cli cli;
	int skipping;		/* discarding the rest of an over-long line */
	int busy;		/* a streaming reply is in progress */
	int blocked;		/* output above CTL_OUTQ_SOFT: wait until it drains */
	int dead;		/* cut off: free at the next chance */
	int closing;		/* the daemon stops: free once the output is sent */
	int eof;		/* the client has sent all it will: answer, then close */
	struct timer *stall;	/* ticks while blocked, to see whether it reads */
	size_t stall_outq;	/* output queued at the last tick */
	double stall_since;	/* when it last read anything */
};

static struct listener *ctl_listener;
static struct ctl_conn *conns;
static int nconns;
static void (*drain_done)(void);	/* ctl_drain() in progress */
static struct timer *drain_timer;

static void conn_free(struct ctl_conn *cc)
{
	for (struct ctl_conn **pp = &conns; *pp; pp = &(*pp)->next)
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	if (cc->busy && cc->cli.cont_cleanup)
		cc->cli.cont_cleanup(&cc->cli);
	tm_free(cc->stall);
	sk_close(cc->sk);
	free(cc);
	nconns--;
}

static void ctl_write(struct cli *c, const char *buf, size_t len)
{
	struct ctl_conn *cc = c->conn;
	if (cc->dead)
		return;
	sk_write(cc->sk, buf, len);
	if (sk_outq(cc->sk) > CTL_OUTQ_MAX) {
		log_msg(L_WARN, "control client does not read its replies (%zu bytes queued): disconnecting",
			sk_outq(cc->sk));
		cc->dead = 1;
	}
}

static void process_input(struct ctl_conn *cc);
static void drain_check(void);

/* Read commands only while no reply is being produced and the client has
 * read what it was sent. */
static void update_read(struct ctl_conn *cc)
{
	sk_pause_read(cc->sk, cc->busy || cc->blocked || cc->closing || cc->eof);
}

static void stall_tick(void *data)
{
	struct ctl_conn *cc = data;
	size_t q = sk_outq(cc->sk);

	if (q < cc->stall_outq) {
		cc->stall_outq = q;
		cc->stall_since = now_mono();
	} else if (now_mono() - cc->stall_since >= CTL_STALL_SECS) {
		log_msg(L_WARN, "control client has read nothing for %d s (%zu bytes queued): disconnecting",
			CTL_STALL_SECS, q);
		conn_free(cc);
		drain_check();
		return;
	}
	tm_start(cc->stall, 1);
}

/* After a command: either the reply is complete, or it goes on in slices;
 * and a client that does not keep up gets no more commands run for now. */
static void after_command(struct ctl_conn *cc)
{
	cc->busy = cc->cli.cont != NULL;
	if (!cc->blocked && sk_outq(cc->sk) > CTL_OUTQ_SOFT) {
		cc->blocked = 1;
		cc->stall_outq = sk_outq(cc->sk);
		cc->stall_since = now_mono();
		if (!cc->stall)
			cc->stall = tm_new(stall_tick, cc);
		tm_start(cc->stall, 1);
	}
	update_read(cc);
}

static void drain_check(void)
{
	void (*done)(void) = drain_done;

	if (!done || conns)
		return;
	drain_done = NULL;
	tm_free(drain_timer);
	drain_timer = NULL;
	done();
}

/* A client that has closed its side is done once every command it sent
 * has been answered and the answers have left. */
static int eof_done(struct ctl_conn *cc)
{
	return cc->eof && !cc->busy && !cc->blocked && !sk_inlen(cc->sk) && !sk_outq(cc->sk);
}

static void ctl_tx_empty(struct sk *s, void *data)
{
	struct ctl_conn *cc = data;

	if (cc->dead || cc->closing) {
		conn_free(cc);
		drain_check();
		return;
	}
	if (cc->blocked) {
		cc->blocked = 0;
		tm_stop(cc->stall);
		update_read(cc);
	}
	if (cc->busy) {
		cc->cli.cont(&cc->cli);
		if (cc->dead) {
			conn_free(cc);
			return;
		}
		after_command(cc);
	}
	if (!cc->busy && !cc->blocked)
		process_input(cc);	/* (may free cc) */
	else if (eof_done(cc))
		conn_free(cc);
}

static void process_input(struct ctl_conn *cc)
{
	while (!cc->busy && !cc->blocked && !cc->dead && !cc->closing) {
		size_t n = sk_inlen(cc->sk);
		if (!n)
			break;
		size_t look = n > CTL_LINE_MAX + 1 ? CTL_LINE_MAX + 1 : n;
		const uint8_t *p = sk_peek(cc->sk, look);
		const uint8_t *nl = memchr(p, '\n', look);
		size_t len, used;
		if (nl) {
			len = (size_t)(nl - p);
			used = len + 1;
		} else if (look > CTL_LINE_MAX) {
			if (!cc->skipping)
				cli_msg(&cc->cli, RC_E_TOO_LONG, "Command too long");
			cc->skipping = 1;
			sk_drain(cc->sk, look);
			continue;
		} else if (cc->eof) {
			len = used = look;	/* the last line, without its newline */
		} else
			break;			/* wait for the rest of the line */
		if (cc->skipping) {
			cc->skipping = 0;
			sk_drain(cc->sk, used);
			continue;
		}
		char line[CTL_LINE_MAX + 1];
		memcpy(line, p, len);
		line[len] = 0;
		if (len && line[len - 1] == '\r')
			line[len - 1] = 0;
		sk_drain(cc->sk, used);
		if (strlen(line) != len && strlen(line) + 1 != len) {
			cli_msg(&cc->cli, RC_E_PARSE, "Parse error: NUL byte in command");
			continue;
		}
		cmd_dispatch(&cc->cli, line);
		after_command(cc);
	}
	if (cc->dead || eof_done(cc))
		conn_free(cc);
}

static void ctl_rx(struct sk *s, void *data)
{
	process_input(data);
}

static void ctl_error(struct sk *s, void *data, int err, const char *msg)
{
	struct ctl_conn *cc = data;

	/* End of input (`echo show status | socat - UNIX:...` shuts down its
	 * sending side): the commands already received still get their
	 * replies.  An error, or a client cut off or going away, ends it now. */
	if (!err && !cc->dead && !cc->closing && !cc->eof) {
		cc->eof = 1;
		update_read(cc);
		process_input(cc);	/* answers what is left, frees cc when done */
		return;
	}
	conn_free(cc);
	drain_check();
}

static const struct sk_ops ctl_ops = {
	.rx = ctl_rx,
	.tx_empty = ctl_tx_empty,
	.error = ctl_error,
};

static void ctl_accept(int fd, void *data)
{
	if (nconns >= CTL_MAX_CLIENTS) {
		static const char msg[] = "8010 Too many control clients\n";
		if (write(fd, msg, sizeof msg - 1) < 0) {
			/* nothing more to do for a client we refuse anyway */
		}
		close(fd);
		return;
	}
	struct ctl_conn *cc = xzalloc(sizeof *cc);
	cc->sk = sk_from_fd(fd, &ctl_ops, cc);
	cc->cli.conn = cc;
	cc->cli.write = ctl_write;
	cc->cli.last_code = -1;
	cc->next = conns;
	conns = cc;
	nconns++;
	cli_msg(&cc->cli, RC_WELCOME, "metalbird %s ready.", MB_VERSION);
}

int ctl_open(const char *path, char *err, size_t errlen)
{
	ctl_listener = listen_unix(path, ctl_accept, NULL, err, errlen);
	return ctl_listener ? 0 : -1;
}

void ctl_close(void)
{
	listener_free(ctl_listener);
	ctl_listener = NULL;
	while (conns)
		conn_free(conns);
}

static void drain_timeout(void *data)
{
	ctl_close();
	drain_check();
}

void ctl_drain(double max, void (*done)(void))
{
	listener_free(ctl_listener);
	ctl_listener = NULL;
	drain_done = done;
	for (struct ctl_conn *cc = conns, *next; cc; cc = next) {
		next = cc->next;
		cc->closing = 1;
		sk_pause_read(cc->sk, 1);
		if (!sk_outq(cc->sk))
			conn_free(cc);
	}
	if (conns) {
		drain_timer = tm_new(drain_timeout, NULL);
		tm_start(drain_timer, max);
	}
	drain_check();
}

int ctl_clients(void)
{
	return nconns;
}
