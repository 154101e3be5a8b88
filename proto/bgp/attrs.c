/*
 * metalbird -- BGP path attributes: the attribute table
 *
 * Each known attribute has one row in bgp_attr_table: its expected
 * Optional/Transitive flags, a decoder that fills struct bgp_attrs from the
 * value octets, an encoder that writes the value back, a formatter for
 * `show route all`, and the RFC 7606 action when the attribute is
 * malformed.  bgp_attrs_decode() walks an attribute list through the table
 * and keeps the worst outcome; update.c decides what it means for the
 * UPDATE as a whole.  All input is read through struct bgp_rd.
 */
#include "proto/bgp/attrs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Decoders return 0 (ok), -1 (malformed: the row's RFC 7606 action applies,
 * with res->reason set) or 1 (not an error, but the attribute is dropped). */
typedef int (*bgp_attr_dec_fn)(struct bgp_rd *v, struct bgp_attrs *a,
			       const struct bgp_attr_ctx *c, struct bgp_attr_result *res);
/* Encoders write the value and return 0, or return 1 to emit nothing. */
typedef int (*bgp_attr_enc_fn)(struct bgp_wr *w, const struct bgp_attrs *a,
			       const struct bgp_attr_ctx *c);
typedef void (*bgp_attr_fmt_fn)(const struct bgp_attrs *a, char *buf, size_t len);

struct bgp_attr_desc {
	const char *name;		/* display name, BIRD's "bgp_" names without prefix */
	uint8_t flags;			/* expected Optional and Transitive bits */
	uint16_t len_min;		/* shortest valid value */
	uint16_t len_max;		/* longest valid value */
	uint8_t len_mult;		/* the length is a multiple of this */
	enum bgp_7606 on_error;		/* what a malformed one means, RFC 7606 7.x */
	bgp_attr_dec_fn decode;		/* value -> struct bgp_attrs */
	bgp_attr_enc_fn encode;		/* struct bgp_attrs -> value (NULL: update.c does it) */
	bgp_attr_fmt_fn format;		/* value for display */
	uint8_t derived;		/* encoded from other fields, not from its present bit */
};



static int malformed(struct bgp_attr_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int malformed(struct bgp_attr_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static void fmt_id(uint32_t id, char *buf, size_t len)
{
	bgp_cat(buf, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff);
}

/* ---- AS paths ------------------------------------------------------------ */

void bgp_path_clear(struct bgp_aspath *p)
{
	p->nseg = 0;
	p->nasn = 0;
}

int bgp_path_append(struct bgp_aspath *p, int type, const uint32_t *asn, int n)
{
	if (n <= 0 || n > 255 || p->nseg >= BGP_MAX_SEGS || p->nasn + n > BGP_MAX_ASNS)
		return -1;
	p->seg[p->nseg].type = (uint8_t)type;
	p->seg[p->nseg].count = (uint16_t)n;
	p->nseg++;
	memcpy(p->asn + p->nasn, asn, (size_t)n * sizeof(uint32_t));
	p->nasn = (uint16_t)(p->nasn + n);
	return 0;
}

int bgp_path_prepend(struct bgp_aspath *p, uint32_t asn)
{
	if (p->nasn + 1 > BGP_MAX_ASNS)
		return -1;
	if (p->nseg && p->seg[0].type == BGP_AS_SEQUENCE && p->seg[0].count < 255) {
		memmove(p->asn + 1, p->asn, p->nasn * sizeof(uint32_t));
		p->asn[0] = asn;
		p->seg[0].count++;
		p->nasn++;
		return 0;
	}
	if (p->nseg >= BGP_MAX_SEGS)
		return -1;
	memmove(p->seg + 1, p->seg, p->nseg * sizeof(p->seg[0]));
	memmove(p->asn + 1, p->asn, p->nasn * sizeof(uint32_t));
	p->seg[0].type = BGP_AS_SEQUENCE;
	p->seg[0].count = 1;
	p->asn[0] = asn;
	p->nseg++;
	p->nasn++;
	return 0;
}

int bgp_path_length(const struct bgp_aspath *p)
{
	int n = 0;
	for (int i = 0; i < p->nseg; i++) {
		if (p->seg[i].type == BGP_AS_SEQUENCE)
			n += p->seg[i].count;
		else if (p->seg[i].type == BGP_AS_SET)
			n += 1;
		/* RFC 5065 5.3: confederation segments do not count. */
	}
	return n;
}

/*
 * RFC 6793 4.2.3: "if the number of AS numbers in the AS_PATH attribute is
 * less than the number of AS numbers in the AS4_PATH attribute, then the
 * AS4_PATH attribute SHALL be ignored, and the AS_PATH attribute SHALL be
 * taken as the AS path information.  [Otherwise] the AS path information
 * SHALL be constructed by taking as many AS numbers and path segments as
 * necessary from the leading part of the AS_PATH attribute, and then
 * prepending them to the AS4_PATH attribute so that the AS path information
 * has a number of AS numbers identical to that of the AS_PATH attribute."
 * Counting follows 9.1.2.2 of RFC 4271: an AS_SET counts as one.
 */
void bgp_path_merge_as4(struct bgp_aspath *path, const struct bgp_aspath *as4)
{
	static struct bgp_aspath out;	/* 12 kB: kept off the stack */
	int need = bgp_path_length(path) - bgp_path_length(as4);
	int at = 0;

	if (need < 0)
		return;
	bgp_path_clear(&out);
	for (int i = 0; i < path->nseg && need > 0; i++) {
		int type = path->seg[i].type, cnt = path->seg[i].count;
		const uint32_t *asn = path->asn + at;
		at += cnt;
		if (type == BGP_AS_SEQUENCE) {
			int k = cnt < need ? cnt : need;
			bgp_path_append(&out, type, asn, k);
			need -= k;
		} else {
			bgp_path_append(&out, type, asn, cnt);
			if (type == BGP_AS_SET)
				need -= 1;
		}
	}
	at = 0;
	for (int i = 0; i < as4->nseg; i++) {
		/* Two sequences that meet are one sequence on the wire anyway. */
		bgp_path_append(&out, as4->seg[i].type, as4->asn + at, as4->seg[i].count);
		at += as4->seg[i].count;
	}
	*path = out;
}

/* Segments of asn_len-octet ASNs; RFC 7606 7.2 says what is malformed. */
static int path_decode(struct bgp_rd *v, int asn_len, int allow_confed, struct bgp_aspath *p,
		       struct bgp_attr_result *res)
{
	uint32_t asn[255];

	bgp_path_clear(p);
	while (v->len) {
		uint8_t type = bgp_get8(v);
		uint8_t cnt = bgp_get8(v);
		if (v->err)
			return malformed(res, "AS path segment header truncated");
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET)
			return malformed(res, "AS path segment type %u", type);
		if (cnt == 0)
			return malformed(res, "AS path segment of length 0");
		if (!allow_confed && type >= BGP_AS_CONFED_SEQUENCE)
			return malformed(res, "confederation segment from an external peer");
		if (v->len < (size_t)cnt * asn_len)
			return malformed(res, "AS path segment overruns the attribute");
		for (int i = 0; i < cnt; i++)
			asn[i] = asn_len == 4 ? bgp_get32(v) : bgp_get16(v);
		if (bgp_path_append(p, type, asn, cnt) < 0)
			return malformed(res, "AS path too long");
	}
	return 0;
}

/* Towards an old speaker every ASN above 65535 is AS_TRANS (RFC 6793 4.2.2). */
static void path_encode(struct bgp_wr *w, const struct bgp_aspath *p, int asn_len, int skip_confed)
{
	int at = 0;
	for (int i = 0; i < p->nseg; i++) {
		int cnt = p->seg[i].count;
		if (!(skip_confed && p->seg[i].type >= BGP_AS_CONFED_SEQUENCE)) {
			bgp_put8(w, p->seg[i].type);
			bgp_put8(w, (uint8_t)cnt);
			for (int k = 0; k < cnt; k++) {
				uint32_t asn = p->asn[at + k];
				if (asn_len == 4)
					bgp_put32(w, asn);
				else
					bgp_put16(w, asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn);
			}
		}
		at += cnt;
	}
}

static void path_format(const struct bgp_aspath *p, char *buf, size_t len)
{
	static const char open[] = "?{ ([", close[] = "?} )]";
	int at = 0;
	for (int i = 0; i < p->nseg; i++) {
		int t = p->seg[i].type;
		if (t != BGP_AS_SEQUENCE)
			bgp_cat(buf, len, "%s%c", i ? " " : "", open[t]);
		for (int k = 0; k < p->seg[i].count; k++)
			bgp_cat(buf, len, "%s%u", (k || (i && t == BGP_AS_SEQUENCE)) ? " " : "", p->asn[at + k]);
		if (t != BGP_AS_SEQUENCE)
			bgp_cat(buf, len, "%c", close[t]);
		at += p->seg[i].count;
	}
}

static int path_needs_as4(const struct bgp_aspath *p)
{
	for (int i = 0; i < p->nasn; i++)
		if (p->asn[i] > 0xffff)
			return 1;
	return 0;
}

/* ---- the rows ---------------------------------------------------------- */

/* RFC 7606 7.1: wrong length or an undefined value: treat-as-withdraw. */
static int dec_origin(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
		      struct bgp_attr_result *res)
{
	if (v->len != 1)
		return malformed(res, "ORIGIN of length %zu", v->len);
	a->origin = bgp_get8(v);
	if (a->origin > BGP_ORIGIN_INCOMPLETE)
		return malformed(res, "ORIGIN value %u", a->origin);
	return 0;
}

static int enc_origin(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	bgp_put8(w, a->origin);
	return 0;
}

static void fmt_origin(const struct bgp_attrs *a, char *buf, size_t len)
{
	static const char *const n[] = { "IGP", "EGP", "Incomplete" };
	bgp_cat(buf, len, "%s", a->origin <= 2 ? n[a->origin] : "?");
}

/* RFC 7606 7.2: a bad segment type, a zero-length or overrunning segment,
 * or confederation segments from an external peer: treat-as-withdraw. */
static int dec_path(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
		    struct bgp_attr_result *res)
{
	return path_decode(v, c->as4 ? 4 : 2, c->ibgp, &a->path, res);
}

static int enc_path(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	path_encode(w, &a->path, c->as4 ? 4 : 2, 0);
	return 0;
}

static void fmt_path(const struct bgp_attrs *a, char *buf, size_t len)
{
	path_format(&a->path, buf, len);
}

/*
 * RFC 7606 7.3: a length other than 4 is treat-as-withdraw, and so is a
 * semantically incorrect NEXT_HOP ("the error SHALL be logged, and the
 * treat-as-withdraw approach used"): of the cases of RFC 4271 6.3 we
 * check the ones visible without the session, an address that cannot be
 * a host (0.0.0.0, limited broadcast, multicast).
 */
static int dec_next_hop(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			struct bgp_attr_result *res)
{
	if (v->len != 4)
		return malformed(res, "NEXT_HOP of length %zu", v->len);
	uint32_t nh = bgp_get32(v);
	a->next_hop = ip4_make(nh);
	if (nh == 0 || nh == 0xffffffffu || (nh >> 28) == 0xe)
		return malformed(res, "NEXT_HOP %u.%u.%u.%u is not a host address", nh >> 24,
				 (nh >> 16) & 0xff, (nh >> 8) & 0xff, nh & 0xff);
	return 0;
}

static int enc_next_hop(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (!ip_is4(a->next_hop))
		return 1;
	bgp_put32(w, ip4_get(a->next_hop));
	return 0;
}

static void fmt_next_hop(const struct bgp_attrs *a, char *buf, size_t len)
{
	char b[IP_STRLEN];
	bgp_cat(buf, len, "%s", ip_ntop(a->next_hop, b));
}

/* RFC 7606 7.4 (MED) and 7.5 (LOCAL_PREF): length other than 4 is
 * treat-as-withdraw; 7.5: "If the LOCAL_PREF attribute is received from an
 * external neighbor, it SHALL be discarded". */
static int dec_u32(struct bgp_rd *v, uint32_t *out, const char *name, struct bgp_attr_result *res)
{
	if (v->len != 4)
		return malformed(res, "%s of length %zu", name, v->len);
	*out = bgp_get32(v);
	return 0;
}

static int dec_med(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
		   struct bgp_attr_result *res)
{
	return dec_u32(v, &a->med, "MULTI_EXIT_DISC", res);
}

static int dec_local_pref(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			  struct bgp_attr_result *res)
{
	if (dec_u32(v, &a->local_pref, "LOCAL_PREF", res) < 0)
		return -1;
	return c->ibgp ? 0 : 1;
}

static int enc_med(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	bgp_put32(w, a->med);
	return 0;
}

static int enc_local_pref(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	/* RFC 4271 5.1.5: only towards internal peers. */
	if (!c->ibgp)
		return 1;
	bgp_put32(w, a->local_pref);
	return 0;
}

static void fmt_med(const struct bgp_attrs *a, char *buf, size_t len)
{
	bgp_cat(buf, len, "%u", a->med);
}

static void fmt_local_pref(const struct bgp_attrs *a, char *buf, size_t len)
{
	bgp_cat(buf, len, "%u", a->local_pref);
}

/* RFC 7606 7.6: a length other than 0 is attribute discard. */
static int dec_atomic(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
		      struct bgp_attr_result *res)
{
	if (v->len != 0)
		return malformed(res, "ATOMIC_AGGREGATE of length %zu", v->len);
	return 0;
}

static int enc_empty(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	return 0;
}

static void fmt_empty(const struct bgp_attrs *a, char *buf, size_t len)
{
}

/* RFC 7606 7.7: AGGREGATOR of a length other than 6 (old session) or 8
 * (4-octet session) is attribute discard. */
static int dec_aggregator(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			  struct bgp_attr_result *res)
{
	if (v->len != (c->as4 ? 8u : 6u))
		return malformed(res, "AGGREGATOR of length %zu", v->len);
	a->aggr_as = c->as4 ? bgp_get32(v) : bgp_get16(v);
	a->aggr_id = bgp_get32(v);
	return 0;
}

static int enc_aggregator(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (c->as4)
		bgp_put32(w, a->aggr_as);
	else
		bgp_put16(w, a->aggr_as > 0xffff ? BGP_AS_TRANS : (uint16_t)a->aggr_as);
	bgp_put32(w, a->aggr_id);
	return 0;
}

static void fmt_aggregator(const struct bgp_attrs *a, char *buf, size_t len)
{
	fmt_id(a->aggr_id, buf, len);
	bgp_cat(buf, len, " AS%u", a->aggr_as);
}

/* RFC 7606 7.8: COMMUNITIES of length 0 or not a multiple of 4 is
 * treat-as-withdraw. */
static int dec_community(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			 struct bgp_attr_result *res)
{
	if (v->len == 0 || v->len % 4 || v->len / 4 > BGP_MAX_COMMS)
		return malformed(res, "COMMUNITIES of length %zu", v->len);
	a->ncomm = 0;
	while (v->len)
		a->comm[a->ncomm++] = bgp_get32(v);
	return 0;
}

static int enc_community(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (!a->ncomm)
		return 1;
	for (int i = 0; i < a->ncomm; i++)
		bgp_put32(w, a->comm[i]);
	return 0;
}

static void fmt_community(const struct bgp_attrs *a, char *buf, size_t len)
{
	for (int i = 0; i < a->ncomm; i++)
		bgp_cat(buf, len, "%s(%u,%u)", i ? " " : "", a->comm[i] >> 16, a->comm[i] & 0xffff);
}

/* RFC 7606 7.9: ORIGINATOR_ID of a length other than 4 is treat-as-withdraw;
 * from an external peer it is discarded. */
static int dec_originator(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			  struct bgp_attr_result *res)
{
	if (dec_u32(v, &a->originator_id, "ORIGINATOR_ID", res) < 0)
		return -1;
	return c->ibgp ? 0 : 1;
}

static int enc_originator(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (!c->ibgp)
		return 1;
	bgp_put32(w, a->originator_id);
	return 0;
}

static void fmt_originator(const struct bgp_attrs *a, char *buf, size_t len)
{
	fmt_id(a->originator_id, buf, len);
}

/* RFC 7606 7.10: CLUSTER_LIST of length 0 or not a multiple of 4 is
 * treat-as-withdraw; from an external peer it is discarded. */
static int dec_cluster(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
		       struct bgp_attr_result *res)
{
	if (v->len == 0 || v->len % 4 || v->len / 4 > BGP_MAX_CLUSTERS)
		return malformed(res, "CLUSTER_LIST of length %zu", v->len);
	a->ncluster = 0;
	while (v->len)
		a->cluster[a->ncluster++] = bgp_get32(v);
	return c->ibgp ? 0 : 1;
}

static int enc_cluster(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (!c->ibgp || !a->ncluster)
		return 1;
	for (int i = 0; i < a->ncluster; i++)
		bgp_put32(w, a->cluster[i]);
	return 0;
}

static void fmt_cluster(const struct bgp_attrs *a, char *buf, size_t len)
{
	for (int i = 0; i < a->ncluster; i++) {
		if (i)
			bgp_cat(buf, len, " ");
		fmt_id(a->cluster[i], buf, len);
	}
}

/*
 * RFC 4760 3: AFI, SAFI, next hop length and next hop, a reserved octet,
 * then NLRI.  RFC 7606 7.11: a next hop length that does not fit the AFI
 * makes the attribute malformed, and (RFC 7606 3, last paragraph) when
 * MP_REACH_NLRI cannot be parsed, treat-as-withdraw is impossible: session
 * reset.  For IPv6 the next hop is 16 octets, or 32 with a link-local one
 * (RFC 2545 3).
 */
static int dec_mp_reach(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			struct bgp_attr_result *res)
{
	uint8_t nh[32];

	a->mp_afi = bgp_get16(v);
	a->mp_safi = bgp_get8(v);
	uint8_t nhlen = bgp_get8(v);
	if (v->err)
		return malformed(res, "MP_REACH_NLRI truncated");
	if (bgp_getn(v, nhlen <= sizeof(nh) ? nh : NULL, nhlen) < 0)
		return malformed(res, "MP_REACH_NLRI next hop overruns the attribute");
	bgp_get8(v);	/* reserved */
	if (v->err)
		return malformed(res, "MP_REACH_NLRI truncated");
	a->mp_nlri = v->p;
	a->mp_nlri_len = v->len;
	bgp_getn(v, NULL, v->len);
	a->mp_has_ll = 0;
	int f = bgp_fam_of(a->mp_afi, a->mp_safi);
	if (f == BGP_FAM_IP4 && nhlen == 4) {
		a->mp_next_hop = ip_from_bytes(AF_IP4, nh);
	} else if (f >= 0) {
		/* IPv6, or IPv4 routes with an IPv6 next hop (RFC 8950 4). */
		if (nhlen != 16 && nhlen != 32)
			return malformed(res, "%s next hop of length %u", f == BGP_FAM_IP4 ? "IPv4" : "IPv6",
					 nhlen);
		a->mp_next_hop = ip_from_bytes(AF_IP6, nh);
		if (nhlen == 32) {
			a->mp_next_hop_ll = ip_from_bytes(AF_IP6, nh + 16);
			a->mp_has_ll = 1;
		}
	}
	/* Other families: kept as parsed, ignored by update.c. */
	return 0;
}

static void fmt_mp_reach(const struct bgp_attrs *a, char *buf, size_t len)
{
	char b[IP_STRLEN];
	bgp_cat(buf, len, "afi %u safi %u next hop %s", a->mp_afi, a->mp_safi, ip_ntop(a->mp_next_hop, b));
	if (a->mp_has_ll)
		bgp_cat(buf, len, " %s", ip_ntop(a->mp_next_hop_ll, b));
}

static int dec_mp_unreach(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			  struct bgp_attr_result *res)
{
	a->mpu_afi = bgp_get16(v);
	a->mpu_safi = bgp_get8(v);
	if (v->err)
		return malformed(res, "MP_UNREACH_NLRI truncated");
	a->mpu_nlri = v->p;
	a->mpu_nlri_len = v->len;
	bgp_getn(v, NULL, v->len);
	return 0;
}

static void fmt_mp_unreach(const struct bgp_attrs *a, char *buf, size_t len)
{
	bgp_cat(buf, len, "afi %u safi %u", a->mpu_afi, a->mpu_safi);
}

/*
 * RFC 6793 6 (and RFC 7606 7.2 for the segment rules): a malformed
 * AS4_PATH or AS4_AGGREGATOR is discarded, with the session kept.  An
 * AS4_PATH holds no confederation segments (RFC 6793 3).
 */
static int dec_as4_path(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			struct bgp_attr_result *res)
{
	return path_decode(v, 4, 0, &a->as4_path, res);
}

static int enc_as4_path(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	/* RFC 6793 4.2.2: only towards an old speaker, only when AS_PATH lost
	 * information, without confederation segments. */
	if (c->as4 || !path_needs_as4(&a->path))
		return 1;
	path_encode(w, &a->path, 4, 1);
	return 0;
}

static int dec_as4_aggr(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
			struct bgp_attr_result *res)
{
	if (v->len != 8)
		return malformed(res, "AS4_AGGREGATOR of length %zu", v->len);
	a->as4_aggr_as = bgp_get32(v);
	a->as4_aggr_id = bgp_get32(v);
	return 0;
}

static int enc_as4_aggr(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (c->as4 || !BGP_HAS(a, BGP_A_AGGREGATOR) || a->aggr_as <= 0xffff)
		return 1;
	bgp_put32(w, a->aggr_as);
	bgp_put32(w, a->aggr_id);
	return 0;
}

/* RFC 8092 6: LARGE_COMMUNITY of length 0 or not a multiple of 12 is
 * treat-as-withdraw. */
static int dec_lcomm(struct bgp_rd *v, struct bgp_attrs *a, const struct bgp_attr_ctx *c,
		     struct bgp_attr_result *res)
{
	if (v->len == 0 || v->len % 12 || v->len / 12 > BGP_MAX_LCOMMS)
		return malformed(res, "LARGE_COMMUNITY of length %zu", v->len);
	a->nlcomm = 0;
	while (v->len) {
		struct bgp_lcomm *l = &a->lcomm[a->nlcomm++];
		l->global = bgp_get32(v);
		l->local1 = bgp_get32(v);
		l->local2 = bgp_get32(v);
	}
	return 0;
}

static int enc_lcomm(struct bgp_wr *w, const struct bgp_attrs *a, const struct bgp_attr_ctx *c)
{
	if (!a->nlcomm)
		return 1;
	for (int i = 0; i < a->nlcomm; i++) {
		bgp_put32(w, a->lcomm[i].global);
		bgp_put32(w, a->lcomm[i].local1);
		bgp_put32(w, a->lcomm[i].local2);
	}
	return 0;
}

static void fmt_lcomm(const struct bgp_attrs *a, char *buf, size_t len)
{
	for (int i = 0; i < a->nlcomm; i++)
		bgp_cat(buf, len, "%s(%u, %u, %u)", i ? " " : "", a->lcomm[i].global,
		    a->lcomm[i].local1, a->lcomm[i].local2);
}

#define WK (BGP_AF_TRANSITIVE)			/* well-known */
#define OT (BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)	/* optional transitive */
#define ON (BGP_AF_OPTIONAL)			/* optional non-transitive */

/*
 * The attribute table.  Lengths are checked here before the decoder runs
 * (RFC 7606 7.x name the wrong lengths of each attribute); decoders check
 * what depends on the session (2- or 4-octet AGGREGATOR) and the contents.
 */
#define ANY 0xffff
#define ROW(code, nm, fl, lmin, lmax, lmul, act, dec, enc, fmt, der)                          \
	[code] = { .name = nm, .flags = fl, .len_min = lmin, .len_max = lmax, .len_mult = lmul,  \
		   .on_error = act, .decode = dec, .encode = enc, .format = fmt, .derived = der }

static const struct bgp_attr_desc bgp_attr_table[256] = {
	/*  code                   name               flags min  max  mult  RFC 7606 action      decode        encode          format          derived */
	ROW(BGP_A_ORIGIN,          "origin",          WK,   1,   1,   1,  BGP_7606_WITHDRAW, dec_origin,     enc_origin,     fmt_origin,     0),
	ROW(BGP_A_AS_PATH,         "as_path",         WK,   0,   ANY, 1,  BGP_7606_WITHDRAW, dec_path,       enc_path,       fmt_path,       0),
	ROW(BGP_A_NEXT_HOP,        "next_hop",        WK,   4,   4,   1,  BGP_7606_WITHDRAW, dec_next_hop,   enc_next_hop,   fmt_next_hop,   0),
	ROW(BGP_A_MED,             "med",             ON,   4,   4,   1,  BGP_7606_WITHDRAW, dec_med,        enc_med,        fmt_med,        0),
	ROW(BGP_A_LOCAL_PREF,      "local_pref",      WK,   4,   4,   1,  BGP_7606_WITHDRAW, dec_local_pref, enc_local_pref, fmt_local_pref, 0),
	ROW(BGP_A_ATOMIC_AGGR,     "atomic_aggr",     WK,   0,   0,   1,  BGP_7606_DISCARD,  dec_atomic,     enc_empty,      fmt_empty,      0),
	ROW(BGP_A_AGGREGATOR,      "aggregator",      OT,   6,   8,   2,  BGP_7606_DISCARD,  dec_aggregator, enc_aggregator, fmt_aggregator, 0),
	ROW(BGP_A_COMMUNITY,       "community",       OT,   4,   ANY, 4,  BGP_7606_WITHDRAW, dec_community,  enc_community,  fmt_community,  0),
	ROW(BGP_A_ORIGINATOR_ID,   "originator_id",   ON,   4,   4,   1,  BGP_7606_WITHDRAW, dec_originator, enc_originator, fmt_originator, 0),
	ROW(BGP_A_CLUSTER_LIST,    "cluster_list",    ON,   4,   ANY, 4,  BGP_7606_WITHDRAW, dec_cluster,    enc_cluster,    fmt_cluster,    0),
	ROW(BGP_A_MP_REACH,        "mp_reach_nlri",   ON,   5,   ANY, 1,  BGP_7606_RESET,    dec_mp_reach,   NULL,           fmt_mp_reach,   0),
	ROW(BGP_A_MP_UNREACH,      "mp_unreach_nlri", ON,   3,   ANY, 1,  BGP_7606_RESET,    dec_mp_unreach, NULL,           fmt_mp_unreach, 0),
	ROW(BGP_A_AS4_PATH,        "as4_path",        OT,   0,   ANY, 1,  BGP_7606_DISCARD,  dec_as4_path,   enc_as4_path,   NULL,           1),
	ROW(BGP_A_AS4_AGGREGATOR,  "as4_aggregator",  OT,   8,   8,   1,  BGP_7606_DISCARD,  dec_as4_aggr,   enc_as4_aggr,   NULL,           1),
	ROW(BGP_A_LARGE_COMMUNITY, "large_community", OT,   12,  ANY, 12, BGP_7606_WITHDRAW, dec_lcomm,      enc_lcomm,      fmt_lcomm,      0),
};

const char *bgp_attr_name(int code)
{
	if (code < 0 || code > 255)
		return NULL;
	return bgp_attr_table[code].name;
}

enum bgp_7606 bgp_attr_error_action(int code)
{
	if (code < 0 || code > 255 || !bgp_attr_table[code].name)
		return BGP_7606_DISCARD;
	return bgp_attr_table[code].on_error;
}

const char *bgp_7606_name(enum bgp_7606 a)
{
	switch (a) {
	case BGP_7606_OK: return "ok";
	case BGP_7606_DISCARD: return "attribute discard";
	case BGP_7606_WITHDRAW: return "treat-as-withdraw";
	case BGP_7606_RESET: return "session reset";
	}
	return "?";
}

void bgp_attrs_init(struct bgp_attrs *a)
{
	a->present = 0;
	a->origin = BGP_ORIGIN_IGP;
	bgp_path_clear(&a->path);
	bgp_path_clear(&a->as4_path);
	a->next_hop = ip4_make(0);
	a->med = a->local_pref = 0;
	a->aggr_as = a->aggr_id = a->originator_id = 0;
	a->ncluster = a->ncomm = a->nlcomm = 0;
	a->mp_afi = a->mpu_afi = 0;
	a->mp_safi = a->mpu_safi = 0;
	a->mp_next_hop = a->mp_next_hop_ll = ip4_make(0);
	a->mp_has_ll = 0;
	a->mp_nlri = a->mpu_nlri = NULL;
	a->mp_nlri_len = a->mpu_nlri_len = 0;
	a->as4_aggr_as = a->as4_aggr_id = 0;
	a->unknown_len = 0;
}

static void worse(struct bgp_attr_result *res, enum bgp_7606 act, int code, const char *why)
{
	if (act == BGP_7606_DISCARD)
		res->discarded++;
	if (act > res->action) {
		res->action = act;
		snprintf(res->reason, sizeof(res->reason), "%s: %.128s",
			 bgp_attr_name(code) ? bgp_attr_name(code) : "attribute", why);
	}
}

/* Keep an unknown optional transitive attribute for propagation, with the
 * Partial bit set (RFC 4271 5: "the Partial bit in the attribute flags
 * octet is set to 1, and the attribute is retained for propagation"). */
static void keep_unknown(struct bgp_attrs *a, uint8_t flags, uint8_t code, const struct bgp_rd *v)
{
	struct bgp_wr w = bgp_wr_make(a->unknown + a->unknown_len, sizeof(a->unknown) - a->unknown_len);
	int ext = v->len > 255;

	bgp_put8(&w, (uint8_t)((flags & (BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)) | BGP_AF_PARTIAL |
			       (ext ? BGP_AF_EXT_LEN : 0)));
	bgp_put8(&w, code);
	if (ext)
		bgp_put16(&w, (uint16_t)v->len);
	else
		bgp_put8(&w, (uint8_t)v->len);
	bgp_putn(&w, v->p, v->len);
	if (!w.err)
		a->unknown_len = (uint16_t)(a->unknown_len + w.len);
}

void bgp_attrs_decode(const uint8_t *p, size_t len, const struct bgp_attr_ctx *c,
		      struct bgp_attrs *a, struct bgp_attr_result *res)
{
	struct bgp_rd r = bgp_rd_make(p, len);
	uint8_t seen[32] = { 0 };

	memset(res, 0, sizeof(*res));
	bgp_attrs_init(a);
	while (r.len) {
		const uint8_t *start = r.p;	/* for NOTIFICATION data only */
		uint8_t flags = bgp_get8(&r);
		uint8_t code = bgp_get8(&r);
		size_t alen = (flags & BGP_AF_EXT_LEN) ? bgp_get16(&r) : bgp_get8(&r);
		struct bgp_rd v = bgp_sub(&r, alen);
		/*
		 * RFC 7606 4: when fewer octets remain than an attribute header
		 * needs, or an attribute's length runs past the Total Path
		 * Attribute Length, "the treat-as-withdraw approach MUST be
		 * used", and the Total Path Attribute Length locates the NLRI.
		 */
		if (r.err) {
			worse(res, BGP_7606_WITHDRAW, 0, "attribute list overruns its length");
			break;
		}
		const struct bgp_attr_desc *d = &bgp_attr_table[code];

		/* RFC 7606 3 (g): a repeated MP_REACH_NLRI or MP_UNREACH_NLRI is
		 * Malformed Attribute List; other repeats are discarded. */
		if (seen[code / 8] & (1 << (code % 8))) {
			if (code == BGP_A_MP_REACH || code == BGP_A_MP_UNREACH) {
				bgp_err_set(&res->err, BGP_ERR_UPDATE, BGP_UPD_MALFORMED_ATTRS, NULL, 0,
					    "%s repeated", d->name);
				worse(res, BGP_7606_RESET, code, "repeated");
				return;
			}
			res->discarded++;
			continue;
		}
		seen[code / 8] |= (uint8_t)(1 << (code % 8));

		if (!d->name) {
			/* RFC 4271 6.3: an unrecognized well-known attribute is an
			 * error with the attribute as data; unknown optional
			 * non-transitive ones are quietly ignored. */
			if (!(flags & BGP_AF_OPTIONAL)) {
				bgp_err_set(&res->err, BGP_ERR_UPDATE, BGP_UPD_UNKNOWN_WELLKNOWN, start,
					    (size_t)(r.p - start), "unrecognized well-known attribute %u",
					    code);
				worse(res, BGP_7606_RESET, code, "unrecognized well-known");
				return;
			}
			if (flags & BGP_AF_TRANSITIVE)
				keep_unknown(a, flags, code, &v);
			continue;
		}

		/* RFC 7606 3 (c): Optional or Transitive bits in conflict with
		 * the attribute's definition make it malformed. */
		char saved[sizeof(res->reason)];
		memcpy(saved, res->reason, sizeof(saved));
		int rc;
		if ((flags & (BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)) != d->flags)
			rc = malformed(res, "flags 0x%02x", flags);
		else if (alen < d->len_min || alen > d->len_max || alen % d->len_mult)
			rc = malformed(res, "length %zu", alen);
		else
			rc = d->decode(&v, a, c, res);
		if (rc == 0 && !v.err) {
			BGP_SET(a, code);
			continue;
		}
		if (rc == 1)
			continue;	/* dropped by rule, not an error */
		char why[160];
		snprintf(why, sizeof(why), "%s", v.err ? "truncated" : res->reason);
		memcpy(res->reason, saved, sizeof(saved));
		if (d->on_error == BGP_7606_RESET) {
			bgp_err_set(&res->err, BGP_ERR_UPDATE, BGP_UPD_OPT_ATTR, start,
				    (size_t)(r.p - start), "malformed %s: %s", d->name, why);
			worse(res, BGP_7606_RESET, code, why);
			return;
		}
		worse(res, d->on_error, code, why);
	}

	/*
	 * RFC 6793 4.2.3.  From a NEW speaker, AS4_PATH and AS4_AGGREGATOR
	 * are discarded ("A NEW BGP speaker ... MUST NOT ... and MUST discard").
	 * From an OLD speaker: an AGGREGATOR with an ASN other than AS_TRANS
	 * means both are ignored; otherwise AS4_AGGREGATOR replaces it and
	 * AS4_PATH is merged into AS_PATH.
	 */
	if (c->as4) {
		BGP_CLR(a, BGP_A_AS4_PATH);
		BGP_CLR(a, BGP_A_AS4_AGGREGATOR);
	} else {
		int use = 1;
		if (BGP_HAS(a, BGP_A_AGGREGATOR) && a->aggr_as != BGP_AS_TRANS)
			use = 0;
		if (use && BGP_HAS(a, BGP_A_AGGREGATOR) && BGP_HAS(a, BGP_A_AS4_AGGREGATOR)) {
			a->aggr_as = a->as4_aggr_as;
			a->aggr_id = a->as4_aggr_id;
		}
		if (use && BGP_HAS(a, BGP_A_AS4_PATH) && BGP_HAS(a, BGP_A_AS_PATH))
			bgp_path_merge_as4(&a->path, &a->as4_path);
		BGP_CLR(a, BGP_A_AS4_PATH);
		BGP_CLR(a, BGP_A_AS4_AGGREGATOR);
	}
}

static const uint8_t bgp_encode_order[] = {
	BGP_A_ORIGIN, BGP_A_AS_PATH, BGP_A_NEXT_HOP, BGP_A_MED, BGP_A_LOCAL_PREF,
	BGP_A_ATOMIC_AGGR, BGP_A_AGGREGATOR, BGP_A_COMMUNITY, BGP_A_ORIGINATOR_ID,
	BGP_A_CLUSTER_LIST, BGP_A_AS4_PATH, BGP_A_AS4_AGGREGATOR, BGP_A_LARGE_COMMUNITY,
};

int bgp_attrs_encode(const struct bgp_attrs *a, const struct bgp_attr_ctx *c, struct bgp_wr *w)
{
	uint8_t tmp[BGP_MAX_LEN];

	for (size_t i = 0; i < sizeof(bgp_encode_order); i++) {
		int code = bgp_encode_order[i];
		const struct bgp_attr_desc *d = &bgp_attr_table[code];
		if (!d->encode || !(BGP_HAS(a, code) || d->derived))
			continue;
		struct bgp_wr v = bgp_wr_make(tmp, sizeof(tmp));
		if (d->encode(&v, a, c))
			continue;
		if (v.err)
			return -1;
		/* RFC 4271 4.3: the Extended Length bit only when needed. */
		if (v.len > 255) {
			bgp_put8(w, d->flags | BGP_AF_EXT_LEN);
			bgp_put8(w, (uint8_t)code);
			bgp_put16(w, (uint16_t)v.len);
		} else {
			bgp_put8(w, d->flags);
			bgp_put8(w, (uint8_t)code);
			bgp_put8(w, (uint8_t)v.len);
		}
		bgp_putn(w, tmp, v.len);
	}
	bgp_putn(w, a->unknown, a->unknown_len);
	return w->err ? -1 : 0;
}

size_t bgp_attrs_format(const struct bgp_attrs *a, char *buf, size_t len)
{
	if (!len)
		return 0;
	buf[0] = 0;
	for (int code = 0; code < 64; code++) {
		const struct bgp_attr_desc *d = &bgp_attr_table[code];
		if (!BGP_HAS(a, code) || !d->format)
			continue;
		bgp_cat(buf, len, "BGP.%s: ", d->name);
		d->format(a, buf, len);
		bgp_cat(buf, len, "\n");
	}
	struct bgp_rd r = bgp_rd_make(a->unknown, a->unknown_len);
	while (r.len) {
		uint8_t fl = bgp_get8(&r);
		uint8_t code = bgp_get8(&r);
		size_t l = (fl & BGP_AF_EXT_LEN) ? bgp_get16(&r) : bgp_get8(&r);
		if (bgp_getn(&r, NULL, l) < 0)
			break;
		bgp_cat(buf, len, "BGP.attr%u: [flags 0x%02x] %zu octets\n", code, fl, l);
	}
	return strnlen(buf, len);
}
