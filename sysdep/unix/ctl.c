/*
 * metalbird -- the control socket
 *
 * A Unix stream socket speaking BIRD's line protocol (nest/cli.h).  Each
 * client sends one command per line and gets one reply; while a reply is
 * still being produced (a long `show route`), further input waits.  No
 * client can stall the daemon: output is queued per client, a streaming
 * reply produces its next slice only when the client has read the last one,
 * and a client whose queue grows past CTL_OUTQ_MAX without reading is cut
 * off.
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
#define CTL_OUTQ_MAX (16u << 20)	/* a client that reads nothing is cut off here */
#define CTL_MAX_CLIENTS 128

struct ctl_conn {
	struct ctl_conn *next;
	struct sk *sk;
	struct cli cli;
	int skipping;		/* discarding the rest of an over-long line */
	int busy;		/* a streaming reply is in progress */
	int dead;
};

static struct listener *ctl_listener;
static struct ctl_conn *conns;
static int nconns;

static void conn_free(struct ctl_conn *cc)
{
	for (struct ctl_conn **pp = &conns; *pp; pp = &(*pp)->next)
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	if (cc->busy && cc->cli.cont_cleanup)
		cc->cli.cont_cleanup(&cc->cli);
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

/* After a command: either the reply is complete, or it goes on in slices. */
static void after_command(struct ctl_conn *cc)
{
	cc->busy = cc->cli.cont != NULL;
	sk_pause_read(cc->sk, cc->busy);
}

static void ctl_tx_empty(struct sk *s, void *data)
{
	struct ctl_conn *cc = data;

	if (cc->dead) {
		conn_free(cc);
		return;
	}
	if (!cc->busy)
		return;
	cc->cli.cont(&cc->cli);
	if (cc->dead) {
		conn_free(cc);
		return;
	}
	after_command(cc);
	if (!cc->busy)
		process_input(cc);
}

static void process_input(struct ctl_conn *cc)
{
	while (!cc->busy && !cc->dead) {
		size_t n = sk_inlen(cc->sk);
		if (!n)
			return;
		size_t look = n > CTL_LINE_MAX + 1 ? CTL_LINE_MAX + 1 : n;
		const uint8_t *p = sk_peek(cc->sk, look);
		const uint8_t *nl = memchr(p, '\n', look);
		if (!nl) {
			if (look <= CTL_LINE_MAX)
				return;		/* wait for the rest of the line */
			if (!cc->skipping)
				cli_msg(&cc->cli, RC_E_TOO_LONG, "Command too long");
			cc->skipping = 1;
			sk_drain(cc->sk, look);
			continue;
		}
		size_t len = (size_t)(nl - p);
		if (cc->skipping) {
			cc->skipping = 0;
			sk_drain(cc->sk, len + 1);
			continue;
		}
		char line[CTL_LINE_MAX + 1];
		memcpy(line, p, len);
		line[len] = 0;
		if (len && line[len - 1] == '\r')
			line[len - 1] = 0;
		sk_drain(cc->sk, len + 1);
		if (strlen(line) != len && strlen(line) + 1 != len) {
			cli_msg(&cc->cli, RC_E_PARSE, "Parse error: NUL byte in command");
			continue;
		}
		cmd_dispatch(&cc->cli, line);
		after_command(cc);
	}
	if (cc->dead)
		conn_free(cc);
}

static void ctl_rx(struct sk *s, void *data)
{
	process_input(data);
}

static void ctl_error(struct sk *s, void *data, int err, const char *msg)
{
	conn_free(data);
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

int ctl_clients(void)
{
	return nconns;
}
