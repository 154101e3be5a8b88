/*
 * Unit tests of proto/bgp/session.c over the real event loop, on loopback:
 * two sessions that both connect out and both accept (so RFC 4271 6.8
 * collision detection has to keep one connection), UPDATE delivery with
 * flow control, a Cease with a shutdown communication arriving decoded,
 * a passive side, and a wrong peer AS refused with OPEN error 2/2.
 * Every wait is bounded by a loop timer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
};

static struct side A, B;
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

static Suite *suite(void)
{
	Suite *s = suite_create("bgp_session");
	TCase *t = tcase_create("loopback");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_collision_and_updates);
	tcase_add_test(t, test_passive_and_restart);
	tcase_add_test(t, test_bad_peer_as);
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
