/*
 * metalbird -- BGP UPDATE messages: decoding with RFC 7606 outcomes, and a
 * builder that packs prefixes sharing one attribute set into as few
 * messages as fit in 4096 octets.
 */
#ifndef MB_BGP_UPDATE_H
#define MB_BGP_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"
#include "proto/bgp/attrs.h"
#include "proto/bgp/packets.h"

/* Every prefix takes at least one octet of a 4096-octet message. */
#define BGP_UPD_MAX_NETS BGP_MAX_LEN

struct bgp_update {
	enum bgp_7606 action;		/* OK, WITHDRAW (announced[] must be withdrawn) or RESET */
	char reason[160];		/* why, for the log */
	struct bgp_err err;		/* for RESET: the NOTIFICATION to send */
	uint16_t discarded;		/* attributes discarded (RFC 7606 attribute discard) */
	int eor;			/* End-of-RIB marker: family index, or -1 */
	uint16_t nwithdrawn;		/* withdrawn prefixes (IPv4 field and MP_UNREACH) */
	uint16_t nannounced;		/* announced prefixes (IPv4 NLRI and MP_REACH) */
	net_addr withdrawn[BGP_UPD_MAX_NETS];	/* withdrawn prefixes */
	net_addr announced[BGP_UPD_MAX_NETS];	/* announced prefixes, all sharing attrs */
	struct bgp_attrs attrs;		/* the path attributes of announced[] */
};

/*
 * Decode an UPDATE body (after the 19-octet header).  fam[] says which
 * families the session negotiated; prefixes of others are skipped.  The
 * outcome is in u->action.  u is large (~200 kB): allocate it once.
 */
void bgp_update_decode(const uint8_t *body, size_t len, const struct bgp_attr_ctx *c,
		       const uint8_t fam[BGP_FAM_N], struct bgp_update *u);

/* Octets one prefix takes in NLRI: RFC 4271 4.3, length then minimal octets. */
static inline size_t bgp_prefix_size(const net_addr *n)
{
	return 1 + ((size_t)n->len + 7) / 8;
}

/* Encoder state for one attribute set and one family. */
struct bgp_builder {
	int fam;			/* BGP_FAM_IP4 or BGP_FAM_IP6 */
	size_t attrs_len;		/* octets of pre-encoded attributes */
	uint8_t attrs[BGP_MAX_LEN];	/* path attributes except MP_REACH_NLRI */
	uint8_t nh_len;			/* MP_REACH next hop length: 16 or 32 (0: IPv4 NEXT_HOP) */
	uint8_t nh[32];			/* MP_REACH next hop: global [+ link-local] */
};

/*
 * Prepare to announce prefixes of family fam with attribute set a on a
 * session described by c.  For IPv4 the NEXT_HOP attribute of a is used;
 * for IPv6 a->mp_next_hop (and mp_next_hop_ll when mp_has_ll) go into
 * MP_REACH_NLRI and NEXT_HOP is left out (RFC 4760 3).  IPv4 without
 * NEXT_HOP, with mp_afi BGP_AFI_IP4 and an IPv6 mp_next_hop, goes the IPv6
 * way: MP_REACH_NLRI of AFI 1 with that next hop (RFC 8950 4; only for a
 * session that negotiated it).  0 ok, -1 with a reason in err when the
 * set cannot be encoded (too large, no next hop).
 */
int bgp_builder_init(struct bgp_builder *b, int fam, const struct bgp_attrs *a,
		     const struct bgp_attr_ctx *c, char *err, size_t errlen);
/*
 * Write one UPDATE announcing as many of nets[0..n) as fit; *used is how
 * many it took.  Every net must be of the builder's family.  Returns the
 * message length, 0 if n is 0 or buf is too small.
 */
size_t bgp_build_reach(const struct bgp_builder *b, const net_addr *nets, size_t n, size_t *used,
		       uint8_t *buf, size_t cap);
/* Likewise for withdrawals of family fam (IPv4 field, or MP_UNREACH_NLRI). */
size_t bgp_build_withdraw(int fam, const net_addr *nets, size_t n, size_t *used,
			  uint8_t *buf, size_t cap);
/* RFC 4724 2: End-of-RIB, an empty UPDATE (IPv4) or an empty MP_UNREACH. */
size_t bgp_build_eor(int fam, uint8_t *buf, size_t cap);

#endif
