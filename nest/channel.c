/*
 * metalbird -- channels: the export side of the route table
 *
 * For each changed net the table queues, every channel that is up runs its
 * export filter over the best route and compares the result with what it
 * sent before (interned rtas: one pointer comparison).  Only a difference
 * reaches the protocol, as an announcement or a withdrawal, inside a
 * begin()/end() batch.  A full feed walks the tables in slices of
 * CHANNEL_SLICE nets per loop turn with the same comparison, so a refeed
 * after a filter change sends only what the new filter changes, and a
 * resend (route refresh, new session) sends everything because it starts
 * from an empty sent map.
 */
#include "nest/channel.h"
#include "nest/rt-table.h"
#include "nest/filter/filter.h"
#include "nest/mem.h"
#include "nest/protocol.h"
#include "sysdep/unix/loop.h"

#include <stdlib.h>
#include <string.h>

struct channel *channel_list;
static int channels_up;		/* how many of them are up */

int channel_any_up(void)
{
	return channels_up > 0;
}

static int tab_index(const struct rt_table *t)
{
	return t->af == AF_IP4 ? 0 : 1;
}

static struct rt_table *tab_of(int i)
{
	return i ? &rt_master6 : &rt_master4;
}

static void feed_hook(void *data);

struct channel *channel_new(struct proto *p, const struct channel_ops *ops, void *data)
{
	struct channel *ch = xzalloc(sizeof *ch);

	ch->proto = p;
	ch->ops = ops;
	ch->data = data;
	ch->out_filter = p->cf ? p->cf->out_filter : NULL;
	ch->next = channel_list;
	channel_list = ch;
	ch->proto_next = p->channels;
	p->channels = ch;
	return ch;
}

/*
 * The palette: every rta the channel has announced and still stands, once,
 * with one reference and the number of nets it stands for.  A million
 * routes usually share a handful of attribute sets, so a net's entry in the
 * sent map is a 4-byte index instead of an 8-byte pointer.  An entry whose
 * last net went keeps its rta (so its pointer cannot be reused by another
 * one meanwhile) until such entries are as many as the live ones; then they
 * are released at once and the index rebuilt.
 */
struct pal_ent {
	struct rta *a;			/* NULL: free; the next free one is in uses */
	uint32_t uses;			/* nets it stands for */
};

struct channel_pal {
	struct pal_ent *e;		/* [1, n): 0 stands for nothing */
	uint32_t n, cap;
	uint32_t free;			/* the first free entry, 0: none */
	uint32_t live, idle;		/* entries with uses, entries without */
	uint32_t *hash;			/* entry indices by rta pointer, open addressing */
	uint32_t hsize;
};

static uint32_t pal_hash(const struct rta *a)
{
	uint64_t h = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static void pal_index(struct channel_pal *p, uint32_t i)
{
	uint32_t h = pal_hash(p->e[i].a) & (p->hsize - 1);
	while (p->hash[h])
		h = (h + 1) & (p->hsize - 1);
	p->hash[h] = i;
}

static void pal_rehash(struct channel_pal *p)
{
	uint32_t want = 64;
	while (want < (p->live + p->idle) * 2 + 2)
		want *= 2;
	if (want != p->hsize) {
		free(p->hash);
		p->hash = xmalloc(sizeof *p->hash * want);
		p->hsize = want;
	}
	memset(p->hash, 0, sizeof *p->hash * p->hsize);
	for (uint32_t i = 1; i < p->n; i++)
		if (p->e[i].a)
			pal_index(p, i);
}

/* The entry for a (whose reference the palette takes), one use more. */
static uint32_t pal_ref(struct channel *ch, struct rta *a)
{
	struct channel_pal *p = ch->pal;

	if (!p)
		p = ch->pal = xzalloc(sizeof *p);
	if (p->hsize)
		for (uint32_t h = pal_hash(a) & (p->hsize - 1); p->hash[h]; h = (h + 1) & (p->hsize - 1)) {
			struct pal_ent *e = &p->e[p->hash[h]];
			if (e->a != a)
				continue;
			if (!e->uses++) {
				p->idle--;
				p->live++;
			}
			rta_free(a);	/* the entry holds one already */
			return p->hash[h];
		}
	uint32_t i = p->free;
	if (i) {
		p->free = p->e[i].uses;
	} else {
		if (!p->n)
			p->n = 1;
		if (p->n >= p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			p->e = xrealloc(p->e, sizeof *p->e * p->cap);
		}
		i = p->n++;
	}
	p->e[i].a = a;
	p->e[i].uses = 1;
	p->live++;
	if ((p->live + p->idle) * 2 + 2 > p->hsize)
		pal_rehash(p);
	else
		pal_index(p, i);
	return i;
}

/* One use of entry i less. */
static void pal_unref(struct channel *ch, uint32_t i)
{
	struct channel_pal *p = ch->pal;

	if (--p->e[i].uses)
		return;
	p->live--;
	p->idle++;
	if (p->idle < 64 || p->idle < p->live)
		return;
	for (uint32_t k = 1; k < p->n; k++)
		if (p->e[k].a && !p->e[k].uses) {
			rta_free(p->e[k].a);
			p->e[k].a = NULL;
			p->e[k].uses = p->free;
			p->free = k;
		}
	p->idle = 0;
	pal_rehash(p);
}

static struct rta *pal_rta(const struct channel *ch, uint32_t i)
{
	return i ? ch->pal->e[i].a : NULL;
}

static void sent_clear(struct channel *ch)
{
	struct channel_pal *p = ch->pal;

	for (int t = 0; t < 2; t++) {
		free(ch->sent[t]);
		ch->sent[t] = NULL;
		ch->sent_size[t] = 0;
	}
	if (p) {
		for (uint32_t i = 1; i < p->n; i++)
			rta_free(p->e[i].a);
		free(p->e);
		free(p->hash);
		free(p);
		ch->pal = NULL;
	}
	ch->st.exported = 0;
}

static void feed_stop(struct channel *ch)
{
	ch->feeding = 0;
	free(ch->feed_it);
	ch->feed_it = NULL;
	if (ch->feed_ev)
		defer_cancel(ch->feed_ev);
}

void channel_free(struct channel *ch)
{
	struct proto *p = ch->proto;

	feed_stop(ch);
	if (ch->feed_ev)
		defer_free(ch->feed_ev);
	if (ch->up)
		channels_up--;
	sent_clear(ch);
	for (struct channel **pp = &channel_list; *pp; pp = &(*pp)->next)
		if (*pp == ch) {
			*pp = ch->next;
			break;
		}
	for (struct channel **pp = (struct channel **)&p->channels; *pp; pp = &(*pp)->proto_next)
		if (*pp == ch) {
			*pp = ch->proto_next;
			break;
		}
	free(ch);
}

/* --- one net ------------------------------------------------------------------- */

struct rta *channel_eval(struct channel *ch, struct rt_table *t, struct rt_net *rn, const char **why)
{
	struct rte *best = rt_best(rn);
	struct rta *out = NULL;

	*why = NULL;
	if (!best) {
		*why = "no route";
		return NULL;
	}
	struct proto *src = rt_src_proto(best->src);
	if (src == ch->proto) {
		*why = "its own route";	/* a route is not exported back to its source */
		return NULL;
	}
	net_addr n = rt_net_addr(t, rn);
	/* a channel that is down may keep a filter of a config since replaced */
	const struct filter *f = ch->up ? ch->out_filter : ch->proto->cf ? ch->proto->cf->out_filter : NULL;
	if (f_run(f, &n, src ? src->name : "?", best->attrs, &out) != F_ACCEPT || !out) {
		*why = "rejected by the export filter";
		return NULL;
	}
	return out;
}

static uint32_t *sent_slot(struct channel *ch, int t, uint32_t id)
{
	if (id >= ch->sent_size[t]) {
		uint32_t n = ch->sent_size[t] ? ch->sent_size[t] : 1024;
		while (n <= id)
			n *= 2;
		ch->sent[t] = xrealloc(ch->sent[t], sizeof(uint32_t) * n);
		memset(ch->sent[t] + ch->sent_size[t], 0, sizeof(uint32_t) * (n - ch->sent_size[t]));
		ch->sent_size[t] = n;
	}
	return &ch->sent[t][id];
}

static void batch_begin(struct channel *ch)
{
	if (ch->in_batch)
		return;
	ch->in_batch = 1;
	if (ch->ops->begin)
		ch->ops->begin(ch);
}

static void batch_end(struct channel *ch)
{
	if (!ch->in_batch)
		return;
	ch->in_batch = 0;
	if (ch->ops->end)
		ch->ops->end(ch);
}

static void export_net(struct channel *ch, struct rt_table *t, struct rt_net *rn)
{
	const char *why;
	int ti = tab_index(t);
	uint32_t oi = rn->n.id < ch->sent_size[ti] ? ch->sent[ti][rn->n.id] : 0;
	struct rta *old = pal_rta(ch, oi);
	int had_best = rt_best(rn) != NULL;

	if (had_best)
		ch->st.upd_received++;
	else
		ch->st.wd_received++;
	struct rta *new = channel_eval(ch, t, rn, &why);
	if (had_best && !new)
		ch->st.upd_filtered++;
	if (new == old) {
		rta_free(new);		/* the filter's reference */
		if (new)
			ch->st.upd_ignored++;
		return;
	}
	net_addr n = rt_net_addr(t, rn);
	batch_begin(ch);
	ch->ops->notify(ch, &n, new, old);
	/* the filter's reference to new goes to the palette */
	*sent_slot(ch, ti, rn->n.id) = new ? pal_ref(ch, new) : 0;
	if (new) {
		ch->st.upd_accepted++;
		if (!old)
			ch->st.exported++;
	} else {
		ch->st.wd_accepted++;
		ch->st.exported--;
	}
	if (oi)
		pal_unref(ch, oi);
}

/* A channel in a full feed hears of a net with a route that its walk has
 * still to reach from the walk itself: telling it now as well would do the
 * work twice, and without the pause a slow peer imposes on the feed (the
 * queue of a table just loaded would pile up in the protocol).  A net
 * without a route is told at once: the walk skips such nets.  The walk
 * skips queued nets too (feed_slice), so each change is told once. */
static int feed_will_visit(const struct channel *ch, const struct rt_table *t, const struct rt_net *rn)
{
	int ti = tab_index(t);

	if (!ch->feeding || !rn->r.attrs)
		return 0;
	if (ti != ch->feed_table)
		return ti > ch->feed_table;
	return rt_iter_ahead(ch->feed_it, rn);
}

void channel_deliver(struct rt_table *t, struct rt_net **nets, uint32_t n)
{
	for (struct channel *ch = channel_list; ch; ch = ch->next) {
		if (!ch->up)
			continue;
		for (uint32_t i = 0; i < n; i++)
			if (!feed_will_visit(ch, t, nets[i]))
				export_net(ch, t, nets[i]);
		batch_end(ch);
	}
}

void channel_forget_id(int t, uint32_t id)
{
	/* every channel that is up has withdrawn the net already; this only
	 * guards against a stale pointer being read for the next net */
	for (struct channel *ch = channel_list; ch; ch = ch->next)
		if (id < ch->sent_size[t] && ch->sent[t][id]) {
			pal_unref(ch, ch->sent[t][id]);
			ch->sent[t][id] = 0;
		}
}

struct rta *channel_sent(struct channel *ch, const net_addr *n)
{
	struct rt_table *t = rt_table_af(n->af);
	struct rt_net *rn = rt_find(t, n);
	int ti = tab_index(t);

	if (!rn || rn->n.id >= ch->sent_size[ti])
		return NULL;
	return pal_rta(ch, ch->sent[ti][rn->n.id]);
}

/* --- full feeds ---------------------------------------------------------------- */

/* One slice of a feed: returns 1 when the feed is complete. */
static int feed_slice(struct channel *ch)
{
	int budget = CHANNEL_SLICE;

	while (ch->feed_table < 2) {
		struct rt_table *t = tab_of(ch->feed_table);
		struct rt_net *rn;
		while (budget > 0 && (rn = rt_iter_next(ch->feed_it))) {
			/* a queued net is told by the queue, which comes after */
			if (rn->n.flags & RTN_DIRTY)
				continue;
			export_net(ch, t, rn);
			budget--;
		}
		if (budget <= 0)
			break;
		/* nets without a route were withdrawn already by the queue,
		 * or never sent; move to the next table */
		if (++ch->feed_table < 2)
			rt_iter_init(ch->feed_it, tab_of(ch->feed_table), NULL, NULL);
	}
	batch_end(ch);
	return ch->feed_table >= 2;
}

static void feed_start(struct channel *ch)
{
	if (!ch->feed_it)
		ch->feed_it = xmalloc(sizeof *ch->feed_it);
	ch->feeding = 1;
	ch->feed_table = 0;
	rt_iter_init(ch->feed_it, &rt_master4, NULL, NULL);
	if (!ch->feed_ev)
		ch->feed_ev = defer_new(feed_hook, ch);
	defer_schedule(ch->feed_ev);
}

static void feed_hook(void *data)
{
	struct channel *ch = data;

	if (!ch->feeding || !ch->up)
		return;
	if (ch->ops->ready && !ch->ops->ready(ch)) {
		ch->feed_paused = 1;	/* channel_feed_resume() goes on */
		return;
	}
	if (!feed_slice(ch)) {
		defer_schedule(ch->feed_ev);
		return;
	}
	/* Routes that were sent but are gone from the table have been
	 * withdrawn by the change queue (a net stays until every channel has
	 * heard of it), so a finished walk leaves sent == what the filter
	 * passes now. */
	feed_stop(ch);
	if (ch->ops->feed_done)
		ch->ops->feed_done(ch);
}

void channel_feed_resume(struct channel *ch)
{
	if (!ch->feed_paused)
		return;
	ch->feed_paused = 0;
	if (ch->feeding && ch->up)
		defer_schedule(ch->feed_ev);
}

void channel_up(struct channel *ch)
{
	if (ch->up)
		return;
	ch->up = 1;
	channels_up++;
	/* a restart may have brought a new config: its filter, not the old
	 * config's (which is freed) */
	if (ch->proto->cf)
		ch->out_filter = ch->proto->cf->out_filter;
	sent_clear(ch);
	feed_start(ch);
}

void channel_down(struct channel *ch)
{
	if (!ch->up)
		return;
	ch->up = 0;
	channels_up--;
	ch->in_batch = 0;
	feed_stop(ch);
	sent_clear(ch);
}

void channel_refeed(struct channel *ch)
{
	if (ch->up)
		feed_start(ch);
}

void channel_resend(struct channel *ch)
{
	if (!ch->up)
		return;
	sent_clear(ch);
	feed_start(ch);
}

/* --- hooks of the protocol core ------------------------------------------------ */

void channel_proto_state(struct proto *p, enum proto_state old, enum proto_state now)
{
	if (now == PS_UP && old != PS_UP)
		for (struct channel *ch = p->channels; ch; ch = ch->proto_next)
			channel_up(ch);
	if (old == PS_UP && now != PS_UP)
		for (struct channel *ch = p->channels; ch; ch = ch->proto_next)
			channel_down(ch);
	/* a protocol that stops, or whose session drops (BGP: up -> start),
	 * takes its routes with it */
	if (now == PS_STOP || now == PS_DOWN || (old == PS_UP && now != PS_UP))
		rte_withdraw_all(p);
}

void channel_proto_reconfigured(struct proto *p)
{
	for (struct channel *ch = p->channels; ch; ch = ch->proto_next) {
		const struct filter *f = p->cf ? p->cf->out_filter : NULL;
		if (filter_same(ch->out_filter, f)) {
			ch->out_filter = f;	/* the new config's copy */
			continue;
		}
		ch->out_filter = f;
		channel_refeed(ch);
	}
}

void channel_proto_free(struct proto *p)
{
	while (p->channels)
		channel_free(p->channels);
}
