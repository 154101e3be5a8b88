/*
 * libFuzzer harness over the BGP session state machine (proto/bgp/session.c).
 *
 * The event loop is replaced by a scripted one: the input is a sequence of
 * events (bytes arriving on a connection, a timer firing, a connect
 * completing or failing, an incoming connection, the output queue
 * draining, start and stop), so the fuzzer explores orders of events that
 * a real network rarely produces: collisions, errors in every state,
 * timers firing late.  Sockets and timers are real heap objects freed on
 * close, so AddressSanitizer sees any use after free in the session.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/bgp/session.h"
#include "sysdep/linux/tcp.h"
#include "sysdep/unix/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the scripted loop ------------------------------------------------------ */

#define MAX_OBJ 16

struct sk {
	const struct sk_ops *ops;	/* callbacks */
	void *data;			/* their argument */
	int fd;				/* a real fd (accepted) or -1 */
	int connecting;			/* outgoing, not yet connected */
	size_t inlen;			/* octets in in[] */
	size_t outq;			/* octets "queued" */
	uint8_t in[3 * BGP_MAX_LEN];	/* input buffer */
};

struct timer {
	timer_fn fn;			/* callback */
	void *data;			/* its argument */
	int active;			/* armed */
};

static struct sk *sks[MAX_OBJ];
static struct timer *tms[MAX_OBJ];
static double clock_now;

static int reg(void **tab, void *p)
{
	for (int i = 0; i < MAX_OBJ; i++)
		if (!tab[i]) {
			tab[i] = p;
			return 0;
		}
	return -1;
}

static void unreg(void **tab, void *p)
{
	for (int i = 0; i < MAX_OBJ; i++)
		if (tab[i] == p)
			tab[i] = NULL;
}

double now_mono(void) { return clock_now; }

struct timer *tm_new(timer_fn fn, void *data)
{
	struct timer *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->fn = fn;
	t->data = data;
	if (reg((void **)tms, t) < 0)
		abort();
	return t;
}

void tm_start(struct timer *t, double seconds) { t->active = 1; }
void tm_stop(struct timer *t) { t->active = 0; }
int tm_active(const struct timer *t) { return t && t->active; }
double tm_remains(const struct timer *t) { return t && t->active ? 1 : 0; }

void tm_free(struct timer *t)
{
	if (!t)
		return;
	unreg((void **)tms, t);
	free(t);
}

static struct sk *sk_make(int fd, const struct sk_ops *ops, void *data)
{
	struct sk *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->ops = ops;
	s->data = data;
	s->fd = fd;
	if (reg((void **)sks, s) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

struct sk *sk_tcp_connect(ip_addr dst, uint16_t port, const struct sk_tcp_opts *o,
			  const struct sk_ops *ops, void *data, char *err, size_t errlen)
{
	struct sk *s = sk_make(-1, ops, data);
	if (!s) {
		snprintf(err, errlen, "too many sockets");
		return NULL;
	}
	s->connecting = 1;
	return s;
}

struct sk *sk_from_fd(int fd, const struct sk_ops *ops, void *data)
{
	struct sk *s = sk_make(fd, ops, data);
	if (!s)
		close(fd);
	return s;
}

size_t sk_inlen(struct sk *s) { return s->inlen; }

const uint8_t *sk_peek(struct sk *s, size_t n)
{
	return s->inlen >= n ? s->in : NULL;
}

void sk_drain(struct sk *s, size_t n)
{
	if (n > s->inlen)
		abort();
	memmove(s->in, s->in + n, s->inlen - n);
	s->inlen -= n;
}

int sk_write(struct sk *s, const void *buf, size_t len)
{
	s->outq += len;
	return 0;
}

size_t sk_outq(struct sk *s) { return s->outq; }
int sk_fd(struct sk *s) { return s->fd; }

int sk_addrs(struct sk *s, ip_addr *local, uint16_t *lport, ip_addr *remote, uint16_t *rport)
{
	if (local)
		*local = ip4_make(0x7f000001);
	if (remote)
		*remote = ip4_make(0x7f000002);
	return 0;
}

void sk_close(struct sk *s)
{
	if (!s)
		return;
	unreg((void **)sks, s);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

void sk_close_after_flush(struct sk *s) { sk_close(s); }

int tcp_setopts(int fd, int family, const struct sk_tcp_opts *o, ip_addr peer, char *err,
		size_t errlen)
{
	return 0;
}

/* ---- the session under test ------------------------------------------------ */

static struct bgp_session *sess;

static unsigned long established;

static void on_est(struct bgp_session *s, void *data)
{
	established++;
	if (getenv("BGP_FSM_DEBUG"))
		fprintf(stderr, "established (%lu)\n", established);
	/* Like the glue: announce something at once. */
	uint8_t b[BGP_MAX_LEN];
	bgp_session_send(s, b, bgp_build_eor(BGP_FAM_IP4, b, sizeof(b)));
}

static void on_down(struct bgp_session *s, void *data, const char *reason,
		    const struct bgp_down_info *info)
{
	if (!reason || !info)
		abort();
}

static void on_update(struct bgp_session *s, void *data, const struct bgp_update *u)
{
	if (u->action == BGP_7606_RESET)
		abort();	/* the session must not deliver those */
}

static void on_refresh(struct bgp_session *s, void *data, int fam, int subtype)
{
	if (fam < 0 || fam >= BGP_FAM_N)
		abort();
}

static const struct bgp_session_ops ops = {
	.established = on_est,
	.down = on_down,
	.update_received = on_update,
	.refresh_requested = on_refresh,
};

/* A peer's OPEN and KEEPALIVE, so that short inputs reach Established. */
static size_t peer_greeting(uint8_t *b, size_t cap, uint16_t hold, uint32_t asn)
{
	struct bgp_open o;
	bgp_open_init(&o, asn, hold, 0x7f000002);
	size_t n = bgp_open_encode(&o, b, cap);
	return n + bgp_keepalive_encode(b + n, cap - n);
}

static void deliver(struct sk *s, const uint8_t *p, size_t n)
{
	if (n > sizeof(s->in) - s->inlen)
		n = sizeof(s->in) - s->inlen;
	if (n)
		memcpy(s->in + s->inlen, p, n);
	s->inlen += n;
	s->ops->rx(s, s->data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_session_config cf = { 0 };
	struct bgp_rd r = bgp_rd_make(data, size);
	uint8_t b[2 * BGP_MAX_LEN];

	/* The first octet picks the configuration. */
	uint8_t conf = bgp_get8(&r);
	cf.remote = ip4_make(0x7f000002);
	cf.local_as = 65001;
	cf.remote_as = conf & 1 ? 65001 : 65002;
	cf.router_id = 0x7f000001 + (uint32_t)(conf & 2);
	cf.hold = 90;
	cf.passive = (conf & 4) != 0;
	cf.gr = 1;
	sess = bgp_session_new(&cf, &ops, NULL);
	if (!sess)
		return 0;
	bgp_session_start(sess);

	for (int steps = 0; r.len && steps < 200; steps++) {
		uint8_t op = bgp_get8(&r);
		uint8_t arg = bgp_get8(&r);
		struct sk *s = sks[arg % MAX_OBJ];
		struct timer *t = tms[arg % MAX_OBJ];
		clock_now += 1;
		switch (op % 10) {
		case 0: {	/* bytes from the peer */
			uint16_t n = bgp_get16(&r);
			struct bgp_rd chunk = bgp_sub(&r, n > r.len ? r.len : n);
			if (s && !s->connecting)
				deliver(s, chunk.p, chunk.len);
			break;
		}
		case 1:		/* a well-formed greeting */
			if (s && !s->connecting)
				deliver(s, b, peer_greeting(b, sizeof(b), arg & 0x80 ? 0 : 30,
							    cf.remote_as));
			break;
		case 2:		/* a timer fires */
			if (t && t->active) {
				t->active = 0;
				t->fn(t->data);
			}
			break;
		case 3:		/* connect completes */
			if (s && s->connecting) {
				s->connecting = 0;
				s->ops->connected(s, s->data);
			}
			break;
		case 4:		/* the connection fails or closes */
			if (s)
				s->ops->error(s, s->data, arg & 1 ? 111 : 0, "scripted");
			break;
		case 5: {	/* an incoming connection */
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd >= 0)
				bgp_session_accept(sess, fd);
			break;
		}
		case 6:		/* the output queue drains */
			if (s) {
				s->outq = 0;
				if (s->ops->tx_empty)
					s->ops->tx_empty(s, s->data);
			}
			break;
		case 7:
			bgp_session_stop(sess, arg % 10, arg & 1 ? "fuzz" : NULL);
			break;
		case 8:
			bgp_session_start(sess);
			break;
		case 9:
			bgp_session_send_refresh(sess, arg & 1, arg >> 6);
			break;
		}
		bgp_session_state(sess);
	}
	bgp_session_free(sess);
	for (int i = 0; i < MAX_OBJ; i++) {
		/* Anything left is a leak of the session's. */
		if (sks[i] || tms[i])
			abort();
	}
	return 0;
}
