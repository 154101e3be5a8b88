/*
 * metalbird -- the route table: internals shared by channels and `show route`
 *
 * Two tables, master4 and master6, each a path-compressed binary trie of
 * prefixes.  A trie node is either glue (24 bytes: the bit it branches on
 * and two children) or a net (64 bytes: the prefix, its first route
 * embedded, and two children).  A host route (/32, /128) can have nothing
 * below it, so its net is 48 bytes, without the children.  Glue nodes keep
 * no address: every net keeps its own, and the few places that need a glue
 * node's common prefix read it from any net below it.  With a million /32s
 * that is 48 + 24 bytes a route, plus 4 per exporting channel (what it
 * sent, indexed by net id).
 *
 * Several sources may have a route for one prefix.  The best route is the
 * first one that arrived (protocols have no preference yet); it is the one
 * embedded in the net, the others follow in arrival order.  Only the best
 * route is exported.
 *
 * Changes are not pushed to channels at once: the net is marked dirty and
 * queued, and a deferred event hands the queue to the channels in slices
 * (rt_flush_slice), so a burst of changes reaches BGP as batches.  A net
 * whose last route left stays in the trie (with no route) until its change
 * has been delivered, so that channels can withdraw it by id.
 */
#ifndef MB_RT_TABLE_H
#define MB_RT_TABLE_H

#include "nest/route.h"

struct proto;

#define RTN_NET		0x01	/* a net, not glue */
#define RTN_DIRTY	0x02	/* queued for the channels */
#define RTN_HOST	0x04	/* a net of the family's full length: no children */

/* The head of every node; its children (by bit `len` of the key) follow
 * the head in glue and the route in a net (nest/rt-table.c). */
struct rt_node {
	uint8_t len;		/* prefix length; glue: the bit it branches on */
	uint8_t flags;		/* RTN_* */
	uint16_t spare;
	uint32_t id;		/* net: dense id, index of channels' sent arrays */
};

struct rte {
	struct rte *next;	/* the next source's route, arrival order */
	struct rta *attrs;	/* interned, one reference held; NULL: none */
	uint32_t changed;	/* wall clock seconds of the last change */
	uint16_t src;		/* source index (rt_src_proto) */
	uint16_t changed_ms;	/* and its milliseconds (fills the padding) */
};

/* When the route last changed, as a wall-clock time. */
static inline double rte_changed(const struct rte *e)
{
	return (double)e->changed + (double)e->changed_ms / 1000.0;
}

struct rt_net {
	struct rt_node n;	/* head shared with glue */
	ip_addr ip;		/* network address */
	struct rte r;		/* the best route; r.attrs NULL: no route */
	struct rt_node *c[2];	/* children; not allocated for RTN_HOST */
};

struct rt_table {
	const char *name;	/* "master4" */
	int af;			/* AF_IP4 or AF_IP6 */
	struct rt_node *root;
	uint32_t version;	/* bumped when nodes are added or freed */
	uint32_t nets;		/* nets holding at least one route */
	uint32_t routes;	/* routes of all sources */
	uint32_t id_next;	/* ids [0, id_next) have been handed out */
	uint32_t *free_ids;	/* ids to reuse */
	uint32_t n_free, free_cap;
	struct rt_net **dirty;	/* queued for the channels, in change order */
	uint32_t dirty_head;	/* [dirty_head, n_dirty) are still to deliver */
	uint32_t n_dirty, dirty_cap;
};

extern struct rt_table rt_master4, rt_master6;
struct rt_table *rt_table_af(int af);

/* Sources: a small index per protocol that has routes. */
struct proto *rt_src_proto(uint16_t src);
uint32_t rt_src_routes(const struct proto *p);	/* routes it has in the tables */

static inline net_addr rt_net_addr(const struct rt_table *t, const struct rt_net *rn)
{
	net_addr n;
	n.ip = rn->ip;
	n.af = (uint8_t)t->af;
	n.len = rn->n.len;
	return n;
}

static inline struct rte *rt_best(struct rt_net *rn)
{
	return rn->r.attrs ? &rn->r : NULL;
}

/* Exact prefix, or NULL (nets without a route included). */
struct rt_net *rt_find(struct rt_table *t, const net_addr *n);
/* Longest match: the longest net with a route that contains the first len
 * bits of ip (for an address, len = the family's maximum). */
struct rt_net *rt_lookup(struct rt_table *t, ip_addr ip, int len);

/* A walk in prefix order that survives changes between its steps: it keeps
 * a stack of subtrees to visit and, when the trie changed shape meanwhile,
 * finds its place again from the last prefix it returned. */
#define RT_ITER_DEPTH 132
struct rt_iter {
	struct rt_table *t;
	uint32_t version;
	int sp;
	int started;		/* last is valid */
	net_addr last;		/* the last net returned */
	net_addr lo;		/* start at this prefix (inclusive) */
	ip_addr hi;		/* stop after this address */
	struct rt_node *stack[RT_ITER_DEPTH];
};
/* Walk every net with lo <= net and net.ip <= hi (pass NULLs for all). */
void rt_iter_init(struct rt_iter *it, struct rt_table *t, const net_addr *lo, const ip_addr *hi);
/* The next net with a route, or NULL at the end. */
struct rt_net *rt_iter_next(struct rt_iter *it);
/* Is rn (a net of the walk's table) still ahead of the walk, so that the
 * walk will return it if it has a route when reached? */
int rt_iter_ahead(const struct rt_iter *it, const struct rt_net *rn);

/* Deliver queued changes to the channels: at most max nets; returns the
 * number left.  rt_flush() delivers everything (tests, shutdown). */
uint32_t rt_flush_slice(uint32_t max);
void rt_flush(void);

/* Register `show route` and the show memory hook (nest/rt-show.c). */
void rt_show_init(void);

/* Bytes held by the tables (nodes, extra routes, queues), for show memory. */
size_t rt_memory(void);

/* Free the table's memory at exit (every protocol down). */
void rt_cleanup(void);

#endif
