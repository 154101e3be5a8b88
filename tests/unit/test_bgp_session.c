/*
 * Unit tests of proto/bgp/session.c over the real event loop, on loopback:
 * two sessions that both connect out and both accept (so RFC 4271 6.8
 * collision detection has to keep one connection), UPDATE delivery with
 * flow control, a Cease with a shutdown communication arriving decoded,
 * a passive side, a wrong peer AS refused with OPEN error 2/2, and
 * connections we do not take answered with Cease / Connection Rejected.
 * Every wait is bounded by a loop timer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "proto/bgp/session.h"
#include "sysdep/unix/loop.h"

struct side {
	struct bgp_session *s;		/* the session */
	struct listener *l;		/* its listening socket */
	int established;		/* established() upcalls */
	int downs;			/* down() upcalls */
	struct bgp_down_info down;	/* the last down info */
	unsigned long announced;	/* prefixes received */
	int eor;			/* End-of-RIB received */
	int collisions;			/* "collision" log lines */
	int tx_space;			/* tx_space() upcalls */
	int withdrawn_7606;		/* UPDATEs treated as withdraw */
};

static struct side A, B;
static int side_gr;			/* side_init() offers graceful restart */
static int (*done)(void);
static uint16_t port;

static void check_done(void);

static void on_log(struct bgp_session *s, void *data, int remote, const char *msg)
{
	struct side *x = data;
	if (strstr(msg, "collision"))
		x->collisions++;
	check_done();
	if (getenv("BGP_TEST_VERBOSE"))
		fprintf(stderr, "%.3f %s: %s\n", now_mono(), x == &A ? "A" : "B", msg);
}

static void check_done(void)
{
	if (done && done())
		loop_exit();
}

static void on_est(struct bgp_session *s, void *data)
{
	((struct side *)data)->established++;
	check_done();
}

static void on_down(struct bgp_session *s, void *data, const char *reason,
		    const struct bgp_down_info *info)
{
	struct side *x = data;
	x->downs++;
	x->down = *info;
	check_done();
}

static void on_update(struct bgp_session *s, void *data, const struct bgp_update *u)
{
	struct side *x = data;
	if (u->action == BGP_7606_OK)
		x->announced += u->nannounced;
	if (u->eor == BGP_FAM_IP4)
		x->eor = 1;
	if (u->action == BGP_7606_WITHDRAW)
		x->withdrawn_7606++;
	check_done();
}

static void on_tx_space(struct bgp_session *s, void *data)
{
	((struct side *)data)->tx_space++;
}

static const struct bgp_session_ops ops = {
	.established = on_est,
	.down = on_down,
	.update_received = on_update,
	.tx_space = on_tx_space,
	.log = on_log,
};

static void on_accept(int fd, void *data)
{
	bgp_session_accept(((struct side *)data)->s, fd);
}

static void on_timeout(void *data)
{
	loop_exit();
}

/* Run the loop until done() or the deadline. */
static void run_until(int (*cond)(void), double seconds)
{
	struct timer *t = tm_new(on_timeout, NULL);
	done = cond;
	if (!cond()) {
		tm_start(t, seconds);
		loop_run();
	}
	tm_free(t);
	done = NULL;
}

static void side_init(struct side *x, const char *local, uint32_t as, const char *peer,
		      uint32_t peer_as, int passive)
{
	struct bgp_session_config cf = { 0 };
	char err[160];

	memset(x, 0, sizeof(*x));
	ip_pton(local, &cf.local);
	cf.has_local = 1;
	ip_pton(peer, &cf.remote);
	cf.remote_port = port;
	cf.local_as = as;
	cf.remote_as = peer_as;
	cf.router_id = ip4_get(cf.local);
	cf.hold = 9;
	cf.connect_retry = 1;
	cf.error_wait_min = 1;
	cf.error_wait_max = 2;
	cf.multihop = 2;
	cf.passive = (uint8_t)passive;
	cf.gr = (uint8_t)side_gr;
	cf.gr_time = 120;
	x->s = bgp_session_new(&cf, &ops, x);
	ck_assert_ptr_nonnull(x->s);
	struct sk_tcp_opts o = { .local = cf.local, .has_local = 1 };
	x->l = listen_tcp(cf.local, port, &o, on_accept, x, err, sizeof(err));
	ck_assert_msg(x->l != NULL, "%s", err);
}

static void side_free(struct side *x)
{
	listener_free(x->l);
	bgp_session_free(x->s);
}

static void setup(void)
{
	ck_assert_int_eq(loop_init(), 0);
	/* A port of our own, so parallel runs do not meet. */
	port = (uint16_t)(20000 + getpid() % 20000);
}

static int both_up(void)
{
	return bgp_session_state(A.s) == BGP_S_ESTABLISHED &&
	       bgp_session_state(B.s) == BGP_S_ESTABLISHED;
}

static int b_has_all(void)
{
	return B.eor;
}

static int b_down(void)
{
	return B.downs > 0;
}

static int a_down(void)
{
	return A.downs > 0;
}

static int tx_before;

static int a_tx_space(void)
{
	return A.tx_space > tx_before;
}

static int b_failed(void)
{
	return strstr(bgp_session_last_error(B.s), "Bad peer AS") != NULL;
}

START_TEST(test_collision_and_updates)
{
	enum { N = 200000 };

	side_init(&A, "127.0.0.11", 65011, "127.0.0.12", 4200000012u, 0);
	side_init(&B, "127.0.0.12", 4200000012u, "127.0.0.11", 65011, 0);
	bgp_session_start(A.s);
	bgp_session_start(B.s);
	run_until(both_up, 10);
	ck_assert_int_eq(bgp_session_state(A.s), BGP_S_ESTABLISHED);
	ck_assert_int_eq(bgp_session_state(B.s), BGP_S_ESTABLISHED);
	ck_assert_int_eq(A.established, 1);
	ck_assert_int_eq(B.established, 1);
	/* Both connected out at once: at least one side resolved a collision. */
	ck_assert_int_ge(A.collisions + B.collisions, 1);
	const struct bgp_neg *n = bgp_session_neg(A.s);
	ck_assert_uint_eq(n->peer_as, 4200000012u);
	ck_assert_uint_eq(n->hold, 9);
	ck_assert_uint_eq(n->keepalive, 3);
	ck_assert(n->as4 && n->fam[0] && n->fam[1]);

	/* Send N host routes, never above the watermark; the rest goes out
	 * from tx_space() as the queue drains. */
	struct bgp_attrs *a = malloc(sizeof(*a));
	struct bgp_builder *b = malloc(sizeof(*b));
	net_addr *nets = malloc(N * sizeof(*nets));
	char err[80];
	uint32_t path = 65011;
	bgp_attrs_init(a);
	BGP_SET(a, BGP_A_ORIGIN);
	BGP_SET(a, BGP_A_AS_PATH);
	bgp_path_append(&a->path, BGP_AS_SEQUENCE, &path, 1);
	BGP_SET(a, BGP_A_NEXT_HOP);
	ck_assert_int_eq(bgp_session_local_addr(A.s, &a->next_hop), 0);
	struct bgp_attr_ctx ctx = bgp_session_attr_ctx(A.s);
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ctx, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < N; i++)
		nets[i] = net_make(ip4_make(0x64400000u + i), AF_IP4, 32);
	size_t at = 0;
	int rounds = 0;
	while (at < N && rounds < 1000) {
		uint8_t buf[BGP_MAX_LEN];
		while (at < N && bgp_session_outq(A.s) < BGP_OUTQ_HIGH) {
			size_t used, len = bgp_build_reach(b, nets + at, N - at, &used, buf, sizeof(buf));
			ck_assert_int_eq(bgp_session_send(A.s, buf, len), 0);
			at += used;
		}
		ck_assert_uint_le(bgp_session_outq(A.s), BGP_OUTQ_HIGH + BGP_MAX_LEN);
		if (at < N) {
			tx_before = A.tx_space;
			run_until(a_tx_space, 5);
			ck_assert_int_gt(A.tx_space, tx_before);
		}
		rounds++;
	}
	ck_assert_uint_eq(at, N);
	uint8_t eor[32];
	bgp_session_send(A.s, eor, bgp_build_eor(BGP_FAM_IP4, eor, sizeof(eor)));
	run_until(b_has_all, 20);
	ck_assert_uint_eq(B.announced, N);
	ck_assert_int_gt(rounds, 1);	/* the watermark did hold output back */

	/* Cease with a shutdown communication, decoded at the other end. */
	bgp_session_stop(A.s, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance");
	ck_assert_int_eq(A.downs, 1);
	ck_assert(A.down.notif_sent);
	run_until(b_down, 5);
	ck_assert_int_eq(B.downs, 1);
	ck_assert(B.down.notif_received);
	ck_assert_uint_eq(B.down.code, 6);
	ck_assert_uint_eq(B.down.subcode, 2);
	ck_assert_str_eq(B.down.text, "Cease / Administrative shutdown: \"maintenance\"");
	ck_assert_int_eq(bgp_session_state(A.s), BGP_S_IDLE);
	/* B waits out its backoff, then is Active again (A refuses). */
	ck_assert_int_eq(bgp_session_state(B.s), BGP_S_IDLE);

	free(a);
	free(b);
	free(nets);
	side_free(&A);
	side_free(&B);
}
END_TEST

START_TEST(test_passive_and_restart)
{
	side_init(&A, "127.0.0.13", 65013, "127.0.0.14", 65013, 1);	/* iBGP, passive */
	side_init(&B, "127.0.0.14", 65013, "127.0.0.13", 65013, 0);
	bgp_session_start(A.s);
	ck_assert_int_eq(bgp_session_state(A.s), BGP_S_ACTIVE);
	bgp_session_start(B.s);
	run_until(both_up, 10);
	ck_assert(both_up());
	ck_assert_int_eq(A.collisions + B.collisions, 0);
	ck_assert(bgp_session_neg(A.s)->ibgp);

	/* B restarts: A sees the Cease, both come back by themselves. */
	bgp_session_stop(B.s, BGP_CEASE_ADMIN_RESET, NULL);
	run_until(a_down, 5);
	ck_assert_uint_eq(A.down.subcode, BGP_CEASE_ADMIN_RESET);
	bgp_session_start(B.s);
	run_until(both_up, 10);
	ck_assert(both_up());
	ck_assert_int_eq(A.established, 2);
	side_free(&A);
	side_free(&B);
}
END_TEST

/* A raw connection from src to the listener of x, for rejection tests. */
static int rej_fd = -1;

static int rej_readable(void)
{
	struct pollfd p = { .fd = rej_fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1;
}

/* Connect from src to dst:port, let the loop run, and return what came back
 * (up to cap octets, until EOF); -1 if nothing within 3 s. */
static ssize_t rej_try(const char *src, const char *dst, uint8_t *buf, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b = { .sin_family = AF_INET, .sin_port = htons(port) };
	ssize_t n = 0, r;

	inet_pton(AF_INET, src, &a.sin_addr);
	inet_pton(AF_INET, dst, &b.sin_addr);
	rej_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(rej_fd, 0);
	ck_assert_int_eq(bind(rej_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(connect(rej_fd, (struct sockaddr *)&b, sizeof(b)), 0);
	run_until(rej_readable, 3);
	if (!rej_readable()) {
		close(rej_fd);
		return -1;
	}
	while ((size_t)n < cap && (r = recv(rej_fd, buf + n, cap - (size_t)n, MSG_DONTWAIT)) > 0)
		n += r;
	close(rej_fd);
	return n;
}

/* RFC 4486 4: a connection we do not take is told Cease / Connection
 * Rejected: from the neighbor of an Established session (which stays up),
 * and to a stopped session. */
START_TEST(test_reject)
{
	static const uint8_t want[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 21, BGP_MSG_NOTIFICATION,
					BGP_ERR_CEASE, BGP_CEASE_REJECTED };
	uint8_t got[64];

	side_init(&A, "127.0.0.21", 65021, "127.0.0.22", 65022, 1);
	side_init(&B, "127.0.0.22", 65022, "127.0.0.21", 65021, 0);
	bgp_session_start(A.s);
	bgp_session_start(B.s);
	run_until(both_up, 10);
	ck_assert(both_up());
	ck_assert_int_eq(rej_try("127.0.0.22", "127.0.0.21", got, sizeof(got)), (ssize_t)sizeof(want));
	ck_assert_mem_eq(got, want, sizeof(want));
	ck_assert(both_up());
	ck_assert_int_eq(A.downs + B.downs, 0);

	bgp_session_stop(B.s, BGP_CEASE_ADMIN_SHUTDOWN, NULL);
	bgp_session_stop(A.s, BGP_CEASE_ADMIN_SHUTDOWN, NULL);
	ck_assert_int_eq(rej_try("127.0.0.22", "127.0.0.21", got, sizeof(got)), (ssize_t)sizeof(want));
	ck_assert_mem_eq(got, want, sizeof(want));
	side_free(&A);
	side_free(&B);
}
END_TEST

/* RFC 4724 4.2, as BIRD: a neighbor with graceful restart that connects
 * again while Established has restarted; its new connection is taken (we
 * answer with our OPEN) and the old one goes without a NOTIFICATION. */
START_TEST(test_gr_new_connection)
{
	uint8_t got[256];

	side_gr = 1;
	side_init(&A, "127.0.0.23", 65023, "127.0.0.24", 65024, 1);
	side_init(&B, "127.0.0.24", 65024, "127.0.0.23", 65023, 0);
	side_gr = 0;
	bgp_session_start(A.s);
	bgp_session_start(B.s);
	run_until(both_up, 10);
	ck_assert(both_up());
	ssize_t n = rej_try("127.0.0.24", "127.0.0.23", got, sizeof(got));
	ck_assert_int_ge(n, BGP_HDR_LEN);
	ck_assert_uint_eq(got[18], BGP_MSG_OPEN);
	ck_assert_int_eq(A.downs, 1);
	ck_assert(!A.down.notif_sent && !A.down.notif_received);
	side_free(&A);
	side_free(&B);
}
END_TEST

START_TEST(test_bad_peer_as)
{
	side_init(&A, "127.0.0.15", 65015, "127.0.0.16", 65099, 1);	/* expects 65099 */
	side_init(&B, "127.0.0.16", 65016, "127.0.0.15", 65015, 0);
	bgp_session_start(A.s);
	bgp_session_start(B.s);
	run_until(b_failed, 5);
	ck_assert_msg(b_failed(), "B's last error: %s", bgp_session_last_error(B.s));
	ck_assert_int_eq(B.established, 0);
	ck_assert_int_ne(bgp_session_state(A.s), BGP_S_ESTABLISHED);
	ck_assert_ptr_nonnull(strstr(bgp_session_last_error(A.s), "peer AS 65016, expected 65099"));
	side_free(&A);
	side_free(&B);
}
END_TEST

/* ---- a scripted neighbor: raw bytes on a socket ------------------------- */

static struct {
	struct listener *l;		/* where the session under test connects */
	struct sk *sk;			/* the accepted connection */
	uint8_t in[1 << 16];		/* everything received */
	size_t inlen;
	int closed;			/* EOF or error seen */
} R;

static void raw_rx(struct sk *sk, void *data)
{
	size_t n = sk_inlen(sk);
	const uint8_t *p = sk_peek(sk, n);
	if (p && R.inlen + n <= sizeof(R.in)) {
		memcpy(R.in + R.inlen, p, n);
		R.inlen += n;
	}
	sk_drain(sk, n);
	check_done();
}

static void raw_error(struct sk *sk, void *data, int err, const char *msg)
{
	R.closed = 1;
	check_done();
}

static const struct sk_ops raw_ops = { .rx = raw_rx, .error = raw_error };

static void raw_accept(int fd, void *data)
{
	R.sk = sk_from_fd(fd, &raw_ops, NULL);
	check_done();
}

/* The n-th received message of a type (0-based): its offset, or -1. */
static long raw_find(int type, int nth)
{
	size_t at = 0;
	while (at + BGP_HDR_LEN <= R.inlen) {
		size_t len = (size_t)(R.in[at + 16] << 8 | R.in[at + 17]);
		if (len < BGP_HDR_LEN || at + len > R.inlen)
			break;
		if (R.in[at + 18] == type && nth-- == 0)
			return (long)at;
		at += len;
	}
	return -1;
}

static int raw_got_open(void) { return raw_find(BGP_MSG_OPEN, 0) >= 0; }
static int raw_got_notification(void) { return raw_find(BGP_MSG_NOTIFICATION, 0) >= 0 && R.closed; }
static int a_est(void) { return A.established > 0; }
static int a_update_seen(void) { return A.withdrawn_7606 > 0 || A.announced > 0; }

static void raw_send(const uint8_t *m, size_t len)
{
	ck_assert_int_eq(sk_write(R.sk, m, len), 0);
}

static int raw_no_v6;		/* the scripted neighbor does not offer IPv6 */
static int raw_require_v6;	/* the session under test requires it */

static void raw_send_open(uint16_t hold)
{
	struct bgp_open o;
	uint8_t b[BGP_MAX_LEN];
	bgp_open_init(&o, 65018, hold, 0x7f000012);
	if (raw_no_v6)
		o.caps.mp[BGP_FAM_IP6] = 0;
	raw_send(b, bgp_open_encode(&o, b, sizeof(b)));
}

static void raw_send_keepalive(void)
{
	uint8_t b[BGP_HDR_LEN];
	raw_send(b, bgp_keepalive_encode(b, sizeof(b)));
}

/* An UPDATE from attribute bytes and one /24. */
static void raw_send_update(const uint8_t *attrs, size_t alen)
{
	uint8_t b[BGP_MAX_LEN];
	size_t n = BGP_HDR_LEN;
	b[n++] = 0, b[n++] = 0;
	b[n++] = (uint8_t)(alen >> 8), b[n++] = (uint8_t)alen;
	memcpy(b + n, attrs, alen);
	n += alen;
	b[n++] = 24, b[n++] = 203, b[n++] = 0, b[n++] = 113;
	struct bgp_wr w = bgp_wr_make(b, sizeof(b));
	bgp_hdr_put(&w, (uint16_t)n, BGP_MSG_UPDATE);
	raw_send(b, n);
}

/* A (127.0.0.17, AS 65017, active) against the scripted neighbor. */
static void raw_setup(uint16_t hold)
{
	struct bgp_session_config cf = { 0 };
	char err[160];

	memset(&A, 0, sizeof(A));
	memset(&R, 0, sizeof(R));
	ip_pton("127.0.0.17", &cf.local);
	cf.has_local = 1;
	ip_pton("127.0.0.18", &cf.remote);
	cf.remote_port = port;
	cf.local_as = 65017;
	cf.remote_as = 65018;
	cf.router_id = 0x7f000011;
	cf.hold = hold;
	cf.connect_retry = 1;
	cf.error_wait_min = 5;
	cf.multihop = 2;
	cf.require_fam[BGP_FAM_IP6] = (uint8_t)raw_require_v6;
	A.s = bgp_session_new(&cf, &ops, &A);
	ip_addr r;
	ip_pton("127.0.0.18", &r);
	R.l = listen_tcp(r, port, NULL, raw_accept, NULL, err, sizeof(err));
	ck_assert_msg(R.l != NULL, "%s", err);
	bgp_session_start(A.s);
	run_until(raw_got_open, 5);
	ck_assert_msg(raw_got_open(), "no OPEN from the session");
}

static void raw_teardown(void)
{
	raw_no_v6 = raw_require_v6 = 0;
	bgp_session_free(A.s);
	if (R.sk)
		sk_close(R.sk);
	listener_free(R.l);
}

static void raw_establish(void)
{
	raw_send_open(90);
	raw_send_keepalive();
	run_until(a_est, 5);
	ck_assert_int_eq(A.established, 1);
}

static void assert_notification(int code, int subcode)
{
	long at = raw_find(BGP_MSG_NOTIFICATION, 0);
	ck_assert_msg(at >= 0, "no NOTIFICATION received");
	ck_assert_uint_eq(R.in[at + 19], code);
	ck_assert_uint_eq(R.in[at + 20], subcode);
}

START_TEST(test_hold_timer)
{
	raw_setup(3);
	raw_establish();
	ck_assert_uint_eq(bgp_session_neg(A.s)->hold, 3);
	double t0 = now_mono();
	/* Silence: the hold timer (3 s) expires, RFC 4271 6.5. */
	run_until(raw_got_notification, 8);
	double waited = now_mono() - t0;
	assert_notification(BGP_ERR_HOLD, 0);
	ck_assert_msg(waited > 2.5 && waited < 5, "hold expired after %.1f s", waited);
	ck_assert_int_eq(A.downs, 1);
	ck_assert(A.down.notif_sent);
	ck_assert_uint_eq(A.down.code, BGP_ERR_HOLD);
	/* Our own keepalives went out meanwhile (every hold/3 = 1 s). */
	ck_assert(raw_find(BGP_MSG_KEEPALIVE, 2) >= 0);
	ck_assert_int_eq(bgp_session_state(A.s), BGP_S_IDLE);
	raw_teardown();
}
END_TEST

START_TEST(test_bad_hold_time)
{
	raw_setup(90);
	raw_send_open(1);
	run_until(raw_got_notification, 5);
	assert_notification(BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD);
	ck_assert_int_eq(A.established, 0);
	ck_assert_ptr_nonnull(strstr(bgp_session_last_error(A.s), "unacceptable hold time 1"));
	raw_teardown();
}
END_TEST

START_TEST(test_fsm_error)
{
	static const uint8_t attrs[] = { 0x40, 1, 1, 0 };
	raw_setup(90);
	raw_send_open(90);
	/* An UPDATE where the KEEPALIVE is due: RFC 6608 5/2. */
	raw_send_update(attrs, sizeof(attrs));
	run_until(raw_got_notification, 5);
	assert_notification(BGP_ERR_FSM, 2);
	ck_assert_int_eq(A.established, 0);
	raw_teardown();
}
END_TEST

START_TEST(test_update_errors)
{
	/* ORIGIN 3: treat-as-withdraw, the session stays up. */
	static const uint8_t bad_origin[] = { 0x40, 1, 1, 3, 0x40, 2, 0, 0x40, 3, 4, 192, 0, 2, 1 };
	/* MP_UNREACH_NLRI twice: Malformed Attribute List, session reset. */
	static const uint8_t two_mp[] = { 0x80, 15, 3, 0, 2, 1, 0x80, 15, 3, 0, 2, 1 };

	raw_setup(90);
	raw_establish();
	raw_send_update(bad_origin, sizeof(bad_origin));
	run_until(a_update_seen, 5);
	ck_assert_int_eq(A.withdrawn_7606, 1);
	ck_assert_int_eq(bgp_session_state(A.s), BGP_S_ESTABLISHED);
	raw_send_update(two_mp, sizeof(two_mp));
	run_until(raw_got_notification, 5);
	assert_notification(BGP_ERR_UPDATE, BGP_UPD_MALFORMED_ATTRS);
	ck_assert_int_eq(A.downs, 1);
	ck_assert_uint_eq(A.down.subcode, BGP_UPD_MALFORMED_ATTRS);
	raw_teardown();
}
END_TEST

START_TEST(test_received_notification)
{
	uint8_t b[BGP_MAX_LEN];

	raw_setup(90);
	raw_establish();
	raw_send(b, bgp_cease_encode(BGP_CEASE_PEER_DECONF, NULL, b, sizeof(b)));
	run_until(a_down, 5);
	ck_assert_int_eq(A.downs, 1);
	ck_assert(A.down.notif_received);
	ck_assert_str_eq(A.down.text, "Cease / Peer de-configured");
	ck_assert_ptr_nonnull(strstr(bgp_session_last_error(A.s), "Received: Cease / Peer de-configured"));
	raw_teardown();
}
END_TEST

START_TEST(test_required_capability)
{
	/* Without the requirement: established, IPv6 simply not negotiated. */
	raw_no_v6 = 1;
	raw_setup(90);
	raw_establish();
	ck_assert(!bgp_session_neg(A.s)->fam[BGP_FAM_IP6]);
	raw_teardown();

	/* With it: OPEN error 2/7 carrying the MP capability (RFC 5492 3). */
	raw_no_v6 = raw_require_v6 = 1;
	raw_setup(90);
	raw_send_open(90);
	run_until(raw_got_notification, 5);
	assert_notification(BGP_ERR_OPEN, BGP_OPEN_BAD_CAP);
	long at = raw_find(BGP_MSG_NOTIFICATION, 0);
	static const uint8_t mp6[] = { 1, 4, 0, 2, 0, 1 };
	ck_assert_uint_eq(R.in[at + 17], 21 + sizeof(mp6));
	ck_assert_mem_eq(R.in + at + 21, mp6, sizeof(mp6));
	ck_assert_int_eq(A.established, 0);
	raw_teardown();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bgp_session");
	TCase *t = tcase_create("loopback");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_collision_and_updates);
	tcase_add_test(t, test_passive_and_restart);
	tcase_add_test(t, test_reject);
	tcase_add_test(t, test_gr_new_connection);
	tcase_add_test(t, test_bad_peer_as);
	tcase_add_test(t, test_hold_timer);
	tcase_add_test(t, test_bad_hold_time);
	tcase_add_test(t, test_fsm_error);
	tcase_add_test(t, test_update_errors);
	tcase_add_test(t, test_received_notification);
	tcase_add_test(t, test_required_capability);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
