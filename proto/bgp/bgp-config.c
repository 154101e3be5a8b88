/*
 * metalbird -- protocol bgp: configuration
 *
 * Defaults, the checks that need no network, the canonical dump for -p -v,
 * and the comparison that decides what a reload does: a change of anything
 * the session negotiated or was opened with restarts it (Cease subcode 6);
 * filters, description and debug change in place.
 */
#include "proto/bgp/bgp.h"
#include "nest/filter/filter.h"

#include <stdio.h>
#include <string.h>

/* SPEC section 3: 1-65534 (16-bit) or 131072-4294967294 (32-bit); AS_TRANS
 * (RFC 6793) and the reserved and private-use boundaries are refused. */
void bgp_check_asn(uint32_t asn, const struct cf_loc *loc, const char *what)
{
	if (asn == 23456)
		cf_error_at(loc, "%s 23456 is AS_TRANS (RFC 6793) and cannot be used; valid ASNs are "
			    "1-65534 (16-bit) and 131072-4294967294 (32-bit)", what);
	if ((asn >= 1 && asn <= 65534) || (asn >= 131072 && asn <= 4294967294u))
		return;
	cf_error_at(loc, "%s %u is not a valid AS number; valid ASNs are 1-65534 (16-bit) and "
		    "131072-4294967294 (32-bit)", what, asn);
}

unsigned bgp_cf_keepalive(const struct bgp_config *c)
{
	if (c->keepalive_time)
		return c->keepalive_time;
	return c->hold_time / 3;
}

int bgp_cf_is_ibgp(const struct bgp_config *c)
{
	return c->local_as == c->remote_as;
}

void bgp_init_config(struct proto_config *pc);
void bgp_init_config(struct proto_config *pc)
{
	struct bgp_config *c = (struct bgp_config *)pc;

	c->remote_port = 179;
	c->hold_time = 90;
	c->connect_retry_time = 5;
	c->multihop = -1;
	c->gr_mode = BGP_GR_AWARE;
	c->gr_time = 120;
	c->next_hop_self = 1;
}

void bgp_postconfig(struct proto_config *pc);
void bgp_postconfig(struct proto_config *pc)
{
	struct bgp_config *c = (struct bgp_config *)pc;

	if (pc->is_template)
		return;
	if (!c->has_remote)
		cf_error_at(&pc->name_loc, "protocol bgp %s has no neighbor: add neighbor ADDRESS as ASN;", pc->name);
	if (!c->local_as)
		cf_error_at(&pc->name_loc, "protocol bgp %s has no local AS: add local [ADDRESS] as ASN;", pc->name);
	if (c->hold_time && c->keepalive_time && c->keepalive_time > c->hold_time)
		cf_error_at(&c->keepalive_loc, "keepalive time %u is longer than hold time %u", c->keepalive_time,
			    c->hold_time);
	if (!c->hold_time && c->keepalive_time)
		cf_error_at(&c->keepalive_loc, "keepalive time makes no sense with hold time 0 (no keepalives)");
	if (c->has_local_ip && ip_af(c->local_ip) != ip_af(c->remote_ip))
		cf_error_at(&c->local_loc, "local address and neighbor address are of different families");
	if (c->has_source && ip_af(c->source_addr) != ip_af(c->remote_ip))
		cf_error_at(&c->neighbor_loc, "source address and neighbor address are of different families");
	if (ip_is_zero(c->remote_ip) || (ip_is4(c->remote_ip) && !ip4_get(c->remote_ip)))
		cf_error_at(&c->neighbor_loc, "neighbor address must not be the unspecified address");
	if (c->multihop < 0)
		c->multihop = bgp_cf_is_ibgp(c) ? 64 : 0;
	/* one session per neighbor address, port and interface */
	for (struct proto_config *o = new_config->protos; o; o = o->next) {
		if (o->class != &proto_bgp)
			continue;
		struct bgp_config *b = (struct bgp_config *)o;
		if (ip_equal(b->remote_ip, c->remote_ip) && b->remote_port == c->remote_port &&
		    ((!b->iface && !c->iface) || (b->iface && c->iface && !strcmp(b->iface, c->iface)))) {
			char a[IP_STRLEN];
			cf_error_at(&c->neighbor_loc, "neighbor %s is already used by protocol %s (%s:%d:%d)",
				    ip_ntop(c->remote_ip, a), o->name, o->loc.file, o->loc.line, o->loc.col);
		}
	}
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

#define DIFF(cond, ...) do { if (cond) { snprintf(why->text, sizeof why->text, __VA_ARGS__); return RC_RESTART; } } while (0)

enum reconf_action bgp_compare(const struct proto_config *po, const struct proto_config *pn, struct reconf_why *why);
enum reconf_action bgp_compare(const struct proto_config *po, const struct proto_config *pn, struct reconf_why *why)
{
	const struct bgp_config *o = (const void *)po, *n = (const void *)pn;
	char a[IP_STRLEN], b[IP_STRLEN];

	DIFF(!ip_equal(o->remote_ip, n->remote_ip), "neighbor %s -> %s", ip_ntop(o->remote_ip, a), ip_ntop(n->remote_ip, b));
	DIFF(o->remote_port != n->remote_port, "neighbor port %u -> %u", o->remote_port, n->remote_port);
	DIFF(o->remote_as != n->remote_as, "neighbor AS %u -> %u", o->remote_as, n->remote_as);
	DIFF(o->local_as != n->local_as, "local AS %u -> %u", o->local_as, n->local_as);
	DIFF(o->has_local_ip != n->has_local_ip || (n->has_local_ip && !ip_equal(o->local_ip, n->local_ip)),
	     "local address changed");
	DIFF(!str_same(o->iface, n->iface), "interface changed");
	DIFF(o->has_source != n->has_source || (n->has_source && !ip_equal(o->source_addr, n->source_addr)),
	     "source address changed");
	DIFF(o->hold_time != n->hold_time, "hold time %u -> %u", o->hold_time, n->hold_time);
	DIFF(bgp_cf_keepalive(o) != bgp_cf_keepalive(n), "keepalive time %u -> %u", bgp_cf_keepalive(o),
	     bgp_cf_keepalive(n));
	DIFF(o->passive != n->passive, "passive %s -> %s", o->passive ? "on" : "off", n->passive ? "on" : "off");
	DIFF(o->multihop != n->multihop, "multihop %d -> %d", o->multihop, n->multihop);
	DIFF(o->ttl_security != n->ttl_security, "ttl security changed");
	DIFF(!str_same(o->password, n->password), "password changed");
	DIFF(o->gr_mode != n->gr_mode || o->gr_time != n->gr_time, "graceful restart changed");
	DIFF(o->bfd != n->bfd, "bfd %s -> %s", o->bfd ? "on" : "off", n->bfd ? "on" : "off");
	/* the next hop is an attribute of what we send: a refeed carries it */
	if (o->next_hop_self != n->next_hop_self || o->has_next_hop4 != n->has_next_hop4 ||
	    o->has_next_hop6 != n->has_next_hop6 ||
	    (n->has_next_hop4 && !ip_equal(o->next_hop4, n->next_hop4)) ||
	    (n->has_next_hop6 && !ip_equal(o->next_hop6, n->next_hop6))) {
		snprintf(why->text, sizeof why->text, "next hop changed");
		return RC_SOFT;
	}
	if (o->connect_retry_time != n->connect_retry_time) {
		snprintf(why->text, sizeof why->text, "connect retry time %u -> %u", o->connect_retry_time,
			 n->connect_retry_time);
		return RC_SOFT;
	}
	return RC_SAME;
}

void bgp_dump_config(FILE *out, const struct proto_config *pc);
void bgp_dump_config(FILE *out, const struct proto_config *pc)
{
	const struct bgp_config *c = (const void *)pc;
	char a[IP_STRLEN];

	fprintf(out, "\tneighbor %s", ip_ntop(c->remote_ip, a));
	if (c->remote_port != 179)
		fprintf(out, " port %u", c->remote_port);
	fprintf(out, " as %u;\n", c->remote_as);
	if (c->has_local_ip)
		fprintf(out, "\tlocal %s as %u;\n", ip_ntop(c->local_ip, a), c->local_as);
	else
		fprintf(out, "\tlocal as %u;\n", c->local_as);
	if (c->iface) {
		fprintf(out, "\tinterface ");
		cf_dump_string(out, c->iface);
		fprintf(out, ";\n");
	}
	if (c->has_source)
		fprintf(out, "\tsource address %s;\n", ip_ntop(c->source_addr, a));
	fprintf(out, "\thold time %u;\n", c->hold_time);
	fprintf(out, "\tkeepalive time %u;\n", bgp_cf_keepalive(c));
	fprintf(out, "\tconnect retry time %u;\n", c->connect_retry_time);
	fprintf(out, "\tpassive %s;\n", c->passive ? "on" : "off");
	if (c->multihop)
		fprintf(out, "\tmultihop %d;\n", c->multihop);
	else
		fprintf(out, "\tdirect;\n");
	fprintf(out, "\tttl security %s;\n", c->ttl_security ? "on" : "off");
	if (c->password) {
		fprintf(out, "\tpassword ");
		cf_dump_string(out, c->password);
		fprintf(out, ";\n");
	}
	fprintf(out, "\tgraceful restart %s;\n", c->gr_mode == BGP_GR_ON ? "on" : c->gr_mode == BGP_GR_OFF ? "off" : "aware");
	fprintf(out, "\tgraceful restart time %u;\n", c->gr_time);
	fprintf(out, "\tbfd %s;\n", c->bfd ? "on" : "off");
	if (c->next_hop_self)
		fprintf(out, "\tnext hop self;\n");
	if (c->has_next_hop4)
		fprintf(out, "\tnext hop address %s;\n", ip_ntop(c->next_hop4, a));
	if (c->has_next_hop6)
		fprintf(out, "\tnext hop address %s;\n", ip_ntop(c->next_hop6, a));
}
