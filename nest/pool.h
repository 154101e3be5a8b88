/*
 * metalbird -- address pools: configuration
 *
 * A `pool` block of the config: its address ranges (CIDRs and first-last
 * ranges, kept as ranges), and the rules that say which Services may take
 * addresses from it.  Overlaps between pools are config errors naming both.
 * The allocator (what is in use) builds on this.
 */
#ifndef MB_POOL_H
#define MB_POOL_H

#include <stdint.h>

#include "conf/conf.h"

struct selector;

struct pool_range {
	struct pool_range *next;
	ip_addr first, last;	/* inclusive */
	int af;			/* AF_IP4 / AF_IP6 */
	int is_cidr;		/* written as a prefix (for the canonical dump) */
	int cidr_len;
	struct cf_loc loc;
};

#define POOL_MAX_AGG 4

struct pool_config {
	struct pool_config *next;
	const char *name;
	struct cf_loc loc;
	struct pool_range *ranges;	/* in config order */
	int auto_assign;		/* default 1 */
	int avoid_buggy_ips;		/* default 0 */
	int agg4[POOL_MAX_AGG], nagg4;	/* default { 32 } */
	int agg6[POOL_MAX_AGG], nagg6;	/* default { 128 } */
	struct cf_loc agg4_loc, agg6_loc;
	const char **namespaces;	/* NULL = any */
	int nnamespaces;
	const char *service_selector_text;
	struct selector *service_selector;
	int priority;			/* lower first; valid when has_priority */
	int has_priority;
};

/* Config-time (grammar actions). */
struct pool_config *pool_config_new(const char *name, const struct cf_loc *loc);
void pool_add_prefix(struct pool_config *p, ip_addr ip, int af, unsigned len, const struct cf_loc *loc);
void pool_add_range(struct pool_config *p, ip_addr first, ip_addr last, const struct cf_loc *loc);
void pool_config_finish(struct pool_config *p);
void pool_config_dump(FILE *out, const struct pool_config *p);
/* Number of addresses of a family in the pool (saturating). */
uint64_t pool_size(const struct pool_config *p, int af);
struct pool_config *pool_find(const struct config *c, const char *name);
/* Does the pool hold this address? */
int pool_contains(const struct pool_config *p, ip_addr a);

#endif
