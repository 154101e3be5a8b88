/*
 * metalbird -- protocol bgp: the instance
 *
 * Glue between the route table and one BGP session.  The channel tells us,
 * in batches, which nets change (nest/channel.h); we keep what must still go
 * out in a pending set (a net appears once: a later change replaces an
 * earlier one), and flush it as packed UPDATEs: withdrawals first, then the
 * announcements grouped by interned attribute set, so that prefixes sharing
 * attributes share messages (STYLE.md item 6).  When the session's output
 * queue is above its high-water mark we stop and resume on tx_space, so a
 * slow peer never makes us buffer the whole table.
 *
 * Accepted connections arrive on listeners shared by all BGP protocols (one
 * per local address, or the wildcard of each family) and are handed to the
 * protocol whose neighbor address they come from; one from any other address
 * is refused with Cease / Connection Rejected (RFC 4486).
 *
 * On an IPv6 session IPv4 routes need an IPv4 next hop (`next hop address`)
 * or the neighbor's Extended Next Hop capability (RFC 8950), which we offer
 * on every IPv6 session; without either they are held back and counted.
 */
#include "proto/bgp/bgp.h"
#include "proto/bfd/bfd.h"
#include "proto/bfd/packets.h"
#include "proto/bgp/session.h"
#include "proto/bgp/update.h"
#include "nest/channel.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/filter/filter.h"
#include "nest/log.h"
#include "nest/mem.h"
#include "nest/metrics.h"
#include "nest/route.h"
#include "nest/rt-table.h"
#include "sysdep/unix/loop.h"
#include "sysdep/unix/main.h"
#include "sysdep/linux/iface.h"
#include "sysdep/linux/tcp.h"
#include "sysdep/unix/sockaddr.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bgp_init_config(struct proto_config *pc);
void bgp_postconfig(struct proto_config *pc);
enum reconf_action bgp_compare(const struct proto_config *po, const struct proto_config *pn, struct reconf_why *why);
void bgp_dump_config(FILE *out, const struct proto_config *pc);

struct pend {
	net_addr n;
	struct rta *a;		/* to announce (one reference), NULL: withdraw */
};

struct bgp_listener;

struct bgp_proto {
	struct proto p;
	struct bgp_session *s;
	struct channel *ch;
	struct bgp_listener *lst;
	struct pend *pend;		/* nets still to send: pend[head..npend) */
	uint32_t head, npend, pend_cap;
	uint32_t *idx;			/* open addressing: net -> pend index + 1 */
	uint32_t idx_size;
	int eor_due[BGP_FAM_N];		/* send End-of-RIB after the pending set */
	int established;
	double est_since;
	/* counters (show protocols all, metrics) */
	uint64_t updates_sent, updates_received, prefixes_sent, withdraws_sent;
	uint32_t exported, received, imported;
	uint32_t held_back[BGP_FAM_N];	/* routes now held back (no usable next hop), per family */
	net_addr *held;			/* ... those nets: open addressing */
	uint8_t *held_st;		/* per slot: 0 empty, 1 used, 2 deleted */
	uint32_t held_size, held_slots;	/* table size (power of 2), slots not empty */
	ip_addr ll6;			/* our link-local address on the neighbor's link */
	int has_ll6;			/* ... known, and the session is direct */
	struct bgp_down_info last_down;
	char *md5_key;			/* TCP-MD5 key set on the listener (own copy:
					 * configs come and go while we run) */
	ip_addr md5_peer;		/* ... and the peer it is for */
	double stopped_at;		/* when we last closed the session (monotonic) */
	struct timer *start_t;		/* delayed start after a stop */
	char last_error[340];
	struct bfd_request *bfd;	/* `bfd on`: the BFD session to the neighbor */
	int bfd_up;			/* it has been Up: a Down now is a failure */
	struct timer *eor_t;		/* -R: End-of-RIB waits for the route sources */
	int eor_done;			/* End-of-RIB went out (or is due) in this session */
	/* graceful restart, receiving speaker (RFC 4724 4.2) */
	int gr_ok;			/* the neighbor can restart gracefully, we are aware */
	int gr_nbit;			/* N bit exchanged (RFC 8538) */
	uint16_t peer_gr_time;		/* its restart time */
	uint8_t peer_gr_fam[BGP_FAM_N];	/* families in its GR capability */
	int no_gr;			/* the next session loss is no restart (BFD) */
	int gr_active;			/* holding its routes as stale */
	int stale_fam[BGP_FAM_N];	/* families still waiting for End-of-RIB */
	net_addr *stale;		/* its routes when it went away, sorted */
	uint8_t *stale_fresh;		/* received again (or withdrawn) since */
	uint32_t nstale;
	struct timer *gr_t;		/* restart time, then the wait for End-of-RIB */
};

/* --- listeners shared by the protocols ------------------------------------- */

struct bgp_listener {
	struct bgp_listener *next;
	ip_addr addr;			/* bound address, or zero of its family */
	int af;
	int refs;
	struct listener *l;
};

static struct bgp_listener *listeners;

/* The protocol an accepted connection belongs to: its neighbor address is
 * the remote end, and its `local` address (if it names one) the local end:
 * two sessions from two of our addresses to one neighbor are two protocols. */
static struct bgp_proto *bgp_find_by_remote(ip_addr remote, int has_local, ip_addr local)
{
	for (struct proto *p = proto_list; p; p = p->next) {
		if (p->class != &proto_bgp || !p->cf || p->state == PS_DOWN)
			continue;
		struct bgp_proto *bp = (struct bgp_proto *)p;
		struct bgp_config *c = (struct bgp_config *)p->cf;
		if (!bp->s || !ip_equal(c->remote_ip, remote))
			continue;
		if (has_local && c->has_local_ip && !ip_equal(c->local_ip, local))
			continue;
		return bp;
	}
	return NULL;
}

static void bgp_accept(int fd, void *data)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	ip_addr remote;
	char a[IP_STRLEN];

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return;
	}
	remote = ip_from_sa(&ss, NULL);
	struct sockaddr_storage ls;
	socklen_t llen = sizeof ls;
	int has_local = getsockname(fd, (struct sockaddr *)&ls, &llen) == 0;
	ip_addr local = has_local ? ip_from_sa(&ls, NULL) : remote;
	struct bgp_proto *bp = bgp_find_by_remote(remote, has_local, local);
	if (!bp) {
		char b[IP_STRLEN];
		log_msg(L_REMOTE, "BGP: connection from %s rejected: no protocol has that neighbor (on %s)",
			ip_ntop(remote, a), ip_ntop(local, b));
		bgp_conn_reject(fd, 0);
		return;
	}
	bgp_session_accept(bp->s, fd);
}

static struct bgp_listener *listener_get(struct bgp_proto *bp)
{
	struct bgp_config *c = (struct bgp_config *)bp->p.cf;
	int af = ip_af(c->remote_ip);
	ip_addr addr = c->has_local_ip ? c->local_ip : af == AF_IP4 ? ip4_make(0) : (ip_addr){ { 0, 0, 0, 0 } };
	char err[256], a[IP_STRLEN];

	for (struct bgp_listener *l = listeners; l; l = l->next)
		if (l->af == af && ip_equal(l->addr, addr)) {
			l->refs++;
			return l;
		}
	struct bgp_listener *l = xzalloc(sizeof *l);
	l->addr = addr;
	l->af = af;
	l->refs = 1;
	struct sk_tcp_opts o = { 0 };
	l->l = listen_tcp(addr, BGP_PORT, &o, bgp_accept, l, err, sizeof err);
	if (!l->l)
		proto_log(&bp->p, L_WARN, "cannot accept incoming sessions on %s port %d: %s (connecting out only)",
			  ip_ntop(addr, a), BGP_PORT, err);
	l->next = listeners;
	listeners = l;
	return l;
}

static void listener_put(struct bgp_listener *l)
{
	if (!l || --l->refs)
		return;
	for (struct bgp_listener **pp = &listeners; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	listener_free(l->l);
	free(l);
}

/* The TCP-MD5 key must also sit on the listening socket, per peer. */
static void listener_md5(struct bgp_proto *bp, const struct bgp_config *c)
{
	char err[256];

	if (c && c->password) {
		bp->md5_key = xstrdup(c->password);
		bp->md5_peer = c->remote_ip;
	}
	if (!bp->md5_key || !bp->lst || !bp->lst->l)
		return;
	if (tcp_md5_set(listener_fd(bp->lst->l), bp->lst->af == AF_IP4 ? AF_INET : AF_INET6, bp->md5_peer,
			c ? bp->md5_key : NULL, err, sizeof err) < 0)
		proto_log(&bp->p, L_ERR, "%s", err);
	if (!c) {
		free(bp->md5_key);
		bp->md5_key = NULL;
	}
}

/* --- export: pending set and UPDATE packing ---------------------------------- */

static uint32_t net_hash(const net_addr *n)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 4; i++)
		h = (h ^ n->ip.w[i]) * 16777619u;
	return (h ^ n->len ^ ((uint32_t)n->af << 8)) * 16777619u;
}

/*
 * The pending set: an array in arrival order, pend[head..npend) not yet
 * sent, and an open-addressing index from net to position + 1.  An index
 * entry that points below head is a net already sent: it may be reused.
 */
static uint32_t *idx_find(struct bgp_proto *bp, const net_addr *n, int *found)
{
	uint32_t h = net_hash(n) & (bp->idx_size - 1);

	while (bp->idx[h]) {
		uint32_t i = bp->idx[h] - 1;
		if (net_equal(&bp->pend[i].n, n)) {
			*found = i >= bp->head;
			return &bp->idx[h];
		}
		h = (h + 1) & (bp->idx_size - 1);
	}
	*found = 0;
	return &bp->idx[h];
}

static void idx_rebuild(struct bgp_proto *bp, uint32_t size)
{
	free(bp->idx);
	bp->idx = xzalloc(sizeof(uint32_t) * size);
	bp->idx_size = size;
	for (uint32_t i = bp->head; i < bp->npend; i++) {
		int found;
		*idx_find(bp, &bp->pend[i].n, &found) = i + 1;
	}
}

static void pend_put(struct bgp_proto *bp, const net_addr *n, struct rta *a)
{
	int found;

	if ((bp->npend + 1) * 2 >= bp->idx_size)
		idx_rebuild(bp, bp->idx_size ? bp->idx_size * 2 : 1024);
	uint32_t *slot = idx_find(bp, n, &found);
	if (found) {
		struct pend *e = &bp->pend[*slot - 1];
		rta_free(e->a);
		e->a = a ? rta_clone(a) : NULL;
		return;
	}
	if (bp->npend == bp->pend_cap) {
		bp->pend_cap = bp->pend_cap ? bp->pend_cap * 2 : 1024;
		bp->pend = xrealloc(bp->pend, sizeof(struct pend) * bp->pend_cap);
	}
	bp->pend[bp->npend].n = *n;
	bp->pend[bp->npend].a = a ? rta_clone(a) : NULL;
	*slot = ++bp->npend;
}

static void pend_clear(struct bgp_proto *bp)
{
	for (uint32_t i = bp->head; i < bp->npend; i++)
		rta_free(bp->pend[i].a);
	bp->npend = bp->head = 0;
	if (bp->idx)
		memset(bp->idx, 0, sizeof(uint32_t) * bp->idx_size);
}

/*
 * The nets held back for want of a next hop (SPEC: show protocols all says
 * how many, and they are not counted as exported).  Empty in the usual
 * case, when every lookup returns at once.
 */
static int held_slot(const struct bgp_proto *bp, const net_addr *n, int insert)
{
	uint32_t h = net_hash(n) & (bp->held_size - 1);
	int free_at = -1;

	for (uint32_t k = 0; k < bp->held_size; k++, h = (h + 1) & (bp->held_size - 1)) {
		if (bp->held_st[h] == 0)
			return insert ? (free_at >= 0 ? free_at : (int)h) : -1;
		if (bp->held_st[h] == 2) {
			if (free_at < 0)
				free_at = (int)h;
		} else if (net_equal(&bp->held[h], n))
			return insert ? -1 : (int)h;
	}
	return insert ? free_at : -1;
}

static void held_put(struct bgp_proto *bp, const net_addr *n, int fam)
{
	if ((bp->held_slots + 1) * 2 > bp->held_size) {
		net_addr *old = bp->held;
		uint8_t *old_st = bp->held_st;
		uint32_t old_size = bp->held_size;
		bp->held_size = old_size ? old_size * 2 : 64;
		bp->held = xzalloc(sizeof(net_addr) * bp->held_size);
		bp->held_st = xzalloc(bp->held_size);
		bp->held_slots = 0;
		for (uint32_t k = 0; k < old_size; k++)
			if (old_st[k] == 1) {
				int at = held_slot(bp, &old[k], 1);
				bp->held[at] = old[k];
				bp->held_st[at] = 1;
				bp->held_slots++;
			}
		free(old);
		free(old_st);
	}
	int at = held_slot(bp, n, 1);
	if (at < 0)
		return;		/* held back already */
	if (bp->held_st[at] == 0)
		bp->held_slots++;
	bp->held[at] = *n;
	bp->held_st[at] = 1;
	bp->held_back[fam]++;
}

static void held_del(struct bgp_proto *bp, const net_addr *n, int fam)
{
	if (!bp->held_back[fam])
		return;
	int at = held_slot(bp, n, 0);
	if (at < 0)
		return;
	bp->held_st[at] = 2;
	bp->held_back[fam]--;
}

static void held_clear(struct bgp_proto *bp)
{
	free(bp->held);
	free(bp->held_st);
	bp->held = NULL;
	bp->held_st = NULL;
	bp->held_size = bp->held_slots = 0;
	memset(bp->held_back, 0, sizeof bp->held_back);
}

/* Routes announced on the session: exported, less those held back. */
static uint32_t exported_now(const struct bgp_proto *bp)
{
	uint32_t h = bp->held_back[BGP_FAM_IP4] + bp->held_back[BGP_FAM_IP6];
	return bp->exported > h ? bp->exported - h : 0;
}

/* Send the session everything again: the channel forgets what it sent and
 * feeds every route as new, so the count of exported routes starts again
 * (it grew by the whole table at each route refresh before). */
static void resend(struct bgp_proto *bp)
{
	if (!bp->ch || !bp->ch->up)
		return;
	bp->exported = 0;
	channel_resend(bp->ch);
}

/* Withdrawals first (a NULL rta), then by attribute set, then by family. */
static int pend_cmp(const void *x, const void *y)
{
	const struct pend *a = x, *b = y;
	if (a->a != b->a) {
		if (!a->a || !b->a)
			return a->a ? 1 : -1;
		return (uintptr_t)a->a < (uintptr_t)b->a ? -1 : 1;
	}
	if (a->n.af != b->n.af)
		return a->n.af < b->n.af ? -1 : 1;
	return 0;
}

/* Is pend[from, to) in pend_cmp() order already?  (qsort() costs n log n
 * comparisons even then.) */
static int pend_sorted(const struct bgp_proto *bp, uint32_t from, uint32_t to)
{
	for (uint32_t k = from + 1; k < to; k++)
		if (pend_cmp(&bp->pend[k - 1], &bp->pend[k]) > 0)
			return 0;
	return 1;
}

static int fam_of(const net_addr *n)
{
	return n->af == AF_IP4 ? BGP_FAM_IP4 : BGP_FAM_IP6;
}

/* The next hop of address family af for a route: the filter's, the
 * configured one (`next hop address`), or our own address on the session
 * (*self set).  0 when there is none of that family. */
static int pick_next_hop(const struct bgp_config *c, const struct rta *r, int af, int have_local, ip_addr local,
			 ip_addr *nh, int *self)
{
	*self = 0;
	if ((r->set & RTA_NEXT_HOP) && ip_af(r->bgp_next_hop) == af)
		*nh = r->bgp_next_hop;
	else if (af == AF_IP4 && c->has_next_hop4)
		*nh = c->next_hop4;
	else if (af == AF_IP6 && c->has_next_hop6)
		*nh = c->next_hop6;
	else if (have_local && ip_af(local) == af) {
		*nh = local;
		*self = 1;
	} else
		return 0;
	return 1;
}

/* The attributes we send for an rta, for this session (SPEC section 4:
 * ORIGIN IGP, next hop = our address, AS_PATH empty towards iBGP and our AS
 * towards eBGP, LOCAL_PREF 100 on iBGP, unless the filter said otherwise). */
static int attrs_for(struct bgp_proto *bp, const struct rta *r, int fam, struct bgp_attrs *a,
		     const struct bgp_neg *neg)
{
	struct bgp_config *c = (struct bgp_config *)bp->p.cf;
	ip_addr local;

	memset(a, 0, offsetof(struct bgp_attrs, path));
	a->present = 0;
	a->origin = (r->set & RTA_ORIGIN) ? r->bgp_origin : BGP_ORIGIN_IGP;
	BGP_SET(a, BGP_A_ORIGIN);
	bgp_path_clear(&a->path);
	if (r->bgp_path) {
		const uint8_t *p = r->bgp_path->data, *end = p + r->bgp_path->length;
		while (p + 2 <= end) {
			int type = p[0], cnt = p[1];
			uint32_t asn[255];
			if (p + 2 + 4 * (size_t)cnt > end)
				break;
			memcpy(asn, p + 2, 4 * (size_t)cnt);
			bgp_path_append(&a->path, type, asn, cnt);
			p += 2 + 4 * (size_t)cnt;
		}
	}
	if (!neg->ibgp)
		bgp_path_prepend(&a->path, c->local_as);
	BGP_SET(a, BGP_A_AS_PATH);
	if (r->set & RTA_MED) {
		a->med = r->bgp_med;
		BGP_SET(a, BGP_A_MED);
	}
	if (neg->ibgp) {
		a->local_pref = (r->set & RTA_LOCAL_PREF) ? r->bgp_local_pref : 100;
		BGP_SET(a, BGP_A_LOCAL_PREF);
	}
	a->ncomm = 0;
	if (r->bgp_community)
		for (uint32_t i = 0; i + 4 <= r->bgp_community->length && a->ncomm < BGP_MAX_COMMS; i += 4)
			memcpy(&a->comm[a->ncomm++], r->bgp_community->data + i, 4);
	if (a->ncomm)
		BGP_SET(a, BGP_A_COMMUNITY);
	a->nlcomm = 0;
	if (r->bgp_large_community)
		for (uint32_t i = 0; i + 12 <= r->bgp_large_community->length && a->nlcomm < BGP_MAX_LCOMMS; i += 12) {
			uint32_t v[3];
			memcpy(v, r->bgp_large_community->data + i, 12);
			a->lcomm[a->nlcomm].global = v[0];
			a->lcomm[a->nlcomm].local1 = v[1];
			a->lcomm[a->nlcomm].local2 = v[2];
			a->nlcomm++;
		}
	if (a->nlcomm)
		BGP_SET(a, BGP_A_LARGE_COMMUNITY);
	a->unknown_len = 0;

	/* the next hop: of the route's family, and for an IPv4 route on a
	 * session without one, an IPv6 one if the neighbor takes it (RFC 8950) */
	int have_local = bgp_session_local_addr(bp->s, &local) == 0;
	ip_addr nh;
	int self = 0, ext = 0;
	int ok = pick_next_hop(c, r, fam == BGP_FAM_IP4 ? AF_IP4 : AF_IP6, have_local, local, &nh, &self);
	if (!ok && fam == BGP_FAM_IP4 && neg->ext_nh)
		ok = ext = pick_next_hop(c, r, AF_IP6, have_local, local, &nh, &self);
	if (!ok)
		return -1;
	if (fam == BGP_FAM_IP4 && !ext) {
		a->next_hop = nh;
		BGP_SET(a, BGP_A_NEXT_HOP);
	} else {
		a->mp_afi = fam == BGP_FAM_IP4 ? BGP_AFI_IP4 : BGP_AFI_IP6;
		a->mp_safi = BGP_SAFI_UNICAST;
		a->mp_next_hop = nh;
		/* RFC 2545 3: our link-local address too when it is our own
		 * next hop and the neighbor shares our link */
		a->mp_has_ll = self && bp->has_ll6;
		a->mp_next_hop_ll = bp->ll6;
	}
	return 0;
}

static uint8_t msgbuf[BGP_MAX_LEN];
static struct bgp_attrs enc_attrs;
static struct bgp_builder enc_builder;
static net_addr *netbuf;
static size_t netbuf_cap;

static int send_msg(struct bgp_proto *bp, size_t len, uint32_t prefixes, int withdraw)
{
	if (!len)
		return 0;
	if (bgp_session_send(bp->s, msgbuf, len) < 0)
		return -1;
	bp->updates_sent++;
	proto_trace(&bp->p, D_PACKETS, "sending UPDATE: %zu octets, %u prefixes %s", len, prefixes,
		    withdraw ? "withdrawn" : "announced");
	if (withdraw)
		bp->withdraws_sent += prefixes;
	else
		bp->prefixes_sent += prefixes;
	return 0;
}

#define FLUSH_WINDOW 65536	/* nets sorted into buckets at a time */

static void bgp_flush(struct bgp_proto *bp)
{
	const struct bgp_neg *neg = bp->established ? bgp_session_neg(bp->s) : NULL;
	struct bgp_attr_ctx ctx;
	char err[160];

	if (!neg)
		return;
	ctx = bgp_session_attr_ctx(bp->s);
	/* Each window of pending nets is sorted once into runs of one
	 * attribute set (withdrawals first) and packed; a slow peer stops
	 * us at BGP_OUTQ_HIGH and tx_space() resumes where we stopped. */
	while (bp->head < bp->npend && bgp_session_outq(bp->s) <= BGP_OUTQ_HIGH) {
		uint32_t end = bp->npend - bp->head > FLUSH_WINDOW ? bp->head + FLUSH_WINDOW : bp->npend;
		/* a full feed of routes of one attribute set arrives in order */
		if (!pend_sorted(bp, bp->head, end)) {
			qsort(bp->pend + bp->head, end - bp->head, sizeof(struct pend), pend_cmp);
			for (uint32_t k = bp->head; k < end; k++) {
				int found;
				*idx_find(bp, &bp->pend[k].n, &found) = k + 1;
			}
		}
		if (netbuf_cap < FLUSH_WINDOW) {
			netbuf_cap = FLUSH_WINDOW;
			netbuf = xrealloc(netbuf, sizeof(net_addr) * netbuf_cap);
		}
		uint32_t i = bp->head;
		while (i < end && bgp_session_outq(bp->s) <= BGP_OUTQ_HIGH) {
			struct pend *e = &bp->pend[i];
			int fam = fam_of(&e->n);
			uint32_t j = i, n = 0;
			while (j < end && bp->pend[j].a == e->a && fam_of(&bp->pend[j].n) == fam) {
				if (neg->fam[fam])
					netbuf[n++] = bp->pend[j].n;
				j++;
			}
			size_t off = 0, used;
			if (!e->a) {
				for (uint32_t k = 0; k < n; k++)
					held_del(bp, &netbuf[k], fam);
				while (off < n) {
					size_t len = bgp_build_withdraw(fam, netbuf + off, n - off, &used, msgbuf, sizeof msgbuf);
					if (!len || send_msg(bp, len, (uint32_t)used, 1) < 0)
						break;
					off += used;
				}
			} else if (n) {
				if (attrs_for(bp, e->a, fam, &enc_attrs, neg) < 0) {
					/* SPEC: an IPv6 route over an IPv4 session needs a usable
					 * IPv6 next hop, an IPv4 route over IPv6 an IPv4 one or
					 * the neighbor's RFC 8950 capability */
					for (uint32_t k = 0; k < n; k++)
						held_put(bp, &netbuf[k], fam);
				} else if (bgp_builder_init(&enc_builder, fam, &enc_attrs, &ctx, err, sizeof err) < 0) {
					proto_log(&bp->p, L_ERR, "cannot encode attributes: %s", err);
				} else {
					for (uint32_t k = 0; k < n; k++)
						held_del(bp, &netbuf[k], fam);
					while (off < n) {
						size_t len = bgp_build_reach(&enc_builder, netbuf + off, n - off, &used,
									     msgbuf, sizeof msgbuf);
						if (!len || send_msg(bp, len, (uint32_t)used, 0) < 0)
							break;
						off += used;
					}
				}
			}
			for (uint32_t k = i; k < j; k++) {
				rta_free(bp->pend[k].a);
				bp->pend[k].a = NULL;
			}
			i = j;
		}
		bp->head = i;
	}
	if (bp->head < bp->npend) {
		/* tx_space() goes on; keep the array from growing without end */
		if (bp->head * 2 > bp->npend) {
			memmove(bp->pend, bp->pend + bp->head, sizeof(struct pend) * (bp->npend - bp->head));
			bp->npend -= bp->head;
			bp->head = 0;
			idx_rebuild(bp, bp->idx_size);
		}
		return;
	}
	bp->head = bp->npend = 0;
	if (bp->idx)
		memset(bp->idx, 0, sizeof(uint32_t) * bp->idx_size);
	for (int f = 0; f < BGP_FAM_N; f++)
		if (bp->eor_due[f] && neg->fam[f]) {
			size_t len = bgp_build_eor(f, msgbuf, sizeof msgbuf);
			if (bgp_session_send(bp->s, msgbuf, len) == 0)
				bp->updates_sent++;
			bp->eor_due[f] = 0;
		}
}

static void ch_notify(struct channel *ch, const net_addr *n, struct rta *new, struct rta *old)
{
	struct bgp_proto *bp = ch->data;
	const struct bgp_neg *neg = bp->established ? bgp_session_neg(bp->s) : NULL;

	/* a family the session did not negotiate is not sent, nor counted */
	if (!neg || !neg->fam[fam_of(n)])
		return;
	if (new && !old)
		bp->exported++;
	else if (!new && old && bp->exported)
		bp->exported--;
	if (bp->p.debug & D_ROUTES) {
		char b[NET_STRLEN];
		proto_trace(&bp->p, D_ROUTES, "%s %s", new ? (old ? "update" : "announce") : "withdraw", net_ntop(n, b));
	}
	pend_put(bp, n, new);
}

static void ch_end(struct channel *ch)
{
	bgp_flush(ch->data);
}

/* Are the route sources complete?  A source that is still starting (the
 * Kubernetes protocol before its first full sync) has not yet put all its
 * routes in the table. */
static int sources_ready(void)
{
	for (struct proto *p = proto_list; p; p = p->next)
		if (p->class != &proto_bgp && p->cf && !p->disabled && !p->disabled_by_cmd &&
		    !p->selector_blocks && p->state == PS_START)
			return 0;
	return 1;
}

static void eor_check(void *data)
{
	struct bgp_proto *bp = data;

	if (!bp->established)
		return;
	/* RFC 4724 4.1: the restarting speaker sends End-of-RIB once its
	 * initial update is complete; a peer keeps our old routes (stale)
	 * until then, so an early one would withdraw what is not back yet.
	 * Changes that sources made meanwhile reach us through the channel
	 * before the timer fires again.  A source that never completes
	 * holds it back for our restart time at most: by then the peers
	 * have dropped our stale routes anyway. */
	const struct bgp_config *c = (const struct bgp_config *)bp->p.cf;
	double limit = c && c->gr_time ? c->gr_time : 120;
	if (!sources_ready()) {
		if (now_real() - bp->est_since < limit) {
			tm_start(bp->eor_t, 0.5);
			return;
		}
		proto_log(&bp->p, L_WARN, "a route source is still starting after %.0f s: End-of-RIB sent anyway", limit);
	}
	bp->eor_done = 1;
	for (int f = 0; f < BGP_FAM_N; f++)
		bp->eor_due[f] = 1;
	bgp_flush(bp);
}

/* Are we the restarting speaker (RFC 4724)?  With -R, or after a crash
 * (sysdep/unix/main.c) for a session with graceful restart on. */
static int gr_recovering(const struct bgp_config *c)
{
	return opt_graceful_restart || (daemon_crashed && c && c->gr_mode == BGP_GR_ON);
}

static void ch_feed_done(struct channel *ch)
{
	struct bgp_proto *bp = ch->data;

	/* RFC 4724 2: End-of-RIB marks the end of the initial update of a
	 * session; later feeds (route refresh, a changed next hop) have none */
	if (bp->eor_done || tm_active(bp->eor_t)) {
		bgp_flush(bp);
		return;
	}
	if (gr_recovering((const struct bgp_config *)bp->p.cf) && !sources_ready()) {
		if (!bp->eor_t)
			bp->eor_t = tm_new(eor_check, bp);
		proto_trace(&bp->p, D_EVENTS, "End-of-RIB waits for the route sources (graceful restart)");
		tm_start(bp->eor_t, 0.5);
		return;
	}
	bp->eor_done = 1;
	for (int f = 0; f < BGP_FAM_N; f++)
		bp->eor_due[f] = 1;
	bgp_flush(bp);
}

/* A full feed waits while the peer is behind: what is pending stays within
 * a couple of slices instead of the whole table. */
static int ch_ready(struct channel *ch)
{
	struct bgp_proto *bp = ch->data;

	return !bp->established || (bp->npend - bp->head < 2 * CHANNEL_SLICE &&
				    bgp_session_outq(bp->s) <= BGP_OUTQ_HIGH);
}

static const struct channel_ops bgp_channel_ops = {
	.notify = ch_notify,
	.end = ch_end,
	.feed_done = ch_feed_done,
	.ready = ch_ready,
};

/* --- graceful restart: the receiving speaker (RFC 4724 4.2) ----------------------- */

static void gr_reset(struct bgp_proto *bp)
{
	free(bp->stale);
	free(bp->stale_fresh);
	bp->stale = NULL;
	bp->stale_fresh = NULL;
	bp->nstale = 0;
	bp->gr_active = 0;
	memset(bp->stale_fam, 0, sizeof bp->stale_fam);
	tm_stop(bp->gr_t);
}

static int net_cmp_q(const void *a, const void *b)
{
	return net_cmp(a, b);
}

/* The routes we have from the neighbor, as they are when it goes away. */
static void gr_collect(struct bgp_proto *bp)
{
	struct rt_table *tabs[2] = { &rt_master4, &rt_master6 };
	uint32_t cap = 0;

	gr_reset(bp);
	for (int t = 0; t < 2; t++) {
		struct rt_iter it;
		struct rt_net *rn;
		rt_iter_init(&it, tabs[t], NULL, NULL);
		while ((rn = rt_iter_next(&it))) {
			for (struct rte *e = &rn->r; e; e = e->next) {
				if (!e->attrs || rt_src_proto(e->src) != &bp->p)
					continue;
				if (bp->nstale == cap) {
					cap = cap ? cap * 2 : 256;
					bp->stale = xrealloc(bp->stale, sizeof(net_addr) * cap);
				}
				bp->stale[bp->nstale++] = rt_net_addr(tabs[t], rn);
				break;
			}
		}
	}
	if (bp->nstale)
		qsort(bp->stale, bp->nstale, sizeof(net_addr), net_cmp_q);
	bp->stale_fresh = xzalloc(bp->nstale ? bp->nstale : 1);
}

static void gr_refreshed(struct bgp_proto *bp, const net_addr *n)
{
	uint32_t lo = 0, hi = bp->nstale;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = net_cmp(&bp->stale[mid], n);
		if (!c) {
			bp->stale_fresh[mid] = 1;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* Remove the stale routes of a family (-1: all) that did not come again. */
static void gr_flush(struct bgp_proto *bp, int fam, const char *why)
{
	uint32_t removed = 0;

	for (uint32_t i = 0; i < bp->nstale; i++) {
		if (bp->stale_fresh[i] || (fam >= 0 && fam_of(&bp->stale[i]) != fam))
			continue;
		rte_update(&bp->p, &bp->stale[i], NULL);
		bp->stale_fresh[i] = 1;
		removed++;
	}
	int left = 0;
	for (int f = 0; f < BGP_FAM_N; f++) {
		if (fam < 0 || f == fam)
			bp->stale_fam[f] = 0;
		left |= bp->stale_fam[f];
	}
	proto_log(&bp->p, L_INFO, "graceful restart: %s%s: %u stale route%s removed", why,
		  fam < 0 ? "" : fam == BGP_FAM_IP4 ? " (ipv4)" : " (ipv6)", removed, removed == 1 ? "" : "s");
	if (!left) {
		gr_reset(bp);
		if (!bp->established && bp->p.state == PS_UP)
			proto_notify_state(&bp->p, PS_START);
	}
}

static void gr_expired(void *data)
{
	struct bgp_proto *bp = data;

	gr_flush(bp, -1, bp->established ? "no End-of-RIB in time" : "restart time expired");
}

/* The session went down: keep the neighbor's routes if it is restarting.
 * Returns 1 when they are kept. */
static int gr_begin(struct bgp_proto *bp, const struct bgp_down_info *info)
{
	int notif = info && (info->notif_received || info->notif_sent);

	/* RFC 4724 4.2: a session lost without a NOTIFICATION (TCP closed or
	 * reset: the neighbor's process died); RFC 8538 4: with the N bit
	 * exchanged, also after a NOTIFICATION other than Hard Reset */
	if (!bp->gr_ok || bp->no_gr || !bp->peer_gr_time)
		return 0;
	if (notif && (!bp->gr_nbit || (info->code == BGP_ERR_CEASE && info->subcode == BGP_CEASE_HARD_RESET)))
		return 0;
	gr_collect(bp);
	bp->gr_active = 1;
	for (int f = 0; f < BGP_FAM_N; f++)
		bp->stale_fam[f] = 1;
	if (!bp->gr_t)
		bp->gr_t = tm_new(gr_expired, bp);
	tm_start(bp->gr_t, bp->peer_gr_time);
	proto_log(&bp->p, L_INFO, "graceful restart: neighbor restarting, %u route%s kept as stale for %u s",
		  bp->nstale, bp->nstale == 1 ? "" : "s", bp->peer_gr_time);
	/* families the neighbor does not preserve go at once */
	for (int f = 0; f < BGP_FAM_N && bp->gr_active; f++)
		if (!bp->peer_gr_fam[f])
			gr_flush(bp, f, "family not in the neighbor's capability");
	return 1;
}

/* The neighbor is back: RFC 4724 4.2, families whose Forwarding State bit
 * is not set (or no capability at all) lose their stale routes now; the
 * others wait for its End-of-RIB. */
static void gr_established(struct bgp_proto *bp, const struct bgp_open *po)
{
	const struct bgp_config *c = (const struct bgp_config *)bp->p.cf;

	for (int f = 0; f < BGP_FAM_N && bp->gr_active; f++)
		if (bp->stale_fam[f] && !(po && po->caps.gr && po->caps.gr_af[f] && po->caps.gr_fwd[f]))
			gr_flush(bp, f, "forwarding state not preserved");
	if (bp->gr_active)
		tm_start(bp->gr_t, c && c->gr_time ? c->gr_time : 120);
}

/* --- import --------------------------------------------------------------------- */

static struct rta *rta_from_bgp(const struct bgp_attrs *a, int fam, uint8_t *pathbuf, size_t pathcap)
{
	static struct rta tmp;
	uint32_t comm[BGP_MAX_COMMS], lc[3 * BGP_MAX_LCOMMS];
	struct adata *path = NULL, *cm = NULL, *lcm = NULL;
	size_t o = 0;

	memset(&tmp, 0, sizeof tmp);
	tmp.set = RTA_ORIGIN | RTA_NEXT_HOP;
	tmp.bgp_origin = a->origin;
	tmp.bgp_next_hop = fam == BGP_FAM_IP4 ? a->next_hop : a->mp_next_hop;
	if (BGP_HAS(a, BGP_A_MED)) {
		tmp.set |= RTA_MED;
		tmp.bgp_med = a->med;
	}
	if (BGP_HAS(a, BGP_A_LOCAL_PREF)) {
		tmp.set |= RTA_LOCAL_PREF;
		tmp.bgp_local_pref = a->local_pref;
	}
	for (int s = 0, k = 0; s < a->path.nseg && o + 2 + 4 * (size_t)a->path.seg[s].count <= pathcap; s++) {
		int cnt = a->path.seg[s].count > 255 ? 255 : a->path.seg[s].count;
		pathbuf[o++] = a->path.seg[s].type;
		pathbuf[o++] = (uint8_t)cnt;
		memcpy(pathbuf + o, &a->path.asn[k], 4 * (size_t)cnt);
		o += 4 * (size_t)cnt;
		k += a->path.seg[s].count;
	}
	if (o)
		tmp.bgp_path = path = adata_new(pathbuf, (uint32_t)o);
	if (a->ncomm) {
		memcpy(comm, a->comm, 4 * (size_t)a->ncomm);
		tmp.bgp_community = cm = adata_new(comm, 4 * (uint32_t)a->ncomm);
	}
	if (a->nlcomm) {
		for (int i = 0; i < a->nlcomm; i++) {
			lc[3 * i] = a->lcomm[i].global;
			lc[3 * i + 1] = a->lcomm[i].local1;
			lc[3 * i + 2] = a->lcomm[i].local2;
		}
		tmp.bgp_large_community = lcm = adata_new(lc, 12 * (uint32_t)a->nlcomm);
	}
	struct rta *r = rta_lookup(&tmp);
	free(path);
	free(cm);
	free(lcm);
	return r;
}

static uint8_t pathbuf[BGP_MAX_LEN * 2];

static void s_update(struct bgp_session *s, void *data, const struct bgp_update *u)
{
	struct bgp_proto *bp = data;
	const struct filter *in = bp->p.cf ? bp->p.cf->in_filter : NULL;
	int keep = in && in != FILTER_REJECT;

	bp->updates_received++;	/* the session logged a malformed one already */
	proto_trace(&bp->p, D_PACKETS, "received UPDATE: %u withdrawn, %u announced%s", u->nwithdrawn,
		    u->nannounced, u->eor >= 0 ? " (End-of-RIB)" : "");
	if (bp->gr_active) {
		for (int i = 0; i < u->nwithdrawn; i++)
			gr_refreshed(bp, &u->withdrawn[i]);
		for (int i = 0; i < u->nannounced; i++)
			gr_refreshed(bp, &u->announced[i]);
		/* RFC 4724 4.2: End-of-RIB ends the restart for its family */
		if (u->eor >= 0 && u->eor < BGP_FAM_N && bp->stale_fam[u->eor])
			gr_flush(bp, u->eor, "End-of-RIB received");
	}
	for (int i = 0; i < u->nwithdrawn; i++) {
		if (bp->received)
			bp->received--;
		if (keep)
			rte_update(&bp->p, &u->withdrawn[i], NULL);
	}
	if (u->action == BGP_7606_WITHDRAW) {
		for (int i = 0; i < u->nannounced; i++)
			if (keep)
				rte_update(&bp->p, &u->announced[i], NULL);
		return;
	}
	bp->received += u->nannounced;
	if (!keep || !u->nannounced)
		return;
	/* IPv4 NLRI take NEXT_HOP, MP_REACH prefixes its next hop (which may
	 * be IPv6 for IPv4 prefixes, RFC 8950): one attribute set per source */
	struct rta *r[2] = { NULL, NULL };
	for (int i = 0; i < u->nannounced; i++) {
		const net_addr *n = &u->announced[i];
		int mp = n->af == AF_IP6 || (BGP_HAS(&u->attrs, BGP_A_MP_REACH) && u->attrs.mp_afi == BGP_AFI_IP4 &&
					     !BGP_HAS(&u->attrs, BGP_A_NEXT_HOP));
		if (!r[mp])
			r[mp] = rta_from_bgp(&u->attrs, mp ? BGP_FAM_IP6 : BGP_FAM_IP4, pathbuf, sizeof pathbuf);
		struct rta *out = NULL;
		if (f_run(in, n, bp->p.name, r[mp], &out) == F_ACCEPT) {
			rte_update(&bp->p, n, out);
			rta_free(out);
		} else
			rte_update(&bp->p, n, NULL);
	}
	rta_free(r[0]);
	rta_free(r[1]);
}

/* --- session events ---------------------------------------------------------------- */

/* RFC 2545 3: an IPv6 next hop is followed by the link-local address of
 * the same interface when the neighbor shares the link: a direct session
 * (no multihop) whose local address is a global IPv6 one.  Looked up once
 * per session, not per UPDATE. */
static void find_ll6(struct bgp_proto *bp)
{
	const struct bgp_config *c = (const struct bgp_config *)bp->p.cf;
	struct iface_info *l = NULL;
	ip_addr local;
	char err[128];

	bp->has_ll6 = 0;
	if (!c || c->multihop > 1 || bgp_session_local_addr(bp->s, &local) < 0 || ip_af(local) != AF_IP6)
		return;
	int n = iface_list(&l, err, sizeof err);
	for (int i = 0; i < n && !bp->has_ll6; i++)
		for (int k = 0; k < l[i].naddrs; k++)
			if (l[i].has_ll6 && ip_equal(l[i].addrs[k], local)) {
				bp->ll6 = l[i].ll6;
				bp->has_ll6 = 1;
				break;
			}
	free(l);
}

static void s_established(struct bgp_session *s, void *data)
{
	struct bgp_proto *bp = data;
	const struct bgp_neg *n = bgp_session_neg(s);

	bp->established = 1;
	bp->eor_done = 0;
	bp->est_since = now_real();
	bp->exported = bp->received = 0;
	held_clear(bp);
	find_ll6(bp);
	bp->last_error[0] = 0;
	bp->p.last_error[0] = 0;
	proto_log(&bp->p, L_INFO, "session established (neighbor AS%u, id %u.%u.%u.%u, hold %u s%s%s)",
		  n->peer_as, n->peer_id >> 24, (n->peer_id >> 16) & 255, (n->peer_id >> 8) & 255, n->peer_id & 255,
		  n->hold, n->missing[0] ? "; peer lacks: " : "", n->missing);
	const struct bgp_open *po = bgp_session_peer_open(s);
	if (bp->gr_active)
		gr_established(bp, po);
	/* what the next loss of this session may keep */
	const struct bgp_config *cfg = (const struct bgp_config *)bp->p.cf;
	bp->gr_ok = cfg && cfg->gr_mode != BGP_GR_OFF && po && po->caps.gr;
	bp->gr_nbit = bp->gr_ok && cfg->gr_mode == BGP_GR_ON && po->caps.gr_notification;
	bp->peer_gr_time = po ? po->caps.gr_time : 0;
	for (int f = 0; f < BGP_FAM_N; f++)
		bp->peer_gr_fam[f] = po && po->caps.gr_af[f];
	pend_clear(bp);
	if (bp->p.state == PS_UP) {
		/* back from the neighbor's graceful restart: the channel stayed
		 * up; send it everything again (End-of-RIB follows) */
		resend(bp);
	} else
		proto_notify_state(&bp->p, PS_UP);	/* the channel comes up and feeds */
}

static void s_down(struct bgp_session *s, void *data, const char *reason, const struct bgp_down_info *info)
{
	struct bgp_proto *bp = data;

	if (info)
		bp->last_down = *info;
	snprintf(bp->last_error, sizeof bp->last_error, "%s%s",
		 info && info->notif_received ? "Received: " : info && info->notif_sent ? "BGP Error: " : "Error: ",
		 info && (info->notif_received || info->notif_sent) && info->text[0] ? info->text : reason);
	proto_set_error(&bp->p, "%s", bp->last_error);
	proto_log(&bp->p, L_INFO, "session down: %s", bp->last_error);
	int was = bp->established;
	bp->established = 0;
	bp->exported = 0;	/* nothing is announced on a closed session */
	held_clear(bp);
	tm_stop(bp->eor_t);
	pend_clear(bp);
	if (!was || !gr_begin(bp, info)) {
		gr_reset(bp);
		rte_withdraw_all(&bp->p);
	}
	bp->no_gr = 0;
	/* the core takes a protocol's routes when it leaves PS_UP: while the
	 * neighbor restarts we stay up, holding them */
	if (was && bp->p.state == PS_UP && !bp->gr_active)
		proto_notify_state(&bp->p, PS_START);
}

static void s_tx_space(struct bgp_session *s, void *data)
{
	struct bgp_proto *bp = data;
	if (bp->head < bp->npend || bp->eor_due[0] || bp->eor_due[1])
		bgp_flush(bp);
	if (bp->ch && ch_ready(bp->ch))
		channel_feed_resume(bp->ch);
}

static void s_refresh(struct bgp_session *s, void *data, int fam, int subtype)
{
	struct bgp_proto *bp = data;
	proto_log(&bp->p, L_INFO, "route refresh requested: sending everything again");
	resend(bp);
}

static void s_log(struct bgp_session *s, void *data, int remote, const char *msg)
{
	struct bgp_proto *bp = data;
	if (remote)
		proto_log(&bp->p, L_REMOTE, "%s", msg);
	else
		proto_trace(&bp->p, D_EVENTS, "%s", msg);
}

static const struct bgp_session_ops session_ops = {
	.established = s_established,
	.down = s_down,
	.update_received = s_update,
	.tx_space = s_tx_space,
	.refresh_requested = s_refresh,
	.log = s_log,
};

/* --- protocol hooks ---------------------------------------------------------------- */

static void session_config(const struct bgp_config *c, struct bgp_session_config *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->remote = c->remote_ip;
	sc->remote_port = (uint16_t)c->remote_port;
	if (c->has_local_ip) {
		sc->local = c->local_ip;
		sc->has_local = 1;
	} else if (c->has_source) {
		sc->local = c->source_addr;
		sc->has_local = 1;
	}
	sc->iface = c->iface;
	sc->password = c->password;
	sc->local_as = c->local_as;
	sc->remote_as = c->remote_as;
	sc->router_id = ip4_get(daemon_router_id);
	sc->hold = (uint16_t)c->hold_time;
	sc->keepalive = (uint16_t)c->keepalive_time;
	sc->connect_retry = (uint16_t)c->connect_retry_time;
	sc->passive = (uint8_t)c->passive;
	sc->multihop = (uint8_t)(c->multihop > 255 ? 255 : c->multihop);
	sc->gtsm = (uint8_t)c->ttl_security;
	sc->fam[BGP_FAM_IP4] = sc->fam[BGP_FAM_IP6] = 1;
	sc->enhanced_rr = 1;
	/* RFC 8950 on every IPv6 session: IPv4 routes need a next hop, and
	 * there the neighbor reaches us by IPv6.  Offering it changes nothing
	 * for a neighbor that does not offer it back (RFC 5492 3); `next hop
	 * address` with an IPv4 address still takes precedence. */
	sc->ext_nh = ip_af(c->remote_ip) == AF_IP6;
	sc->gr = c->gr_mode != BGP_GR_OFF;
	sc->gr_time = (uint16_t)c->gr_time;
	/* -R sets the Restart State bit only where we restart gracefully;
	 * the N bit (RFC 8538) too: only then may a NOTIFICATION keep routes */
	sc->gr_restarting = (uint8_t)(c->gr_mode == BGP_GR_ON && gr_recovering(c));
	sc->gr_notification = c->gr_mode == BGP_GR_ON;
}

static void delayed_start(void *data)
{
	struct bgp_proto *bp = data;

	if (bp->s)
		bgp_session_start(bp->s);
}

static enum bgp_state cur_state(struct bgp_proto *bp);

/* BFD says the path to the neighbor is gone: take the session down at once
 * rather than wait for the hold timer (RFC 5882 4.3), and try again a
 * second later (the connection itself tells when the path is back). */
static void bgp_bfd_hook(void *data, int state, const char *diag)
{
	struct bgp_proto *bp = data;

	if (state == BFD_S_UP) {
		bp->bfd_up = 1;
		proto_trace(&bp->p, D_EVENTS, "BFD session up");
		return;
	}
	/* AdminDown (the neighbor's, or protocol bfd going away) is no
	 * failure (RFC 5882 3.2); Init follows a Down already told; and a
	 * session that never came up says nothing about the path */
	if (state == BFD_S_ADMIN_DOWN) {
		bp->bfd_up = 0;
		return;
	}
	if (state != BFD_S_DOWN || !bp->bfd_up)
		return;
	bp->bfd_up = 0;
	if (!bp->s || cur_state(bp) < BGP_S_OPENSENT)
		return;
	proto_log(&bp->p, L_INFO, "BFD session down (%s): closing the BGP session", diag);
	bp->no_gr = 1;	/* the path is gone: the neighbor's routes with it */
	bgp_session_stop(bp->s, 0, NULL);
	snprintf(bp->last_error, sizeof bp->last_error, "BFD session down");
	proto_set_error(&bp->p, "%s", bp->last_error);
	if (!bp->start_t)
		bp->start_t = tm_new(delayed_start, bp);
	tm_start(bp->start_t, 1.0);
}

static int bgp_start(struct proto *p)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;
	struct bgp_session_config sc;

	session_config((struct bgp_config *)p->cf, &sc);
	if (!bp->ch)
		bp->ch = channel_new(p, &bgp_channel_ops, bp);
	bp->s = bgp_session_new(&sc, &session_ops, bp);
	if (!bp->s) {
		proto_set_error(p, "cannot create the session");
		return PS_DOWN;
	}
	bp->lst = listener_get(bp);
	listener_md5(bp, (struct bgp_config *)p->cf);
	const struct bgp_config *cf = (const struct bgp_config *)p->cf;
	if (cf->bfd && !bp->bfd)
		bp->bfd = bfd_request_session(cf->remote_ip, sc.has_local ? sc.local : ip4_make(0),
					      cf->iface, bgp_bfd_hook, bp);
	/* Right after we closed a session with a NOTIFICATION (restart,
	 * reconfiguration), give the peer a second to read it before we open
	 * the next one; otherwise it may take the new OPEN for a graceful
	 * restart of the old session (RFC 4724) and never see the Cease. */
	double wait = bp->stopped_at ? bp->stopped_at + 1.0 - now_mono() : 0;
	if (wait > 0) {
		if (!bp->start_t)
			bp->start_t = tm_new(delayed_start, bp);
		tm_start(bp->start_t, wait);
	} else
		bgp_session_start(bp->s);
	return PS_START;
}

static int cease_subcode(enum proto_down_reason why)
{
	switch (why) {
	case PDR_CF_REMOVE: return BGP_CEASE_PEER_DECONF;
	case PDR_CF_RESTART: return BGP_CEASE_CONFIG_CHANGE;
	case PDR_RESTART: return BGP_CEASE_ADMIN_RESET;
	default: return BGP_CEASE_ADMIN_SHUTDOWN;
	}
}

static int bgp_shutdown(struct proto *p, enum proto_down_reason why)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;

	tm_stop(bp->start_t);
	bfd_request_free(bp->bfd);
	bp->bfd = NULL;
	bp->bfd_up = 0;
	tm_stop(bp->eor_t);
	if (bp->s) {
		/* RFC 8538 4: with the N bit exchanged, a Cease lets the neighbor
		 * keep our routes as stale, which is what a daemon shutdown or
		 * restart wants (we come back with them, graceful restart on);
		 * going away for good (disable, removal) is a Hard Reset */
		int keep = why == PDR_SHUTDOWN || why == PDR_RESTART || why == PDR_CF_RESTART;
		bp->no_gr = 1;	/* we stop: no restart of the neighbor's */
		bgp_session_stop(bp->s, cease_subcode(why) | (keep ? 0 : BGP_STOP_HARD), NULL);
		bgp_session_free(bp->s);
		bp->s = NULL;
		bp->stopped_at = now_mono();
	}
	listener_md5(bp, NULL);
	listener_put(bp->lst);
	bp->lst = NULL;
	bp->established = 0;
	pend_clear(bp);
	held_clear(bp);
	gr_reset(bp);
	bp->gr_ok = 0;
	rte_withdraw_all(p);
	return PS_DOWN;
}

static int bgp_reconfigure(struct proto *p, struct proto_config *n)
{
	/* next hop or connect retry changed: what we send changes; resend */
	struct bgp_proto *bp = (struct bgp_proto *)p;
	struct bgp_config *o = (struct bgp_config *)p->cf, *c = (struct bgp_config *)n;


	if (bp->ch && bp->established &&
	    (o->next_hop_self != c->next_hop_self || o->has_next_hop4 != c->has_next_hop4 ||
	     o->has_next_hop6 != c->has_next_hop6 || !ip_equal(o->next_hop4, c->next_hop4) ||
	     !ip_equal(o->next_hop6, c->next_hop6))) {
		p->cf = n;	/* attrs_for() reads the new next hop */
		resend(bp);
	}
	return 1;
}

static void bgp_cleanup(struct proto *p)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;

	pend_clear(bp);
	held_clear(bp);
	free(bp->pend);
	free(bp->idx);
	bp->pend = NULL;
	bp->idx = NULL;
	if (bp->s)
		bgp_session_free(bp->s);
	bp->s = NULL;
	tm_free(bp->start_t);
	bp->start_t = NULL;
	tm_free(bp->eor_t);
	bp->eor_t = NULL;
	gr_reset(bp);
	tm_free(bp->gr_t);
	bp->gr_t = NULL;
	bfd_request_free(bp->bfd);
	bp->bfd = NULL;
}

static enum bgp_state cur_state(struct bgp_proto *bp)
{
	return bp->s ? bgp_session_state(bp->s) : BGP_S_IDLE;
}

static void bgp_get_info(struct proto *p, char *buf, size_t len)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;
	enum bgp_state st = cur_state(bp);
	const char *err = st == BGP_S_ESTABLISHED ? "" : bp->last_error;

	snprintf(buf, len, "%-14s%s", bgp_state_name(st), err);
}

static void fmt_id(uint32_t id, char *b, size_t len)
{
	snprintf(b, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 255, (id >> 8) & 255, id & 255);
}

static void bgp_show_details(struct proto *p, struct cli *c)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;
	struct bgp_config *cf = (struct bgp_config *)p->cf;
	const struct bgp_neg *n = bp->established ? bgp_session_neg(bp->s) : NULL;
	const struct bgp_open *po = bp->established ? bgp_session_peer_open(bp->s) : NULL;
	char a[IP_STRLEN], id[20];
	ip_addr local;

	cli_msg(c, -RC_PROTO_DETAILS, "  BGP state:          %s", bgp_state_name(cur_state(bp)));
	cli_msg(c, -RC_PROTO_DETAILS, "    Neighbor address: %s", ip_ntop(cf->remote_ip, a));
	cli_msg(c, -RC_PROTO_DETAILS, "    Neighbor AS:      %u", cf->remote_as);
	cli_msg(c, -RC_PROTO_DETAILS, "    Local AS:         %u", cf->local_as);
	if (n) {
		fmt_id(n->peer_id, id, sizeof id);
		cli_msg(c, -RC_PROTO_DETAILS, "    Neighbor ID:      %s", id);
		cli_msg(c, -RC_PROTO_DETAILS, "    Local capabilities");
		cli_msg(c, -RC_PROTO_DETAILS, "      Multiprotocol");
		cli_msg(c, -RC_PROTO_DETAILS, "        AF announced: ipv4 ipv6");
		cli_msg(c, -RC_PROTO_DETAILS, "      Route refresh");
		if (cf->gr_mode != BGP_GR_OFF)
			cli_msg(c, -RC_PROTO_DETAILS, "      Graceful restart%s", cf->gr_mode == BGP_GR_AWARE ? " (aware)" : "");
		cli_msg(c, -RC_PROTO_DETAILS, "      4-octet AS numbers");
		cli_msg(c, -RC_PROTO_DETAILS, "      Enhanced refresh");
		if (ip_af(cf->remote_ip) == AF_IP6)
			cli_msg(c, -RC_PROTO_DETAILS, "      Extended next hop (ipv4)");
		if (po) {
			cli_msg(c, -RC_PROTO_DETAILS, "    Neighbor capabilities");
			if (po->caps.mp_seen)
				cli_msg(c, -RC_PROTO_DETAILS, "      Multiprotocol");
			cli_msg(c, -RC_PROTO_DETAILS, "        AF announced:%s%s", po->caps.mp[BGP_FAM_IP4] || !po->caps.mp_seen ? " ipv4" : "",
				po->caps.mp[BGP_FAM_IP6] ? " ipv6" : "");
			if (po->caps.route_refresh)
				cli_msg(c, -RC_PROTO_DETAILS, "      Route refresh");
			if (po->caps.gr)
				cli_msg(c, -RC_PROTO_DETAILS, "      Graceful restart (restart time %u s%s)", po->caps.gr_time,
					po->caps.gr_restart ? ", restarting" : "");
			if (po->caps.as4)
				cli_msg(c, -RC_PROTO_DETAILS, "      4-octet AS numbers");
			if (po->caps.enhanced_rr)
				cli_msg(c, -RC_PROTO_DETAILS, "      Enhanced refresh");
			if (po->caps.ext_nh)
				cli_msg(c, -RC_PROTO_DETAILS, "      Extended next hop (ipv4)");
		}
		cli_msg(c, -RC_PROTO_DETAILS, "    Session:          %s%s", n->ibgp ? "internal" : "external",
			n->as4 ? " AS4" : "");
		if (bgp_session_local_addr(bp->s, &local) == 0)
			cli_msg(c, -RC_PROTO_DETAILS, "    Source address:   %s", ip_ntop(local, a));
		cli_msg(c, -RC_PROTO_DETAILS, "    Hold timer:       %u", n->hold);
		cli_msg(c, -RC_PROTO_DETAILS, "    Keepalive timer:  %u", n->keepalive);
		if (n->missing[0])
			cli_msg(c, -RC_PROTO_DETAILS, "    Peer lacks:       %s", n->missing);
	} else {
		cli_msg(c, -RC_PROTO_DETAILS, "    Hold time:        %u (configured)", cf->hold_time);
		cli_msg(c, -RC_PROTO_DETAILS, "    Keepalive time:   %u (configured)", bgp_cf_keepalive(cf));
	}
	cli_msg(c, -RC_PROTO_DETAILS, "  Channel ipv4+ipv6");
	cli_msg(c, -RC_PROTO_DETAILS, "    State:          %s", bp->established ? "UP" : "DOWN");
	cli_msg(c, -RC_PROTO_DETAILS, "    Input filter:   %s", filter_name(p->cf->in_filter));
	cli_msg(c, -RC_PROTO_DETAILS, "    Output filter:  %s", filter_name(p->cf->out_filter));
	cli_msg(c, -RC_PROTO_DETAILS, "    Routes:         %u received, %u exported", bp->received, exported_now(bp));
	cli_msg(c, -RC_PROTO_DETAILS, "    Updates:        %llu sent (%llu prefixes announced, %llu withdrawn), %llu received",
		(unsigned long long)bp->updates_sent, (unsigned long long)bp->prefixes_sent,
		(unsigned long long)bp->withdraws_sent, (unsigned long long)bp->updates_received);
	if (bp->held_back[BGP_FAM_IP6])
		cli_msg(c, -RC_PROTO_DETAILS, "    Held back:      %u IPv6 routes: no usable IPv6 next hop on this session "
			"(set next hop address)", bp->held_back[BGP_FAM_IP6]);
	if (bp->held_back[BGP_FAM_IP4])
		cli_msg(c, -RC_PROTO_DETAILS, "    Held back:      %u IPv4 routes: no usable IPv4 next hop on this session "
			"(set next hop address, or the neighbor must offer extended next hop, RFC 8950)",
			bp->held_back[BGP_FAM_IP4]);
	if (bp->gr_active) {
		uint32_t st = 0;
		for (uint32_t i = 0; i < bp->nstale; i++)
			st += !bp->stale_fresh[i];
		cli_msg(c, -RC_PROTO_DETAILS, "    Graceful restart: neighbor restarting, %u stale routes kept (%.1f s left)", st,
			tm_remains(bp->gr_t));
	}
	if (bp->last_error[0])
		cli_msg(c, -RC_PROTO_DETAILS, "    Last error:     %s", bp->last_error);
}

static void bgp_show_json(struct proto *p, struct json_t *jo)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;
	struct bgp_config *cf = (struct bgp_config *)p->cf;
	json_t *o = (json_t *)jo;
	char a[IP_STRLEN];

	json_object_set_new(o, "bgp_state", json_string(bgp_state_name(cur_state(bp))));
	json_object_set_new(o, "neighbor_address", json_string(ip_ntop(cf->remote_ip, a)));
	json_object_set_new(o, "neighbor_as", json_integer(cf->remote_as));
	json_object_set_new(o, "local_as", json_integer(cf->local_as));
	if (bp->established) {
		const struct bgp_neg *n = bgp_session_neg(bp->s);
		char id[20];
		fmt_id(n->peer_id, id, sizeof id);
		json_object_set_new(o, "neighbor_id", json_string(id));
		json_object_set_new(o, "hold_time", json_integer(n->hold));
		json_object_set_new(o, "keepalive_time", json_integer(n->keepalive));
	}
	json_object_set_new(o, "routes", json_pack("{s:i, s:i, s:I, s:I}", "received", (int)bp->received,
						    "exported", (int)exported_now(bp), "updates_sent",
						    (json_int_t)bp->updates_sent, "withdrawn", (json_int_t)bp->withdraws_sent));
	if (bp->last_error[0])
		json_object_set_new(o, "bgp_last_error", json_string(bp->last_error));
	if (bp->gr_active) {
		uint32_t st = 0;
		for (uint32_t i = 0; i < bp->nstale; i++)
			st += !bp->stale_fresh[i];
		json_object_set_new(o, "gr_stale_routes", json_integer(st));
	}
}

/* MetalLB's metric names (METALLB.md): session up, updates, prefixes per peer. */
static void bgp_metrics(struct mbuf *b)
{
	char a[IP_STRLEN];
	static const struct { const char *name, *type, *help; } fam[] = {
		{ "metallb_bgp_session_up", "gauge", "BGP session state (1 is up, 0 is down)" },
		{ "metallb_bgp_updates_total", "counter", "Number of BGP UPDATE messages sent" },
		{ "metallb_bgp_announced_prefixes_total", "gauge", "Number of prefixes currently being advertised on the BGP session" },
		{ "metallb_bgp_pending_prefixes_total", "gauge", "Number of prefixes that should be advertised on the BGP session" },
	};
	for (int k = 0; k < 4; k++) {
		metrics_family(b, fam[k].name, fam[k].type, fam[k].help);
		for (struct proto *p = proto_list; p; p = p->next) {
			if (p->class != &proto_bgp || !p->cf)
				continue;
			struct bgp_proto *bp = (struct bgp_proto *)p;
			struct bgp_config *cf = (struct bgp_config *)p->cf;
			unsigned long long v = k == 0 ? (unsigned long long)bp->established :
					       k == 1 ? (unsigned long long)bp->updates_sent :
					       k == 2 ? (unsigned long long)exported_now(bp) : (unsigned long long)(bp->npend - bp->head);
			mbuf_printf(b, "%s{peer=\"%s:%u\",protocol=\"%s\"} %llu\n", fam[k].name, ip_ntop(cf->remote_ip, a),
				    cf->remote_port, p->name, v);
		}
	}
}

const char *bgp_proto_state_text(struct proto *p);
const char *bgp_proto_state_text(struct proto *p)
{
	struct bgp_proto *bp = (struct bgp_proto *)p;

	if (p->state == PS_DOWN)
		return p->disabled || p->disabled_by_cmd ? "Disabled" : "Idle";
	return bgp_state_name(cur_state(bp));
}

void bgp_peers_init(void);

static void bgp_class_init(void)
{
	metrics_register(bgp_metrics);
	bgp_peers_init();
}

struct proto_class proto_bgp = {
	.name = "bgp",
	.label = "BGP",
	.exports = 1,
	.config_size = sizeof(struct bgp_config),
	.proto_size = sizeof(struct bgp_proto),
	.class_init = bgp_class_init,
	.init_config = bgp_init_config,
	.postconfig = bgp_postconfig,
	.compare = bgp_compare,
	.dump_config = bgp_dump_config,
	.start = bgp_start,
	.shutdown = bgp_shutdown,
	.reconfigure = bgp_reconfigure,
	.cleanup = bgp_cleanup,
	.get_info = bgp_get_info,
	.show_details = bgp_show_details,
	.show_json = bgp_show_json,
};
