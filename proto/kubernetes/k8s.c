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
	struct rta *rta;	/* our reference; NULL = empty slot */
	int mark;		/* still wanted in this sync */
	int gone;		/* tombstone */
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
	size_t osize = p->rsize;

	p->rsize = osize ? osize * 2 : 256;
	p->routes = xzalloc(p->rsize * sizeof *p->routes);
	p->rcount = 0;
	for (size_t i = 0; i < osize; i++)
		if (old[i].rta) {
			struct k8s_route *r = route_find(p, &old[i].net, 1);
			*r = old[i];
		}
	free(old);
}

/* Slots with rta == NULL and !gone are empty; gone ones are skipped over
 * by lookups and reused by inserts. */
static struct k8s_route *route_find(struct k8s_proto *p, const net_addr *n, int create)
{
	if (create && (p->rcount + 1) * 2 > p->rsize)
		routes_grow(p);
	if (!p->rsize)
		return NULL;
	size_t mask = p->rsize - 1, i = net_hash(n) & mask;
	struct k8s_route *tomb = NULL;
	while (p->routes[i].rta || p->routes[i].gone) {
		if (p->routes[i].rta && net_equal(&p->routes[i].net, n))
			return &p->routes[i];
		if (!p->routes[i].rta && !tomb)
			tomb = &p->routes[i];
		i = (i + 1) & mask;
	}
	if (!create)
		return NULL;
	struct k8s_route *r = tomb ? tomb : &p->routes[i];
	memset(r, 0, sizeof *r);
	r->net = *n;
	if (!tomb)
		p->rcount++;
	return r;
}

static void routes_flush(struct k8s_proto *p)
{
	for (size_t i = 0; i < p->rsize; i++)
		if (p->routes[i].rta)
			rta_free(p->routes[i].rta);
	free(p->routes);
	p->routes = NULL;
	p->rsize = p->rcount = 0;
}

/* --- announcement -------------------------------------------------------------------- */

static const struct k8s_config *kcf(const struct k8s_proto *p)
{
	return (const struct k8s_config *)p->p.cf;
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

static int cmp_age(const void *a, const void *b)
{
	return svc_cmp_age(*(struct service *const *)a, *(struct service *const *)b);
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

static void announce(struct k8s_proto *p)
{
	struct service **ord = xmalloc((size_t)(p->db.services.n + 1) * sizeof *ord);
	int n = 0;
	char why[256];

	/* the oldest Service gives an aggregate its attributes: walk them
	 * oldest first (the order is sorted again only when Services change) */
	if (p->by_age_n != p->db.services.n || p->alloc_sorted_dirty) {
		free(p->by_age);
		p->by_age = xmalloc((size_t)(p->db.services.n + 1) * sizeof *p->by_age);
		memcpy(p->by_age, p->db.services.obj, (size_t)p->db.services.n * sizeof *p->by_age);
		p->by_age_n = p->db.services.n;
		qsort(p->by_age, (size_t)p->by_age_n, sizeof *p->by_age, cmp_age);
		p->alloc_sorted_dirty = 0;
	}
	for (int i = 0; i < p->by_age_n; i++) {
		struct service *s = p->by_age[i];
		k8s_announce_why(p, s, why, sizeof why);
		if (!why[0])
			ord[n++] = s;
	}
	for (size_t i = 0; i < p->rsize; i++)
		p->routes[i].mark = 0;
	for (int i = 0; i < n; i++) {
		struct service *s = ord[i];
		const struct pool_config *pc = config ? pool_find(config, s->pool) : NULL;
		struct rta *a = NULL;
		if (!pc)
			continue;
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
				struct k8s_route *r = route_find(p, &net, 0);
				if (r && r->mark)
					continue;	/* an older Service has it */
				if (!a)
					a = service_rta(s);
				if (!r) {
					r = route_find(p, &net, 1);
					r->rta = rta_clone(a);
					rte_update(&p->p, &net, r->rta);
				} else if (r->rta != a) {
					rta_free(r->rta);
					r->rta = rta_clone(a);
					rte_update(&p->p, &net, r->rta);
				}
				r->mark = 1;
			}
		}
		if (a)
			rta_free(a);
	}
	for (size_t i = 0; i < p->rsize; i++) {
		struct k8s_route *r = &p->routes[i];
		if (r->rta && !r->mark) {
			rte_update(&p->p, &r->net, NULL);
			rta_free(r->rta);
			r->rta = NULL;
			r->gone = 1;
		}
	}
	free(ord);
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
	struct pa_state next;
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
	pa_state_init(&next);
	pa_state_from_services(&next, (struct service *const *)p->db.services.obj, p->db.services.n);
	int removed = 0;
	for (int i = 0; i < p->alloc.set.n; i++) {
		const struct pa_entry *e = p->alloc.set.obj[i];
		if (e->naddrs && !pa_state_get(&next, e->key))
			removed++;
	}
	pa_state_free(&p->alloc);
	p->alloc = next;
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
	k8s_db_count_endpoints(&p->db, daemon_node_name);
	node_update(p);
	int changed = 0;
	double t_alloc = 0, t_log = 0;
	/* endpoints and nodes alone do not move addresses: allocate only
	 * when Services, pools or the class changed */
	if (p->alloc_dirty) {
		p->alloc_sorted_dirty = 1;
		changed = allocate_and_log(p, &t0, &t_alloc, &t_log);
	} else {
		t_alloc = t_log = ms_since(&t0);
	}
	p->alloc_dirty = 0;
	double t_save = ms_since(&t0);
	announce(p);
	double t_ann = ms_since(&t0);
	if (p->watch)
		k8s_watch_status_changed(p->watch);
	p->syncs++;
	run_change_hooks();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->last_sync_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	proto_trace(&p->p, D_EVENTS,
		    "synced %d services in %.2f ms (%d changed): allocate %.2f, log %.2f, save %.2f, announce %.2f ms",
		    p->db.services.n, p->last_sync_ms, changed, t_alloc, t_log - t_alloc, t_save - t_log,
		    t_ann - t_save);
}

static void sync_ev(void *data)
{
	k8s_sync(data);
}

void k8s_state_changed(struct k8s_proto *p, int services)
{
	p->alloc_dirty |= services;
	defer_schedule(p->sync_ev);
}

void k8s_set_state(struct k8s_proto *p, struct k8s_db *db)
{
	k8s_db_free(&p->db);
	p->db = *db;
	p->have_state = 1;
	p->alloc_dirty = 1;
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
	p->alloc_dirty = 1;
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
	free(p->by_age);
	p->by_age = NULL;
	p->by_age_n = 0;
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
	cli_msg(c, -RC_PROTO_DETAILS, "  Syncs:          %lu, last took %.2f ms", p->syncs, p->last_sync_ms);
	size_t live = 0;
	for (size_t i = 0; i < p->rsize; i++)
		live += p->routes[i].rta != NULL;	/* rcount counts tombstones too */
	cli_msg(c, -RC_PROTO_DETAILS, "  Routes:         %zu in the table", live);
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
