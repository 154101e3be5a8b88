/*
 * metalbird -- address pools: configuration and its checks
 *
 * Every check that needs no network happens here, at parse time, so that
 * `metalbird -p` catches it: ranges ordered and of one family, prefixes
 * without host bits, aggregation lengths no shorter than the pool's own
 * prefixes (MetalLB's rule), and no overlap with an earlier pool.
 */
#include "nest/pool.h"
#include "nest/selector.h"

#include <string.h>

struct pool_config *pool_config_new(const char *name, const struct cf_loc *loc)
{
	struct pool_config *p = cf_alloc(sizeof *p);

	p->name = name;
	p->loc = *loc;
	p->auto_assign = 1;
	return p;
}

/* A range as the config wrote it: PREFIX, FIRST-LAST, or one ADDRESS. */
static const char *range_text(const struct pool_range *r, char *buf, size_t len)
{
	char a[IP_STRLEN], b[IP_STRLEN];

	if (r->is_cidr && r->cidr_len != af_maxlen(r->af))
		snprintf(buf, len, "%s/%d", ip_ntop(r->first, a), r->cidr_len);
	else if (ip_equal(r->first, r->last))
		snprintf(buf, len, "%s", ip_ntop(r->first, a));
	else
		snprintf(buf, len, "%s-%s", ip_ntop(r->first, a), ip_ntop(r->last, b));
	return buf;
}

static void add_range(struct pool_config *p, struct pool_range *r)
{
	struct pool_range **pp = &p->ranges;

	/* overlaps inside one pool are mistakes too */
	for (struct pool_range *o = p->ranges; o; o = o->next) {
		if (o->af == r->af && ip_cmp(r->first, o->last) <= 0 && ip_cmp(o->first, r->last) <= 0) {
			char a[2 * IP_STRLEN + 8], b[2 * IP_STRLEN + 8];
			cf_error_at(&r->loc, "addresses %s overlap %s, given at %d:%d in the same pool '%s'",
				    range_text(r, a, sizeof a), range_text(o, b, sizeof b), o->loc.line, o->loc.col,
				    p->name);
		}
	}
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
}

void pool_add_prefix(struct pool_config *p, ip_addr ip, int af, unsigned len, const struct cf_loc *loc)
{
	char buf[IP_STRLEN];

	if (len > (unsigned)af_maxlen(af))
		cf_error_at(loc, "prefix length /%u is too long for an IPv%d address (at most %d)",
			    len, af, af_maxlen(af));
	net_addr n = net_make(ip, af, (int)len);
	if (!ip_equal(n.ip, ip))
		cf_error_at(loc, "%s/%u has host bits set; did you mean %s/%u?",
			    ip_ntop(ip, buf), len, ip_ntop(n.ip, (char[IP_STRLEN]){ 0 }), len);
	struct pool_range *r = cf_alloc(sizeof *r);
	r->first = n.ip;
	r->last = net_last(&n);
	r->af = af;
	r->is_cidr = 1;
	r->cidr_len = (int)len;
	r->loc = *loc;
	add_range(p, r);
}

void pool_add_range(struct pool_config *p, ip_addr first, ip_addr last, const struct cf_loc *loc)
{
	char a[IP_STRLEN], b[IP_STRLEN];

	if (ip_af(first) != ip_af(last))
		cf_error_at(loc, "range %s-%s mixes IPv4 and IPv6; a range must be of one family",
			    ip_ntop(first, a), ip_ntop(last, b));
	if (ip_cmp(first, last) > 0)
		cf_error_at(loc, "range %s-%s is reversed: the start address is after the end address",
			    ip_ntop(first, a), ip_ntop(last, b));
	struct pool_range *r = cf_alloc(sizeof *r);
	r->first = first;
	r->last = last;
	r->af = ip_af(first);
	r->loc = *loc;
	add_range(p, r);
}

struct pool_config *pool_find(const struct config *c, const char *name)
{
	for (struct pool_config *p = c->pools; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int pool_contains(const struct pool_config *p, ip_addr a)
{
	for (struct pool_range *r = p->ranges; r; r = r->next)
		if (r->af == ip_af(a) && ip_cmp(r->first, a) <= 0 && ip_cmp(a, r->last) <= 0)
			return 1;
	return 0;
}

uint64_t pool_size(const struct pool_config *p, int af)
{
	uint64_t n = 0;

	for (struct pool_range *r = p->ranges; r; r = r->next) {
		if (r->af != af)
			continue;
		int64_t d = ip_diff(r->first, r->last);
		uint64_t add = d == INT64_MAX ? UINT64_MAX : (uint64_t)d + 1;
		n = UINT64_MAX - n < add ? UINT64_MAX : n + add;
	}
	return n;
}

/* Smallest prefix length of a range's CIDR cover: the aggregation length
 * must not be shorter (MetalLB: "prefix %d in this pool is more specific
 * than the aggregation length"). */
static int range_min_len(const struct pool_range *r)
{
	int max = af_maxlen(r->af);
	for (int len = 0; len <= max; len++) {
		net_addr n = net_make(r->first, r->af, len);
		if (ip_cmp(n.ip, r->first) >= 0 && ip_cmp(net_last(&n), r->last) <= 0)
			return len;
	}
	return max;
}

void pool_config_finish(struct pool_config *p)
{
	if (!p->ranges)
		cf_error_at(&p->loc, "pool '%s' has no addresses (add: addresses PREFIX or FIRST-LAST;)", p->name);
	if (!p->nagg4)
		p->agg4[p->nagg4++] = 32;
	if (!p->nagg6)
		p->agg6[p->nagg6++] = 128;
	for (struct pool_range *r = p->ranges; r; r = r->next) {
		int *agg = r->af == AF_IP4 ? p->agg4 : p->agg6;
		int nagg = r->af == AF_IP4 ? p->nagg4 : p->nagg6;
		const struct cf_loc *al = r->af == AF_IP4 ? &p->agg4_loc : &p->agg6_loc;
		int min = range_min_len(r);
		/* MetalLB's rule, for prefixes: an aggregate shorter than the pool's
		 * own prefix would announce addresses the pool does not hold.  A
		 * first-last range may be aggregated freely (SPEC section 3). */
		for (int i = 0; i < nagg && r->is_cidr; i++)
			if (agg[i] < min && al->line) {
				char a[IP_STRLEN], b[IP_STRLEN];
				cf_error_at(al, "aggregation length %d is shorter than the pool's prefix %s/%d: "
					    "it would announce addresses outside the pool",
					    agg[i], ip_ntop(r->first, a), min);
				(void)b;
			}
	}
	/* overlap with an earlier pool: reported here, at the later one, naming both */
	for (struct pool_config *o = new_config->pools; o; o = o->next) {
		for (struct pool_range *r = p->ranges; r; r = r->next)
			for (struct pool_range *q = o->ranges; q; q = q->next)
				if (r->af == q->af && ip_cmp(r->first, q->last) <= 0 &&
				    ip_cmp(q->first, r->last) <= 0) {
					char a[2 * IP_STRLEN + 8], b[2 * IP_STRLEN + 8];
					cf_error_at(&r->loc, "pool '%s' addresses %s overlap pool '%s' addresses %s (%s:%d:%d)",
						    p->name, range_text(r, a, sizeof a), o->name,
						    range_text(q, b, sizeof b), q->loc.file, q->loc.line, q->loc.col);
				}
	}
	struct pool_config **pp = &new_config->pools;
	while (*pp)
		pp = &(*pp)->next;
	*pp = p;
}

void pool_config_dump(FILE *out, const struct pool_config *p)
{
	char a[IP_STRLEN], b[IP_STRLEN];

	fputs("pool ", out);
	cf_put_name(out, p->name);
	fputs(" {\n", out);
	for (struct pool_range *r = p->ranges; r; r = r->next) {
		if (r->is_cidr)
			fprintf(out, "\taddresses %s/%d;\n", ip_ntop(r->first, a), r->cidr_len);
		else
			fprintf(out, "\taddresses %s-%s;\n", ip_ntop(r->first, a), ip_ntop(r->last, b));
	}
	fprintf(out, "\tauto assign %s;\n", p->auto_assign ? "yes" : "no");
	fprintf(out, "\tavoid buggy ips %s;\n", p->avoid_buggy_ips ? "yes" : "no");
	fprintf(out, "\taggregation length");
	for (int i = 0; i < p->nagg4; i++)
		fprintf(out, "%s %d", i ? "," : "", p->agg4[i]);
	fprintf(out, ";\n\taggregation length6");
	for (int i = 0; i < p->nagg6; i++)
		fprintf(out, "%s %d", i ? "," : "", p->agg6[i]);
	fprintf(out, ";\n");
	if (p->nnamespaces) {
		fprintf(out, "\tnamespaces");
		for (int i = 0; i < p->nnamespaces; i++) {
			fprintf(out, "%s ", i ? "," : "");
			cf_dump_string(out, p->namespaces[i]);
		}
		fprintf(out, ";\n");
	}
	if (p->service_selector_text) {
		fprintf(out, "\tservice selector ");
		cf_dump_string(out, p->service_selector_text);
		fprintf(out, ";\n");
	}
	if (p->has_priority)
		fprintf(out, "\tpriority %d;\n", p->priority);
	fprintf(out, "}\n");
}
