/*
 * metalbird -- BGP UPDATE messages
 *
 * Decoding splits an UPDATE into its withdrawn routes, attribute list and
 * NLRI, hands the attributes to the table in attrs.c, reads the prefixes of
 * the IPv4 fields and of MP_REACH/MP_UNREACH, and settles the RFC 7606
 * outcome for the message as a whole.  Encoding packs prefixes that share
 * one attribute set: the attributes are encoded once per builder and each
 * message is filled with prefixes up to 4096 octets, so the overhead per
 * message is the header, the attributes and nothing else.
 */
#include "proto/bgp/update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void upd_fail(struct bgp_update *u, enum bgp_7606 act, const char *why)
{
	if (act > u->action) {
		u->action = act;
		snprintf(u->reason, sizeof(u->reason), "%s", why);
	}
}

static void upd_reset(struct bgp_update *u, int subcode, const char *why)
{
	bgp_err_set(&u->err, BGP_ERR_UPDATE, subcode, NULL, 0, "%s", why);
	upd_fail(u, BGP_7606_RESET, why);
}

/*
 * RFC 4271 4.3: each prefix is a length octet and the fewest octets that
 * hold that many bits.  RFC 7606 5.3: a length above the family's maximum
 * or a prefix running past the field makes the field syntactically
 * incorrect; prefixes after it cannot be found, so treat-as-withdraw cannot
 * be applied and the session is reset (Invalid Network Field).  Bits after
 * the prefix length should be zero; where they are not we treat the
 * UPDATE as withdrawn rather than guess which prefix was meant.
 * Returns 0, or -1 for a syntax error; sets *hostbits.
 */
static int parse_prefixes(struct bgp_rd *r, int af, net_addr *out, uint16_t *n, int keep,
			  int *hostbits)
{
	int max = af_maxlen(af);

	while (r->len) {
		uint8_t b[16] = { 0 };
		uint8_t plen = bgp_get8(r);
		if (plen > max)
			return -1;
		if (bgp_getn(r, b, ((size_t)plen + 7) / 8) < 0)
			return -1;
		ip_addr ip = ip_from_bytes(af, b);
		ip_addr m = ip_mask(ip, af, plen);
		if (!ip_equal(ip, m))
			*hostbits = 1;
		if (keep && *n < BGP_UPD_MAX_NETS)
			out[(*n)++] = net_make(m, af, plen);
	}
	return 0;
}

void bgp_update_decode(const uint8_t *body, size_t len, const struct bgp_attr_ctx *c,
		       const uint8_t fam[BGP_FAM_N], struct bgp_update *u)
{
	struct bgp_rd r = bgp_rd_make(body, len);
	struct bgp_attr_result ar;
	int hostbits = 0;

	u->action = BGP_7606_OK;
	u->reason[0] = 0;
	u->err.code = 0;
	u->discarded = 0;
	u->eor = -1;
	u->nwithdrawn = u->nannounced = 0;

	/*
	 * RFC 4271 6.3: "If the Withdrawn Routes Length or Total Attribute
	 * Length is too large (i.e., if Withdrawn Routes Length + Total
	 * Attribute Length + 23 exceeds the message Length), then the Error
	 * Subcode MUST be set to Malformed Attribute List."
	 */
	uint16_t wlen = bgp_get16(&r);
	struct bgp_rd wd = bgp_sub(&r, wlen);
	uint16_t alen = bgp_get16(&r);
	struct bgp_rd at = bgp_sub(&r, alen);
	struct bgp_rd nlri = r;
	if (r.err) {
		bgp_attrs_init(&u->attrs);
		upd_reset(u, BGP_UPD_MALFORMED_ATTRS, "withdrawn or attribute length too large");
		return;
	}

	if (parse_prefixes(&wd, AF_IP4, u->withdrawn, &u->nwithdrawn, fam[BGP_FAM_IP4],
			   &hostbits) < 0) {
		bgp_attrs_init(&u->attrs);
		upd_reset(u, BGP_UPD_BAD_NETWORK, "invalid prefix in withdrawn routes");
		return;
	}

	bgp_attrs_decode(at.p, at.len, c, &u->attrs, &ar);
	u->discarded = ar.discarded;
	if (ar.action == BGP_7606_RESET) {
		u->err = ar.err;
		upd_fail(u, BGP_7606_RESET, ar.err.text);
		return;
	}
	if (ar.action == BGP_7606_WITHDRAW)
		upd_fail(u, BGP_7606_WITHDRAW, ar.reason);

	/* RFC 7606 3, last paragraph: MP_REACH_NLRI and MP_UNREACH_NLRI must
	 * parse completely, or the session is reset. */
	struct bgp_attrs *a = &u->attrs;
	if (BGP_HAS(a, BGP_A_MP_UNREACH)) {
		int f = bgp_fam_of(a->mpu_afi, a->mpu_safi);
		struct bgp_rd m = bgp_rd_make(a->mpu_nlri, a->mpu_nlri_len);
		if (f >= 0 && parse_prefixes(&m, f == BGP_FAM_IP4 ? AF_IP4 : AF_IP6, u->withdrawn,
					     &u->nwithdrawn, fam[f], &hostbits) < 0) {
			bgp_err_set(&u->err, BGP_ERR_UPDATE, BGP_UPD_OPT_ATTR, NULL, 0,
				    "invalid prefix in MP_UNREACH_NLRI");
			upd_fail(u, BGP_7606_RESET, u->err.text);
			return;
		}
	}
	int mp_reach_nets = 0;
	if (BGP_HAS(a, BGP_A_MP_REACH)) {
		int f = bgp_fam_of(a->mp_afi, a->mp_safi);
		struct bgp_rd m = bgp_rd_make(a->mp_nlri, a->mp_nlri_len);
		if (f >= 0 && parse_prefixes(&m, f == BGP_FAM_IP4 ? AF_IP4 : AF_IP6, u->announced,
					     &u->nannounced, fam[f], &hostbits) < 0) {
			bgp_err_set(&u->err, BGP_ERR_UPDATE, BGP_UPD_OPT_ATTR, NULL, 0,
				    "invalid prefix in MP_REACH_NLRI");
			upd_fail(u, BGP_7606_RESET, u->err.text);
			return;
		}
		mp_reach_nets = a->mp_nlri_len != 0;
	}
	if (parse_prefixes(&nlri, AF_IP4, u->announced, &u->nannounced, fam[BGP_FAM_IP4],
			   &hostbits) < 0) {
		upd_reset(u, BGP_UPD_BAD_NETWORK, "invalid prefix in NLRI");
		return;
	}
	int any_v4 = len > 4 + (size_t)wlen + alen;	/* the NLRI field is not empty */

	if (hostbits)
		upd_fail(u, BGP_7606_WITHDRAW, "prefix with bits set after its length");

	/*
	 * RFC 7606 3 (d): "If any of the well-known mandatory attributes are
	 * not present in an UPDATE message, then treat-as-withdraw MUST be
	 * used."  NEXT_HOP is mandatory only with IPv4 NLRI (RFC 4760 3).
	 */
	if (any_v4 || mp_reach_nets) {
		const char *miss = NULL;
		if (!BGP_HAS(a, BGP_A_ORIGIN))
			miss = "missing ORIGIN";
		else if (!BGP_HAS(a, BGP_A_AS_PATH))
			miss = "missing AS_PATH";
		else if (any_v4 && !BGP_HAS(a, BGP_A_NEXT_HOP))
			miss = "missing NEXT_HOP";
		if (miss)
			upd_fail(u, BGP_7606_WITHDRAW, miss);
	}

	/* RFC 4724 2: End-of-RIB is an UPDATE with nothing in it (IPv4), or
	 * with only an empty MP_UNREACH_NLRI (other families). */
	if (len == 4)
		u->eor = BGP_FAM_IP4;
	else if (wlen == 0 && !any_v4 && a->present == (1ULL << BGP_A_MP_UNREACH) &&
		 a->mpu_nlri_len == 0 && a->unknown_len == 0)
		u->eor = bgp_fam_of(a->mpu_afi, a->mpu_safi);
}

/* ---- encoding -------------------------------------------------------------- */

int bgp_builder_init(struct bgp_builder *b, int fam, const struct bgp_attrs *a,
		     const struct bgp_attr_ctx *c, char *err, size_t errlen)
{
	struct bgp_wr w = bgp_wr_make(b->attrs, sizeof(b->attrs));

	b->fam = fam;
	b->nh_len = 0;
	/* RFC 8950 4: IPv4 NLRI with an IPv6 next hop go in MP_REACH_NLRI
	 * (AFI 1, SAFI 1), the next hop encoded as for IPv6 (RFC 2545 3). */
	int ext = fam == BGP_FAM_IP4 && !BGP_HAS(a, BGP_A_NEXT_HOP) && a->mp_afi == BGP_AFI_IP4 &&
		  !ip_is4(a->mp_next_hop) && !ip_is_zero(a->mp_next_hop);
	if (fam == BGP_FAM_IP4 && !ext) {
		if (!BGP_HAS(a, BGP_A_NEXT_HOP) || !ip_is4(a->next_hop)) {
			snprintf(err, errlen, "no IPv4 next hop");
			return -1;
		}
		if (bgp_attrs_encode(a, c, &w) < 0)
			goto big;
	} else {
		if (ip_is4(a->mp_next_hop) || ip_is_zero(a->mp_next_hop)) {
			snprintf(err, errlen, "no IPv6 next hop");
			return -1;
		}
		ip_to_bytes(a->mp_next_hop, b->nh);
		b->nh_len = 16;
		if (a->mp_has_ll) {
			ip_to_bytes(a->mp_next_hop_ll, b->nh + 16);
			b->nh_len = 32;
		}
		/* RFC 4760 3: no NEXT_HOP attribute with only MP_REACH_NLRI. */
		struct bgp_attrs *t = malloc(sizeof(*t));
		if (!t) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		*t = *a;
		BGP_CLR(t, BGP_A_NEXT_HOP);
		int rc = bgp_attrs_encode(t, c, &w);
		free(t);
		if (rc < 0)
			goto big;
	}
	b->attrs_len = w.len;
	/* Room must remain for at least one host route. */
	if (b->attrs_len + 23 + 4 + 5 + 32 + 17 > BGP_MAX_LEN)
		goto big;
	return 0;
big:
	snprintf(err, errlen, "attributes too large for one UPDATE");
	return -1;
}

static void put_prefix(struct bgp_wr *w, const net_addr *n)
{
	uint8_t b[16];
	ip_to_bytes(n->ip, b);
	bgp_put8(w, n->len);
	bgp_putn(w, b, ((size_t)n->len + 7) / 8);
}

/* Add prefixes while they fit below limit octets; returns how many. */
static size_t put_prefixes(struct bgp_wr *w, int af, const net_addr *nets, size_t n, size_t limit)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (nets[i].af != af)
			break;
		if (w->len + bgp_prefix_size(&nets[i]) > limit)
			break;
		put_prefix(w, &nets[i]);
	}
	return i;
}

size_t bgp_build_reach(const struct bgp_builder *b, const net_addr *nets, size_t n, size_t *used,
		       uint8_t *buf, size_t cap)
{
	size_t lim = cap < BGP_MAX_LEN ? cap : BGP_MAX_LEN;
	struct bgp_wr w = bgp_wr_make(buf, lim);

	*used = 0;
	if (!n)
		return 0;
	bgp_hdr_put(&w, 0, BGP_MSG_UPDATE);
	bgp_put16(&w, 0);			/* no withdrawn routes */
	size_t alen_at = w.len;
	bgp_put16(&w, 0);
	bgp_putn(&w, b->attrs, b->attrs_len);
	if (b->fam == BGP_FAM_IP4 && !b->nh_len) {
		bgp_patch16(&w, alen_at, (uint16_t)b->attrs_len);
		*used = put_prefixes(&w, AF_IP4, nets, n, lim);
	} else {
		/* MP_REACH_NLRI, always with an extended length: it is the
		 * attribute that grows with the prefixes.  IPv6, or IPv4 with
		 * an IPv6 next hop (RFC 8950 4). */
		int af = b->fam == BGP_FAM_IP4 ? AF_IP4 : AF_IP6;
		bgp_put8(&w, BGP_AF_OPTIONAL | BGP_AF_EXT_LEN);
		bgp_put8(&w, BGP_A_MP_REACH);
		size_t mlen_at = w.len;
		bgp_put16(&w, 0);
		bgp_put16(&w, af == AF_IP4 ? BGP_AFI_IP4 : BGP_AFI_IP6);
		bgp_put8(&w, BGP_SAFI_UNICAST);
		bgp_put8(&w, b->nh_len);
		bgp_putn(&w, b->nh, b->nh_len);
		bgp_put8(&w, 0);
		*used = put_prefixes(&w, af, nets, n, lim);
		bgp_patch16(&w, mlen_at, (uint16_t)(w.len - mlen_at - 2));
		bgp_patch16(&w, alen_at, (uint16_t)(w.len - alen_at - 2));
	}
	if (w.err || !*used) {
		*used = 0;
		return 0;
	}
	bgp_patch16(&w, 16, (uint16_t)w.len);
	return w.len;
}

size_t bgp_build_withdraw(int fam, const net_addr *nets, size_t n, size_t *used,
			  uint8_t *buf, size_t cap)
{
	size_t lim = cap < BGP_MAX_LEN ? cap : BGP_MAX_LEN;
	struct bgp_wr w = bgp_wr_make(buf, lim);

	*used = 0;
	if (!n)
		return 0;
	bgp_hdr_put(&w, 0, BGP_MSG_UPDATE);
	if (fam == BGP_FAM_IP4) {
		/* Leave room for the Total Path Attribute Length after them. */
		size_t wlen_at = w.len;
		bgp_put16(&w, 0);
		*used = put_prefixes(&w, AF_IP4, nets, n, lim - 2);
		bgp_patch16(&w, wlen_at, (uint16_t)(w.len - wlen_at - 2));
		bgp_put16(&w, 0);
	} else {
		bgp_put16(&w, 0);
		size_t alen_at = w.len;
		bgp_put16(&w, 0);
		bgp_put8(&w, BGP_AF_OPTIONAL | BGP_AF_EXT_LEN);
		bgp_put8(&w, BGP_A_MP_UNREACH);
		size_t mlen_at = w.len;
		bgp_put16(&w, 0);
		bgp_put16(&w, BGP_AFI_IP6);
		bgp_put8(&w, BGP_SAFI_UNICAST);
		*used = put_prefixes(&w, AF_IP6, nets, n, lim);
		bgp_patch16(&w, mlen_at, (uint16_t)(w.len - mlen_at - 2));
		bgp_patch16(&w, alen_at, (uint16_t)(w.len - alen_at - 2));
	}
	if (w.err || !*used) {
		*used = 0;
		return 0;
	}
	bgp_patch16(&w, 16, (uint16_t)w.len);
	return w.len;
}

size_t bgp_build_eor(int fam, uint8_t *buf, size_t cap)
{
	struct bgp_wr w = bgp_wr_make(buf, cap);

	bgp_hdr_put(&w, 0, BGP_MSG_UPDATE);
	bgp_put16(&w, 0);
	if (fam == BGP_FAM_IP4) {
		bgp_put16(&w, 0);
	} else {
		bgp_put16(&w, 6);
		bgp_put8(&w, BGP_AF_OPTIONAL);
		bgp_put8(&w, BGP_A_MP_UNREACH);
		bgp_put8(&w, 3);
		bgp_put16(&w, BGP_AFI_IP6);
		bgp_put8(&w, BGP_SAFI_UNICAST);
	}
	if (w.err)
		return 0;
	bgp_patch16(&w, 16, (uint16_t)w.len);
	return w.len;
}
