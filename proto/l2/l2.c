/*
 * metalbird -- protocol l2: ARP and NDP announcements
 *
 * The layer-2 way to make a Service address reachable (SPEC section 3,
 * protocol l2): the route table's host routes that pass the export filter
 * arrive through a channel; for each address the election
 * (proto/l2/election.c) says which node owns it; the owner answers ARP
 * requests and Neighbor Solicitations for it on the protocol's interfaces
 * with the interface's MAC, and tells the segment when it takes an address
 * over: a gratuitous ARP or unsolicited NA at once and then every 1.1 s
 * for 5 s, as MetalLB does (1.1 s: MetalLB issue #172).  A node that is not
 * elected sends nothing at all for the address.
 *
 * Interfaces are the listed ones, or every up, non-loopback interface; they
 * are rescanned every L2_RESCAN seconds, so interfaces that come, go, or
 * change their MAC are followed.  The election runs again whenever the
 * exported addresses change and whenever the Kubernetes source says a Node,
 * EndpointSlice or Service changed (l2_k8s_changed()).
 *
 * Routes shorter than a host route (aggregates for BGP) are not announced
 * in layer 2.  A route with no Service behind it (protocol static) is
 * announced by every node that runs the protocol.
 */
#include "proto/l2/l2.h"
#include "proto/l2/election.h"
#include "proto/l2/packet.h"
#include "nest/channel.h"
#include "nest/log.h"
#include "nest/mem.h"
#include "nest/metrics.h"
#include "nest/route.h"
#include "nest/service.h"
#include "sysdep/linux/iface.h"
#include "sysdep/linux/rawsock.h"
#include "sysdep/unix/loop.h"
#include "sysdep/unix/main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L2_RESCAN 2.0		/* seconds between interface scans */
#define L2_SPAM_INTERVAL 1.1	/* MetalLB: gratuitous every 1.1 s ... */
#define L2_SPAM_COUNT 5		/* ... for 5 s: at 0, 1.1, 2.2, 3.3, 4.4 */

struct l2_proto *l2_running;		/* every started l2 protocol */
static const struct k8s_db *l2_pushed;	/* given by l2_k8s_changed() */
static int l2_pushed_set;		/* ... at least once */

/* --- config ------------------------------------------------------------------- */

void l2_config_add_ifname(struct l2_config *c, const char *name, const struct cf_loc *loc)
{
	struct l2_ifname **pp = &c->ifnames;

	for (; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name))
			cf_error_at(loc, "interface \"%s\" is listed twice", name);
	if (!name[0] || strlen(name) >= IF_NAMESIZE)
		cf_error_at(loc, "\"%s\" is not an interface name (1 to %d characters)", name, IF_NAMESIZE - 1);
	struct l2_ifname *n = cf_alloc(sizeof *n);
	n->name = name;
	*pp = n;
	c->nifnames++;
}

static void l2_copy_config(struct proto_config *dst, const struct proto_config *src)
{
	struct l2_config *d = (struct l2_config *)dst;
	const struct l2_config *s = (const struct l2_config *)src;
	struct l2_ifname **pp = &d->ifnames;

	/* copied so that our own `interface` lines do not touch the template's */
	*pp = NULL;
	for (const struct l2_ifname *i = s->ifnames; i; i = i->next) {
		struct l2_ifname *n = cf_alloc(sizeof *n);
		n->name = i->name;
		*pp = n;
		pp = &n->next;
	}
}

static int ifnames_same(const struct l2_config *a, const struct l2_config *b)
{
	const struct l2_ifname *x = a->ifnames, *y = b->ifnames;
	for (; x && y; x = x->next, y = y->next)
		if (strcmp(x->name, y->name))
			return 0;
	return !x && !y;
}

static void fmt_ifnames(const struct l2_config *c, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	if (!c->ifnames) {
		snprintf(buf, len, "(all)");
		return;
	}
	for (const struct l2_ifname *i = c->ifnames; i && o < len; i = i->next)
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"", i == c->ifnames ? "" : ", ", i->name);
}

static enum reconf_action l2_compare(const struct proto_config *o, const struct proto_config *n,
				     struct reconf_why *why)
{
	const struct l2_config *a = (const void *)o, *b = (const void *)n;
	if (!ifnames_same(a, b)) {
		char x[64], y[64];
		fmt_ifnames(a, x, sizeof x);
		fmt_ifnames(b, y, sizeof y);
		snprintf(why->text, sizeof why->text, "interface %s -> %s", x, y);
		return RC_SOFT;		/* the next scan opens and closes what differs */
	}
	return RC_SAME;
}

static void l2_dump_config(FILE *out, const struct proto_config *c)
{
	const struct l2_config *lc = (const void *)c;
	if (!lc->ifnames)
		return;
	fprintf(out, "\tinterface ");
	for (const struct l2_ifname *i = lc->ifnames; i; i = i->next)
		fprintf(out, "%s\"%s\"", i == lc->ifnames ? "" : ", ", i->name);
	fprintf(out, ";\n");
}

/* --- addresses ----------------------------------------------------------------- */

static unsigned addr_hash(ip_addr ip)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 4; i++)
		h = (h ^ ip.w[i]) * 16777619u;
	return h ^ (h >> 16);
}

static struct l2_addr *addr_find(struct l2_proto *lp, ip_addr ip)
{
	if (!lp->hsize)
		return NULL;
	for (struct l2_addr *a = lp->hash[addr_hash(ip) & (lp->hsize - 1)]; a; a = a->hnext)
		if (ip_equal(a->ip, ip))
			return a;
	return NULL;
}

static void addr_hash_rebuild(struct l2_proto *lp, unsigned size)
{
	free(lp->hash);
	lp->hash = xzalloc(sizeof *lp->hash * size);
	lp->hsize = size;
	for (struct l2_addr *a = lp->addrs; a; a = a->next) {
		unsigned i = addr_hash(a->ip) & (size - 1);
		a->hnext = lp->hash[i];
		lp->hash[i] = a;
	}
}

/* Link a new address into the list and the hash. */
static void addr_link(struct l2_proto *lp, struct l2_addr *a)
{
	a->next = lp->addrs;
	if (a->next)
		a->next->pprev = &a->next;
	a->pprev = &lp->addrs;
	lp->addrs = a;
	lp->naddrs++;
	if ((unsigned)lp->naddrs > lp->hsize) {
		addr_hash_rebuild(lp, lp->hsize ? lp->hsize * 2 : 64);
		return;
	}
	unsigned i = addr_hash(a->ip) & (lp->hsize - 1);
	a->hnext = lp->hash[i];
	lp->hash[i] = a;
}

static void addr_unlink(struct l2_proto *lp, struct l2_addr *a)
{
	*a->pprev = a->next;
	if (a->next)
		a->next->pprev = a->pprev;
	struct l2_addr **pp = &lp->hash[addr_hash(a->ip) & (lp->hsize - 1)];
	while (*pp != a)
		pp = &(*pp)->hnext;
	*pp = a->hnext;
	lp->naddrs--;
}

static void if_send(struct l2_if *f, const uint8_t *frame, size_t len)
{
	char err[160];
	if (rawsock_send(f->fd, f->index, frame, len, err, sizeof err) < 0) {
		snprintf(f->l2->if_error, sizeof f->l2->if_error, "%s: %s", f->name, err);
		proto_trace(&f->l2->p, D_PACKETS, "%s", f->l2->if_error);
		return;
	}
	f->tx++;
}

/*
 * A gratuitous ARP (IPv4) or unsolicited NA with Override (IPv6) on f.
 * NAs come from the service address itself, as Linux sends its own
 * (ndisc_send_na): receivers such as ndisc6 drop an answer for a global
 * target that comes from a link-local source of another scope.
 */
static void if_announce(struct l2_if *f, struct l2_addr *a)
{
	uint8_t buf[L2_FRAME_MAX];
	size_t n;

	if (ip_is4(a->ip))
		n = l2_build_garp(buf, f->mac, a->ip);
	else
		n = l2_build_unsolicited_na(buf, f->mac, a->ip, a->ip);
	if_send(f, buf, n);
	a->gratuitous++;
}

static void if_join(struct l2_if *f, struct l2_addr *a, int join)
{
	uint8_t mac[6];
	char err[160];

	if (ip_is4(a->ip) || f->fd < 0)
		return;
	l2_solicited_mac(a->ip, mac);
	if (rawsock_membership(f->fd, f->index, mac, join, err, sizeof err) < 0)
		snprintf(f->l2->if_error, sizeof f->l2->if_error, "%s: %s", f->name, err);
}

static void spam_arm(struct l2_proto *lp)
{
	double next = 0;
	for (struct l2_addr *a = lp->addrs; a; a = a->next)
		if (a->spam_left > 0 && (!next || a->spam_next < next))
			next = a->spam_next;
	if (!next) {
		tm_stop(lp->spam_tm);
		return;
	}
	double d = next - now_mono();
	tm_start(lp->spam_tm, d > 0 ? d : 0);
}

static void spam_send(struct l2_proto *lp, struct l2_addr *a)
{
	for (struct l2_if *f = lp->ifs; f; f = f->next)
		if (f->fd >= 0)
			if_announce(f, a);
	a->spam_left--;
	a->spam_next += L2_SPAM_INTERVAL;
}

static void spam_timer(void *data)
{
	struct l2_proto *lp = data;
	double now = now_mono();

	for (struct l2_addr *a = lp->addrs; a; a = a->next)
		if (a->spam_left > 0 && a->spam_next <= now + 0.005)
			spam_send(lp, a);
	spam_arm(lp);
}

/* Ownership of a changes: join or leave its solicited-node group and, on
 * takeover, tell the segment at once. */
static void addr_set_owned(struct l2_proto *lp, struct l2_addr *a, int owned)
{
	char b[IP_STRLEN];

	if (a->owned == owned)
		return;
	a->owned = owned;
	for (struct l2_if *f = lp->ifs; f; f = f->next)
		if_join(f, a, owned);
	if (owned) {
		proto_log(&lp->p, L_INFO, "%s: elected here, announcing", ip_ntop(a->ip, b));
		a->spam_left = L2_SPAM_COUNT;
		a->spam_next = now_mono();
		spam_send(lp, a);
		/* the timer, when it runs, fires no later than this one is due
		 * (every pending one is due within an interval), and re-arms
		 * itself: arm it only when idle, so that a takeover of many
		 * addresses costs no scan per address */
		if (!tm_active(lp->spam_tm))
			tm_start(lp->spam_tm, L2_SPAM_INTERVAL);
	} else {
		proto_log(&lp->p, L_INFO, "%s: no longer announced here (%s%s)", ip_ntop(a->ip, b),
			  a->elected[0] ? "elected: " : "", a->elected[0] ? a->elected : a->why ? a->why : "?");
		a->spam_left = 0;	/* the timer finds nothing to send for it */
	}
}

static void addr_free(struct l2_proto *lp, struct l2_addr *a)
{
	a->elected[0] = 0;
	a->why = "withdrawn";
	addr_set_owned(lp, a, 0);
	free(a->ns);
	free(a->svc);
	free(a);
}

/* The election for one address (SPEC section 3). */
static void elect_one(struct l2_proto *lp, struct l2_addr *a)
{
	const char *self = daemon_node_name ? daemon_node_name : "";
	const struct k8s_db *l2_db = l2_k8s_db();
	const char *w;

	a->why = NULL;
	if (!l2_db && a->ns) {
		/* a Service's route, and its state gone: nobody can be elected */
		a->elected[0] = 0;
		a->why = "no Kubernetes state";
		addr_set_owned(lp, a, 0);
		return;
	}
	if (!l2_db) {
		/* no Kubernetes state at all: a static address, ours */
		snprintf(a->elected, sizeof a->elected, "%s", self);
		addr_set_owned(lp, a, 1);
		return;
	}
	const struct service *s = l2_svc_lookup(l2_db, a->ns, a->svc, a->ip);
	if (!s) {
		if (a->ns) {
			snprintf(a->elected, sizeof a->elected, "%s", "");
			a->why = "its Service is not known";
			addr_set_owned(lp, a, 0);
		} else {
			snprintf(a->elected, sizeof a->elected, "%s", self);
			addr_set_owned(lp, a, 1);
		}
		return;
	}
	w = l2_elect(l2_db, s, lp->p.cf->node_selector);
	snprintf(a->elected, sizeof a->elected, "%s", w ? w : "");
	if (!w)
		a->why = l2_svc_has_endpoint(l2_db, s, NULL) ? "no eligible node" : "no serving endpoint";
	else if (strcmp(w, self))
		a->why = "not the elected layer-2 node";
	addr_set_owned(lp, a, w && !strcmp(w, self));
}

static void elect_all(void *data)
{
	struct l2_proto *lp = data;
	for (struct l2_addr *a = lp->addrs; a; a = a->next)
		elect_one(lp, a);
}

void l2_k8s_poke(void)
{
	for (struct l2_proto *lp = l2_running; lp; lp = lp->next_l2)
		defer_schedule(lp->elect_ev);
}

void l2_k8s_changed(const struct k8s_db *db)
{
	l2_pushed = db;
	l2_pushed_set = 1;
	l2_k8s_poke();
}

const struct k8s_db *l2_k8s_db(void)
{
	return l2_pushed_set ? l2_pushed : l2_bridge_db();
}

const char *l2_elected_node(const struct service *s, const char **proto)
{
	for (struct l2_proto *lp = l2_running; lp; lp = lp->next_l2) {
		if (proto)
			*proto = lp->p.name;
		return l2_k8s_db() ? l2_elect(l2_k8s_db(), s, lp->p.cf->node_selector) : NULL;
	}
	return NULL;
}

/* --- the channel ----------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void ch_notify(struct channel *ch, const net_addr *n, struct rta *new, struct rta *old)
{
	struct l2_proto *lp = ch->data;

	/* layer 2 answers for addresses, not prefixes */
	if (n->len != af_maxlen(n->af))
		return;
	struct l2_addr *a = addr_find(lp, n->ip);
	if (!new) {
		if (!a)
			return;
		addr_unlink(lp, a);
		addr_free(lp, a);
		return;
	}
	if (!a) {
		a = xzalloc(sizeof *a);
		a->ip = n->ip;
		addr_link(lp, a);
	}
	if (!str_same(a->ns, new->k8s_namespace) || !str_same(a->svc, new->k8s_service)) {
		free(a->ns);
		free(a->svc);
		a->ns = dup_or_null(new->k8s_namespace);
		a->svc = dup_or_null(new->k8s_service);
	}
	defer_schedule(lp->elect_ev);
}

static void ch_end(struct channel *ch)
{
	struct l2_proto *lp = ch->data;
	defer_schedule(lp->elect_ev);
}

static const struct channel_ops l2_channel_ops = {
	.notify = ch_notify,
	.end = ch_end,
};

/* --- receiving ------------------------------------------------------------------- */

static void if_rx(int fd, void *data)
{
	struct l2_if *f = data;
	struct l2_proto *lp = f->l2;
	uint8_t buf[1600], out[L2_FRAME_MAX];
	char b[IP_STRLEN];

	/* bounded work per loop turn: at most 64 frames */
	for (int i = 0; i < 64; i++) {
		unsigned fl;
		ssize_t n = rawsock_recv(fd, buf, sizeof buf, &fl);
		if (n <= 0)
			break;
		if (fl & (RAWSOCK_OUTGOING | RAWSOCK_VLAN))
			continue;
		struct l2_pkt p;
		const char *err;
		if (l2_pkt_parse(buf, (size_t)n, (fl & RAWSOCK_CSUM_UNREADY) ? L2_PARSE_NO_CSUM : 0, &p, &err) < 0) {
			proto_trace(&lp->p, D_PACKETS, "%s: frame ignored: %s", f->name, err);
			continue;
		}
		f->rx++;
		struct l2_addr *a = addr_find(lp, p.target);
		if (!a || !a->owned)
			continue;	/* not ours: silence */
		a->requests++;
		size_t m;
		if (p.kind == L2_PKT_ARP_REQUEST) {
			/* RFC 5227 probes and announcements from others: a
			 * request whose sender is the address itself is not
			 * a question */
			if (ip_equal(p.sender_ip, p.target))
				continue;
			m = l2_build_arp_reply(out, f->mac, a->ip, &p);
		} else {
			ip_addr dst = p.sender_ip;
			const uint8_t *dmac = p.has_sender_mac ? p.sender_mac : p.eth_src;
			/* RFC 4861 section 7.2.4: a solicitation from :: (DAD) is
			 * answered to all-nodes, without S */
			if (ip_is_zero(dst)) {
				m = l2_build_unsolicited_na(out, f->mac, a->ip, a->ip);
			} else
				m = l2_build_na(out, f->mac, a->ip, a->ip, dst, dmac, 1);
		}
		proto_trace(&lp->p, D_PACKETS, "%s: %s for %s answered", f->name,
			    p.kind == L2_PKT_ARP_REQUEST ? "ARP request" : "NS", ip_ntop(a->ip, b));
		if_send(f, out, m);
		a->replies++;
	}
}

/* --- interfaces ------------------------------------------------------------------ */

static int if_wanted(const struct l2_config *c, const struct iface_info *i)
{
	if (!i->has_mac || !i->up)
		return 0;
	if (!c->ifnames)
		return !i->loopback;
	for (const struct l2_ifname *n = c->ifnames; n; n = n->next)
		if (!strcmp(n->name, i->name))
			return 1;
	return 0;
}

static void if_close(struct l2_if *f)
{
	if (f->w)
		fd_unwatch(f->w);
	rawsock_close(f->fd);	/* leaves every multicast group */
	f->w = NULL;
	f->fd = -1;
}

static struct l2_if *if_open(struct l2_proto *lp, const struct iface_info *i)
{
	char err[160];
	int fd = rawsock_open(i->index, err, sizeof err);

	if (fd < 0) {
		snprintf(lp->if_error, sizeof lp->if_error, "%s: %s", i->name, err);
		proto_log(&lp->p, L_WARN, "%s", lp->if_error);
		return NULL;
	}
	struct l2_if *f = xzalloc(sizeof *f);
	f->l2 = lp;
	f->index = i->index;
	snprintf(f->name, sizeof f->name, "%s", i->name);
	memcpy(f->mac, i->mac, 6);
	f->fd = fd;
	f->w = fd_watch(fd, if_rx, f);
	char m[18];
	proto_trace(&lp->p, D_EVENTS, "listening on %s (%s)", f->name, iface_mac_text(f->mac, m));
	/* what we own is ours here too: join and announce once */
	for (struct l2_addr *a = lp->addrs; a; a = a->next)
		if (a->owned) {
			if_join(f, a, 1);
			if_announce(f, a);
		}
	return f;
}

/* Compare the node's interfaces with ours: open new ones, close the ones
 * gone or down, reopen one whose index or MAC changed. */
static void l2_rescan(struct l2_proto *lp, const struct l2_config *c)
{
	struct iface_info *l;
	char err[160];
	int n = iface_list(&l, err, sizeof err);

	if (n < 0) {
		snprintf(lp->if_error, sizeof lp->if_error, "%s", err);
		return;
	}
	for (struct l2_if *f = lp->ifs; f; f = f->next)
		f->seen = 0;
	for (int k = 0; k < n; k++) {
		const struct iface_info *i = &l[k];
		if (!if_wanted(c, i))
			continue;
		struct l2_if *f;
		for (f = lp->ifs; f; f = f->next)
			if (!strcmp(f->name, i->name))
				break;
		if (f && (f->index != i->index || memcmp(f->mac, i->mac, 6))) {
			if_close(f);	/* changed under us: reopen below */
			f->seen = 0;
			f = NULL;
		}
		if (f) {
			f->seen = 1;
			continue;
		}
		f = if_open(lp, i);
		if (f) {
			f->seen = 1;
			f->next = lp->ifs;
			lp->ifs = f;
		}
	}
	for (struct l2_if **pp = &lp->ifs; *pp;) {
		struct l2_if *f = *pp;
		if (f->seen) {
			pp = &f->next;
			continue;
		}
		if (f->fd >= 0)
			proto_trace(&lp->p, D_EVENTS, "interface %s gone or down", f->name);
		if_close(f);
		*pp = f->next;
		free(f);
	}
	free(l);
	for (const struct l2_ifname *nm = c->ifnames; nm; nm = nm->next) {
		int found = 0;
		for (struct l2_if *f = lp->ifs; f; f = f->next)
			found |= !strcmp(f->name, nm->name);
		if (!found)
			snprintf(lp->if_error, sizeof lp->if_error, "interface \"%s\" not found or down", nm->name);
	}
}

static void rescan_timer(void *data)
{
	struct l2_proto *lp = data;
	l2_rescan(lp, (const struct l2_config *)lp->p.cf);
	tm_start(lp->rescan_tm, L2_RESCAN);
}

/* --- the protocol ---------------------------------------------------------------- */

static int l2_start(struct proto *p)
{
	struct l2_proto *lp = (struct l2_proto *)p;

	if (!lp->ch)
		lp->ch = channel_new(p, &l2_channel_ops, lp);
	if (!lp->rescan_tm) {
		lp->rescan_tm = tm_new(rescan_timer, lp);
		lp->spam_tm = tm_new(spam_timer, lp);
		lp->elect_ev = defer_new(elect_all, lp);
	}
	lp->if_error[0] = 0;
	lp->next_l2 = l2_running;
	l2_running = lp;
	l2_rescan(lp, (const struct l2_config *)p->cf);
	tm_start(lp->rescan_tm, L2_RESCAN);
	l2_bridge_start();
	return PS_UP;
}

static void l2_unlink(struct l2_proto *lp)
{
	for (struct l2_proto **pp = &l2_running; *pp; pp = &(*pp)->next_l2)
		if (*pp == lp) {
			*pp = lp->next_l2;
			break;
		}
}

static int l2_shutdown(struct proto *p, enum proto_down_reason why)
{
	struct l2_proto *lp = (struct l2_proto *)p;

	l2_unlink(lp);
	if (!l2_running)
		l2_bridge_stop();
	tm_stop(lp->rescan_tm);
	tm_stop(lp->spam_tm);
	defer_cancel(lp->elect_ev);
	while (lp->addrs) {
		struct l2_addr *a = lp->addrs;
		lp->addrs = a->next;
		if (a->next)
			a->next->pprev = &lp->addrs;
		addr_free(lp, a);
	}
	lp->naddrs = 0;
	free(lp->hash);
	lp->hash = NULL;
	lp->hsize = 0;
	while (lp->ifs) {
		struct l2_if *f = lp->ifs;
		lp->ifs = f->next;
		if_close(f);
		free(f);
	}
	return PS_DOWN;
}

static void l2_cleanup(struct proto *p)
{
	struct l2_proto *lp = (struct l2_proto *)p;

	l2_shutdown(p, PDR_SHUTDOWN);
	tm_free(lp->rescan_tm);
	tm_free(lp->spam_tm);
	defer_free(lp->elect_ev);
	lp->rescan_tm = lp->spam_tm = NULL;
	lp->elect_ev = NULL;
}

static int l2_reconfigure(struct proto *p, struct proto_config *n)
{
	struct l2_proto *lp = (struct l2_proto *)p;

	l2_rescan(lp, (const struct l2_config *)n);
	defer_schedule(lp->elect_ev);	/* the node selector may have changed */
	return 1;
}

static void l2_class_init(void)
{
	metrics_register(l2_metrics);
}

/* A config with neither protocol bgp nor protocol l2 runs `protocol l2 l2 { }`
 * (SPEC section 3). */
static const char *const l2_implicit_unless[] = { "bgp", NULL };

struct proto_class proto_l2 = {
	.name = "l2",
	.label = "L2",
	.config_size = sizeof(struct l2_config),
	.proto_size = sizeof(struct l2_proto),
	.implicit_unless = l2_implicit_unless,
	.class_init = l2_class_init,
	.copy_config = l2_copy_config,
	.compare = l2_compare,
	.dump_config = l2_dump_config,
	.start = l2_start,
	.shutdown = l2_shutdown,
	.reconfigure = l2_reconfigure,
	.cleanup = l2_cleanup,
	.get_info = l2_get_info,
	.show_details = l2_show_details,
	.show_json = l2_show_json,
};
