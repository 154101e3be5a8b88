/*
 * metalbird -- the route table
 *
 * Routes of every source, keyed by prefix, in two path-compressed binary
 * tries (master4, master6; see nest/rt-table.h for the layout and why glue
 * nodes carry no address).  rte_update() changes a source's route for a
 * prefix and queues the net for the channels; a deferred event delivers the
 * queue in slices (STYLE.md item 8), and frees the nets that lost their
 * last route once every channel has heard of it.
 *
 * Nodes come from two slabs of fixed-size objects, so a million routes do
 * not pay malloc's per-chunk overhead.
 */
#include "nest/rt-table.h"
#include "nest/channel.h"
#include "nest/mem.h"
#include "nest/protocol.h"
#include "sysdep/unix/loop.h"

#include <stdlib.h>
#include <string.h>

struct rt_table rt_master4 = { .name = "master4", .af = AF_IP4 };
struct rt_table rt_master6 = { .name = "master6", .af = AF_IP6 };

struct rt_table *rt_table_af(int af)
{
	return af == AF_IP4 ? &rt_master4 : &rt_master6;
}

/* --- slabs ------------------------------------------------------------------- */

#define SLAB_BLOCK (64u << 10)

struct slab {
	size_t size;		/* object size */
	void *free;		/* free list through the first word */
	size_t blocks;		/* 64 KiB blocks taken */
	char *cur, *end;	/* the block being carved */
	void *chain;		/* every block, through its first word (for rt_cleanup) */
};

/* Room at the start of a block for the chain link, keeping objects aligned. */
#define SLAB_HEAD sizeof(max_align_t)

struct rt_glue {
	struct rt_node n;
	struct rt_node *c[2];
};

_Static_assert(sizeof(struct rt_glue) == sizeof(struct rte), "glue and extra routes share a slab");

static struct slab slab_small = { .size = sizeof(struct rt_glue) };	/* glue, extra rte */
static struct slab slab_net = { .size = sizeof(struct rt_net) };
static struct slab slab_host = { .size = offsetof(struct rt_net, c) };	/* RTN_HOST nets */

static void *slab_alloc(struct slab *s)
{
	void *p = s->free;

	if (p) {
		s->free = *(void **)p;
	} else {
		if (s->cur + s->size > s->end) {
			char *b = xmalloc(SLAB_BLOCK);
			*(void **)b = s->chain;
			s->chain = b;
			s->cur = b + SLAB_HEAD;
			s->end = b + SLAB_BLOCK;
			s->blocks++;
		}
		p = s->cur;
		s->cur += s->size;
	}
	memset(p, 0, s->size);
	return p;
}

static void slab_free(struct slab *s, void *p)
{
	*(void **)p = s->free;
	s->free = p;
}

static void slab_release(struct slab *s)
{
	for (void *b = s->chain, *n; b; b = n) {
		n = *(void **)b;
		free(b);
	}
	s->chain = s->free = NULL;
	s->cur = s->end = NULL;
	s->blocks = 0;
}

/* --- sources ----------------------------------------------------------------- */

/* Index 0 is never used, so that a zeroed rte names no source. */
static struct proto **srcs;
static uint32_t *src_routes;
static uint32_t n_srcs;

struct proto *rt_src_proto(uint16_t src)
{
	return src < n_srcs ? srcs[src] : NULL;
}

static uint16_t src_find(const struct proto *p)
{
	for (uint32_t i = 1; i < n_srcs; i++)
		if (srcs[i] == p)
			return (uint16_t)i;
	return 0;
}

static uint16_t src_get(struct proto *p)
{
	uint16_t i = src_find(p);
	if (i)
		return i;
	for (i = 1; i < n_srcs; i++)
		if (!srcs[i])
			break;
	if (i >= n_srcs) {
		if (n_srcs >= 0xffff)
			return 0;
		uint32_t n = n_srcs ? n_srcs + 1 : 2;
		srcs = xrealloc(srcs, sizeof *srcs * n);
		src_routes = xrealloc(src_routes, sizeof *src_routes * n);
		if (!n_srcs)
			srcs[0] = NULL, src_routes[0] = 0;
		i = (uint16_t)(n - 1);
		n_srcs = n;
	}
	srcs[i] = p;
	src_routes[i] = 0;
	return i;
}

uint32_t rt_src_routes(const struct proto *p)
{
	uint16_t i = src_find(p);
	return i ? src_routes[i] : 0;
}

/* --- bits of keys ------------------------------------------------------------ */

/* Bit i of a in the family's own numbering (0 = most significant). */
static inline int kbit(const ip_addr *a, int af, int i)
{
	if (af == AF_IP4)
		return (int)((a->w[3] >> (31 - i)) & 1);
	return (int)((a->w[i >> 5] >> (31 - (i & 31))) & 1);
}

/* The first bit where a and b differ, or the family's length. */
static inline int first_diff(const ip_addr *a, const ip_addr *b, int af)
{
	if (af == AF_IP4) {
		uint32_t x = a->w[3] ^ b->w[3];
		return x ? __builtin_clz(x) : 32;
	}
	for (int i = 0; i < 4; i++) {
		uint32_t x = a->w[i] ^ b->w[i];
		if (x)
			return i * 32 + __builtin_clz(x);
	}
	return 128;
}

static inline int is_net(const struct rt_node *n)
{
	return n->flags & RTN_NET;
}

/* A host net's children: always none, and never written (read-only memory). */
static struct rt_node *const no_kids[2];

static inline struct rt_node **kids(struct rt_node *n)
{
	if (!is_net(n))
		return ((struct rt_glue *)n)->c;
	if (n->flags & RTN_HOST)
		return (struct rt_node **)no_kids;
	return ((struct rt_net *)n)->c;
}

/* Any net below n: all keys under n share its first n->len bits. */
static struct rt_net *rep(struct rt_node *n)
{
	while (!is_net(n))
		n = kids(n)[0] ? kids(n)[0] : kids(n)[1];
	return (struct rt_net *)n;
}

/* --- lookup -------------------------------------------------------------------- */

struct rt_net *rt_find(struct rt_table *t, const net_addr *k)
{
	struct rt_node *n = t->root;

	while (n && n->len < k->len) {
		if (is_net(n) && first_diff(&((struct rt_net *)n)->ip, &k->ip, t->af) < n->len)
			return NULL;
		n = kids(n)[kbit(&k->ip, t->af, n->len)];
	}
	if (!n || n->len != k->len || !is_net(n))
		return NULL;
	struct rt_net *rn = (struct rt_net *)n;
	return ip_equal(rn->ip, k->ip) ? rn : NULL;
}

struct rt_net *rt_lookup(struct rt_table *t, ip_addr ip, int len)
{
	struct rt_node *n = t->root;
	struct rt_net *best = NULL;

	while (n && n->len <= len) {
		if (is_net(n)) {
			struct rt_net *rn = (struct rt_net *)n;
			if (first_diff(&rn->ip, &ip, t->af) < n->len)
				break;
			if (rn->r.attrs)
				best = rn;
		}
		if (n->len >= len)
			break;
		n = kids(n)[kbit(&ip, t->af, n->len)];
	}
	return best;
}

/* --- insert and remove --------------------------------------------------------- */

static uint32_t id_get(struct rt_table *t)
{
	if (t->n_free)
		return t->free_ids[--t->n_free];
	return t->id_next++;
}

static void id_put(struct rt_table *t, uint32_t id)
{
	if (t->n_free == t->free_cap) {
		t->free_cap = t->free_cap ? t->free_cap * 2 : 1024;
		t->free_ids = xrealloc(t->free_ids, sizeof(uint32_t) * t->free_cap);
	}
	t->free_ids[t->n_free++] = id;
}

static struct rt_net *net_new(struct rt_table *t, const net_addr *k)
{
	int host = k->len == (t->af == AF_IP4 ? 32 : 128);
	struct rt_net *rn = slab_alloc(host ? &slab_host : &slab_net);
	rn->n.len = k->len;
	rn->n.flags = RTN_NET | (host ? RTN_HOST : 0);
	rn->n.id = id_get(t);
	rn->ip = k->ip;
	t->version++;
	return rn;
}

/* Find the net k, adding it (without routes) when missing. */
static struct rt_net *rt_get(struct rt_table *t, const net_addr *k)
{
	int af = t->af, L = k->len;
	struct rt_node *n = t->root, *last = NULL;

	/* 1. follow k's bits as far as the trie goes, to find a key X that
	 *    shares k's path, and d, where k leaves X */
	while (n && n->len < L) {
		if (is_net(n) && first_diff(&((struct rt_net *)n)->ip, &k->ip, af) < n->len)
			break;
		last = n;
		n = kids(n)[kbit(&k->ip, af, n->len)];
	}
	if (!n && !last) {
		struct rt_net *rn = net_new(t, k);
		t->root = &rn->n;
		return rn;
	}
	struct rt_net *x = rep(n ? n : last);
	int d = first_diff(&x->ip, &k->ip, af);
	int m = d < L ? d : L;

	/* 2. go down again to where the first m bits stop being shared */
	struct rt_node **pp = &t->root;
	while ((n = *pp) && n->len < m)
		pp = &kids(n)[kbit(&k->ip, af, n->len)];

	if (!n) {
		struct rt_net *rn = net_new(t, k);
		*pp = &rn->n;
		return rn;
	}
	if (n->len == m && d >= L) {
		/* n's common prefix is k itself */
		if (is_net(n))
			return (struct rt_net *)n;
		struct rt_net *rn = net_new(t, k);
		kids(&rn->n)[0] = kids(n)[0];
		kids(&rn->n)[1] = kids(n)[1];
		*pp = &rn->n;
		slab_free(&slab_small, n);
		return rn;
	}
	if (n->len == m) {
		/* n branches at d, and k's side of it is empty (X came from the
		 * other side because the walk above ended at n) */
		struct rt_node **cp = &kids(n)[kbit(&k->ip, af, d)];
		if (!*cp) {
			struct rt_net *rn = net_new(t, k);
			*cp = &rn->n;
			return rn;
		}
		/* cannot happen by the argument above; keep the trie sound */
		abort();
	}
	/* n->len > m: a new node at m above n */
	if (m == L) {
		struct rt_net *rn = net_new(t, k);
		kids(&rn->n)[kbit(&x->ip, af, L)] = n;
		*pp = &rn->n;
		return rn;
	}
	struct rt_node *g = slab_alloc(&slab_small);
	struct rt_net *rn = net_new(t, k);
	g->len = (uint8_t)d;
	kids(g)[kbit(&k->ip, af, d)] = &rn->n;
	kids(g)[kbit(&x->ip, af, d)] = n;
	*pp = g;
	return rn;
}

/* Take a net without routes out of the trie. */
static void rt_remove(struct rt_table *t, struct rt_net *rn)
{
	int af = t->af;
	struct rt_node **pp = &t->root, **ppp = NULL, *n;

	while ((n = *pp) && n != &rn->n) {
		if (n->len >= rn->n.len)
			return;		/* not found: cannot happen */
		ppp = pp;
		pp = &kids(n)[kbit(&rn->ip, af, n->len)];
	}
	if (!n)
		return;
	t->version++;
	channel_forget_id(af == AF_IP4 ? 0 : 1, rn->n.id);
	id_put(t, rn->n.id);
	if (kids(n)[0] && kids(n)[1]) {
		struct rt_node *g = slab_alloc(&slab_small);
		g->len = n->len;
		kids(g)[0] = kids(n)[0];
		kids(g)[1] = kids(n)[1];
		*pp = g;
	} else if (kids(n)[0] || kids(n)[1]) {
		*pp = kids(n)[0] ? kids(n)[0] : kids(n)[1];
	} else {
		*pp = NULL;
		/* a glue parent left with one child goes too */
		if (ppp && !is_net(*ppp)) {
			struct rt_node *p = *ppp;
			*ppp = kids(p)[0] ? kids(p)[0] : kids(p)[1];
			slab_free(&slab_small, p);
		}
	}
	slab_free(rn->n.flags & RTN_HOST ? &slab_host : &slab_net, rn);
}

/* --- changes ----------------------------------------------------------------- */

static struct defer *flush_ev;
static void flush_hook(void *data);

static void mark_dirty(struct rt_table *t, struct rt_net *rn)
{
	if (rn->n.flags & RTN_DIRTY)
		return;
	/* with no channel up nobody is told, and a channel that comes up
	 * starts with a full feed; only a net left without routes is queued,
	 * to leave the trie once the queue has passed it */
	if (rn->r.attrs && !channel_any_up())
		return;
	rn->n.flags |= RTN_DIRTY;
	if (t->n_dirty == t->dirty_cap) {
		t->dirty_cap = t->dirty_cap ? t->dirty_cap * 2 : 1024;
		t->dirty = xrealloc(t->dirty, sizeof *t->dirty * t->dirty_cap);
	}
	t->dirty[t->n_dirty++] = rn;
	if (!flush_ev)
		flush_ev = defer_new(flush_hook, NULL);
	defer_schedule(flush_ev);
}

/* The time of a change is the loop turn's: read once a turn, as BIRD's
 * current_time() is, and not a million times when a config is loaded. */
static struct defer *stamp_ev;
static uint32_t stamp_s;
static uint16_t stamp_ms;
static int stamp_valid;

static void stamp_hook(void *data)
{
	stamp_valid = 0;
}

static void stamp(struct rte *e)
{
	if (!stamp_valid) {
		double t = now_real();
		stamp_s = (uint32_t)t;
		stamp_ms = (uint16_t)((t - (double)stamp_s) * 1000.0) % 1000;
		stamp_valid = 1;
		if (!stamp_ev)
			stamp_ev = defer_new(stamp_hook, NULL);
		defer_schedule(stamp_ev);
	}
	e->changed = stamp_s;
	e->changed_ms = stamp_ms;
}

void rte_update(struct proto *p, const net_addr *net, struct rta *a)
{
	struct rt_table *t = rt_table_af(net->af);
	struct rt_net *rn;
	uint16_t s;

	if (!a) {
		if (!(s = src_find(p)) || !(rn = rt_find(t, net)) || !rn->r.attrs)
			return;
		struct rte *prev = NULL, *e = &rn->r;
		for (; e && e->src != s; prev = e, e = e->next)
			;
		if (!e)
			return;
		rta_free(e->attrs);
		if (!prev) {
			struct rte *nx = rn->r.next;
			if (nx) {
				rn->r = *nx;
				slab_free(&slab_small, nx);
			} else {
				memset(&rn->r, 0, sizeof rn->r);
				t->nets--;
			}
			mark_dirty(t, rn);	/* the best route changed */
		} else {
			prev->next = e->next;
			slab_free(&slab_small, e);
		}
		t->routes--;
		src_routes[s]--;
		return;
	}

	if (!(s = src_get(p)))
		return;		/* 65535 sources: cannot happen */
	rn = rt_get(t, net);
	if (!rn->r.attrs) {
		rn->r.attrs = rta_clone(a);
		rn->r.src = s;
		stamp(&rn->r);
		rn->r.next = NULL;
		t->nets++;
		t->routes++;
		src_routes[s]++;
		mark_dirty(t, rn);
		return;
	}
	struct rte *e = &rn->r, *last = NULL;
	for (; e && e->src != s; last = e, e = e->next)
		;
	if (e) {
		if (e->attrs == a)
			return;		/* interned: same pointer, same route */
		rta_free(e->attrs);
		e->attrs = rta_clone(a);
		stamp(e);
		if (e == &rn->r)
			mark_dirty(t, rn);
		return;
	}
	/* another source's route: after the others, not the best */
	e = slab_alloc(&slab_small);
	e->attrs = rta_clone(a);
	e->src = s;
	stamp(e);
	last->next = e;
	t->routes++;
	src_routes[s]++;
}

static void withdraw_src(struct rt_table *t, struct proto *p)
{
	struct rt_iter it;
	struct rt_net *rn;

	rt_iter_init(&it, t, NULL, NULL);
	while (src_routes[src_find(p)] && (rn = rt_iter_next(&it))) {
		net_addr n = rt_net_addr(t, rn);
		rte_update(p, &n, NULL);
	}
}

void rte_withdraw_all(struct proto *p)
{
	uint16_t s = src_find(p);

	if (!s)
		return;
	/* one pass over the tables; the channels hear of it in slices */
	if (src_routes[s])
		withdraw_src(&rt_master4, p);
	if (src_routes[s])
		withdraw_src(&rt_master6, p);
	srcs[s] = NULL;		/* the index may be reused */
}

/* --- delivery ------------------------------------------------------------------ */

static uint32_t flush_table(struct rt_table *t, uint32_t max)
{
	uint32_t left = t->n_dirty - t->dirty_head;
	uint32_t n = left < max ? left : max;

	if (!n)
		return 0;
	/* t->dirty may move if a protocol breaks the rule and changes the
	 * table from notify(): deliver from a copy */
	static struct rt_net **batch;
	static uint32_t batch_cap;
	if (batch_cap < n) {
		batch_cap = n;
		batch = xrealloc(batch, sizeof *batch * n);
	}
	memcpy(batch, t->dirty + t->dirty_head, sizeof *batch * n);
	t->dirty_head += n;
	channel_deliver(t, batch, n);
	for (uint32_t i = 0; i < n; i++) {
		struct rt_net *rn = batch[i];
		rn->n.flags &= (uint8_t)~RTN_DIRTY;
		if (!rn->r.attrs)
			rt_remove(t, rn);
	}
	if (t->dirty_head == t->n_dirty) {
		t->dirty_head = t->n_dirty = 0;
		if (t->dirty_cap > 65536) {
			/* a burst is over: give its queue back */
			free(t->dirty);
			t->dirty = NULL;
			t->dirty_cap = 0;
		}
	}
	return n;
}

uint32_t rt_flush_slice(uint32_t max)
{
	uint32_t done = flush_table(&rt_master4, max);
	if (done < max)
		flush_table(&rt_master6, max - done);
	return (rt_master4.n_dirty - rt_master4.dirty_head) + (rt_master6.n_dirty - rt_master6.dirty_head);
}

void rt_flush(void)
{
	while (rt_flush_slice(CHANNEL_SLICE))
		;
}

static void flush_hook(void *data)
{
	if (rt_flush_slice(CHANNEL_SLICE))
		defer_schedule(flush_ev);
}

/* --- walking ------------------------------------------------------------------- */

void rt_iter_init(struct rt_iter *it, struct rt_table *t, const net_addr *lo, const ip_addr *hi)
{
	memset(it, 0, sizeof *it);
	it->t = t;
	if (lo)
		it->lo = *lo;
	else
		it->lo.af = (uint8_t)t->af;
	if (hi)
		it->hi = *hi;
	else
		memset(&it->hi, 0xff, sizeof it->hi);
	it->version = t->version - 1;	/* seek on the first step */
}

static int key_cmp(const ip_addr *a, int alen, const ip_addr *b, int blen)
{
	int c = ip_cmp(*a, *b);
	return c ? c : (alen > blen) - (alen < blen);
}

/* Rebuild the stack so that it yields exactly the nets after k (strict)
 * or from k on, in order. */
static void iter_seek(struct rt_iter *it, const net_addr *k, int strict)
{
	int af = it->t->af;

	it->sp = 0;
	if (it->t->root)
		it->stack[it->sp++] = it->t->root;
	while (it->sp) {
		struct rt_node *n = it->stack[--it->sp];
		struct rt_net *x = rep(n);
		/* the subtree holds the addresses sharing x's first n->len bits */
		int d = first_diff(&x->ip, &k->ip, af);
		if (d < n->len) {
			if (kbit(&k->ip, af, d)) {
				continue;	/* all of it is before k */
			}
			it->stack[it->sp++] = n;	/* all of it is after k */
			return;
		}
		if (is_net(n)) {
			int c = key_cmp(&x->ip, n->len, &k->ip, k->len);
			if (c > 0 || (!strict && c == 0)) {
				it->stack[it->sp++] = n;
				return;
			}
		}
		if (kids(n)[1])
			it->stack[it->sp++] = kids(n)[1];
		if (kids(n)[0])
			it->stack[it->sp++] = kids(n)[0];
	}
}

int rt_iter_ahead(const struct rt_iter *it, const struct rt_net *rn)
{
	if (ip_cmp(rn->ip, it->hi) > 0)
		return 0;
	if (!it->started)
		return key_cmp(&rn->ip, rn->n.len, &it->lo.ip, it->lo.len) >= 0;
	return key_cmp(&rn->ip, rn->n.len, &it->last.ip, it->last.len) > 0;
}

struct rt_net *rt_iter_next(struct rt_iter *it)
{
	if (it->version != it->t->version) {
		if (it->started)
			iter_seek(it, &it->last, 1);
		else
			iter_seek(it, &it->lo, 0);
		it->version = it->t->version;
	}
	while (it->sp) {
		struct rt_node *n = it->stack[--it->sp];
		if (kids(n)[1])
			it->stack[it->sp++] = kids(n)[1];
		if (kids(n)[0])
			it->stack[it->sp++] = kids(n)[0];
		if (!is_net(n))
			continue;
		struct rt_net *rn = (struct rt_net *)n;
		if (ip_cmp(rn->ip, it->hi) > 0) {
			it->sp = 0;
			return NULL;
		}
		it->last = rt_net_addr(it->t, rn);
		it->started = 1;
		if (rn->r.attrs)
			return rn;
	}
	return NULL;
}

size_t rt_memory(void)
{
	size_t b = (slab_small.blocks + slab_net.blocks + slab_host.blocks) * SLAB_BLOCK;
	b += (rt_master4.dirty_cap + rt_master6.dirty_cap) * sizeof(struct rt_net *);
	b += (rt_master4.free_cap + rt_master6.free_cap) * sizeof(uint32_t);
	return b;
}

/* At exit, once every protocol is down: give the table's memory back, so
 * that a leak checker sees only real leaks.  The nets left (with no route)
 * hold no references. */
void rt_cleanup(void)
{
	for (int i = 0; i < 2; i++) {
		struct rt_table *t = i ? &rt_master6 : &rt_master4;
		free(t->free_ids);
		free(t->dirty);
		t->root = NULL;
		t->free_ids = NULL;
		t->dirty = NULL;
		t->n_free = t->free_cap = t->n_dirty = t->dirty_cap = t->dirty_head = 0;
	}
	slab_release(&slab_small);
	slab_release(&slab_net);
	slab_release(&slab_host);
	free(srcs);
	free(src_routes);
	srcs = NULL;
	src_routes = NULL;
	n_srcs = 0;
}
