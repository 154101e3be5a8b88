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
 * A block's routes are kept packed, the way BGP packs NLRI (RFC 4271
 * section 4.3): a length octet, then only the octets of the address that
 * the prefix length covers (host bits are zero: the grammar checks).  An
 * IPv6 length is stored plus 33, so the octet tells the family too.  A /32
 * takes 5 bytes, where a list of net_addr took 32: a config may hold a
 * million routes, and it stays in memory while it runs.  The encoding is
 * canonical, so two routes are equal when their bytes are.
 */
#define ENT_MAX 17		/* length octet + 16 */
#define BLOCK_FIRST 240		/* bytes of a block's data: doubling ... */
#define BLOCK_LAST (64u << 10)	/* ... up to this */

static uint32_t ent_encode(const net_addr *n, uint8_t *out)
{
	uint8_t b[16];
	uint32_t k = (n->len + 7u) / 8;

	out[0] = (uint8_t)(n->len + (n->af == AF_IP6 ? 33 : 0));
	ip_to_bytes(n->ip, b);
	memcpy(out + 1, b, k);
	return 1 + k;
}

static uint32_t ent_size(const uint8_t *e)
{
	uint32_t len = e[0] >= 33 ? e[0] - 33u : e[0];
	return 1 + (len + 7) / 8;
}

static uint32_t ent_decode(const uint8_t *e, net_addr *n)
{
	int af = e[0] >= 33 ? AF_IP6 : AF_IP4;
	uint32_t size = ent_size(e);
	uint8_t b[16] = { 0 };

	memcpy(b, e + 1, size - 1);
	memset(n, 0, sizeof *n);
	n->ip = ip_from_bytes(af, b);
	n->af = (uint8_t)af;
	n->len = (uint8_t)(af == AF_IP6 ? e[0] - 33 : e[0]);
	return size;
}

static const uint8_t *ent_put(struct static_config *sc, const uint8_t *e, uint32_t size)
{
	struct static_block *b = sc->last;

	if (!b || b->size - b->used < size) {
		uint32_t bs = b ? (b->size * 2 < BLOCK_LAST ? b->size * 2 : BLOCK_LAST) : BLOCK_FIRST;
		struct static_block *nb = cf_alloc(sizeof *nb + bs);
		nb->size = bs;
		if (b)
			b->next = nb;
		else
			sc->routes = nb;
		sc->last = b = nb;
	}
	uint8_t *p = b->data + b->used;
	memcpy(p, e, size);
	b->used += size;
	return p;
}

/* A walk over a block's routes: each entry, and the net it holds. */
struct ent_iter {
	const struct static_block *b;
	uint32_t off;
};

static const uint8_t *ent_next(struct ent_iter *it, net_addr *n)
{
	while (it->b && it->off >= it->b->used) {
		it->b = it->b->next;
		it->off = 0;
	}
	if (!it->b)
		return NULL;
	const uint8_t *e = it->b->data + it->off;
	it->off += n ? ent_decode(e, n) : ent_size(e);
	return e;
}

/*
 * A set of entries (duplicates while parsing, the new routes while
 * reconfiguring): the entries in order of adding, and an open-addressing
 * hash of their ordinals + 1.
 */
struct ent_set {
	const uint8_t **ent;
	uint32_t n, cap;
	uint32_t *slot;
	uint32_t size;
};

static uint32_t ent_hash(const uint8_t *e)
{
	uint32_t h = 2166136261u, size = ent_size(e);
	for (uint32_t i = 0; i < size; i++)
		h = (h ^ e[i]) * 16777619u;
	/* murmur3's finalizer: every input bit reaches the low bits we index by */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The ordinal + 1 of the entry equal to e, or 0. */
static uint32_t set_find(const struct ent_set *s, const uint8_t *e)
{
	if (!s->size)
		return 0;
	uint32_t size = ent_size(e);
	for (uint32_t i = ent_hash(e) & (s->size - 1); s->slot[i]; i = (i + 1) & (s->size - 1))
		if (!memcmp(s->ent[s->slot[i] - 1], e, size))
			return s->slot[i];
	return 0;
}

static void set_index(struct ent_set *s, uint32_t ord)
{
	uint32_t i = ent_hash(s->ent[ord]) & (s->size - 1);
	while (s->slot[i])
		i = (i + 1) & (s->size - 1);
	s->slot[i] = ord + 1;
}

static void set_add(struct ent_set *s, const uint8_t *e)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ent = xrealloc(s->ent, sizeof *s->ent * s->cap);
	}
	s->ent[s->n++] = e;
	if (s->n * 2 > s->size) {
		free(s->slot);
		s->size = s->size ? s->size * 2 : 2048;
		while (s->n * 2 > s->size)
			s->size *= 2;
		s->slot = xzalloc(sizeof *s->slot * s->size);
		for (uint32_t i = 0; i < s->n; i++)
			set_index(s, i);
	} else {
		set_index(s, s->n - 1);
	}
}

static void set_free(struct ent_set *s)
{
	free(s->ent);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

/*
 * Duplicate routes are found cheaply: while routes arrive in increasing
 * order (generated configs, sorted lists) each one only has to be greater
 * than the one before; the first one out of order switches to a hash of
 * the block's routes.  A config may hold a million routes: a list scan per
 * route would be quadratic, and a hash probe per route costs a cache miss
 * each.  The state (and the routes' lines, for the error message) lives
 * outside the config arena and only while the block is parsed; it is
 * rebuilt when another block starts.
 */
static struct {
	struct static_config *owner;	/* the block the state describes */
	uint32_t *lines;		/* the line of each of its routes */
	uint32_t n, cap;		/* routes seen (== owner->nroutes) */
	net_addr last;			/* the last route */
	int hashed;			/* out of order seen: use the set */
	struct ent_set set;
} dup;

static void dup_line(uint32_t line)
{
	if (dup.n == dup.cap) {
		dup.cap = dup.cap ? dup.cap * 2 : 1024;
		dup.lines = xrealloc(dup.lines, sizeof *dup.lines * dup.cap);
	}
	dup.lines[dup.n++] = line;
}

/* Switch to the set: every route of the block goes in. */
static void dup_hash_all(void)
{
	struct ent_iter it = { dup.owner->routes, 0 };
	const uint8_t *e;

	dup.hashed = 1;
	while ((e = ent_next(&it, NULL)))
		set_add(&dup.set, e);
}

static void dup_reset(struct static_config *sc)
{
	free(dup.lines);
	set_free(&dup.set);
	memset(&dup, 0, sizeof dup);
	dup.owner = sc;
	if (!sc)
		return;
	/* routes already there came from a template, with its lines */
	struct ent_iter it = { sc->routes, 0 };
	net_addr n;
	while (ent_next(&it, &n)) {
		if (dup.n && net_cmp(&dup.last, &n) >= 0)
			dup.hashed = 1;
		dup.last = n;
		dup_line(dup.n < sc->nlines ? sc->lines[dup.n] : 0);
	}
	if (dup.hashed)
		dup_hash_all();
}

void static_add_route(struct static_config *sc, const net_addr *n, const struct cf_loc *loc)
{
	uint8_t e[ENT_MAX];
	uint32_t size = ent_encode(n, e);

	if (dup.owner != sc || dup.n != (uint32_t)sc->nroutes)
		dup_reset(sc);
	if (!dup.hashed && dup.n && net_cmp(&dup.last, n) >= 0)
		dup_hash_all();
	if (dup.hashed) {
		uint32_t o = set_find(&dup.set, e);
		if (o) {
			char b[NET_STRLEN];
			cf_error_at(loc, "route %s is already given at line %u", net_ntop(n, b), dup.lines[o - 1]);
		}
	}
	const uint8_t *p = ent_put(sc, e, size);
	dup_line((uint32_t)loc->line);
	dup.last = *n;
	sc->nroutes++;
	if (dup.hashed)
		set_add(&dup.set, p);
}

static void static_postconfig(struct proto_config *c)
{
	struct static_config *sc = (struct static_config *)c;

	if (dup.owner == sc && dup.n == (uint32_t)sc->nroutes) {
		sc->sorted = !dup.hashed;
	} else {
		/* no route of its own: the template's, in their order */
		struct ent_iter it = { sc->routes, 0 };
		net_addr prev, n;
		int any = 0;
		sc->sorted = 1;
		while (sc->sorted && ent_next(&it, &n)) {
			if (any && net_cmp(&prev, &n) >= 0)
				sc->sorted = 0;
			prev = n;
			any = 1;
		}
	}

	if (c->is_template && dup.owner == sc && dup.n == (uint32_t)sc->nroutes && dup.n) {
		/* protocols made from the template tell where its routes are */
		uint32_t *l = cf_alloc(sizeof *l * dup.n);
		memcpy(l, dup.lines, sizeof *l * dup.n);
		sc->lines = l;
		sc->nlines = dup.n;
	} else if (!c->is_template) {
		sc->lines = NULL;
		sc->nlines = 0;
	}
	dup_reset(NULL);
}

static void static_copy_config(struct proto_config *dst, const struct proto_config *src)
{
	struct static_config *d = (struct static_config *)dst;
	const struct static_config *s = (const struct static_config *)src;

	/* the template's routes are copied, so ours can be added without touching it */
	d->routes = d->last = NULL;
	for (const struct static_block *b = s->routes; b; b = b->next) {
		struct static_block *nb = cf_alloc(sizeof *nb + b->size);
		nb->size = b->size;
		nb->used = b->used;
		memcpy(nb->data, b->data, b->used);
		if (d->last)
			d->last->next = nb;
		else
			d->routes = nb;
		d->last = nb;
	}
}

static enum reconf_action static_compare(const struct proto_config *o, const struct proto_config *n,
					 struct reconf_why *why)
{
	const struct static_config *a = (const void *)o, *b = (const void *)n;
	struct ent_iter x = { a->routes, 0 }, y = { b->routes, 0 };
	const uint8_t *ex, *ey;

	for (;;) {
		ex = ent_next(&x, NULL);
		ey = ent_next(&y, NULL);
		if (!ex || !ey || ex[0] != ey[0] || memcmp(ex, ey, ent_size(ex)))
			break;
	}
	if (ex || ey) {
		snprintf(why->text, sizeof why->text, "routes changed (%d -> %d)", a->nroutes, b->nroutes);
		return RC_SOFT;
	}
	return RC_SAME;
}

static void static_dump_config(FILE *out, const struct proto_config *c)
{
	const struct static_config *sc = (const void *)c;
	struct ent_iter it = { sc->routes, 0 };
	char b[NET_STRLEN];
	net_addr n;

	while (ent_next(&it, &n))
		fprintf(out, "\troute %s;\n", net_ntop(&n, b));
}

/* Every configured route enters the table with the empty attribute set. */
static int static_start(struct proto *p)
{
	const struct static_config *sc = (const void *)p->cf;
	struct ent_iter it = { sc->routes, 0 };
	struct rta *a = rta_empty();
	net_addr n;

	while (ent_next(&it, &n))
		rte_update(p, &n, a);
	return PS_UP;
}

static int static_shutdown(struct proto *p, enum proto_down_reason why)
{
	rte_withdraw_all(p);
	return PS_DOWN;
}

/* A soft reconfiguration changes just the differences: routes of the new
 * config that the table already has from us are no-ops in rte_update(),
 * and routes of the old config missing from the new one are withdrawn.
 * Two configs in order (generated ones) are merged instead, in one pass
 * that touches the table only for the differences. */
static int static_reconfigure(struct proto *p, struct proto_config *n)
{
	const struct static_config *o = (const void *)p->cf, *nc = (const void *)n;
	struct ent_iter it = { nc->routes, 0 };
	struct ent_set now = { 0 };
	struct rta *a = rta_empty();
	const uint8_t *e;
	net_addr net;

	if (o->sorted && nc->sorted) {
		struct ent_iter io = { o->routes, 0 };
		net_addr x;
		int hx = ent_next(&io, &x) != NULL, hy = ent_next(&it, &net) != NULL;
		while (hx || hy) {
			int c = !hx ? 1 : !hy ? -1 : net_cmp(&x, &net);
			if (c <= 0) {
				if (c < 0)
					rte_update(p, &x, NULL);
				hx = ent_next(&io, &x) != NULL;
			}
			if (c >= 0) {
				if (c > 0)
					rte_update(p, &net, a);
				hy = ent_next(&it, &net) != NULL;
			}
		}
		return 1;
	}

	while ((e = ent_next(&it, &net))) {
		set_add(&now, e);
		rte_update(p, &net, a);
	}
	it = (struct ent_iter){ o->routes, 0 };
	while ((e = ent_next(&it, &net)))
		if (!set_find(&now, e))
			rte_update(p, &net, NULL);
	set_free(&now);
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
