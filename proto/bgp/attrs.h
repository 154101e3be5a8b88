/*
 * metalbird -- BGP path attributes
 *
 * One table row per attribute (attrs.c) holds its flags, its decoder,
 * encoder and display form, and what RFC 7606 says to do when it is
 * malformed.  struct bgp_attrs is the plain decoded form that update.c
 * fills from an UPDATE and that the update builder encodes from.
 */
#ifndef MB_BGP_ATTRS_H
#define MB_BGP_ATTRS_H

#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"
#include "proto/bgp/packets.h"

/* Attribute type codes (IANA). */
#define BGP_A_ORIGIN 1
#define BGP_A_AS_PATH 2
#define BGP_A_NEXT_HOP 3
#define BGP_A_MED 4
#define BGP_A_LOCAL_PREF 5
#define BGP_A_ATOMIC_AGGR 6
#define BGP_A_AGGREGATOR 7
#define BGP_A_COMMUNITY 8
#define BGP_A_ORIGINATOR_ID 9
#define BGP_A_CLUSTER_LIST 10
#define BGP_A_MP_REACH 14
#define BGP_A_MP_UNREACH 15
#define BGP_A_AS4_PATH 17
#define BGP_A_AS4_AGGREGATOR 18
#define BGP_A_LARGE_COMMUNITY 32

/* Attribute flags, RFC 4271 4.3. */
#define BGP_AF_OPTIONAL 0x80
#define BGP_AF_TRANSITIVE 0x40
#define BGP_AF_PARTIAL 0x20
#define BGP_AF_EXT_LEN 0x10

#define BGP_ORIGIN_IGP 0
#define BGP_ORIGIN_EGP 1
#define BGP_ORIGIN_INCOMPLETE 2

/* AS_PATH segment types, RFC 4271 4.3 and RFC 5065. */
#define BGP_AS_SET 1
#define BGP_AS_SEQUENCE 2
#define BGP_AS_CONFED_SEQUENCE 3
#define BGP_AS_CONFED_SET 4

/* Bounds that follow from the 4096-octet message: every entry takes at
 * least 2 (ASN), 4 (segment, community) or 12 (large community) octets. */
#define BGP_MAX_ASNS 2048
#define BGP_MAX_SEGS 1024
#define BGP_MAX_COMMS 1024
#define BGP_MAX_LCOMMS 341
#define BGP_MAX_CLUSTERS 1024

/* RFC 7606 outcomes, in increasing severity. */
enum bgp_7606 {
	BGP_7606_OK = 0,
	BGP_7606_DISCARD,		/* attribute discard */
	BGP_7606_WITHDRAW,		/* treat-as-withdraw */
	BGP_7606_RESET,			/* session reset */
};

struct bgp_aspath {
	uint16_t nseg;			/* segments */
	uint16_t nasn;			/* ASNs over all segments */
	struct {
		uint8_t type;		/* BGP_AS_SET ... */
		uint16_t count;		/* ASNs in this segment */
	} seg[BGP_MAX_SEGS];
	uint32_t asn[BGP_MAX_ASNS];	/* all ASNs, segment after segment */
};

struct bgp_lcomm {
	uint32_t global;		/* global administrator (an ASN) */
	uint32_t local1;		/* local data part 1 */
	uint32_t local2;		/* local data part 2 */
};

#define BGP_HAS(a, code) (((a)->present >> (code)) & 1)
#define BGP_SET(a, code) ((a)->present |= 1ULL << (code))
#define BGP_CLR(a, code) ((a)->present &= ~(1ULL << (code)))

struct bgp_attrs {
	uint64_t present;		/* bit n: attribute of type n present (n < 64) */
	uint8_t origin;			/* BGP_ORIGIN_* */
	struct bgp_aspath path;		/* AS_PATH, 4-octet ASNs (merged with AS4_PATH) */
	ip_addr next_hop;		/* NEXT_HOP (IPv4) */
	uint32_t med;			/* MULTI_EXIT_DISC */
	uint32_t local_pref;		/* LOCAL_PREF */
	uint32_t aggr_as;		/* AGGREGATOR: ASN (4-octet form) */
	uint32_t aggr_id;		/* AGGREGATOR: its BGP identifier */
	uint32_t originator_id;		/* ORIGINATOR_ID */
	uint16_t ncluster;		/* CLUSTER_LIST entries */
	uint32_t cluster[BGP_MAX_CLUSTERS]; /* CLUSTER_LIST */
	uint16_t ncomm;			/* COMMUNITIES entries */
	uint32_t comm[BGP_MAX_COMMS];	/* COMMUNITIES, (asn << 16 | value) */
	uint16_t nlcomm;		/* LARGE_COMMUNITY entries */
	struct bgp_lcomm lcomm[BGP_MAX_LCOMMS]; /* LARGE_COMMUNITY */

	/* MP_REACH_NLRI: next hop here, the NLRI stays in the message. */
	uint16_t mp_afi;		/* AFI of MP_REACH_NLRI */
	uint8_t mp_safi;		/* SAFI of MP_REACH_NLRI */
	ip_addr mp_next_hop;		/* global next hop */
	ip_addr mp_next_hop_ll;		/* link-local next hop (IPv6) */
	uint8_t mp_has_ll;		/* mp_next_hop_ll is set */
	const uint8_t *mp_nlri;		/* NLRI octets, inside the decoded message */
	size_t mp_nlri_len;		/* their length */
	/* MP_UNREACH_NLRI. */
	uint16_t mpu_afi;		/* AFI of MP_UNREACH_NLRI */
	uint8_t mpu_safi;		/* SAFI of MP_UNREACH_NLRI */
	const uint8_t *mpu_nlri;	/* withdrawn NLRI, inside the decoded message */
	size_t mpu_nlri_len;		/* their length */

	/* Transient during decode: merged into path / aggregator (RFC 6793). */
	struct bgp_aspath as4_path;	/* AS4_PATH as received */
	uint32_t as4_aggr_as;		/* AS4_AGGREGATOR ASN */
	uint32_t as4_aggr_id;		/* AS4_AGGREGATOR identifier */

	/* Unknown optional transitive attributes, encoded, Partial bit set. */
	uint16_t unknown_len;		/* octets in unknown */
	uint8_t unknown[BGP_MAX_LEN];	/* flags, type, length, value ... */
};

/* What decoding and encoding need to know of the session. */
struct bgp_attr_ctx {
	uint8_t as4;			/* the session negotiated 4-octet ASNs */
	uint8_t ibgp;			/* the peer is in our AS */
};

/* Result of decoding an attribute list. */
struct bgp_attr_result {
	enum bgp_7606 action;		/* worst outcome seen */
	char reason[160];		/* for treat-as-withdraw and discard: why */
	struct bgp_err err;		/* for session reset: what to send */
	uint16_t discarded;		/* attributes discarded */
};

void bgp_attrs_init(struct bgp_attrs *a);
/*
 * Decode a path attribute list (the UPDATE's Path Attributes field).  The
 * worst RFC 7606 outcome goes into res; a is usable unless it is RESET.
 */
void bgp_attrs_decode(const uint8_t *p, size_t len, const struct bgp_attr_ctx *c,
		      struct bgp_attrs *a, struct bgp_attr_result *res);
/*
 * Encode every present attribute except MP_REACH/MP_UNREACH, in type order,
 * for a session described by c (towards an old speaker: 2-octet AS_PATH with
 * AS_TRANS, plus AS4_PATH / AS4_AGGREGATOR, RFC 6793 4.2.2).  0 ok, -1 when
 * it does not fit.
 */
int bgp_attrs_encode(const struct bgp_attrs *a, const struct bgp_attr_ctx *c, struct bgp_wr *w);
/* One line per attribute, "BGP.as_path: 65001 65002\n"; returns length. */
size_t bgp_attrs_format(const struct bgp_attrs *a, char *buf, size_t len);
/* Name of an attribute type ("as_path"), or NULL if we do not know it. */
const char *bgp_attr_name(int code);
/* The RFC 7606 action for a malformed attribute of this type. */
enum bgp_7606 bgp_attr_error_action(int code);
const char *bgp_7606_name(enum bgp_7606 a);

/* AS_PATH helpers. */
void bgp_path_clear(struct bgp_aspath *p);
int bgp_path_append(struct bgp_aspath *p, int type, const uint32_t *asn, int n);
int bgp_path_prepend(struct bgp_aspath *p, uint32_t asn);
/* Path length for best-path purposes, RFC 4271 9.1.2.2: a set counts 1. */
int bgp_path_length(const struct bgp_aspath *p);
/* RFC 6793 4.2.3: merge an AS4_PATH into the AS_PATH of an old speaker. */
void bgp_path_merge_as4(struct bgp_aspath *path, const struct bgp_aspath *as4);

#endif
