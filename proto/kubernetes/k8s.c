/*
 * metalbird -- protocol kubernetes
 *
 * The source of the route table: it holds the cluster's Services,
 * EndpointSlices and Nodes (from a state file or the API server), runs the
 * pool allocator over them and puts into the table exactly the addresses
 * this node must announce (SPEC section 4, "Announcement"):
 *
 *   an allocated address is announced, with each aggregation length of its
 *   pool, while the Service has a serving endpoint (Cluster) or a serving
 *   endpoint on this node (Local), and this node is neither
 *   NetworkUnavailable nor labelled exclude-from-external-load-balancers.
 *
 * Every change of state ends in k8s_sync(), which recomputes the wanted
 * routes and sends the table only the difference (rte_update), on the loop
 * turn of the change.  An aggregate shared by several Services is one
 * route, present while any of them is announced; its attributes come from
 * the oldest of them, so every node builds the same table.
 *
 * A sync looks only at the Services that changed (flat sync): a watch
 * event names them (k8s_event: the Service, an EndpointSlice's Service),
 * each route knows the Services that want it, and each Service the nets it
 * wants, so one EndpointSlice costs the same with ten Services or ten
 * thousand.  An allocation that may move addresses (a new LoadBalancer,
 * a changed request, an address released) still runs the allocator over
 * every Service, by SPEC section 4's order, and looks at those whose
 * addresses changed; a relist, a state file, a reload or this node
 * turning blocked looks at every Service.
 */
#include "proto/kubernetes/k8s.h"
#include "proto/kubernetes/decode.h"
#include "proto/kubernetes/statefile.h"
#include "proto/kubernetes/watch.h"
#include "conf/commit.h"
#include "nest/cli.h"
#include "nest/log.h"
#include "nest/mem.h"
#include "nest/route.h"
#include "sysdep/unix/loop.h"
#include "sysdep/unix/main.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct k8s_proto *k8s_instance;

#define EXCLUDE_LABEL "node.kubernetes.io/exclude-from-external-load-balancers"

/* --- the routes we have in the table ---------------------------------------------- */

struct k8s_route {
	net_addr net;
	struct rta *rta;	/* our reference; NULL: not in the table (yet) */
	struct k8s_ann **who;	/* the Services that want it */
	int nwho, cwho;
	uint8_t used;		/* the slot holds net */
	uint8_t gone;		/* tombstone */
	uint8_t touched;	/* on the list of this sync */
};

/* The nets one Service wants in the table (while it is announced). */
struct k8s_ann {
	char *key;
	struct service *s;	/* the object now: k8s_event keeps it current */
	net_addr *nets;
	int nnets;
};

/* One Service's EndpointSlices, by its key (the slices may come first). */
struct k8s_slidx {
	char *key;
	struct epslice **v;
	int n, size;
};

static uint32_t net_hash(const net_addr *n)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 4; i++) {
		h ^= n->ip.w[i];
		h *= 16777619u;
	}
	h ^= n->len | (uint32_t)n->af << 8;
	h *= 16777619u;
	return h ^ (h >> 16);
}

static struct k8s_route *route_find(struct k8s_proto *p, const net_addr *n, int create);

static void routes_grow(struct k8s_proto *p)
{
	struct k8s_route *old = p->routes;
	size_t osize = p->rsize, live = 0;

	/* sized by the live slots, tombstones dropped: churn does not grow it */
	for (size_t i = 0; i < osize; i++)
		live += old[i].used;
	for (p->rsize = 256; p->rsize < (live + 1) * 3;)
		p->rsize *= 2;
	p->routes = xzalloc(p->rsize * sizeof *p->routes);
	p->rcount = 0;
	for (size_t i = 0; i < osize; i++)
		if (old[i].used) {
			struct k8s_route *r = route_find(p, &old[i].net, 1);
			*r = old[i];
		}
	free(old);
}

/* Slots with !used and !gone are empty; gone ones are skipped over by
 * lookups and reused by inserts.  A grow moves every slot: pointers into
 * the table last only until the next create. */
static struct k8s_route *route_find(struct k8s_proto *p, const net_addr *n, int create)
{
	if (create && (p->rcount + 1) * 2 > p->rsize)
		routes_grow(p);
	if (!p->rsize)
		return NULL;
	size_t mask = p->rsize - 1, i = net_hash(n) & mask;
	struct k8s_route *tomb = NULL;
	while (p->routes[i].used || p->routes[i].gone) {
		if (p->routes[i].used && net_equal(&p->routes[i].net, n))
			return &p->routes[i];
		if (!p->routes[i].used && !tomb)
			tomb = &p->routes[i];
		i = (i + 1) & mask;
	}
	if (!create)
		return NULL;
	struct k8s_route *r = tomb ? tomb : &p->routes[i];
	memset(r, 0, sizeof *r);
	r->net = *n;
	r->used = 1;
	if (!tomb)
		p->rcount++;
	return r;
}

static void ann_free(struct k8s_ann *a)
{
	if (!a)
		return;
	free(a->key);
	free(a->nets);
	free(a);
}

static void slidx_free(struct k8s_slidx *x)
{
	if (!x)
		return;
	free(x->key);
	free(x->v);
	free(x);
}

static void set_clear(struct k8s_set *set, void (*fr)(void *))
{
	for (int i = 0; i < set->n; i++)
		fr(set->obj[i]);
	free(set->obj);
	free(set->keys);
	memset(set, 0, sizeof *set);
}

static void free_ann(void *x) { ann_free(x); }
static void free_slidx(void *x) { slidx_free(x); }

static void routes_flush(struct k8s_proto *p)
{
	for (size_t i = 0; i < p->rsize; i++) {
		if (p->routes[i].rta)
			rta_free(p->routes[i].rta);
		free(p->routes[i].who);
	}
	free(p->routes);
	p->routes = NULL;
	p->rsize = p->rcount = 0;
	set_clear(&p->anns, free_ann);
}

/* --- announcement -------------------------------------------------------------------- */

static const struct k8s_config *kcf(const struct k8s_proto *p)
{
	return (const struct k8s_config *)p->p.cf;
}

int k8s_announced(const struct k8s_proto *p, const struct service *s)
{
	/* what k8s_announce_why() says in words */
	return s->served && s->naddrs && !p->node_blocked &&
	       !(s->traffic_policy == K8S_POLICY_LOCAL && !s->ep_local) && s->ep_total;
}

void k8s_announce_why(const struct k8s_proto *p, const struct service *s, char *buf, size_t len)
{
	buf[0] = 0;
	if (!s->served)
		snprintf(buf, len, "not served (%s)", !s->is_lb ? "not a LoadBalancer" : "load balancer class");
	else if (!s->naddrs)
		snprintf(buf, len, "pending: %s", s->reason);
	else if (p->node_blocked)
		snprintf(buf, len, "%s", p->node_why);
	else if (s->traffic_policy == K8S_POLICY_LOCAL && !s->ep_local)
		snprintf(buf, len, "no serving endpoint on this node");
	else if (!s->ep_total)
		snprintf(buf, len, "no serving endpoint");
}

/* The attributes of a Service's routes, with one reference for the caller.
 * Interning hashes every label and annotation: the result is kept on the
 * Service object, which a change replaces, so a sync that only moves
 * endpoints costs no hashing. */
static struct rta *service_rta(struct service *s)
{
	struct rta tmp;

	if (s->rta_cache && s->rta_pool == s->pool)
		return rta_clone(s->rta_cache);
	if (s->rta_cache)
		rta_free(s->rta_cache);
	memset(&tmp, 0, sizeof tmp);
	tmp.pool = s->pool;
	tmp.k8s_namespace = s->namespace;
	tmp.k8s_service = s->name;
	tmp.k8s_traffic_policy = (uint8_t)s->traffic_policy;
	tmp.k8s_labels = s->labels;
	tmp.k8s_annotations = s->annotations;
	s->rta_cache = rta_lookup(&tmp);
	s->rta_pool = s->pool;
	return rta_clone(s->rta_cache);
}

/* This node's labels as last given to the protocol core (node selectors). */
struct node_labels {
	struct kv_list *kv;
	const char **keys, **values;
	struct label_set set;
};
static struct node_labels node_lab[2], *node_lab_cur;

/* This node's Node object: blocked?  Its labels go to node selectors. */
static void node_update(struct k8s_proto *p)
{
	const struct k8s_node *n = daemon_node_name ? k8s_set_get(&p->db.nodes, daemon_node_name) : NULL;

	p->node_blocked = 0;
	p->node_why = "";
	if (n && n->network_unavailable) {
		p->node_blocked = 1;
		p->node_why = "this node is NetworkUnavailable";
	} else if (n && kv_get(n->labels, EXCLUDE_LABEL)) {
		p->node_blocked = 1;
		p->node_why = "this node is labelled " EXCLUDE_LABEL;
	}
	if (!n)
		return;
	int same = p->node_seen && node_lab_cur && node_lab_cur->kv->n == n->labels->n;
	for (int i = 0; same && i < n->labels->n; i++)
		same = !strcmp(node_lab_cur->kv->kv[i].key, n->labels->kv[i].key) &&
		       !strcmp(node_lab_cur->kv->kv[i].value, n->labels->kv[i].value);
	p->node_seen = 1;
	if (same)
		return;
	/* the core keeps the label_set pointer: ours stays valid until the
	 * next change (two slots, the old one freed after the switch) */
	struct node_labels *old = node_lab_cur, *nl = &node_lab[node_lab_cur == &node_lab[0]];
	int cnt = n->labels->n;
	nl->kv = kv_list_new(cnt);
	for (int i = 0; i < cnt; i++) {
		nl->kv->kv[i].key = xstrdup(n->labels->kv[i].key);
		nl->kv->kv[i].value = xstrdup(n->labels->kv[i].value);
	}
	nl->keys = xmalloc((size_t)(cnt + 1) * sizeof *nl->keys);
	nl->values = xmalloc((size_t)(cnt + 1) * sizeof *nl->values);
	kv_list_labels(nl->kv, &nl->set, nl->keys, nl->values);
	node_lab_cur = nl;
	proto_node_labels_changed(&nl->set);
	if (old) {
		kv_list_free(old->kv);
		free(old->keys);
		free(old->values);
		memset(old, 0, sizeof *old);
	}
}

/* The nets s wants in the table: each aggregation length of its pool for
 * each address, while it is announced.  Returns how many (*out malloc'd). */
static int service_nets(const struct k8s_proto *p, const struct service *s, net_addr **out)
{
	*out = NULL;
	if (!k8s_announced(p, s))
		return 0;
	const struct pool_config *pc = config ? pool_find(config, s->pool) : NULL;
	if (!pc)
		return 0;
	net_addr *v = xmalloc((size_t)SVC_MAX_ADDRS * (POOL_MAX_AGG + 1) * sizeof *v);
	int n = 0;
	for (int j = 0; j < s->naddrs; j++) {
		int af = ip_af(s->addrs[j]);
		const int *agg = af == AF_IP4 ? pc->agg4 : pc->agg6;
		int nagg = af == AF_IP4 ? pc->nagg4 : pc->nagg6;
		int dflt = af_maxlen(af);
		if (!nagg) {
			agg = &dflt;
			nagg = 1;
		}
		for (int k = 0; k < nagg; k++) {
			net_addr net = net_make(s->addrs[j], af, agg[k]);
			int dup = 0;
			for (int m = 0; m < n && !dup; m++)
				dup = net_equal(&v[m], &net);
			if (!dup)
				v[n++] = net;
		}
	}
	*out = xrealloc(v, (size_t)n * sizeof *v);	/* kept while announced: no slack */
	return n;
}

static int nets_have(const net_addr *v, int n, const net_addr *x)
{
	for (int i = 0; i < n; i++)
		if (net_equal(&v[i], x))
			return 1;
	return 0;
}

/* The routes whose owner this sync must find again. */
struct touched {
	net_addr *v;
	int n, size;
};

static void touch(struct touched *t, struct k8s_route *r)
{
	if (r->touched)
		return;
	r->touched = 1;
	if (t->n == t->size) {
		t->size = t->size ? 2 * t->size : 64;
		t->v = xrealloc(t->v, (size_t)t->size * sizeof *t->v);
	}
	t->v[t->n++] = r->net;
}

static void who_add(struct k8s_route *r, struct k8s_ann *a)
{
	if (r->nwho == r->cwho) {
		r->cwho = r->cwho ? 2 * r->cwho : 2;
		r->who = xrealloc(r->who, (size_t)r->cwho * sizeof *r->who);
	}
	r->who[r->nwho++] = a;
}

static void who_del(struct k8s_route *r, struct k8s_ann *a)
{
	for (int i = 0; i < r->nwho; i++)
		if (r->who[i] == a) {
			r->who[i] = r->who[--r->nwho];
			return;
		}
}

/* Look at one Service again: the nets it no longer wants lose it, the new
 * ones gain it, and all of them are touched (its attributes may differ). */
static void ann_service(struct k8s_proto *p, const char *key, struct touched *t)
{
	struct service *s = k8s_set_get(&p->db.services, key);
	struct k8s_ann *a = k8s_set_get(&p->anns, key);
	net_addr *nets = NULL;
	int n = s ? service_nets(p, s, &nets) : 0;

	if (!n) {
		free(nets);
		nets = NULL;
	}
	if (!a && !n)
		return;
	if (!a) {
		a = xzalloc(sizeof *a);
		a->key = xstrdup(key);
		k8s_set_put(&p->anns, a->key, a);
	}
	a->s = s;
	for (int i = 0; i < a->nnets; i++) {
		struct k8s_route *r = route_find(p, &a->nets[i], 0);
		if (!r)
			continue;
		if (!nets_have(nets, n, &a->nets[i]))
			who_del(r, a);
		touch(t, r);
	}
	for (int i = 0; i < n; i++) {
		struct k8s_route *r = route_find(p, &nets[i], 1);
		if (!nets_have(a->nets, a->nnets, &nets[i]))
			who_add(r, a);
		touch(t, r);
	}
	free(a->nets);
	a->nets = nets;
	a->nnets = n;
	if (!n)
		ann_free(k8s_set_del(&p->anns, a->key));
}

/* A touched route: in the table with the oldest Service's attributes while
 * any Service wants it, else withdrawn. */
static void settle(struct k8s_proto *p, struct k8s_route *r)
{
	r->touched = 0;
	if (!r->nwho) {
		if (r->rta) {
			rte_update(&p->p, &r->net, NULL);
			rta_free(r->rta);
		}
		free(r->who);
		memset(r, 0, sizeof *r);
		r->gone = 1;
		return;
	}
	struct k8s_ann *o = r->who[0];
	for (int i = 1; i < r->nwho; i++)
		if (svc_cmp_age(r->who[i]->s, o->s) < 0)
			o = r->who[i];
	struct rta *a = service_rta(o->s);
	if (r->rta != a) {
		if (r->rta)
			rta_free(r->rta);
		r->rta = rta_clone(a);
		rte_update(&p->p, &r->net, r->rta);
	}
	rta_free(a);
}

/* Bring the table in line with the Services keys names (every Service,
 * and every one that left, when keys is NULL). */
static void announce(struct k8s_proto *p, const char *const *keys, int nkeys)
{
	struct touched t = { 0 };

	if (!keys) {
		/* the objects may all be new: point at the ones there are now,
		 * and let the Services that left go first */
		for (int i = p->anns.n - 1; i >= 0; i--) {
			struct k8s_ann *a = p->anns.obj[i];
			a->s = k8s_set_get(&p->db.services, a->key);
			if (!a->s)
				ann_service(p, a->key, &t);
		}
		for (int i = 0; i < p->db.services.n; i++)
			ann_service(p, p->db.services.keys[i], &t);
	} else {
		for (int i = 0; i < nkeys; i++)
			ann_service(p, keys[i], &t);
	}
	for (int i = 0; i < t.n; i++) {
		struct k8s_route *r = route_find(p, &t.v[i], 0);
		if (r)
			settle(p, r);
	}
	free(t.v);
}

/* --- endpoints ------------------------------------------------------------------------- */

static int slice_service_key(const struct epslice *e, char *key, size_t len)
{
	if (!e->service)
		return 0;
	/* no printf here: this runs for every slice of a relist */
	size_t nl = strlen(e->namespace), sl = strlen(e->service);
	if (nl + sl + 2 > len)
		return 0;
	memcpy(key, e->namespace, nl);
	key[nl] = '/';
	memcpy(key + nl + 1, e->service, sl + 1);
	return 1;
}

static void mark(struct k8s_proto *p, const char *key)
{
	if (!k8s_set_get(&p->dirty, key)) {
		char *k = xstrdup(key);
		k8s_set_put(&p->dirty, k, k);
	}
}

void k8s_service_changed(struct k8s_proto *p, const char *key)
{
	mark(p, key);
}

static void slidx_add(struct k8s_proto *p, struct epslice *e, int mark_it)
{
	char key[512];

	if (!slice_service_key(e, key, sizeof key))
		return;
	struct k8s_slidx *x = k8s_set_get(&p->slidx, key);
	if (!x) {
		x = xzalloc(sizeof *x);
		x->key = xstrdup(key);
		k8s_set_put(&p->slidx, x->key, x);
	}
	if (x->n == x->size) {
		x->size = x->size ? 2 * x->size : 2;
		x->v = xrealloc(x->v, (size_t)x->size * sizeof *x->v);
	}
	x->v[x->n++] = e;
	if (mark_it)
		mark(p, key);
}

static void slidx_del(struct k8s_proto *p, const struct epslice *e)
{
	char key[512];

	if (!slice_service_key(e, key, sizeof key))
		return;
	mark(p, key);
	struct k8s_slidx *x = k8s_set_get(&p->slidx, key);
	if (!x)
		return;
	for (int i = 0; i < x->n; i++)
		if (x->v[i] == e) {
			memmove(&x->v[i], &x->v[i + 1], (size_t)(x->n - i - 1) * sizeof *x->v);
			x->n--;
			break;
		}
	if (!x->n)
		slidx_free(k8s_set_del(&p->slidx, key));
}

/* A Service's serving endpoints, from its slices. */
static void count_one(struct k8s_proto *p, struct service *s)
{
	const struct k8s_slidx *x = k8s_set_get(&p->slidx, s->key);
	const char *self = daemon_node_name;

	s->ep_total = s->ep_local = 0;
	s->nslices = 0;
	if (!x)
		return;
	if (s->slices_size < x->n) {
		s->slices_size = x->n;
		s->slices = xrealloc(s->slices, (size_t)s->slices_size * sizeof *s->slices);
	}
	for (int i = 0; i < x->n; i++) {
		const struct epslice *e = x->v[i];
		s->slices[s->nslices++] = x->v[i];
		for (int j = 0; j < e->neps; j++) {
			if (!e->eps[j].serving)
				continue;
			s->ep_total++;
			if (self && e->eps[j].node && !strcmp(e->eps[j].node, self))
				s->ep_local++;
		}
	}
}

static void count_all(struct k8s_proto *p)
{
	set_clear(&p->slidx, free_slidx);
	for (int i = 0; i < p->db.slices.n; i++)
		slidx_add(p, p->db.slices.obj[i], 0);
	for (int i = 0; i < p->db.services.n; i++)
		count_one(p, p->db.services.obj[i]);
}

static void free_key(void *x) { free(x); }

/* --- events -------------------------------------------------------------------------- */

void k8s_event(struct k8s_proto *p, enum k8s_kind kind, void *obj, int deleted)
{
	const char *lb_class = kcf(p)->lb_class;

	if (kind == K8S_SERVICE) {
		struct service *n = obj, *old = k8s_set_get(&p->db.services, n->key);
		struct k8s_ann *a = k8s_set_get(&p->anns, n->key);
		mark(p, n->key);
		if (deleted) {
			/* a Service without addresses frees none: nobody else's
			 * allocation can change */
			if (old && old->served && old->naddrs)
				p->alloc_dirty = 1;
			else if (old && old->served)
				pa_state_forget(&p->alloc, old->key);
			if (a)
				a->s = NULL;
			svc_free(k8s_set_del(&p->db.services, n->key));
			svc_free(n);
			return;
		}
		/* the allocator would give it what it has, or nothing: an
		 * echo of our own status write, another kind of Service */
		if (old && pa_inputs_equal(old, n)) {
			pa_copy_result(n, old);
		} else if (!pa_served(n, lb_class) && (!old || !old->served)) {
			n->served = 0;
			n->naddrs = 0;
			n->pool = NULL;
			n->reason[0] = 0;
		} else {
			p->alloc_dirty = 1;
		}
		if (a)
			a->s = n;
		k8s_db_put(&p->db, K8S_SERVICE, n);
	} else if (kind == K8S_SLICE) {
		struct epslice *e = obj, *old = k8s_set_get(&p->db.slices, e->key);
		if (old)
			slidx_del(p, old);
		if (deleted) {
			epslice_free(k8s_set_del(&p->db.slices, e->key));
			epslice_free(e);
			return;
		}
		slidx_add(p, e, 1);
		k8s_db_put(&p->db, K8S_SLICE, e);
	} else if (kind == K8S_NODE) {
		/* this node's is read by every sync; the others matter to
		 * the layer-2 election only, which the change hook tells */
		struct k8s_node *n = obj;
		if (deleted) {
			k8s_node_free(k8s_set_del(&p->db.nodes, n->name));
			k8s_node_free(n);
		} else {
			k8s_db_put(&p->db, K8S_NODE, n);
		}
	}
}

/* --- checking a flat sync ------------------------------------------------------------ */

/*
 * A test aid: with $METALBIRD_K8S_CHECK_SYNC set, every sync is followed
 * by what a full one would do from scratch (count every endpoint, run the
 * allocator over every Service, build the wanted table oldest first), and
 * any difference from the state the sync left is logged as an error and
 * counted (show protocols all).  Costs a full sync each time: tests only.
 */
struct want_route {
	net_addr net;
	struct service *owner;
};

static int cmp_want(const void *a, const void *b)
{
	const struct want_route *x = a, *y = b;
	int c = net_cmp(&x->net, &y->net);
	return c ? c : svc_cmp_age(x->owner, y->owner);
}

static void check_sync(struct k8s_proto *p)
{
	int n = p->db.services.n, bad = 0;
	struct service **sv = (struct service **)p->db.services.obj;
	struct saved {
		int ep_total, ep_local, naddrs, served;
		ip_addr addrs[SVC_MAX_ADDRS];
		const char *pool;
		char reason[SVC_REASON_LEN];
	} *sa = xmalloc((size_t)(n + 1) * sizeof *sa);
	char b[IP_STRLEN];

	for (int i = 0; i < n; i++) {
		sa[i].ep_total = sv[i]->ep_total;
		sa[i].ep_local = sv[i]->ep_local;
		sa[i].naddrs = sv[i]->naddrs;
		sa[i].served = sv[i]->served;
		memcpy(sa[i].addrs, sv[i]->addrs, sizeof sa[i].addrs);
		sa[i].pool = sv[i]->pool;
		memcpy(sa[i].reason, sv[i]->reason, sizeof sa[i].reason);
	}
	k8s_db_count_endpoints(&p->db, daemon_node_name);
	pa_run(config ? config->pools : NULL, sv, n, kcf(p)->lb_class, &p->alloc);
	for (int i = 0; i < n; i++) {
		struct service *s = sv[i];
		s->changed = 0;
		if (s->ep_total != sa[i].ep_total || s->ep_local != sa[i].ep_local) {
			proto_log(&p->p, L_ERR, "sync check: %s has %d/%d serving endpoints, a full count says %d/%d",
				  s->key, sa[i].ep_local, sa[i].ep_total, s->ep_local, s->ep_total);
			bad++;
		}
		int same = s->naddrs == sa[i].naddrs && s->served == sa[i].served &&
			   !strcmp(s->reason, sa[i].reason) &&
			   ((!s->pool && !sa[i].pool) || (s->pool && sa[i].pool && !strcmp(s->pool, sa[i].pool)));
		for (int j = 0; same && j < s->naddrs; j++)
			same = ip_equal(s->addrs[j], sa[i].addrs[j]);
		if (!same) {
			proto_log(&p->p, L_ERR, "sync check: %s holds %s from %s (%s), a full allocation says %s from %s (%s)",
				  s->key, sa[i].naddrs ? ip_ntop(sa[i].addrs[0], b) : "nothing", sa[i].pool ?: "-",
				  sa[i].reason, s->naddrs ? ip_ntop(s->addrs[0], b) : "nothing", s->pool ?: "-", s->reason);
			bad++;
		}
	}
	free(sa);
	/* the table: every net wanted, with the attributes of its oldest Service */
	struct want_route *w = NULL;
	int nw = 0, cw = 0, live = 0;
	for (int i = 0; i < n; i++) {
		net_addr *nets;
		int k = service_nets(p, sv[i], &nets);
		for (int j = 0; j < k; j++) {
			if (nw == cw) {
				cw = cw ? 2 * cw : 64;
				w = xrealloc(w, (size_t)cw * sizeof *w);
			}
			w[nw].net = nets[j];
			w[nw++].owner = sv[i];
		}
		free(nets);
	}
	if (nw)
		qsort(w, (size_t)nw, sizeof *w, cmp_want);
	for (int i = 0; i < nw; i++) {
		if (i && net_equal(&w[i].net, &w[i - 1].net))
			continue;
		live++;
		struct k8s_route *r = route_find(p, &w[i].net, 0);
		struct rta *a = service_rta(w[i].owner);
		if (!r || r->rta != a) {
			proto_log(&p->p, L_ERR, "sync check: %s/%d %s, a full sync gives it %s's attributes",
				  ip_ntop(w[i].net.ip, b), w[i].net.len, !r || !r->rta ? "is not in the table" : "differs",
				  w[i].owner->key);
			bad++;
		}
		rta_free(a);
	}
	free(w);
	for (size_t i = 0; i < p->rsize; i++)
		live -= p->routes[i].rta != NULL;
	if (live) {
		proto_log(&p->p, L_ERR, "sync check: the table has %d routes more than a full sync wants", -live);
		bad++;
	}
	p->checks++;
	p->check_errors += bad != 0;
}

/* --- the pipeline ------------------------------------------------------------------- */

static void save_allocations(struct k8s_proto *p)
{
	char err[512];

	if (!p->alloc_path[0])
		return;
	if (pa_state_save(&p->alloc, p->alloc_path, err, sizeof err)) {
		if (!p->save_failed_logged)
			proto_log(&p->p, L_WARN, "cannot keep allocations in the state directory: %s", err);
		p->save_failed_logged = 1;
	} else {
		p->save_failed_logged = 0;
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int allocate_and_log(struct k8s_proto *p, const struct timespec *t0, double *t_alloc, double *t_log)
{
	char b[IP_STRLEN * 2 + 4];

	int changed = pa_run(config ? config->pools : NULL, (struct service *const *)p->db.services.obj,
			     p->db.services.n, kcf(p)->lb_class, &p->alloc);
	*t_alloc = ms_since(t0);
	/* log each new allocation and each new pending reason once */
	for (int i = 0; i < p->db.services.n; i++) {
		const struct service *s = p->db.services.obj[i];
		if (!s->served)
			continue;
		const struct pa_entry *e = pa_state_get(&p->alloc, s->key);
		if (s->changed && !p->full_sync)
			mark(p, s->key);	/* its routes and status follow */
		if (s->naddrs && s->changed) {
			b[0] = 0;
			for (int j = 0; j < s->naddrs; j++) {
				char one[IP_STRLEN];
				strcat(strcat(b, j ? ", " : ""), ip_ntop(s->addrs[j], one));
			}
			proto_log(&p->p, L_INFO, "%s: assigned %s from pool %s", s->key, b, s->pool);
		} else if (!s->naddrs && (!e || !e->reason || strcmp(e->reason, s->reason))) {
			proto_log(&p->p, L_WARN, "%s: pending: %s", s->key, s->reason);
		}
	}
	int removed = pa_state_sync(&p->alloc, (struct service *const *)p->db.services.obj, p->db.services.n);
	*t_log = ms_since(t0);
	if (changed || removed)
		save_allocations(p);
	return changed;
}

#define K8S_MAX_HOOKS 4
static void (*change_hooks[K8S_MAX_HOOKS])(void);
static int n_change_hooks;

void k8s_change_hook_add(void (*fn)(void))
{
	for (int i = 0; i < n_change_hooks; i++)
		if (change_hooks[i] == fn)
			return;
	if (n_change_hooks < K8S_MAX_HOOKS)
		change_hooks[n_change_hooks++] = fn;
}

static void run_change_hooks(void)
{
	for (int i = 0; i < n_change_hooks; i++)
		change_hooks[i]();
}

void k8s_sync(struct k8s_proto *p)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	defer_cancel(p->sync_ev);
	int full = p->full_sync, was_blocked = p->node_blocked;
	if (full) {
		count_all(p);
	} else {
		for (int i = 0; i < p->dirty.n; i++) {
			struct service *s = k8s_set_get(&p->db.services, p->dirty.keys[i]);
			if (s)
				count_one(p, s);
		}
	}
	node_update(p);
	int changed = 0;
	double t_count = ms_since(&t0), t_alloc = t_count, t_log = t_count;
	/* endpoints and nodes alone do not move addresses: allocate only
	 * when Services, pools or the class changed */
	if (p->alloc_dirty)
		changed = allocate_and_log(p, &t0, &t_alloc, &t_log);
	p->alloc_dirty = 0;
	double t_save = ms_since(&t0);
	/* this node turning blocked or free changes every Service's routes */
	if (was_blocked != p->node_blocked)
		full = 1;
	int looked = full ? p->db.services.n : p->dirty.n;
	if (full)
		announce(p, NULL, 0);
	else
		announce(p, (const char *const *)p->dirty.keys, p->dirty.n);
	double t_ann = ms_since(&t0);
	if (p->watch) {
		if (full)
			k8s_watch_status_changed(p->watch, NULL, 0);
		else
			k8s_watch_status_changed(p->watch, (const char *const *)p->dirty.keys, p->dirty.n);
	}
	set_clear(&p->dirty, free_key);
	p->full_sync = 0;
	p->syncs++;
	p->last_sync_looked = looked;
	run_change_hooks();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->last_sync_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	proto_trace(&p->p, D_EVENTS,
		    "synced %d services in %.2f ms (%d looked at, %d changed): endpoints %.2f, allocate %.2f, "
		    "log %.2f, save %.2f, announce %.2f ms",
		    p->db.services.n, p->last_sync_ms, looked, changed, t_count, t_alloc - t_count, t_log - t_alloc,
		    t_save - t_log, t_ann - t_save);
	if (p->check_syncs)
		check_sync(p);
}

static void sync_ev(void *data)
{
	k8s_sync(data);
}

void k8s_sync_soon(struct k8s_proto *p)
{
	defer_schedule(p->sync_ev);
}

void k8s_state_changed(struct k8s_proto *p, int services)
{
	p->alloc_dirty |= services;
	p->full_sync = 1;
	defer_schedule(p->sync_ev);
}

void k8s_set_state(struct k8s_proto *p, struct k8s_db *db)
{
	k8s_db_free(&p->db);
	p->db = *db;
	p->have_state = 1;
	p->alloc_dirty = 1;
	p->full_sync = 1;
	k8s_db_init(db);
	k8s_sync(p);
}

/* --- state-file mode ------------------------------------------------------------------ */

static void read_state_file(struct k8s_proto *p, int quiet_missing)
{
	const char *path = kcf(p)->state_file;
	struct k8s_db db;
	size_t len;
	char err[600];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *text = k8s_read_file(path, &len);

	p->reads++;
	if (!text) {
		if (errno == ENOENT && quiet_missing) {
			snprintf(p->state_error, sizeof p->state_error, "waiting for %s to appear", path);
			return;
		}
		snprintf(p->state_error, sizeof p->state_error, "%s: %s", path, strerror(errno));
		p->read_errors++;
		proto_log(&p->p, L_ERR, "%s; keeping the last good state", p->state_error);
		return;
	}
	k8s_db_init(&db);
	if (k8s_decode_list(text, len, path, &db, err, sizeof err)) {
		free(text);
		k8s_db_free(&db);
		p->read_errors++;
		snprintf(p->state_error, sizeof p->state_error, "%s", err);
		proto_log(&p->p, L_ERR, "%s; keeping the last good state", err);
		return;
	}
	free(text);
	p->state_error[0] = 0;
	int ns = db.services.n, ne = db.slices.n, nn = db.nodes.n;
	k8s_set_state(p, &db);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	proto_trace(&p->p, D_EVENTS, "read %s: %d services, %d endpoint slices, %d nodes in %.2f ms (sync %.2f ms)",
		    path, ns, ne, nn, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		    p->last_sync_ms);
}

static void state_file_changed(void *data)
{
	read_state_file(data, 0);
}

/* --- protocol glue --------------------------------------------------------------------- */

static void k8s_init_config(struct proto_config *c)
{
}

static void k8s_copy_config(struct proto_config *dst, const struct proto_config *src)
{
	/* every field is a pointer into the config arena or a scalar:
	 * the struct copy the core made is enough */
}

static void k8s_postconfig(struct proto_config *c)
{
	struct k8s_config *kc = (struct k8s_config *)c;

	if (c->is_template)
		return;
	if (kc->nsources > 1)
		cf_error_at(&kc->src_loc,
			    "protocol kubernetes takes one source: state file, kubeconfig, or api server");
	if (kc->api_server && (kc->state_file || kc->kubeconfig))
		cf_error_at(&kc->src_loc, "api server cannot be combined with state file or kubeconfig");
	if ((kc->token_file || kc->ca_file) && !kc->api_server)
		cf_error_at(&kc->src_loc, "token file and ca file go with api server");
	if (kc->write_status && kc->state_file)
		cf_error_at(&kc->src_loc, "write status needs the API server; a state file has no status to write");
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static enum reconf_action k8s_compare(const struct proto_config *o, const struct proto_config *n,
				      struct reconf_why *why)
{
	const struct k8s_config *a = (const void *)o, *b = (const void *)n;

	if (!str_same(a->state_file, b->state_file) || !str_same(a->kubeconfig, b->kubeconfig) ||
	    !str_same(a->api_server, b->api_server) || !str_same(a->token_file, b->token_file) ||
	    !str_same(a->ca_file, b->ca_file)) {
		snprintf(why->text, sizeof why->text, "source changed");
		return RC_RESTART;
	}
	if (!str_same(a->lb_class, b->lb_class)) {
		snprintf(why->text, sizeof why->text, "load balancer class %s -> %s",
			 a->lb_class ? a->lb_class : "(none)", b->lb_class ? b->lb_class : "(none)");
		return RC_SOFT;
	}
	if (a->write_status != b->write_status) {
		snprintf(why->text, sizeof why->text, "write status %s -> %s", a->write_status ? "on" : "off",
			 b->write_status ? "on" : "off");
		return RC_SOFT;
	}
	return RC_SAME;
}

static void dump_str(FILE *out, const char *what, const char *v)
{
	if (v) {
		fprintf(out, "\t%s ", what);
		cf_dump_string(out, v);
		fprintf(out, ";\n");
	}
}

static void k8s_dump_config(FILE *out, const struct proto_config *c)
{
	const struct k8s_config *kc = (const void *)c;

	dump_str(out, "state file", kc->state_file);
	dump_str(out, "kubeconfig", kc->kubeconfig);
	dump_str(out, "api server", kc->api_server);
	dump_str(out, "token file", kc->token_file);
	dump_str(out, "ca file", kc->ca_file);
	dump_str(out, "load balancer class", kc->lb_class);
	fprintf(out, "\twrite status %s;\n", kc->write_status ? "on" : "off");
}

static int k8s_start(struct proto *pp)
{
	struct k8s_proto *p = (struct k8s_proto *)pp;
	const struct k8s_config *kc = kcf(p);
	char err[512];

	k8s_instance = p;
	k8s_db_init(&p->db);
	p->check_syncs = getenv("METALBIRD_K8S_CHECK_SYNC") != NULL;
	p->alloc_dirty = 1;
	p->full_sync = 1;
	pa_state_init(&p->alloc);
	p->sync_ev = defer_new(sync_ev, p);
	p->state_error[0] = 0;
	if (config && config->state_dir) {
		snprintf(p->alloc_path, sizeof p->alloc_path, "%s/allocations.json", config->state_dir);
		/* allocations of the daemon that ran before us: kept where the
		 * pools still hold them (SPEC section 4, stability) */
		if (pa_state_load(&p->alloc, p->alloc_path, err, sizeof err))
			proto_log(pp, L_WARN, "ignoring saved allocations: %s", err);
	}
	if (kc->state_file) {
		p->sf = k8s_sf_open(kc->state_file, state_file_changed, p, err, sizeof err);
		if (!p->sf) {
			proto_set_error(pp, "%s", err);
			proto_log(pp, L_ERR, "%s", err);
			return PS_DOWN;
		}
		read_state_file(p, 1);
		return PS_UP;
	}
	p->watch = k8s_watch_start(p, err, sizeof err);
	if (!p->watch) {
		proto_set_error(pp, "%s", err);
		proto_log(pp, L_ERR, "%s", err);
		return PS_DOWN;
	}
	return PS_START;
}

static int k8s_shutdown(struct proto *pp, enum proto_down_reason why)
{
	struct k8s_proto *p = (struct k8s_proto *)pp;

	k8s_sf_close(p->sf);
	p->sf = NULL;
	k8s_watch_stop(p->watch);
	p->watch = NULL;
	rte_withdraw_all(pp);
	routes_flush(p);
	set_clear(&p->slidx, free_slidx);
	set_clear(&p->dirty, free_key);
	defer_free(p->sync_ev);
	p->sync_ev = NULL;
	k8s_db_free(&p->db);
	pa_state_free(&p->alloc);
	p->node_seen = 0;
	p->have_state = 0;
	if (k8s_instance == p) {
		k8s_instance = NULL;
		run_change_hooks();
	}
	return PS_DOWN;
}

static int k8s_reconfigure(struct proto *pp, struct proto_config *n)
{
	struct k8s_proto *p = (struct k8s_proto *)pp;

	/* the core sets p->cf; a new class or write status takes effect on
	 * the next sync, which the config hook runs on this turn */
	k8s_state_changed(p, 1);
	return 1;
}

static void k8s_get_info(struct proto *pp, char *buf, size_t len)
{
	struct k8s_proto *p = (struct k8s_proto *)pp;
	int served = 0, pending = 0;

	if (p->state_error[0] && !p->have_state) {
		snprintf(buf, len, "%s", p->state_error);
		return;
	}
	for (int i = 0; i < p->db.services.n; i++) {
		const struct service *s = p->db.services.obj[i];
		served += s->served;
		pending += s->served && !s->naddrs;
	}
	snprintf(buf, len, "%d services, %d pending%s", served, pending, p->state_error[0] ? ", last read failed" : "");
}

static void k8s_show_details(struct proto *pp, struct cli *c)
{
	struct k8s_proto *p = (struct k8s_proto *)pp;
	const struct k8s_config *kc = kcf(p);

	if (kc->state_file)
		cli_msg(c, -RC_PROTO_DETAILS, "  State file:     %s", kc->state_file);
	else
		k8s_watch_show(p->watch, c);
	cli_msg(c, -RC_PROTO_DETAILS, "  Objects:        %d services, %d endpoint slices, %d nodes", p->db.services.n,
		p->db.slices.n, p->db.nodes.n);
	cli_msg(c, -RC_PROTO_DETAILS, "  Reads:          %lu (%lu failed)", p->reads, p->read_errors);
	cli_msg(c, -RC_PROTO_DETAILS, "  Syncs:          %lu, last took %.2f ms and looked at %d services", p->syncs,
		p->last_sync_ms, p->last_sync_looked);
	size_t live = 0;
	for (size_t i = 0; i < p->rsize; i++)
		live += p->routes[i].rta != NULL;	/* rcount counts tombstones too */
	cli_msg(c, -RC_PROTO_DETAILS, "  Routes:         %zu in the table", live);
	if (p->check_syncs)
		cli_msg(c, -RC_PROTO_DETAILS, "  Sync checks:    %lu, %lu found differences", p->checks, p->check_errors);
	if (p->node_blocked)
		cli_msg(c, -RC_PROTO_DETAILS, "  Node:           %s", p->node_why);
	if (p->state_error[0])
		cli_msg(c, -RC_PROTO_DETAILS, "  Last error:     %s", p->state_error);
}

static void k8s_show_json(struct proto *pp, json_t *obj)
{
	struct k8s_proto *p = (struct k8s_proto *)pp;
	const struct k8s_config *kc = kcf(p);

	json_object_set_new(obj, "source", json_string(kc->state_file ? "state file" : "api"));
	json_object_set_new(obj, "services", json_integer(p->db.services.n));
	json_object_set_new(obj, "endpoint_slices", json_integer(p->db.slices.n));
	json_object_set_new(obj, "nodes", json_integer(p->db.nodes.n));
	json_object_set_new(obj, "reads", json_integer((json_int_t)p->reads));
	json_object_set_new(obj, "read_errors", json_integer((json_int_t)p->read_errors));
	json_object_set_new(obj, "last_sync_ms", json_real(p->last_sync_ms));
	if (p->state_error[0])
		json_object_set_new(obj, "last_error", json_string(p->state_error));
}

/* A reload may change pools: allocate again with the new ones. */
static void k8s_config_hook(struct config *old, struct config *new)
{
	if (k8s_instance && k8s_instance->p.state == PS_UP && old) {
		k8s_instance->alloc_dirty = 1;
		k8s_instance->full_sync = 1;
		k8s_sync(k8s_instance);
	}
}

static void k8s_class_init(void)
{
	config_hook_add(k8s_config_hook);
	k8s_show_init();
}

struct proto_class proto_kubernetes = {
	.name = "kubernetes",
	.label = "Kubernetes",
	.config_size = sizeof(struct k8s_config),
	.proto_size = sizeof(struct k8s_proto),
	.max_instances = 1,
	.class_init = k8s_class_init,
	.init_config = k8s_init_config,
	.copy_config = k8s_copy_config,
	.postconfig = k8s_postconfig,
	.compare = k8s_compare,
	.dump_config = k8s_dump_config,
	.start = k8s_start,
	.shutdown = k8s_shutdown,
	.reconfigure = k8s_reconfigure,
	.get_info = k8s_get_info,
	.show_details = k8s_show_details,
	.show_json = k8s_show_json,
};
