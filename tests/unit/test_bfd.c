/*
 * Unit tests of proto/bfd/packets.c (the control packet codec) and
 * proto/bfd/fsm.c (the session state machine, RFC 5880 section 6): two
 * state machines talk to each other through encoded packets.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/bfd/fsm.h"
#include "proto/bfd/packets.h"

/* A Down packet, octet by octet as RFC 5880 4.1 draws it: Your
 * Discriminator 0, 1 s TX while down, 300 ms RX, multiplier 3. */
static const uint8_t bird_down[24] = {
	0x20, 0x40, 0x03, 0x18, 0x4a, 0x6b, 0x11, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0f, 0x42, 0x40, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x00, 0x00, 0x00,
};

START_TEST(test_decode)
{
	struct bfd_pkt p;
	const char *why = NULL;

	ck_assert_int_eq(bfd_pkt_decode(bird_down, sizeof bird_down, &p, &why), 0);
	ck_assert_uint_eq(p.vers, 1);
	ck_assert_uint_eq(p.state, BFD_S_DOWN);
	ck_assert_uint_eq(p.diag, 0);
	ck_assert_uint_eq(p.mult, 3);
	ck_assert_uint_eq(p.my_disc, 0x4a6b1102);
	ck_assert_uint_eq(p.your_disc, 0);
	ck_assert_uint_eq(p.des_min_tx, 1000000);
	ck_assert_uint_eq(p.req_min_rx, 300000);
}
END_TEST

/* RFC 5880 6.8.6: every check that needs no session */
START_TEST(test_decode_rejects)
{
	uint8_t b[32];
	struct bfd_pkt p;
	const char *why;

	memcpy(b, bird_down, 24);
	ck_assert_int_eq(bfd_pkt_decode(b, 23, &p, &why), -1);
	b[0] = 0x40;	/* version 2 */
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	ck_assert_str_eq(why, "version is not 1");
	memcpy(b, bird_down, 24);
	b[3] = 20;	/* length below 24 */
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	b[3] = 30;	/* length beyond the payload */
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	memcpy(b, bird_down, 24);
	b[2] = 0;	/* detect mult zero */
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	memcpy(b, bird_down, 24);
	b[1] |= BFD_F_MULTI;
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	memcpy(b, bird_down, 24);
	memset(b + 4, 0, 4);	/* my discriminator zero */
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	memcpy(b, bird_down, 24);
	b[1] |= BFD_F_AUTH;	/* an authentication type other than simple password */
	b[3] = 28;
	memcpy(b + 24, "\x02\x04\x01\x00", 4);
	ck_assert_int_eq(bfd_pkt_decode(b, 28, &p, &why), -1);
	ck_assert_str_eq(why, "authentication type not supported (only simple password)");
	memcpy(b + 24, "\x01\x03\x01\x00", 4);	/* an empty password */
	ck_assert_int_eq(bfd_pkt_decode(b, 28, &p, &why), -1);
	memcpy(b + 24, "\x01\x06\x01\x00", 4);	/* longer than the packet */
	ck_assert_int_eq(bfd_pkt_decode(b, 28, &p, &why), -1);
	b[3] = 25;	/* A bit and a length below 26 */
	ck_assert_int_eq(bfd_pkt_decode(b, 28, &p, &why), -1);
	memcpy(b, bird_down, 24);
	b[1] |= BFD_F_POLL | BFD_F_FINAL;
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &p, &why), -1);
	/* a longer datagram with a correct length field is fine */
	memcpy(b, bird_down, 24);
	ck_assert_int_eq(bfd_pkt_decode(b, 32, &p, &why), 0);
}
END_TEST

/* What BIRD 2.0.12 sent with `authentication simple; password "secret";`
 * (seen on the wire): Simple Password, key id 1. */
START_TEST(test_simple_password)
{
	static const uint8_t bird[33] = {
		0x20, 0x44, 0x05, 0x21, 0x56, 0x30, 0x1f, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40,
		0x00, 0x04, 0x93, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x09, 0x01, 's', 'e', 'c', 'r', 'e', 't',
	};
	struct bfd_pkt p, q;
	uint8_t b[BFD_PKT_MAX];
	const char *why;

	ck_assert_int_eq(bfd_pkt_decode(bird, sizeof bird, &p, &why), 0);
	ck_assert_uint_eq(p.auth_type, BFD_AUTH_SIMPLE);
	ck_assert_uint_eq(p.auth_key_id, 1);
	ck_assert_uint_eq(p.pw_len, 6);
	ck_assert_int_eq(memcmp(p.password, "secret", 6), 0);
	ck_assert_uint_eq(p.mult, 5);
	/* and we write it the same way */
	ck_assert_uint_eq(bfd_pkt_encode(&p, b, sizeof b), 33);
	ck_assert_int_eq(memcmp(b, bird, 33), 0);
	ck_assert_uint_eq(bfd_pkt_encode(&p, b, 32), 0);
	ck_assert_int_eq(bfd_pkt_decode(b, 33, &q, &why), 0);
	/* a truncated datagram */
	ck_assert_int_eq(bfd_pkt_decode(bird, 30, &p, &why), -1);
}
END_TEST

START_TEST(test_encode_roundtrip)
{
	struct bfd_pkt p = { .diag = BFD_D_NEIGHBOR_DOWN, .state = BFD_S_UP, .flags = BFD_F_POLL, .mult = 5,
			     .my_disc = 7, .your_disc = 0xdeadbeef, .des_min_tx = 300000, .req_min_rx = 250000 };
	struct bfd_pkt q;
	uint8_t b[24];
	const char *why;

	ck_assert_uint_eq(bfd_pkt_encode(&p, b, 23), 0);
	ck_assert_uint_eq(bfd_pkt_encode(&p, b, sizeof b), 24);
	ck_assert_uint_eq(b[0], 0x23);
	ck_assert_uint_eq(b[1], 0xe0);
	ck_assert_uint_eq(b[3], 24);
	ck_assert_int_eq(bfd_pkt_decode(b, 24, &q, &why), 0);
	ck_assert_uint_eq(q.diag, p.diag);
	ck_assert_uint_eq(q.state, p.state);
	ck_assert_uint_eq(q.flags, p.flags);
	ck_assert_uint_eq(q.your_disc, p.your_disc);
	ck_assert_uint_eq(q.req_min_rx, p.req_min_rx);
	ck_assert_str_eq(bfd_state_name(BFD_S_ADMIN_DOWN), "AdminDown");
	ck_assert_str_eq(bfd_diag_name(BFD_D_DETECT_EXPIRED), "Control detection time expired");
}
END_TEST

/* Carry one packet from a to b through the codec; returns b's events. */
static int carry(const struct bfd_fsm *a, struct bfd_fsm *b, int final)
{
	struct bfd_pkt p, q;
	uint8_t buf[24];
	const char *why;

	bfd_fsm_build(a, final, &p);
	ck_assert_uint_eq(bfd_pkt_encode(&p, buf, sizeof buf), 24);
	ck_assert_int_eq(bfd_pkt_decode(buf, 24, &q, &why), 0);
	return bfd_fsm_rx(b, &q);
}

START_TEST(test_handshake)
{
	struct bfd_fsm a, b;
	int ev;

	bfd_fsm_init(&a, 1, 300000, 300000, 3);
	bfd_fsm_init(&b, 2, 300000, 300000, 3);
	ck_assert_uint_eq(a.state, BFD_S_DOWN);
	/* 6.8.3: while not Up, at least 1 s */
	ck_assert_uint_eq(a.des_min_tx, 1000000);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&a), 1000000);
	ck_assert_uint_eq(bfd_fsm_detect_time(&a), 0);

	/* Down -> Init on a Down packet */
	ev = carry(&a, &b, 0);
	ck_assert(ev & BFD_EV_STATE);
	ck_assert_uint_eq(b.state, BFD_S_INIT);
	ck_assert_uint_eq(b.remote_disc, 1);
	/* Down -> Up on an Init packet */
	ev = carry(&b, &a, 0);
	ck_assert(ev & BFD_EV_STATE);
	ck_assert_uint_eq(a.state, BFD_S_UP);
	/* going Up drops TX to the configured 300 ms with a Poll */
	ck_assert_uint_eq(a.des_min_tx, 300000);
	ck_assert_uint_eq(a.poll, 1);
	/* Init -> Up on an Up packet (with the Poll bit, answered Final) */
	ev = carry(&a, &b, 0);
	ck_assert(ev & BFD_EV_STATE);
	ck_assert(ev & BFD_EV_FINAL);
	ck_assert_uint_eq(b.state, BFD_S_UP);
	ck_assert_uint_eq(b.poll, 1);
	/* the Final ends a's poll */
	carry(&b, &a, 1);
	ck_assert_uint_eq(a.poll, 0);
	carry(&a, &b, 1);
	ck_assert_uint_eq(b.poll, 0);
	ck_assert_uint_eq(bfd_fsm_tx_interval(&a), 300000);
	/* detection time: remote mult x max(our RX, its TX) */
	ck_assert_uint_eq(bfd_fsm_detect_time(&a), 900000);
	ck_assert_uint_eq(bfd_fsm_detect_time(&b), 900000);
}
END_TEST

static void bring_up(struct bfd_fsm *a, struct bfd_fsm *b)
{
	bfd_fsm_init(a, 1, 300000, 300000, 3);
	bfd_fsm_init(b, 2, 300000, 300000, 3);
	carry(a, b, 0);
	carry(b, a, 0);
	carry(a, b, 0);
	carry(b, a, 1);
	carry(a, b, 1);
	ck_assert_uint_eq(a->state, BFD_S_UP);
	ck_assert_uint_eq(b->state, BFD_S_UP);
}

START_TEST(test_detect_timeout)
{
	struct bfd_fsm a, b;

	bring_up(&a, &b);
	int ev = bfd_fsm_timeout(&a);
	ck_assert(ev & BFD_EV_STATE);
	ck_assert_uint_eq(a.state, BFD_S_DOWN);
	ck_assert_uint_eq(a.diag, BFD_D_DETECT_EXPIRED);
	ck_assert_uint_eq(a.remote_disc, 0);
	ck_assert_uint_eq(a.des_min_tx, 1000000);
	/* b hears Down: neighbor signalled down */
	carry(&a, &b, 0);
	ck_assert_uint_eq(b.state, BFD_S_DOWN);
	ck_assert_uint_eq(b.diag, BFD_D_NEIGHBOR_DOWN);
	/* a timeout while Down changes no state */
	ck_assert_int_eq(bfd_fsm_timeout(&b) & BFD_EV_STATE, 0);
}
END_TEST

START_TEST(test_admin_down)
{
	struct bfd_fsm a, b;

	bring_up(&a, &b);
	ck_assert(bfd_fsm_admin(&a, 1) & BFD_EV_STATE);
	ck_assert_uint_eq(a.state, BFD_S_ADMIN_DOWN);
	carry(&a, &b, 0);
	ck_assert_uint_eq(b.state, BFD_S_DOWN);
	ck_assert_uint_eq(b.diag, BFD_D_NEIGHBOR_DOWN);
	/* AdminDown discards what it hears and stays */
	ck_assert(carry(&b, &a, 0) & BFD_EV_DISCARD);
	ck_assert_uint_eq(a.state, BFD_S_ADMIN_DOWN);
	/* an Up packet does not bring a Down session up: Down needs Down or Init */
	bfd_fsm_admin(&a, 0);
	ck_assert_uint_eq(a.state, BFD_S_DOWN);
}
END_TEST

/* 6.8.3: a larger TX while Up takes effect only when the poll ends; a
 * smaller RX keeps the old detection time until then. */
START_TEST(test_poll_timer_change)
{
	struct bfd_fsm a, b;

	bring_up(&a, &b);
	int ev = bfd_fsm_set_params(&a, 600000, 100000, 3);
	ck_assert(ev & BFD_EV_SEND);
	ck_assert_uint_eq(a.poll, 1);
	ck_assert_uint_eq(a.des_min_tx, 600000);
	ck_assert_uint_eq(a.act_tx, 300000);	/* not yet */
	ck_assert_uint_eq(a.act_rx, 300000);	/* not yet */
	ck_assert_uint_eq(bfd_fsm_tx_interval(&a), 300000);
	ev = carry(&a, &b, 0);
	ck_assert(ev & BFD_EV_FINAL);
	ck_assert_uint_eq(b.remote_des_tx, 600000);
	ck_assert_uint_eq(bfd_fsm_detect_time(&b), 1800000);
	carry(&b, &a, 1);
	ck_assert_uint_eq(a.poll, 0);
	ck_assert_uint_eq(a.act_tx, 600000);
	ck_assert_uint_eq(a.act_rx, 100000);
	/* a's detection: max(100 ms, b's 300 ms) x 3 */
	ck_assert_uint_eq(bfd_fsm_detect_time(&a), 900000);
	/* the built packet never carries P and F together */
	struct bfd_pkt p;
	a.poll = 1;
	bfd_fsm_build(&a, 1, &p);
	ck_assert_uint_eq(p.flags & (BFD_F_POLL | BFD_F_FINAL), BFD_F_FINAL);
}
END_TEST

START_TEST(test_remote_min_rx_zero)
{
	struct bfd_fsm a;
	struct bfd_pkt p = { .vers = 1, .state = BFD_S_DOWN, .mult = 3, .my_disc = 9, .des_min_tx = 1000000,
			     .req_min_rx = 0 };

	bfd_fsm_init(&a, 1, 300000, 300000, 3);
	bfd_fsm_rx(&a, &p);
	/* 6.8.7: the remote wants no periodic packets */
	ck_assert_uint_eq(bfd_fsm_tx_interval(&a), 0);
}
END_TEST

START_TEST(test_jitter)
{
	ck_assert_uint_eq(bfd_jitter(1000000, 3, 0.0), 750000);
	ck_assert_uint_le(bfd_jitter(1000000, 3, 0.999), 1000000);
	ck_assert_uint_ge(bfd_jitter(1000000, 3, 0.999), 999000);
	/* multiplier 1: at most 90% */
	ck_assert_uint_le(bfd_jitter(1000000, 1, 0.999), 900000);
	ck_assert_uint_ge(bfd_jitter(1000000, 1, 0.0), 750000);
	for (int i = 0; i < 1000; i++) {
		uint32_t j = bfd_jitter(300000, 3, i / 1000.0);
		ck_assert_uint_ge(j, 225000);
		ck_assert_uint_le(j, 300000);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bfd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_decode_rejects);
	tcase_add_test(tc, test_encode_roundtrip);
	tcase_add_test(tc, test_simple_password);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_detect_timeout);
	tcase_add_test(tc, test_admin_down);
	tcase_add_test(tc, test_poll_timer_change);
	tcase_add_test(tc, test_remote_min_rx_zero);
	tcase_add_test(tc, test_jitter);
	suite_add_tcase(s, tc);
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
