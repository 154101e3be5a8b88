/*
 * metalbird -- channels: how a protocol receives the routes it exports
 *
 * A channel joins one protocol to the route tables (STYLE.md item 5).  It
 * owns the protocol's export filter, its counters, and what it has sent for
 * each net (an interned rta per net id, kept as a 4-byte index into the
 * channel's palette of the rtas it has sent), so that it tells the
 * protocol of a change only when what the protocol sent before would
 * change.
 *
 * Delivery is batched: the protocol gets begin(), any number of notify()
 * calls, then end(), all in one loop turn, and never more than
 * CHANNEL_SLICE notifications in one batch.  BGP collects the notify()s in
 * its buckets and packs them into UPDATEs at end().  A full feed (the
 * channel comes up, a refeed, a resend) runs in slices on later loop turns
 * and ends with feed_done() (BGP: End-of-RIB).
 *
 * Usage by a protocol:
 *   ch = channel_new(p, &my_ops, my_data);   at start (or init); stays down
 *   the core brings every channel of p up when p reaches PS_UP and down
 *   when it leaves it; after an RC_SOFT reconfiguration it takes the new
 *   export filter and refeeds when the filter changed;
 *   channel_resend(ch)    route refresh: send everything again
 *   channel_free(ch)      optional: the core frees what is left at the end
 */
#ifndef MB_CHANNEL_H
#define MB_CHANNEL_H

#include <stdint.h>

#include "nest/protocol.h"
#include "nest/route.h"

struct proto;
struct filter;
struct channel;
struct rt_table;
struct rt_net;
struct rt_iter;
struct defer;

#define CHANNEL_SLICE 20000	/* most notifications in one batch */

struct channel_ops {
	void (*begin)(struct channel *ch);	/* a batch starts (optional) */
	/* The export of n changes: new is what to announce now (NULL:
	 * withdraw), old what was announced before (NULL: nothing).  Both are
	 * borrowed: rta_clone() what must be kept.  notify() must not
	 * change the table (rte_update): defer such work. */
	void (*notify)(struct channel *ch, const net_addr *n, struct rta *new, struct rta *old);
	void (*end)(struct channel *ch);	/* the batch ends: flush (optional) */
	void (*feed_done)(struct channel *ch);	/* a full feed finished (optional) */
	/* May the feed go on with its next slice?  (optional)  A protocol
	 * whose peer is behind says no, and calls channel_feed_resume() when
	 * it has caught up, so that a full feed never piles up in memory. */
	int (*ready)(struct channel *ch);
};

struct channel_stats {
	uint64_t upd_received;		/* changes of the best route looked at */
	uint64_t upd_filtered;		/* rejected by the export filter */
	uint64_t upd_ignored;		/* no change to what was sent */
	uint64_t upd_accepted;		/* announcements sent */
	uint64_t wd_received;		/* the best route went away */
	uint64_t wd_accepted;		/* withdrawals sent */
	uint32_t exported;		/* nets announced now */
};

struct channel {
	struct channel *next;		/* every channel */
	struct channel *proto_next;	/* the protocol's channels (p->channels) */
	struct proto *proto;
	const struct channel_ops *ops;
	void *data;			/* the protocol's */
	const struct filter *out_filter;	/* borrowed from the protocol's config */
	int up;
	int in_batch;
	uint32_t *sent[2];		/* [table][net id]: what was announced, an index into pal (0: nothing) */
	uint32_t sent_size[2];
	struct channel_pal *pal;	/* the rtas announced (nest/channel.c) */
	/* a full feed in progress */
	int feeding;
	int feed_paused;		/* waiting for channel_feed_resume() */
	int feed_table;			/* 0 master4, 1 master6 */
	struct rt_iter *feed_it;
	struct defer *feed_ev;
	struct channel_stats st;
};

extern struct channel *channel_list;

struct channel *channel_new(struct proto *p, const struct channel_ops *ops, void *data);
void channel_free(struct channel *ch);
void channel_up(struct channel *ch);		/* full feed follows */
void channel_down(struct channel *ch);		/* forget what was sent, silently */
/* Run the export filter over every route again and send the differences
 * from what was sent (a changed filter). */
void channel_refeed(struct channel *ch);
/* The protocol is ready for more of a paused full feed. */
void channel_feed_resume(struct channel *ch);
/* Send everything again as if nothing had been sent (route refresh). */
void channel_resend(struct channel *ch);
/* What the channel announced for n (borrowed), or NULL. */
struct rta *channel_sent(struct channel *ch, const net_addr *n);

/* Run the export of one net with the channel's filter without sending:
 * returns the rta it would announce (one reference for the caller) or NULL,
 * and why not in why (static text). */
struct rta *channel_eval(struct channel *ch, struct rt_table *t, struct rt_net *rn, const char **why);

/* Is any channel up?  The table queues changes only then. */
int channel_any_up(void);
/* Called by the table: deliver a batch of changed nets to every channel. */
void channel_deliver(struct rt_table *t, struct rt_net **nets, uint32_t n);
/* Called by the table before a net id is reused. */
void channel_forget_id(int table, uint32_t id);

/* `show protocols all`: BIRD's channel block (Table, Output filter, Routes,
 * Route change stats) for each channel of p; nest/rt-show.c. */
struct cli;
void rt_show_channel(struct cli *c, struct proto *p);

/* Hooks of the protocol core (nest/protocol.c). */
void channel_proto_state(struct proto *p, enum proto_state old, enum proto_state now);
void channel_proto_reconfigured(struct proto *p);
void channel_proto_free(struct proto *p);

#endif
