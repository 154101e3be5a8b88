/*
 * Unit tests of proto/bgp/packets.c: framing, OPEN and capabilities,
 * NOTIFICATION, ROUTE-REFRESH and the OPEN negotiation.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto/bgp/packets.h"

static uint8_t buf[BGP_MAX_LEN];

/* Encode an OPEN and decode it back through the framing. */
static void open_roundtrip(const struct bgp_open *in, struct bgp_open *out)
{
	struct bgp_err e;
	uint16_t len;
	uint8_t type;

	size_t n = bgp_open_encode(in, buf, sizeof(buf));
	ck_assert_uint_gt(n, 28);
	ck_assert_int_eq(bgp_hdr_check(buf, n, &len, &type, &e), 1);
	ck_assert_uint_eq(len, n);
	ck_assert_uint_eq(type, BGP_MSG_OPEN);
	ck_assert_int_eq(bgp_open_decode(buf + 19, n - 19, out, &e), 0);
}

START_TEST(test_header)
{
	struct bgp_err e;
	uint16_t len;
	uint8_t type;
	size_t n = bgp_keepalive_encode(buf, sizeof(buf));

	ck_assert_uint_eq(n, 19);
	ck_assert_int_eq(bgp_hdr_check(buf, 18, &len, &type, &e), 0);
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), 1);
	ck_assert_uint_eq(type, BGP_MSG_KEEPALIVE);

	buf[3] = 0xfe;
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), -1);
	ck_assert_uint_eq(e.code, 1);
	ck_assert_uint_eq(e.subcode, 1);
	buf[3] = 0xff;

	buf[17] = 20;	/* KEEPALIVE must be exactly 19 */
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), -1);
	ck_assert_uint_eq(e.subcode, 2);
	ck_assert_uint_eq(e.datalen, 2);
	ck_assert_uint_eq(e.data[1], 20);

	buf[18] = BGP_MSG_UPDATE;
	buf[16] = 0x10, buf[17] = 0x01;	/* 4097 */
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), -1);
	ck_assert_uint_eq(e.subcode, 2);
	buf[16] = 0x10, buf[17] = 0x00;	/* 4096 */
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), 1);
	ck_assert_uint_eq(len, 4096);
	buf[16] = 0, buf[17] = 22;	/* below the UPDATE minimum */
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), -1);

	buf[17] = 19;
	buf[18] = 6;
	ck_assert_int_eq(bgp_hdr_check(buf, 19, &len, &type, &e), -1);
	ck_assert_uint_eq(e.subcode, 3);
	ck_assert_uint_eq(e.data[0], 6);
}
END_TEST

START_TEST(test_open_roundtrip)
{
	struct bgp_open o, d;
	char text[512];

	bgp_open_init(&o, 65001, 90, 0xc0000201);
	o.caps.enhanced_rr = 1;
	o.caps.gr = 1;
	o.caps.gr_restart = 1;
	o.caps.gr_notification = 1;
	o.caps.gr_time = 120;
	o.caps.gr_af[BGP_FAM_IP4] = 1;
	o.caps.gr_fwd[BGP_FAM_IP4] = 1;
	o.caps.gr_af[BGP_FAM_IP6] = 1;
	open_roundtrip(&o, &d);
	ck_assert_uint_eq(d.version, 4);
	ck_assert_uint_eq(d.my_as, 65001);
	ck_assert_uint_eq(d.hold, 90);
	ck_assert_uint_eq(d.id, 0xc0000201);
	ck_assert(d.caps.mp[0] && d.caps.mp[1] && d.caps.mp_seen);
	ck_assert(d.caps.route_refresh && d.caps.enhanced_rr && d.caps.as4);
	ck_assert_uint_eq(d.caps.as4_asn, 65001);
	ck_assert(d.caps.gr && d.caps.gr_restart && d.caps.gr_notification);
	ck_assert_uint_eq(d.caps.gr_time, 120);
	ck_assert(d.caps.gr_af[0] && d.caps.gr_fwd[0] && d.caps.gr_af[1] && !d.caps.gr_fwd[1]);
	bgp_caps_format(&d.caps, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "graceful restart (time 120, restarted, notification, ipv4 forwarding, ipv6)"));

	/* GR without the R bit. */
	o.caps.gr_restart = 0;
	o.caps.gr_notification = 0;
	open_roundtrip(&o, &d);
	ck_assert(d.caps.gr && !d.caps.gr_restart && !d.caps.gr_notification);
}
END_TEST

START_TEST(test_open_as4)
{
	struct bgp_open o, d;

	/* RFC 6793: a 4-octet ASN travels as AS_TRANS in My AS. */
	bgp_open_init(&o, 4200000000u, 90, 1);
	ck_assert_uint_eq(o.my_as, BGP_AS_TRANS);
	open_roundtrip(&o, &d);
	ck_assert_uint_eq(d.my_as, 23456);
	ck_assert_uint_eq(bgp_open_asn(&d), 4200000000u);
}
END_TEST

START_TEST(test_open_unknown_cap)
{
	struct bgp_open o, d;
	char text[512];
	static const uint8_t raw[] = { 73, 3, 'a', 'b', 'c' };	/* FQDN-ish, unknown to us */

	bgp_open_init(&o, 65001, 90, 1);
	memcpy(o.caps.raw, raw, sizeof(raw));
	o.caps.raw_len = sizeof(raw);
	open_roundtrip(&o, &d);
	ck_assert_uint_eq(d.caps.raw_len, sizeof(raw));
	ck_assert_mem_eq(d.caps.raw, raw, sizeof(raw));
	bgp_caps_format(&d.caps, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "capability 73 (3 octets)"));
}
END_TEST

/* Find capability code in an encoded OPEN (one Capabilities parameter). */
static const uint8_t *find_cap(const uint8_t *msg, size_t n, int code, uint8_t *len)
{
	/* header 19, version 1, AS 2, hold 2, id 4, optlen 1, type 1, plen 1 */
	size_t at = 19 + 10 + 2;
	while (at + 2 <= n) {
		if (msg[at] == code) {
			*len = msg[at + 1];
			return msg + at + 2;
		}
		at += 2 + (size_t)msg[at + 1];
	}
	return NULL;
}

/* An OPEN body with one Capabilities parameter holding caps. */
static size_t open_with_caps(uint8_t *b, const uint8_t *caps, size_t clen)
{
	size_t n = 0;
	b[n++] = 4;
	b[n++] = 0xfd, b[n++] = 0xea;		/* AS 65002 */
	b[n++] = 0, b[n++] = 90;
	b[n++] = 192, b[n++] = 0, b[n++] = 2, b[n++] = 2;
	b[n++] = (uint8_t)(clen + 2);
	b[n++] = 2, b[n++] = (uint8_t)clen;
	memcpy(b + n, caps, clen);
	return n + clen;
}

/* RFC 8950 3: Extended Next Hop Encoding, triples of 2+2+2 octets. */
START_TEST(test_open_ext_nh)
{
	static const uint8_t want[] = { 0, 1, 0, 1, 0, 2 };	/* IPv4 unicast, IPv6 next hop */
	struct bgp_open o, d;
	struct bgp_err e;
	char text[512];
	uint8_t l;

	bgp_open_init(&o, 65001, 90, 1);
	size_t n = bgp_open_encode(&o, buf, sizeof(buf));
	ck_assert_ptr_null(find_cap(buf, n, BGP_CAP_EXT_NH, &l));	/* not by default */
	o.caps.ext_nh = 1;
	n = bgp_open_encode(&o, buf, sizeof(buf));
	const uint8_t *v = find_cap(buf, n, BGP_CAP_EXT_NH, &l);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(l, 6);
	ck_assert_mem_eq(v, want, 6);
	open_roundtrip(&o, &d);
	ck_assert(d.caps.ext_nh);
	ck_assert_uint_eq(d.caps.raw_len, 0);
	bgp_caps_format(&d.caps, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "extended next hop ipv4"));

	/* As FRR sends it for an IPv6 neighbor: IPv4 unicast and VPNv4 (SAFI
	 * 128); we take the first and ignore the second. */
	static const uint8_t frr[] = { 5, 12, 0, 1, 0, 1, 0, 2, 0, 1, 0, 128, 0, 2 };
	uint8_t b[64];
	n = open_with_caps(b, frr, sizeof(frr));
	ck_assert_int_eq(bgp_open_decode(b, n, &d, &e), 0);
	ck_assert(d.caps.ext_nh);

	/* Only triples that are not ours: VPNv4, and IPv4 with IPv4 next hops. */
	static const uint8_t other[] = { 5, 12, 0, 1, 0, 128, 0, 2, 0, 1, 0, 1, 0, 1 };
	n = open_with_caps(b, other, sizeof(other));
	ck_assert_int_eq(bgp_open_decode(b, n, &d, &e), 0);
	ck_assert(!d.caps.ext_nh);

	/* A length that is no multiple of 6, or 0: malformed. */
	static const uint8_t bad[] = { 5, 5, 0, 1, 0, 1, 0 };
	n = open_with_caps(b, bad, sizeof(bad));
	ck_assert_int_eq(bgp_open_decode(b, n, &d, &e), -1);
	ck_assert_uint_eq(e.code, BGP_ERR_OPEN);
	static const uint8_t empty[] = { 5, 0 };
	n = open_with_caps(b, empty, sizeof(empty));
	ck_assert_int_eq(bgp_open_decode(b, n, &d, &e), -1);
}
END_TEST

/* RFC 9072: extended optional parameters length. */
START_TEST(test_open_extended_params)
{
	uint8_t b[64];
	struct bgp_open d;
	struct bgp_err e;
	size_t n = 0;

	b[n++] = 4;
	b[n++] = 0xfd, b[n++] = 0xe9;		/* AS 65001 */
	b[n++] = 0, b[n++] = 30;
	b[n++] = 1, b[n++] = 2, b[n++] = 3, b[n++] = 4;
	b[n++] = 255;				/* non-extended length 255 */
	b[n++] = 255;				/* type 255: extended */
	b[n++] = 0, b[n++] = 11;		/* extended length */
	b[n++] = 2, b[n++] = 0, b[n++] = 8;	/* capabilities, 2-octet length */
	b[n++] = 65, b[n++] = 4, b[n++] = 0, b[n++] = 0, b[n++] = 0xfd, b[n++] = 0xe9;
	b[n++] = 2, b[n++] = 0;			/* route refresh */
	ck_assert_int_eq(bgp_open_decode(b, n, &d, &e), 0);
	ck_assert_uint_eq(d.hold, 30);
	ck_assert(d.caps.as4 && d.caps.route_refresh);
	ck_assert_uint_eq(d.caps.as4_asn, 65001);

	/* One octet short: the lengths disagree. */
	ck_assert_int_eq(bgp_open_decode(b, n - 1, &d, &e), -1);
	ck_assert_uint_eq(e.code, BGP_ERR_OPEN);
}
END_TEST

START_TEST(test_open_errors)
{
	struct bgp_open o, d;
	struct bgp_err e;

	bgp_open_init(&o, 65001, 90, 1);
	size_t n = bgp_open_encode(&o, buf, sizeof(buf));
	buf[19] = 3;
	ck_assert_int_eq(bgp_open_decode(buf + 19, n - 19, &d, &e), -1);
	ck_assert_uint_eq(e.code, 2);
	ck_assert_uint_eq(e.subcode, 1);
	ck_assert_uint_eq(e.datalen, 2);
	ck_assert_uint_eq(e.data[1], 4);
	buf[19] = 4;
	buf[29] = 1;	/* optional parameter type 1 (authentication) */
	ck_assert_int_eq(bgp_open_decode(buf + 19, n - 19, &d, &e), -1);
	ck_assert_uint_eq(e.code, 2);
	ck_assert_uint_eq(e.subcode, 4);
	buf[29] = 2;
	buf[32] = 5;	/* MP capability with length 5 */
	ck_assert_int_eq(bgp_open_decode(buf + 19, n - 19, &d, &e), -1);
	ck_assert_uint_eq(e.code, 2);
	/* Truncated capability list. */
	buf[32] = 4;
	ck_assert_int_eq(bgp_open_decode(buf + 19, n - 20, &d, &e), -1);
}
END_TEST

static int negotiate(uint16_t our_hold, uint16_t peer_hold, struct bgp_neg *n, struct bgp_err *e)
{
	struct bgp_open ours, peer;
	struct bgp_neg_params p = { .local_as = 65001, .peer_as = 65002 };

	bgp_open_init(&ours, 65001, our_hold, 1);
	bgp_open_init(&peer, 65002, peer_hold, 2);
	return bgp_open_negotiate(&p, &ours, &peer, n, e);
}

START_TEST(test_negotiate_hold)
{
	struct bgp_neg n;
	struct bgp_err e;

	ck_assert_int_eq(negotiate(90, 0, &n, &e), 0);
	ck_assert_uint_eq(n.hold, 0);
	ck_assert_uint_eq(n.keepalive, 0);
	ck_assert_int_eq(negotiate(90, 1, &n, &e), -1);
	ck_assert_uint_eq(e.code, 2);
	ck_assert_uint_eq(e.subcode, 6);
	ck_assert_int_eq(negotiate(90, 2, &n, &e), -1);
	ck_assert_uint_eq(e.subcode, 6);
	ck_assert_int_eq(negotiate(90, 3, &n, &e), 0);
	ck_assert_uint_eq(n.hold, 3);
	ck_assert_uint_eq(n.keepalive, 1);
	ck_assert_int_eq(negotiate(15, 90, &n, &e), 0);
	ck_assert_uint_eq(n.hold, 15);
	ck_assert_uint_eq(n.keepalive, 5);
	ck_assert(n.as4 && n.fam[0] && n.fam[1] && n.route_refresh && !n.ibgp);
	ck_assert_str_eq(n.missing, "");
}
END_TEST

START_TEST(test_negotiate_keepalive)
{
	struct bgp_open ours, peer;
	struct bgp_neg n;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = 65001, .peer_as = 65002, .keepalive = 4 };

	bgp_open_init(&ours, 65001, 90, 1);
	bgp_open_init(&peer, 65002, 30, 2);
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert_uint_eq(n.keepalive, 4);
	p.keepalive = 20;	/* beyond hold/3: fall back to hold/3 */
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert_uint_eq(n.keepalive, 10);
}
END_TEST

START_TEST(test_negotiate_as)
{
	struct bgp_open ours, peer;
	struct bgp_neg n;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = 65001, .peer_as = 65003 };

	bgp_open_init(&ours, 65001, 90, 1);
	bgp_open_init(&peer, 65002, 90, 2);
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	ck_assert_uint_eq(e.code, 2);
	ck_assert_uint_eq(e.subcode, 2);

	/* A 4-octet peer: AS_TRANS in My AS, the real ASN in the capability. */
	p.peer_as = 4200000000u;
	bgp_open_init(&peer, 4200000000u, 90, 2);
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert_uint_eq(n.peer_as, 4200000000u);
	ck_assert(n.as4);

	/* The same peer without the capability shows only AS_TRANS. */
	peer.caps.as4 = 0;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	ck_assert_uint_eq(e.subcode, 2);

	/* An old speaker with a 2-octet ASN is fine, and reported. */
	p.peer_as = 65002;
	bgp_open_init(&peer, 65002, 90, 2);
	peer.caps.as4 = 0;
	peer.caps.mp[BGP_FAM_IP6] = 0;
	peer.caps.route_refresh = 0;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert(!n.as4 && n.fam[0] && !n.fam[1] && !n.route_refresh);
	ck_assert_str_eq(n.missing, "ipv6, route refresh, 4-octet AS");

	/* A capability claiming AS_TRANS itself is wrong. */
	bgp_open_init(&peer, BGP_AS_TRANS, 90, 2);
	p.peer_as = 0;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	ck_assert_uint_eq(e.subcode, 2);

	/* No MP capability at all: IPv4 unicast implied (RFC 4760 8). */
	bgp_open_init(&peer, 65002, 90, 2);
	peer.caps.mp_seen = 0;
	peer.caps.mp[0] = peer.caps.mp[1] = 0;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert(n.fam[0] && !n.fam[1]);
}
END_TEST

START_TEST(test_negotiate_id)
{
	struct bgp_open ours, peer;
	struct bgp_neg n;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = 65001, .peer_as = 0 };

	bgp_open_init(&ours, 65001, 90, 7);
	bgp_open_init(&peer, 65002, 90, 0);
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	ck_assert_uint_eq(e.subcode, 3);
	/* RFC 6286: equal identifiers matter only within one AS. */
	peer.id = 7;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	bgp_open_init(&peer, 65001, 90, 7);
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	ck_assert_uint_eq(e.subcode, 3);
	peer.id = 8;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert(n.ibgp);
}
END_TEST

START_TEST(test_negotiate_gr)
{
	struct bgp_open ours, peer;
	struct bgp_neg n;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = 65001 };

	bgp_open_init(&ours, 65001, 90, 1);
	bgp_open_init(&peer, 65002, 90, 2);
	peer.caps.gr = 1;
	peer.caps.gr_restart = 1;
	peer.caps.gr_time = 300;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert(n.peer_gr && n.peer_gr_restart);
	ck_assert_uint_eq(n.peer_gr_time, 300);
}
END_TEST

/* RFC 8950 4: an IPv6 next hop for IPv4 routes only when the peer offered
 * the capability, and (as BIRD) only where we offered it too. */
START_TEST(test_negotiate_ext_nh)
{
	struct bgp_open ours, peer;
	struct bgp_neg n;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = 65001 };

	for (int o = 0; o < 2; o++)
		for (int q = 0; q < 2; q++) {
			bgp_open_init(&ours, 65001, 90, 1);
			bgp_open_init(&peer, 65002, 90, 2);
			ours.caps.ext_nh = (uint8_t)o;
			peer.caps.ext_nh = (uint8_t)q;
			ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
			ck_assert_uint_eq(n.ext_nh, o && q);
			/* nobody lacks it: the session works without */
			ck_assert_str_eq(n.missing, "");
		}
	/* A peer without IPv4 unicast gets no IPv4 routes at all. */
	bgp_open_init(&ours, 65001, 90, 1);
	bgp_open_init(&peer, 65002, 90, 2);
	ours.caps.ext_nh = peer.caps.ext_nh = 1;
	peer.caps.mp[BGP_FAM_IP4] = 0;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert(!n.ext_nh);
}
END_TEST

START_TEST(test_negotiate_required_caps)
{
	struct bgp_open ours, peer;
	struct bgp_neg n;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = 65001 };

	bgp_open_init(&ours, 65001, 90, 1);
	bgp_open_init(&peer, 65002, 90, 2);
	peer.caps.mp[BGP_FAM_IP6] = 0;
	/* Not required: reported only. */
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), 0);
	ck_assert_str_eq(n.missing, "ipv6");
	/* Required: 2/7 with the capability in the data (RFC 5492 3). */
	p.require_fam[BGP_FAM_IP6] = 1;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	ck_assert_uint_eq(e.code, 2);
	ck_assert_uint_eq(e.subcode, 7);
	static const uint8_t mp6[] = { 1, 4, 0, 2, 0, 1 };
	ck_assert_uint_eq(e.datalen, sizeof(mp6));
	ck_assert_mem_eq(e.data, mp6, sizeof(mp6));
	/* Route refresh and AS4 likewise, in order. */
	p.require_fam[BGP_FAM_IP6] = 0;
	p.require_rr = p.require_as4 = 1;
	peer.caps.route_refresh = 0;
	peer.caps.as4 = 0;
	ck_assert_int_eq(bgp_open_negotiate(&p, &ours, &peer, &n, &e), -1);
	static const uint8_t rr_as4[] = { 2, 0, 65, 4, 0, 0, 0xfd, 0xe9 };
	ck_assert_uint_eq(e.datalen, sizeof(rr_as4));
	ck_assert_mem_eq(e.data, rr_as4, sizeof(rr_as4));
}
END_TEST

START_TEST(test_notification)
{
	struct bgp_notification n;
	struct bgp_err e;
	char text[512];
	uint16_t len;
	uint8_t type;

	size_t sz = bgp_cease_encode(BGP_CEASE_ADMIN_SHUTDOWN, "maintenance\n window", buf, sizeof(buf));
	ck_assert_int_eq(bgp_hdr_check(buf, sz, &len, &type, &e), 1);
	ck_assert_uint_eq(type, BGP_MSG_NOTIFICATION);
	ck_assert_int_eq(bgp_notification_decode(buf + 19, sz - 19, &n, &e), 0);
	ck_assert_uint_eq(n.code, 6);
	ck_assert_uint_eq(n.subcode, 2);
	ck_assert_str_eq(n.shutdown_text, "maintenance? window");
	bgp_notification_format(&n, text, sizeof(text));
	ck_assert_str_eq(text, "Cease / Administrative shutdown: \"maintenance? window\"");

	/* A communication length that overruns the data is ignored. */
	buf[21] = 200;
	ck_assert_int_eq(bgp_notification_decode(buf + 19, sz - 19, &n, &e), 0);
	ck_assert_str_eq(n.shutdown_text, "");

	sz = bgp_cease_encode(BGP_CEASE_PEER_DECONF, "ignored", buf, sizeof(buf));
	ck_assert_uint_eq(sz, 21);
	ck_assert_int_eq(bgp_notification_decode(buf + 19, sz - 19, &n, &e), 0);
	bgp_notification_format(&n, text, sizeof(text));
	ck_assert_str_eq(text, "Cease / Peer de-configured");

	/* A 300-octet text is cut to 255 octets. */
	char longtext[301];
	memset(longtext, 'x', 300);
	longtext[300] = 0;
	sz = bgp_cease_encode(BGP_CEASE_ADMIN_RESET, longtext, buf, sizeof(buf));
	ck_assert_uint_eq(sz, 21 + 1 + 255);

	sz = bgp_notification_encode(4, 0, NULL, 0, buf, sizeof(buf));
	ck_assert_int_eq(bgp_notification_decode(buf + 19, sz - 19, &n, &e), 0);
	bgp_notification_format(&n, text, sizeof(text));
	ck_assert_str_eq(text, "Hold timer expired");
	ck_assert_int_eq(bgp_notification_decode(buf + 19, 1, &n, &e), -1);
}
END_TEST

START_TEST(test_names)
{
	/* Every code and subcode of RFC 4271 4.5/6, RFC 4486, RFC 7313 has a name. */
	static const int max_sub[] = { 0, 3, 11, 11, 0, 3, 10, 1 };
	for (int c = 1; c <= 7; c++) {
		ck_assert_str_ne(bgp_err_name(c), "Unknown error");
		for (int s = 1; s <= max_sub[c]; s++)
			ck_assert_str_ne(bgp_suberr_name(c, s), "Unknown subcode");
		ck_assert_str_eq(bgp_suberr_name(c, max_sub[c] + 1), "Unknown subcode");
	}
	ck_assert_str_eq(bgp_err_name(8), "Unknown error");
	ck_assert_str_eq(bgp_suberr_name(6, 2), "Administrative shutdown");
	ck_assert_str_eq(bgp_suberr_name(6, 3), "Peer de-configured");
	ck_assert_str_eq(bgp_suberr_name(6, 6), "Other configuration change");
	ck_assert_str_eq(bgp_suberr_name(2, 6), "Unacceptable hold time");
	ck_assert_str_eq(bgp_suberr_name(3, 0), "Unspecific");
}
END_TEST

START_TEST(test_refresh)
{
	struct bgp_refresh r = { BGP_AFI_IP6, BGP_RR_BORR, BGP_SAFI_UNICAST }, d;
	struct bgp_err e;

	size_t n = bgp_refresh_encode(&r, buf, sizeof(buf));
	ck_assert_uint_eq(n, 23);
	ck_assert_int_eq(bgp_refresh_decode(buf + 19, 4, &d, &e), 0);
	ck_assert_uint_eq(d.afi, 2);
	ck_assert_uint_eq(d.subtype, 1);
	ck_assert_uint_eq(d.safi, 1);
	ck_assert_int_eq(bgp_refresh_decode(buf + 19, 5, &d, &e), -1);
	ck_assert_uint_eq(e.code, 7);
	ck_assert_uint_eq(e.subcode, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bgp_packets");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_header);
	tcase_add_test(t, test_open_roundtrip);
	tcase_add_test(t, test_open_as4);
	tcase_add_test(t, test_open_unknown_cap);
	tcase_add_test(t, test_open_extended_params);
	tcase_add_test(t, test_open_ext_nh);
	tcase_add_test(t, test_negotiate_ext_nh);
	tcase_add_test(t, test_open_errors);
	tcase_add_test(t, test_negotiate_hold);
	tcase_add_test(t, test_negotiate_keepalive);
	tcase_add_test(t, test_negotiate_as);
	tcase_add_test(t, test_negotiate_id);
	tcase_add_test(t, test_negotiate_gr);
	tcase_add_test(t, test_negotiate_required_caps);
	tcase_add_test(t, test_notification);
	tcase_add_test(t, test_names);
	tcase_add_test(t, test_refresh);
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
