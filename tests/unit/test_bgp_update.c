/*
 * Unit tests of proto/bgp/attrs.c and proto/bgp/update.c: attribute round
 * trips, RFC 6793 AS4 handling, every RFC 7606 case with its outcome, the
 * prefix rules, End-of-RIB, and the packing of a million host routes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/bgp/update.h"

static struct bgp_update *u;
static const uint8_t fam_all[BGP_FAM_N] = { 1, 1 };
static const struct bgp_attr_ctx ebgp4 = { .as4 = 1, .ibgp = 0 };
static const struct bgp_attr_ctx ibgp4 = { .as4 = 1, .ibgp = 1 };
static const struct bgp_attr_ctx ebgp2 = { .as4 = 0, .ibgp = 0 };

static void setup(void)
{
	u = malloc(sizeof(*u));
	ck_assert_ptr_nonnull(u);
}

static void teardown(void)
{
	free(u);
}

/* ---- building test messages by hand ------------------------------------ */

struct msg {
	uint8_t b[BGP_MAX_LEN];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	ck_assert_uint_le(m->n + n, sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

#define PUT(m, ...) do { static const uint8_t _b[] = { __VA_ARGS__ }; put(m, _b, sizeof(_b)); } while (0)

/* Base attributes of an eBGP 4-octet session; omit one by its code. */
static void base_attrs(struct msg *a, int omit)
{
	if (omit != BGP_A_ORIGIN)
		PUT(a, 0x40, 1, 1, 0);
	if (omit != BGP_A_AS_PATH)
		PUT(a, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xea);	/* 65002 */
	if (omit != BGP_A_NEXT_HOP)
		PUT(a, 0x40, 3, 4, 192, 0, 2, 1);
}

/* An UPDATE body: no withdrawals, the attributes, 203.0.113.0/24. */
static void body(struct msg *m, const struct msg *a)
{
	m->n = 0;
	PUT(m, 0, 0);
	uint8_t l[2] = { (uint8_t)(a->n >> 8), (uint8_t)a->n };
	put(m, l, 2);
	put(m, a->b, a->n);
	PUT(m, 24, 203, 0, 113);
}

static void run(const struct bgp_attr_ctx *c, int omit, const uint8_t *extra, size_t elen)
{
	struct msg a = { .n = 0 }, m;
	base_attrs(&a, omit);
	put(&a, extra, elen);
	body(&m, &a);
	bgp_update_decode(m.b, m.n, c, fam_all, u);
}

/* ---- RFC 7606 cases --------------------------------------------------- */

struct case7606 {
	const char *name;
	int omit;			/* base attribute left out */
	uint8_t extra[24];		/* attribute bytes added */
	size_t elen;
	enum bgp_7606 action;		/* expected outcome */
	int subcode;			/* for RESET */
	int discarded;			/* attributes discarded */
};

static const struct case7606 cases[] = {
	{ "ORIGIN length 2 (7.1)", 1, { 0x40, 1, 2, 0, 0 }, 5, BGP_7606_WITHDRAW, 0, 0 },
	{ "ORIGIN value 3 (7.1)", 1, { 0x40, 1, 1, 3 }, 4, BGP_7606_WITHDRAW, 0, 0 },
	{ "ORIGIN optional flag (3c)", 1, { 0xc0, 1, 1, 0 }, 4, BGP_7606_WITHDRAW, 0, 0 },
	{ "AS_PATH segment type 5 (7.2)", 2, { 0x40, 2, 6, 5, 1, 0, 0, 0xfd, 0xea }, 9,
	  BGP_7606_WITHDRAW, 0, 0 },
	{ "AS_PATH segment length 0 (7.2)", 2, { 0x40, 2, 2, 2, 0 }, 5, BGP_7606_WITHDRAW, 0, 0 },
	{ "AS_PATH segment overrun (7.2)", 2, { 0x40, 2, 4, 2, 2, 0, 0 }, 7, BGP_7606_WITHDRAW, 0, 0 },
	{ "AS_PATH confed from eBGP (7.2)", 2, { 0x40, 2, 6, 3, 1, 0, 0, 0xfd, 0xea }, 9,
	  BGP_7606_WITHDRAW, 0, 0 },
	{ "NEXT_HOP length 5 (7.3)", 3, { 0x40, 3, 5, 1, 2, 3, 4, 5 }, 8, BGP_7606_WITHDRAW, 0, 0 },
	{ "NEXT_HOP 0.0.0.0 (7.3)", 3, { 0x40, 3, 4, 0, 0, 0, 0 }, 7, BGP_7606_WITHDRAW, 0, 0 },
	{ "NEXT_HOP multicast (7.3)", 3, { 0x40, 3, 4, 224, 0, 0, 5 }, 7, BGP_7606_WITHDRAW, 0, 0 },
	{ "MED length 3 (7.4)", 0, { 0x80, 4, 3, 0, 0, 0 }, 6, BGP_7606_WITHDRAW, 0, 0 },
	{ "LOCAL_PREF length 3 (7.5)", 0, { 0x40, 5, 3, 0, 0, 0 }, 6, BGP_7606_WITHDRAW, 0, 0 },
	{ "ATOMIC_AGGREGATE length 1 (7.6)", 0, { 0x40, 6, 1, 0 }, 4, BGP_7606_OK, 0, 1 },
	{ "AGGREGATOR length 7 (7.7)", 0, { 0xc0, 7, 7, 0, 0, 0, 1, 1, 2, 3 }, 10, BGP_7606_OK, 0, 1 },
	{ "COMMUNITIES length 5 (7.8)", 0, { 0xc0, 8, 5, 0, 0, 0, 1, 1 }, 8, BGP_7606_WITHDRAW, 0, 0 },
	{ "COMMUNITIES length 0 (7.8)", 0, { 0xc0, 8, 0 }, 3, BGP_7606_WITHDRAW, 0, 0 },
	{ "ORIGINATOR_ID length 3 (7.9)", 0, { 0x80, 9, 3, 1, 2, 3 }, 6, BGP_7606_WITHDRAW, 0, 0 },
	{ "CLUSTER_LIST length 0 (7.10)", 0, { 0x80, 10, 0 }, 3, BGP_7606_WITHDRAW, 0, 0 },
	{ "MP_REACH next hop length 5 (7.11)", 0,
	  { 0x80, 14, 11, 0, 2, 1, 5, 1, 2, 3, 4, 5, 0, 0 }, 14, BGP_7606_RESET, 9, 0 },
	{ "MP_REACH truncated (7.11)", 0, { 0x80, 14, 2, 0, 2 }, 5, BGP_7606_RESET, 9, 0 },
	{ "MP_UNREACH twice (3g)", 0, { 0x80, 15, 3, 0, 2, 1, 0x80, 15, 3, 0, 2, 1 }, 12,
	  BGP_7606_RESET, 1, 0 },
	{ "ORIGIN twice (3g)", 0, { 0x40, 1, 1, 2 }, 4, BGP_7606_OK, 0, 1 },
	{ "LARGE_COMMUNITY length 11 (RFC 8092 6)", 0,
	  { 0xc0, 32, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 }, 14, BGP_7606_WITHDRAW, 0, 0 },
	{ "unrecognized well-known (RFC 4271 6.3)", 0, { 0x40, 99, 1, 0 }, 4, BGP_7606_RESET, 2, 0 },
	{ "attribute overruns the list (4)", 0, { 0x40, 16, 9, 0 }, 4, BGP_7606_WITHDRAW, 0, 0 },
	{ "header cut short (4)", 0, { 0x40, 16 }, 2, BGP_7606_WITHDRAW, 0, 0 },
	{ "missing ORIGIN (3d)", 1, { 0 }, 0, BGP_7606_WITHDRAW, 0, 0 },
	{ "missing AS_PATH (3d)", 2, { 0 }, 0, BGP_7606_WITHDRAW, 0, 0 },
	{ "missing NEXT_HOP (3d)", 3, { 0 }, 0, BGP_7606_WITHDRAW, 0, 0 },
	{ "valid MED", 0, { 0x80, 4, 4, 0, 0, 0, 7 }, 7, BGP_7606_OK, 0, 0 },
};

START_TEST(test_7606)
{
	const struct case7606 *c = &cases[_i];

	run(&ebgp4, c->omit, c->extra, c->elen);
	ck_assert_msg(u->action == c->action, "%s: got %s (%s), expected %s", c->name,
		      bgp_7606_name(u->action), u->reason, bgp_7606_name(c->action));
	ck_assert_msg(u->discarded == c->discarded, "%s: %u discarded", c->name, u->discarded);
	if (c->action == BGP_7606_RESET) {
		ck_assert_uint_eq(u->err.code, BGP_ERR_UPDATE);
		ck_assert_msg(u->err.subcode == c->subcode, "%s: subcode %u", c->name, u->err.subcode);
	} else {
		/* The NLRI is still found, to be withdrawn or announced. */
		ck_assert_uint_eq(u->nannounced, 1);
		ck_assert_uint_eq(u->announced[0].len, 24);
	}
	if (c->action == BGP_7606_WITHDRAW)
		ck_assert_str_ne(u->reason, "");
}
END_TEST

START_TEST(test_7606_details)
{
	/* The unrecognized well-known attribute is the NOTIFICATION data. */
	static const uint8_t wk[] = { 0x40, 99, 1, 0 };
	run(&ebgp4, 0, wk, sizeof(wk));
	ck_assert_uint_eq(u->err.datalen, 4);
	ck_assert_mem_eq(u->err.data, wk, 4);

	/* A repeated attribute: the first one wins. */
	static const uint8_t origin2[] = { 0x40, 1, 1, 2 };
	run(&ebgp4, 0, origin2, sizeof(origin2));
	ck_assert_uint_eq(u->attrs.origin, BGP_ORIGIN_IGP);

	/* LOCAL_PREF from an external peer is dropped, from an internal kept. */
	static const uint8_t lp[] = { 0x40, 5, 4, 0, 0, 0, 200 };
	run(&ebgp4, 0, lp, sizeof(lp));
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert(!BGP_HAS(&u->attrs, BGP_A_LOCAL_PREF));
	run(&ibgp4, 0, lp, sizeof(lp));
	ck_assert(BGP_HAS(&u->attrs, BGP_A_LOCAL_PREF));
	ck_assert_uint_eq(u->attrs.local_pref, 200);

	/* Unknown optional transitive: kept with the Partial bit; unknown
	 * optional non-transitive: dropped. */
	static const uint8_t ot[] = { 0xc0, 99, 2, 0xab, 0xcd, 0x80, 98, 1, 0 };
	run(&ebgp4, 0, ot, sizeof(ot));
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->attrs.unknown_len, 5);
	ck_assert_uint_eq(u->attrs.unknown[0], 0xe0);
	ck_assert_uint_eq(u->attrs.unknown[1], 99);

	/* AS4_PATH malformed from an old speaker: discarded, path kept. */
	struct msg a = { .n = 0 }, m;
	PUT(&a, 0x40, 1, 1, 0, 0x40, 2, 4, 2, 1, 0xfd, 0xea, 0x40, 3, 4, 192, 0, 2, 1);
	PUT(&a, 0xc0, 17, 3, 2, 1, 0);
	body(&m, &a);
	bgp_update_decode(m.b, m.n, &ebgp2, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->discarded, 1);
	ck_assert_uint_eq(u->attrs.path.nasn, 1);
	ck_assert_uint_eq(u->attrs.path.asn[0], 65002);
}
END_TEST

static void decode_raw(const uint8_t *b, size_t n)
{
	bgp_update_decode(b, n, &ebgp4, fam_all, u);
}

START_TEST(test_prefix_rules)
{
	struct msg a = { .n = 0 }, m;
	base_attrs(&a, 0);

	/* Prefix length 33: Invalid Network Field, session reset. */
	m.n = 0;
	PUT(&m, 0, 0);
	uint8_t l[2] = { 0, (uint8_t)a.n };
	put(&m, l, 2);
	put(&m, a.b, a.n);
	PUT(&m, 33, 1, 2, 3, 4, 5);
	decode_raw(m.b, m.n);
	ck_assert_int_eq(u->action, BGP_7606_RESET);
	ck_assert_uint_eq(u->err.subcode, BGP_UPD_BAD_NETWORK);

	/* A prefix cut short. */
	m.n -= 6;
	PUT(&m, 24, 203, 0);
	decode_raw(m.b, m.n);
	ck_assert_int_eq(u->action, BGP_7606_RESET);

	/* Bits after the length: treat-as-withdraw, the prefix masked. */
	m.n -= 3;
	PUT(&m, 24, 203, 0, 113, 0, 32, 198, 51, 100, 7);
	decode_raw(m.b, m.n);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nannounced, 3);
	m.n -= 10;
	PUT(&m, 23, 203, 0, 113);
	decode_raw(m.b, m.n);
	ck_assert_int_eq(u->action, BGP_7606_WITHDRAW);
	ck_assert_uint_eq(u->announced[0].ip.w[3], 0xcb000000u | (112 << 8));

	/* Withdrawn length past the end: Malformed Attribute List. */
	static const uint8_t w[] = { 0, 9, 24, 203, 0, 113, 0, 0 };
	decode_raw(w, sizeof(w));
	ck_assert_int_eq(u->action, BGP_7606_RESET);
	ck_assert_uint_eq(u->err.subcode, BGP_UPD_MALFORMED_ATTRS);
	/* Total attribute length past the end. */
	static const uint8_t t[] = { 0, 0, 0, 9, 0x40, 1, 1, 0 };
	decode_raw(t, sizeof(t));
	ck_assert_int_eq(u->action, BGP_7606_RESET);
	ck_assert_uint_eq(u->err.subcode, BGP_UPD_MALFORMED_ATTRS);

	/* Withdrawals only, with a /0 and a /32. */
	static const uint8_t wd[] = { 0, 6, 0, 32, 192, 0, 2, 9, 0, 0 };
	decode_raw(wd, sizeof(wd));
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nwithdrawn, 2);
	ck_assert_uint_eq(u->withdrawn[0].len, 0);
	ck_assert_uint_eq(u->withdrawn[1].len, 32);
	ck_assert_int_eq(u->eor, -1);

	/* Prefixes of a family the session did not negotiate are skipped. */
	static const uint8_t off[BGP_FAM_N] = { 0, 1 };
	bgp_update_decode(wd, sizeof(wd), &ebgp4, off, u);
	ck_assert_uint_eq(u->nwithdrawn, 0);
}
END_TEST

/* ---- encode / decode round trips ---------------------------------------- */

static struct bgp_attrs *full_attrs(void)
{
	struct bgp_attrs *a = malloc(sizeof(*a));
	static const uint32_t seq[] = { 65002, 4200000000u }, set[] = { 1, 2 };

	bgp_attrs_init(a);
	BGP_SET(a, BGP_A_ORIGIN);
	a->origin = BGP_ORIGIN_EGP;
	BGP_SET(a, BGP_A_AS_PATH);
	bgp_path_append(&a->path, BGP_AS_SEQUENCE, seq, 2);
	bgp_path_append(&a->path, BGP_AS_SET, set, 2);
	BGP_SET(a, BGP_A_NEXT_HOP);
	a->next_hop = ip4_make(0xc0000201);
	BGP_SET(a, BGP_A_MED);
	a->med = 50;
	BGP_SET(a, BGP_A_LOCAL_PREF);
	a->local_pref = 300;
	BGP_SET(a, BGP_A_ATOMIC_AGGR);
	BGP_SET(a, BGP_A_AGGREGATOR);
	a->aggr_as = 4200000000u;
	a->aggr_id = 0x01020304;
	BGP_SET(a, BGP_A_COMMUNITY);
	a->ncomm = 2;
	a->comm[0] = 64512u << 16 | 100;
	a->comm[1] = 64512u << 16 | 200;
	BGP_SET(a, BGP_A_ORIGINATOR_ID);
	a->originator_id = 0x0a000001;
	BGP_SET(a, BGP_A_CLUSTER_LIST);
	a->ncluster = 1;
	a->cluster[0] = 0x0a000002;
	BGP_SET(a, BGP_A_LARGE_COMMUNITY);
	a->nlcomm = 1;
	a->lcomm[0] = (struct bgp_lcomm){ 4200000000u, 1, 2 };
	static const uint8_t unk[] = { 0xe0, 99, 2, 0xab, 0xcd };
	memcpy(a->unknown, unk, sizeof(unk));
	a->unknown_len = sizeof(unk);
	return a;
}

static void net4(net_addr *n, const char *s)
{
	ck_assert_int_eq(net_pton(s, n), 0);
}

START_TEST(test_roundtrip_ibgp)
{
	struct bgp_attrs *a = full_attrs();
	struct bgp_builder *b = malloc(sizeof(*b));
	uint8_t buf[BGP_MAX_LEN];
	net_addr nets[3];
	char err[64], text[2048];
	size_t used;

	net4(&nets[0], "203.0.113.0/24");
	net4(&nets[1], "198.51.100.7/32");
	net4(&nets[2], "0.0.0.0/0");
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ibgp4, err, sizeof(err)), 0);
	size_t n = bgp_build_reach(b, nets, 3, &used, buf, sizeof(buf));
	ck_assert_uint_eq(used, 3);
	bgp_update_decode(buf + 19, n - 19, &ibgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nannounced, 3);
	for (int i = 0; i < 3; i++)
		ck_assert(net_equal(&u->announced[i], &nets[i]));
	struct bgp_attrs *d = &u->attrs;
	ck_assert_uint_eq(d->present, a->present);
	ck_assert_uint_eq(d->origin, BGP_ORIGIN_EGP);
	ck_assert_uint_eq(d->path.nseg, 2);
	ck_assert_uint_eq(d->path.nasn, 4);
	ck_assert_mem_eq(d->path.asn, a->path.asn, 4 * sizeof(uint32_t));
	ck_assert(ip_equal(d->next_hop, a->next_hop));
	ck_assert_uint_eq(d->med, 50);
	ck_assert_uint_eq(d->local_pref, 300);
	ck_assert_uint_eq(d->aggr_as, 4200000000u);
	ck_assert_uint_eq(d->aggr_id, 0x01020304);
	ck_assert_uint_eq(d->ncomm, 2);
	ck_assert_uint_eq(d->comm[1], a->comm[1]);
	ck_assert_uint_eq(d->originator_id, 0x0a000001);
	ck_assert_uint_eq(d->cluster[0], 0x0a000002);
	ck_assert_uint_eq(d->nlcomm, 1);
	ck_assert_uint_eq(d->lcomm[0].global, 4200000000u);
	ck_assert_uint_eq(d->unknown_len, 5);
	ck_assert_mem_eq(d->unknown, a->unknown, 5);

	bgp_attrs_format(d, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "BGP.origin: EGP\n"));
	ck_assert_ptr_nonnull(strstr(text, "BGP.as_path: 65002 4200000000 {1 2}\n"));
	ck_assert_ptr_nonnull(strstr(text, "BGP.next_hop: 192.0.2.1\n"));
	ck_assert_ptr_nonnull(strstr(text, "BGP.community: (64512,100) (64512,200)\n"));
	ck_assert_ptr_nonnull(strstr(text, "BGP.large_community: (4200000000, 1, 2)\n"));
	ck_assert_ptr_nonnull(strstr(text, "BGP.aggregator: 1.2.3.4 AS4200000000\n"));
	free(a);
	free(b);
}
END_TEST

/* Find attribute code in an encoded UPDATE; returns its value or NULL. */
static const uint8_t *find_attr(const uint8_t *msg, int code, size_t *len)
{
	struct bgp_rd r = bgp_rd_make(msg + 19, BGP_MAX_LEN);
	uint16_t wl = bgp_get16(&r);
	bgp_getn(&r, NULL, wl);
	struct bgp_rd at = bgp_sub(&r, bgp_get16(&r));
	while (at.len && !at.err) {
		uint8_t fl = bgp_get8(&at), c = bgp_get8(&at);
		size_t l = (fl & BGP_AF_EXT_LEN) ? bgp_get16(&at) : bgp_get8(&at);
		const uint8_t *v = at.p;
		bgp_getn(&at, NULL, l);
		if (c == code) {
			*len = l;
			return v;
		}
	}
	return NULL;
}

START_TEST(test_as4_old_speaker)
{
	struct bgp_attrs *a = full_attrs();
	struct bgp_builder *b = malloc(sizeof(*b));
	uint8_t buf[BGP_MAX_LEN];
	net_addr n1;
	char err[64];
	size_t used, l;

	net4(&n1, "203.0.113.0/24");
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp2, err, sizeof(err)), 0);
	size_t n = bgp_build_reach(b, &n1, 1, &used, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);

	/* RFC 6793 4.2.2: AS_PATH with 2-octet ASNs and AS_TRANS ... */
	const uint8_t *v = find_attr(buf, BGP_A_AS_PATH, &l);
	ck_assert_ptr_nonnull(v);
	static const uint8_t want[] = { 2, 2, 0xfd, 0xea, 0x5b, 0xa0, 1, 2, 0, 1, 0, 2 };
	ck_assert_uint_eq(l, sizeof(want));
	ck_assert_mem_eq(v, want, sizeof(want));
	/* ... with the true path in AS4_PATH, AGGREGATOR likewise. */
	ck_assert_ptr_nonnull(find_attr(buf, BGP_A_AS4_PATH, &l));
	ck_assert_uint_eq(l, 2 + 8 + 2 + 8);
	v = find_attr(buf, BGP_A_AGGREGATOR, &l);
	ck_assert_uint_eq(l, 6);
	ck_assert_uint_eq(v[0] << 8 | v[1], BGP_AS_TRANS);
	ck_assert_ptr_nonnull(find_attr(buf, BGP_A_AS4_AGGREGATOR, &l));
	/* No LOCAL_PREF, ORIGINATOR_ID or CLUSTER_LIST towards eBGP. */
	ck_assert_ptr_null(find_attr(buf, BGP_A_LOCAL_PREF, &l));
	ck_assert_ptr_null(find_attr(buf, BGP_A_CLUSTER_LIST, &l));

	/* An old-speaker decode merges it all back (RFC 6793 4.2.3). */
	bgp_update_decode(buf + 19, n - 19, &ebgp2, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->attrs.path.nasn, 4);
	ck_assert_mem_eq(u->attrs.path.asn, a->path.asn, 4 * sizeof(uint32_t));
	ck_assert_uint_eq(u->attrs.aggr_as, 4200000000u);
	ck_assert(!BGP_HAS(&u->attrs, BGP_A_AS4_PATH));

	/* All 2-octet ASNs: no AS4_PATH at all. */
	static const uint32_t p2[] = { 65002 };
	bgp_path_clear(&a->path);
	bgp_path_append(&a->path, BGP_AS_SEQUENCE, p2, 1);
	a->aggr_as = 65002;
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp2, err, sizeof(err)), 0);
	bgp_build_reach(b, &n1, 1, &used, buf, sizeof(buf));
	ck_assert_ptr_null(find_attr(buf, BGP_A_AS4_PATH, &l));
	ck_assert_ptr_null(find_attr(buf, BGP_A_AS4_AGGREGATOR, &l));
	free(a);
	free(b);
}
END_TEST

START_TEST(test_as4_merge)
{
	struct bgp_aspath *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
	static const uint32_t old[] = { 1, BGP_AS_TRANS, 3 }, new4[] = { 4200000000u, 3 };
	static const uint32_t set[] = { 7, 8 };

	/* [1 TRANS 3] + AS4 [4200000000 3] = [1 4200000000 3] */
	bgp_path_clear(p);
	bgp_path_append(p, BGP_AS_SEQUENCE, old, 3);
	bgp_path_clear(q);
	bgp_path_append(q, BGP_AS_SEQUENCE, new4, 2);
	bgp_path_merge_as4(p, q);
	ck_assert_uint_eq(p->nasn, 3);
	ck_assert_uint_eq(p->asn[0], 1);
	ck_assert_uint_eq(p->asn[1], 4200000000u);
	ck_assert_uint_eq(p->asn[2], 3);

	/* AS4_PATH longer than AS_PATH: ignored. */
	bgp_path_clear(p);
	bgp_path_append(p, BGP_AS_SEQUENCE, old, 1);
	bgp_path_merge_as4(p, q);
	ck_assert_uint_eq(p->nasn, 1);
	ck_assert_uint_eq(p->asn[0], 1);

	/* A set counts as one: [1] {7 8} [TRANS] + AS4 [4200000000] */
	bgp_path_clear(p);
	bgp_path_append(p, BGP_AS_SEQUENCE, old, 1);
	bgp_path_append(p, BGP_AS_SET, set, 2);
	bgp_path_append(p, BGP_AS_SEQUENCE, old + 1, 1);
	bgp_path_clear(q);
	bgp_path_append(q, BGP_AS_SEQUENCE, new4, 1);
	bgp_path_merge_as4(p, q);
	ck_assert_int_eq(bgp_path_length(p), 3);
	ck_assert_uint_eq(p->nseg, 3);
	ck_assert_uint_eq(p->asn[3], 4200000000u);

	/* Through the decoder: an AGGREGATOR that is not AS_TRANS means the
	 * AS4 attributes are ignored. */
	struct msg a = { .n = 0 }, m;
	PUT(&a, 0x40, 1, 1, 0, 0x40, 2, 4, 2, 1, 0x5b, 0xa0, 0x40, 3, 4, 192, 0, 2, 1);
	PUT(&a, 0xc0, 7, 6, 0xfd, 0xea, 1, 2, 3, 4);
	PUT(&a, 0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00);
	body(&m, &a);
	bgp_update_decode(m.b, m.n, &ebgp2, fam_all, u);
	ck_assert_uint_eq(u->attrs.path.asn[0], BGP_AS_TRANS);
	/* ... and with AS_TRANS in AGGREGATOR they are used. */
	m.b[4 + 18 + 3] = 0x5b, m.b[4 + 18 + 4] = 0xa0;
	bgp_update_decode(m.b, m.n, &ebgp2, fam_all, u);
	ck_assert_uint_eq(u->attrs.path.asn[0], 4200000000u);
	/* From a NEW speaker AS4_PATH is discarded (4-octet AS_PATH). */
	struct msg a4 = { .n = 0 };
	PUT(&a4, 0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xea, 0x40, 3, 4, 192, 0, 2, 1);
	PUT(&a4, 0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x00);
	body(&m, &a4);
	bgp_update_decode(m.b, m.n, &ebgp4, fam_all, u);
	ck_assert_uint_eq(u->attrs.path.asn[0], 65002);
	free(p);
	free(q);
}
END_TEST

START_TEST(test_roundtrip_v6)
{
	struct bgp_attrs *a = full_attrs();
	struct bgp_builder *b = malloc(sizeof(*b));
	uint8_t buf[BGP_MAX_LEN];
	net_addr nets[3];
	char err[64];
	size_t used;

	ck_assert_int_eq(net_pton("2001:db8::/32", &nets[0]), 0);
	ck_assert_int_eq(net_pton("2001:db8:1::7/128", &nets[1]), 0);
	ck_assert_int_eq(net_pton("2001:db8:8000::/33", &nets[2]), 0);
	/* No IPv6 next hop yet: refused. */
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP6, a, &ebgp4, err, sizeof(err)), -1);
	ip_pton("2001:db8::1", &a->mp_next_hop);
	ip_pton("fe80::1", &a->mp_next_hop_ll);
	a->mp_has_ll = 1;
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP6, a, &ebgp4, err, sizeof(err)), 0);
	size_t n = bgp_build_reach(b, nets, 3, &used, buf, sizeof(buf));
	ck_assert_uint_eq(used, 3);
	size_t l;
	ck_assert_ptr_null(find_attr(buf, BGP_A_NEXT_HOP, &l));
	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nannounced, 3);
	for (int i = 0; i < 3; i++)
		ck_assert(net_equal(&u->announced[i], &nets[i]));
	ck_assert(ip_equal(u->attrs.mp_next_hop, a->mp_next_hop));
	ck_assert(u->attrs.mp_has_ll);
	ck_assert(ip_equal(u->attrs.mp_next_hop_ll, a->mp_next_hop_ll));

	/* Withdrawals of both families. */
	n = bgp_build_withdraw(BGP_FAM_IP6, nets, 3, &used, buf, sizeof(buf));
	ck_assert_uint_eq(used, 3);
	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nwithdrawn, 3);
	ck_assert(net_equal(&u->withdrawn[2], &nets[2]));
	ck_assert_int_eq(u->eor, -1);

	net4(&nets[0], "203.0.113.0/24");
	net4(&nets[1], "198.51.100.7/32");
	n = bgp_build_withdraw(BGP_FAM_IP4, nets, 2, &used, buf, sizeof(buf));
	ck_assert_uint_eq(n, 19 + 2 + 4 + 5 + 2);
	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_uint_eq(u->nwithdrawn, 2);
	ck_assert(net_equal(&u->withdrawn[1], &nets[1]));

	/* End-of-RIB markers. */
	n = bgp_build_eor(BGP_FAM_IP4, buf, sizeof(buf));
	ck_assert_uint_eq(n, 23);
	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->eor, BGP_FAM_IP4);
	n = bgp_build_eor(BGP_FAM_IP6, buf, sizeof(buf));
	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_int_eq(u->eor, BGP_FAM_IP6);
	free(a);
	free(b);
}
END_TEST

/*
 * The packing floor for N host routes sharing one attribute set: every
 * message pays the header (19), the two length fields (4) and the
 * attributes (A) once, every prefix 5 octets, and no message exceeds 4096.
 */
START_TEST(test_packing_1m)
{
	enum { N = 1000000 };
	net_addr *nets = malloc(N * sizeof(*nets));
	struct bgp_attrs *a = full_attrs();
	struct bgp_builder *b = malloc(sizeof(*b));
	uint8_t buf[BGP_MAX_LEN];
	char err[64];

	a->unknown_len = 0;
	for (uint32_t i = 0; i < N; i++)
		nets[i] = net_make(ip4_make(0x64400000u + i), AF_IP4, 32);	/* 100.64/10 */
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp4, err, sizeof(err)), 0);

	size_t total = 0, msgs = 0, at = 0, seen = 0;
	while (at < N) {
		size_t used;
		size_t n = bgp_build_reach(b, nets + at, N - at, &used, buf, sizeof(buf));
		ck_assert_uint_gt(used, 0);
		ck_assert_uint_le(n, BGP_MAX_LEN);
		/* Every message decodes back to the prefixes it took. */
		bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
		ck_assert_int_eq(u->action, BGP_7606_OK);
		ck_assert_uint_eq(u->nannounced, used);
		ck_assert(net_equal(&u->announced[used - 1], &nets[at + used - 1]));
		seen += u->nannounced;
		at += used;
		total += n;
		msgs++;
	}
	ck_assert_uint_eq(seen, N);

	size_t A = b->attrs_len;
	size_t per_msg = (BGP_MAX_LEN - 23 - A) / 5;
	size_t floor_msgs = (N + per_msg - 1) / per_msg;
	size_t floor = floor_msgs * (23 + A) + (size_t)N * 5;
	printf("packing: %d /32s in %zu messages, %zu octets, floor %zu (+%.3f%%)\n", N, msgs,
	       total, floor, 100.0 * ((double)total - (double)floor) / (double)floor);
	ck_assert_msg(total * 100 <= floor * 101, "%zu bytes in %zu messages, floor %zu", total,
		      msgs, floor);
	ck_assert_uint_ge(total, floor);
	free(nets);
	free(a);
	free(b);
}
END_TEST

/*
 * Real bytes: the stream BIRD 2.0.12 (AS 65001) sent to a 4-octet peer,
 * captured on loopback into the fuzz seed corpus.  Run from the top of the
 * tree, as `make unit` does.
 */
START_TEST(test_bird_capture)
{
	static uint8_t s[8192];
	FILE *f = fopen("tests/fuzz/corpus/bgp_msg/stream-bird-2-s0", "rb");
	ck_assert_msg(f != NULL, "run from the top of the tree");
	size_t n = fread(s, 1, sizeof(s), f);
	fclose(f);

	int opens = 0, eor4 = 0, eor6 = 0, borr = 0, comm = 0, v6 = 0, wd = 0, cease = 0;
	size_t at = 0;
	while (at < n) {
		struct bgp_err e;
		uint16_t len;
		uint8_t type;
		ck_assert_int_eq(bgp_hdr_check(s + at, n - at, &len, &type, &e), 1);
		const uint8_t *b = s + at + 19;
		size_t bl = len - 19;
		if (type == BGP_MSG_OPEN) {
			struct bgp_open o;
			ck_assert_int_eq(bgp_open_decode(b, bl, &o, &e), 0);
			ck_assert_uint_eq(bgp_open_asn(&o), 65001);
			ck_assert(o.caps.gr && o.caps.gr_af[0] && o.caps.gr_af[1]);
			ck_assert(o.caps.mp[0] && o.caps.mp[1] && o.caps.as4 && o.caps.enhanced_rr);
			opens++;
		} else if (type == BGP_MSG_UPDATE) {
			bgp_update_decode(b, bl, &ebgp4, fam_all, u);
			ck_assert_int_eq(u->action, BGP_7606_OK);
			eor4 += u->eor == BGP_FAM_IP4;
			eor6 += u->eor == BGP_FAM_IP6;
			wd += u->nwithdrawn;
			for (int i = 0; i < u->nannounced; i++) {
				char nb[NET_STRLEN];
				net_ntop(&u->announced[i], nb);
				if (!strcmp(nb, "203.0.113.0/24")) {
					ck_assert_uint_eq(u->attrs.ncomm, 1);
					ck_assert_uint_eq(u->attrs.comm[0], 64512u << 16 | 100);
					ck_assert_uint_eq(u->attrs.nlcomm, 1);
					ck_assert_uint_eq(u->attrs.lcomm[0].global, 65001);
					ck_assert_uint_eq(ip4_get(u->attrs.next_hop), 0x7f000002);
					comm++;
				}
				if (!strcmp(nb, "2001:db8:1::/48")) {
					char ib[IP_STRLEN];
					ck_assert_str_eq(ip_ntop(u->attrs.mp_next_hop, ib), "2001:db8::2");
					v6++;
				}
			}
		} else if (type == BGP_MSG_REFRESH) {
			struct bgp_refresh r;
			ck_assert_int_eq(bgp_refresh_decode(b, bl, &r, &e), 0);
			borr += r.subtype == BGP_RR_BORR;
		} else if (type == BGP_MSG_NOTIFICATION) {
			struct bgp_notification no;
			ck_assert_int_eq(bgp_notification_decode(b, bl, &no, &e), 0);
			ck_assert_uint_eq(no.code, BGP_ERR_CEASE);
			ck_assert_str_eq(no.shutdown_text, "maintenance window");
			cease++;
		}
		at += len;
	}
	ck_assert_uint_eq(at, n);
	ck_assert_int_eq(opens, 1);
	ck_assert_int_eq(eor4, 1);
	ck_assert_int_eq(eor6, 1);
	ck_assert_int_eq(borr, 2);
	ck_assert_int_eq(comm, 2);
	ck_assert_int_eq(v6, 2);
	ck_assert_int_eq(wd, 3);
	ck_assert_int_eq(cease, 1);
}
END_TEST

/* BIRD with `enable as4 off`: an old speaker, 2-octet AS_PATH. */
START_TEST(test_bird_capture_2octet)
{
	static uint8_t s[8192];
	FILE *f = fopen("tests/fuzz/corpus/bgp_msg/stream-bird-2octet", "rb");
	ck_assert_msg(f != NULL, "run from the top of the tree");
	size_t n = fread(s, 1, sizeof(s), f), at = 0;
	int updates = 0, nets = 0;
	fclose(f);
	while (at < n) {
		struct bgp_err e;
		uint16_t len;
		uint8_t type;
		ck_assert_int_eq(bgp_hdr_check(s + at, n - at, &len, &type, &e), 1);
		if (type == BGP_MSG_OPEN) {
			struct bgp_open o;
			ck_assert_int_eq(bgp_open_decode(s + at + 19, len - 19u, &o, &e), 0);
			ck_assert(!o.caps.as4);
			ck_assert_uint_eq(o.my_as, 65005);
		}
		if (type == BGP_MSG_UPDATE) {
			bgp_update_decode(s + at + 19, len - 19u, &ebgp2, fam_all, u);
			ck_assert_int_eq(u->action, BGP_7606_OK);
			if (u->nannounced) {
				ck_assert_uint_eq(u->attrs.path.nasn, 1);
				ck_assert_uint_eq(u->attrs.path.asn[0], 65005);
			}
			nets += u->nannounced;
			updates++;
		}
		at += len;
	}
	ck_assert_int_eq(updates, 6);
	ck_assert_int_eq(nets, 5);
}
END_TEST

/* IPv4 routes inside MP_REACH_NLRI: with an IPv4 next hop (RFC 4760) or an
 * IPv6 one (RFC 8950); a next hop of 5 octets resets the session. */
START_TEST(test_mp_reach_ipv4)
{
	struct msg a = { .n = 0 }, m;
	PUT(&a, 0x40, 1, 1, 0, 0x40, 2, 0);
	PUT(&a, 0x80, 14, 13, 0, 1, 1, 4, 192, 0, 2, 7, 0, 24, 198, 51, 100);
	body(&m, &a);
	m.n -= 4;	/* no IPv4 NLRI field */
	bgp_update_decode(m.b, m.n, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nannounced, 1);
	ck_assert_uint_eq(u->announced[0].af, AF_IP4);
	ck_assert_uint_eq(ip4_get(u->attrs.mp_next_hop), 0xc0000207);

	struct msg b = { .n = 0 };
	PUT(&b, 0x40, 1, 1, 0, 0x40, 2, 0);
	PUT(&b, 0x80, 14, 25, 0, 1, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
	    0, 24, 198, 51, 100);
	body(&m, &b);
	m.n -= 4;
	bgp_update_decode(m.b, m.n, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->announced[0].af, AF_IP4);
	ck_assert(!ip_is4(u->attrs.mp_next_hop));

	m.b[4 + 7 + 6] = 5;	/* next hop length 16 -> 5 */
	bgp_update_decode(m.b, m.n, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_RESET);
}
END_TEST

/*
 * RFC 8950 4: IPv4 prefixes with an IPv6 next hop go in MP_REACH_NLRI with
 * AFI 1 / SAFI 1 and a next hop of 16 (global) or 32 (global and
 * link-local, RFC 2545 3) octets, and no NEXT_HOP attribute.
 */
START_TEST(test_ext_nh_encode)
{
	struct bgp_attrs *a = full_attrs();
	struct bgp_builder *b = malloc(sizeof(*b));
	uint8_t buf[BGP_MAX_LEN];
	net_addr nets[2];
	char err[64];
	size_t used, l;

	net4(&nets[0], "198.51.100.0/24");
	net4(&nets[1], "203.0.113.7/32");
	BGP_CLR(a, BGP_A_NEXT_HOP);
	/* no next hop of either kind: refused */
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp4, err, sizeof(err)), -1);
	a->mp_afi = BGP_AFI_IP4;
	a->mp_safi = BGP_SAFI_UNICAST;
	ip_pton("2001:db8:1::2", &a->mp_next_hop);
	ip_pton("fe80::2", &a->mp_next_hop_ll);
	a->mp_has_ll = 1;
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp4, err, sizeof(err)), 0);
	size_t n = bgp_build_reach(b, nets, 2, &used, buf, sizeof(buf));
	ck_assert_uint_eq(used, 2);
	ck_assert_ptr_null(find_attr(buf, BGP_A_NEXT_HOP, &l));
	const uint8_t *mp = find_attr(buf, BGP_A_MP_REACH, &l);
	ck_assert_ptr_nonnull(mp);
	/* AFI 1, SAFI 1, length 32, global, link-local, reserved, 2 prefixes */
	ck_assert_uint_eq(l, 2 + 1 + 1 + 32 + 1 + 4 + 5);
	static const uint8_t head[] = { 0, 1, 1, 32, 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	ck_assert_mem_eq(mp, head, sizeof(head));
	ck_assert_uint_eq(mp[4 + 16], 0xfe);
	ck_assert_uint_eq(mp[4 + 32], 0);
	ck_assert_uint_eq(mp[4 + 32 + 1], 24);
	/* the NLRI field after the attributes is empty */
	ck_assert_uint_eq((size_t)(mp + l - buf), n);

	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert_uint_eq(u->nannounced, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(u->announced[i].af, AF_IP4);
		ck_assert(net_equal(&u->announced[i], &nets[i]));
	}
	ck_assert_uint_eq(u->attrs.mp_afi, BGP_AFI_IP4);
	ck_assert(ip_equal(u->attrs.mp_next_hop, a->mp_next_hop));
	ck_assert(u->attrs.mp_has_ll && ip_equal(u->attrs.mp_next_hop_ll, a->mp_next_hop_ll));

	/* global only: 16 octets */
	a->mp_has_ll = 0;
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp4, err, sizeof(err)), 0);
	n = bgp_build_reach(b, nets, 2, &used, buf, sizeof(buf));
	mp = find_attr(buf, BGP_A_MP_REACH, &l);
	ck_assert_ptr_nonnull(mp);
	ck_assert_uint_eq(mp[3], 16);
	bgp_update_decode(buf + 19, n - 19, &ebgp4, fam_all, u);
	ck_assert_int_eq(u->action, BGP_7606_OK);
	ck_assert(!u->attrs.mp_has_ll);

	/* an IPv4 NEXT_HOP wins: the classic encoding, no MP_REACH_NLRI */
	BGP_SET(a, BGP_A_NEXT_HOP);
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp4, err, sizeof(err)), 0);
	n = bgp_build_reach(b, nets, 2, &used, buf, sizeof(buf));
	ck_assert_ptr_null(find_attr(buf, BGP_A_MP_REACH, &l));
	ck_assert_ptr_nonnull(find_attr(buf, BGP_A_NEXT_HOP, &l));

	/* an IPv6 next hop left over for another AFI is not taken */
	BGP_CLR(a, BGP_A_NEXT_HOP);
	a->mp_afi = BGP_AFI_IP6;
	ck_assert_int_eq(bgp_builder_init(b, BGP_FAM_IP4, a, &ebgp4, err, sizeof(err)), -1);
	free(a);
	free(b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bgp_update");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, test_7606, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(t, test_7606_details);
	tcase_add_test(t, test_prefix_rules);
	tcase_add_test(t, test_roundtrip_ibgp);
	tcase_add_test(t, test_as4_old_speaker);
	tcase_add_test(t, test_as4_merge);
	tcase_add_test(t, test_roundtrip_v6);
	tcase_add_test(t, test_mp_reach_ipv4);
	tcase_add_test(t, test_ext_nh_encode);
	tcase_add_test(t, test_packing_1m);
	tcase_add_test(t, test_bird_capture);
	tcase_add_test(t, test_bird_capture_2octet);
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
