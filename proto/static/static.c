/*
 * metalbird -- protocol static
 *
 * Routes written in the config (`route PREFIX;`), the first source of the
 * route table: fixed VIPs, and the way to test tables, filters and BGP
 * without Kubernetes.
 */
#include "proto/static/static.h"
#include "nest/cli.h"
#include "nest/mem.h"
#include "nest/route.h"
#include "nest/rt-table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Duplicate routes are found cheaply: while routes arrive in increasing
 * order (generated configs, sorted lists) each one only has to be greater
 * than the one before; the first one out of order switches to a hash of
 * the block's routes.  A config may hold a million routes: a list scan per
 * route would be quadratic, and a hash probe per route costs a cache miss
 * each.  The hash lives outside the config arena and only while the block
 * is parsed; it is rebuilt when another block starts.
 */
static struct {
	struct static_config *owner;	/* the block the state describes */
	struct static_route **slot;	/* the hash, once needed */
	uint32_t size, count;
	struct static_route **tail;	/* where the next route is linked */
	struct static_route *last;	/* the last route, while in order */
	int hashed;			/* out of order seen: use the hash */
} dup;

static uint32_t net_hash(const net_addr *n)
{
	uint32_t h = n->len;
	for (int i = 0; i < 4; i++)
		h = (h ^ n->ip.w[i]) * 0x9e3779b1u;
	/* murmur3's finalizer: every input bit reaches the low bits we index by */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static void dup_insert(struct static_route *r)
{
	uint32_t i = net_hash(&r->net) & (dup.size - 1);
	while (dup.slot[i])
		i = (i + 1) & (dup.size - 1);
	dup.slot[i] = r;
	dup.count++;
}

static void dup_grow(void)
{
	struct static_route **old = dup.slot;
	uint32_t osize = dup.size;

	dup.size = dup.size ? dup.size * 2 : 1024;
	dup.slot = xzalloc(sizeof *dup.slot * dup.size);
	dup.count = 0;
	for (uint32_t i = 0; i < osize; i++)
		if (old[i])
			dup_insert(old[i]);
	free(old);
}

/* Switch to the hash: every route of the block goes in. */
static void dup_hash_all(void)
{
	dup.hashed = 1;
	if (!dup.slot)
		dup_grow();
	for (struct static_route *r = dup.owner->routes; r; r = r->next) {
		if (dup.count * 2 >= dup.size)
			dup_grow();
		dup_insert(r);
	}
}

static struct static_route *dup_find(const net_addr *n)
{
	for (uint32_t i = net_hash(n) & (dup.size - 1); dup.slot[i]; i = (i + 1) & (dup.size - 1))
		if (net_equal(&dup.slot[i]->net, n))
			return dup.slot[i];
	return NULL;
}

static void dup_reset(struct static_config *sc)
{
	free(dup.slot);
	memset(&dup, 0, sizeof dup);
	dup.owner = sc;
	if (!sc)
		return;
	dup.tail = &sc->routes;
	for (struct static_route *r = sc->routes; r; r = r->next) {
		if (dup.last && net_cmp(&dup.last->net, &r->net) >= 0)
			dup.hashed = 1;
		dup.last = r;
		dup.tail = &r->next;
	}
	if (dup.hashed)
		dup_hash_all();
}

void static_add_route(struct static_config *sc, const net_addr *n, const struct cf_loc *loc)
{
	if (dup.owner != sc)
		dup_reset(sc);
	if (!dup.hashed && dup.last && net_cmp(&dup.last->net, n) >= 0)
		dup_hash_all();
	if (dup.hashed) {
		const struct static_route *o = dup_find(n);
		if (o) {
			char b[NET_STRLEN];
			cf_error_at(loc, "route %s is already given at line %d", net_ntop(n, b), o->line);
		}
	}
	struct static_route *r = cf_alloc(sizeof *r);
	r->net = *n;
	r->line = loc->line;
	*dup.tail = r;
	dup.tail = &r->next;
	dup.last = r;
	sc->nroutes++;
	if (dup.hashed) {
		if (dup.count * 2 >= dup.size)
			dup_grow();
		dup_insert(r);
	}
}

static void static_postconfig(struct proto_config *c)
{
	dup_reset(NULL);
}

static void static_copy_config(struct proto_config *dst, const struct proto_config *src)
{
	struct static_config *d = (struct static_config *)dst;
	const struct static_config *s = (const struct static_config *)src;
	struct static_route *list = NULL, **pp = &list;

	/* the template's routes are copied, so ours can be added without touching it */
	for (struct static_route *r = s->routes; r; r = r->next) {
		struct static_route *n = cf_alloc(sizeof *n);
		*n = *r;
		n->next = NULL;
		*pp = n;
		pp = &n->next;
	}
	d->routes = list;
}

static enum reconf_action static_compare(const struct proto_config *o, const struct proto_config *n,
					 struct reconf_why *why)
{
	const struct static_config *a = (const void *)o, *b = (const void *)n;
	const struct static_route *x = a->routes, *y = b->routes;

	for (; x && y; x = x->next, y = y->next)
		if (!net_equal(&x->net, &y->net))
			break;
	if (x || y) {
		snprintf(why->text, sizeof why->text, "routes changed (%d -> %d)", a->nroutes, b->nroutes);
		return RC_SOFT;
	}
	return RC_SAME;
}

static void static_dump_config(FILE *out, const struct proto_config *c)
{
	const struct static_config *sc = (const void *)c;
	char b[NET_STRLEN];

	for (const struct static_route *r = sc->routes; r; r = r->next)
		fprintf(out, "\troute %s;\n", net_ntop(&r->net, b));
}

/* Every configured route enters the table with the empty attribute set. */
static int static_start(struct proto *p)
{
	const struct static_config *sc = (const void *)p->cf;
	struct rta *a = rta_empty();

	for (const struct static_route *r = sc->routes; r; r = r->next)
		rte_update(p, &r->net, a);
	return PS_UP;
}

static int static_shutdown(struct proto *p, enum proto_down_reason why)
{
	rte_withdraw_all(p);
	return PS_DOWN;
}

/* A soft reconfiguration changes just the differences: routes of the new
 * config that the table already has from us are no-ops in rte_update(),
 * and routes of the old config missing from the new one are withdrawn. */
static int static_reconfigure(struct proto *p, struct proto_config *n)
{
	const struct static_config *o = (const void *)p->cf, *nc = (const void *)n;
	struct rta *a = rta_empty();

	dup_reset(NULL);
	dup.size = 1024;
	while (dup.size < (uint32_t)nc->nroutes * 2 + 2)
		dup.size *= 2;
	dup.slot = xzalloc(sizeof *dup.slot * dup.size);
	for (struct static_route *r = nc->routes; r; r = r->next) {
		dup_insert(r);
		rte_update(p, &r->net, a);
	}
	for (const struct static_route *r = o->routes; r; r = r->next)
		if (!dup_find(&r->net))
			rte_update(p, &r->net, NULL);
	dup_reset(NULL);
	return 1;
}

static void static_show_details(struct proto *p, struct cli *c)
{
	const struct static_config *sc = (const void *)p->cf;
	cli_msg(c, -RC_PROTO_DETAILS, "  Routes:         %d configured, %u in the table", sc->nroutes, rt_src_routes(p));
}

/* The route table has no class of its own: its command and memory hook
 * are registered with the table's first source. */
static void static_class_init(void)
{
	rt_show_init();
}

struct proto_class proto_static = {
	.name = "static",
	.label = "Static",
	.config_size = sizeof(struct static_config),
	.class_init = static_class_init,
	.proto_size = sizeof(struct static_proto),
	.copy_config = static_copy_config,
	.postconfig = static_postconfig,
	.compare = static_compare,
	.dump_config = static_dump_config,
	.start = static_start,
	.shutdown = static_shutdown,
	.reconfigure = static_reconfigure,
	.show_details = static_show_details,
};
