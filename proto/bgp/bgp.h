/*
 * metalbird -- protocol bgp: configuration and instance
 *
 * The protocol glue: config (grammar in config.y), comparison for
 * reconfiguration (session options restart the session, filters only
 * refeed), and the instance that owns a session (session.c) and a channel
 * of the route table.  The wire codecs are packets.c, attrs.c, update.c.
 */
#ifndef MB_BGP_H
#define MB_BGP_H

#include "nest/protocol.h"

enum bgp_gr_mode { BGP_GR_OFF, BGP_GR_AWARE, BGP_GR_ON };

struct bgp_config {
	struct proto_config c;
	ip_addr remote_ip;		/* neighbor ADDR */
	int has_remote;
	unsigned remote_port;		/* default 179 */
	uint32_t remote_as;
	ip_addr local_ip;		/* local ADDR as ASN */
	int has_local_ip;
	uint32_t local_as;
	const char *iface;		/* interface "NAME" */
	ip_addr source_addr;		/* source address ADDR */
	int has_source;
	unsigned hold_time;		/* 0, or 3..65535; default 90 */
	unsigned keepalive_time;	/* 0 = hold/3 */
	unsigned connect_retry_time;	/* default 5 */
	int passive;
	int multihop;			/* 0 = direct; N = hops; -1 = default (eBGP direct, iBGP 64) */
	int ttl_security;		/* GTSM */
	const char *password;		/* TCP-MD5 */
	enum bgp_gr_mode gr_mode;	/* default aware */
	unsigned gr_time;		/* default 120 */
	int bfd;
	int next_hop_self;		/* default 1 */
	ip_addr next_hop4, next_hop6;	/* next hop address IP (per family) */
	int has_next_hop4, has_next_hop6;
	struct cf_loc neighbor_loc, local_loc, hold_loc, keepalive_loc;
};

extern struct proto_class proto_bgp;

/* ASN check of SPEC section 3: error naming the valid ranges. */
void bgp_check_asn(uint32_t asn, const struct cf_loc *loc, const char *what);
/* The effective keepalive of a config. */
unsigned bgp_cf_keepalive(const struct bgp_config *c);
int bgp_cf_is_ibgp(const struct bgp_config *c);

#endif
