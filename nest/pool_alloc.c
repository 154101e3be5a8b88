/*
 * metalbird -- the pool allocator
 *
 * One run recomputes every allocation from scratch, in passes over the
 * served Services, oldest first (creationTimestamp, then namespace/name, so
 * that every node reaches the same answer from the same state):
 *
 *  1. keep: a Service that held addresses (previous run, the state file of
 *     the last daemon, or its status.loadBalancer.ingress) keeps them while
 *     the pool still holds them, they still agree with what the Service
 *     requests, and no older Service holds them incompatibly;
 *  2. allocate: every other Service gets addresses by MetalLB's rules
 *     (requested addresses, requested pool, pools that match it by
 *     priority, then the other auto-assign pools in config order; within a
 *     pool the first free address in range order), or stays pending with
 *     the reason in words;
 *  3. reasons: a pending Service's reason is taken again once every address
 *     is handed out, naming the oldest Service in its way, so that a run on
 *     its own result changes nothing, not even the words.
 *
 * Pending Services are retried on every run, so they get addresses as soon
 * as others free them.  Used addresses live in a hash table for the run;
 * each pool and family keeps a cursor below which nothing is free, so ten
 * thousand Services in one pool cost one walk of the pool, not one each.
 */
#include "nest/pool_alloc.h"
#include "nest/mem.h"
#include "nest/selector.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- previous allocations -------------------------------------------------------- */

void pa_state_init(struct pa_state *st)
{
	memset(st, 0, sizeof *st);
}

static void entry_free(struct pa_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->uid);
	free(e->pool);
	free(e->reason);
	free(e);
}

void pa_state_free(struct pa_state *st)
{
	for (int i = 0; i < st->set.n; i++)
		entry_free(st->set.obj[i]);
	free(st->set.obj);
	free(st->set.keys);
	memset(st, 0, sizeof *st);
}

const struct pa_entry *pa_state_get(const struct pa_state *st, const char *key)
{
	return st ? k8s_set_get(&st->set, key) : NULL;
}

static void state_put(struct pa_state *st, struct pa_entry *e)
{
	entry_free(k8s_set_put(&st->set, e->key, e));
}

void pa_state_from_services(struct pa_state *st, struct service *const *svcs, int n)
{
	for (int i = 0; i < n; i++) {
		const struct service *s = svcs[i];
		if (!s->served)
			continue;
		struct pa_entry *e = xzalloc(sizeof *e);
		e->key = xstrdup(s->key);
		e->uid = s->uid ? xstrdup(s->uid) : NULL;
		e->pool = s->pool ? xstrdup(s->pool) : NULL;
		e->naddrs = s->naddrs;
		memcpy(e->addrs, s->addrs, sizeof e->addrs);
		e->reason = s->reason[0] ? xstrdup(s->reason) : NULL;
		state_put(st, e);
	}
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void str_set(char **dst, const char *v)
{
	if (str_eq(*dst, v))
		return;
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

int pa_state_sync(struct pa_state *st, struct service *const *svcs, int n)
{
	unsigned pass = ++st->pass;
	int removed = 0, j = 0;

	for (int i = 0; i < n; i++) {
		const struct service *s = svcs[i];
		if (!s->served)
			continue;
		struct pa_entry *e = k8s_set_get(&st->set, s->key);
		if (!e) {
			e = xzalloc(sizeof *e);
			e->key = xstrdup(s->key);
			k8s_set_put(&st->set, e->key, e);
		}
		str_set(&e->uid, s->uid);
		str_set(&e->pool, s->pool);
		str_set(&e->reason, s->reason[0] ? s->reason : NULL);
		e->naddrs = s->naddrs;
		memcpy(e->addrs, s->addrs, sizeof e->addrs);
		e->seen = pass;
	}
	/* the others go, in one pass over the sorted set */
	for (int i = 0; i < st->set.n; i++) {
		struct pa_entry *e = st->set.obj[i];
		if (e->seen != pass) {
			removed += e->naddrs > 0;
			entry_free(e);
			continue;
		}
		st->set.obj[j] = e;
		st->set.keys[j++] = e->key;
	}
	st->set.n = j;
	return removed;
}

/* A growing string for the state file. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* A JSON string (RFC 8259 section 7), escaped as jansson escapes it. */
static void sb_json(struct sbuf *b, const char *s)
{
	sb_put(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char e[8];
		const char *x = NULL;
		switch (c) {
		case '"': x = "\\\""; break;
		case '\\': x = "\\\\"; break;
		case '\b': x = "\\b"; break;
		case '\f': x = "\\f"; break;
		case '\n': x = "\\n"; break;
		case '\r': x = "\\r"; break;
		case '\t': x = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(e, sizeof e, "\\u%04X", c);
				x = e;
			}
		}
		if (x) {
			sb_str(b, x);
			continue;
		}
		/* the run up to the next byte to escape, at once */
		size_t n = 1;
		while (p[n] && p[n] != '"' && p[n] != '\\' && (unsigned char)p[n] >= 0x20)
			n++;
		sb_put(b, p, n);
		p += n - 1;
	}
	sb_put(b, "\"", 1);
}

/* Written by hand, byte for byte what jansson's json_dumps(JSON_INDENT(1) |
 * JSON_SORT_KEYS) writes: ten thousand entries cost 2 ms instead of 30,
 * and the file is written on every allocation that changes. */
char *pa_state_format(const struct pa_state *st)
{
	struct sbuf b = { 0 };
	char ip[IP_STRLEN];
	int first = 1;

	sb_str(&b, "{\n \"allocations\": [");
	for (int i = 0; i < st->set.n; i++) {
		const struct pa_entry *e = st->set.obj[i];
		if (!e->naddrs || !e->pool)
			continue;
		sb_str(&b, first ? "\n  {\n   \"addresses\": [" : ",\n  {\n   \"addresses\": [");
		first = 0;
		for (int j = 0; j < e->naddrs; j++) {
			sb_str(&b, j ? ",\n    " : "\n    ");
			sb_json(&b, ip_ntop(e->addrs[j], ip));
		}
		sb_str(&b, "\n   ],\n   \"pool\": ");
		sb_json(&b, e->pool);
		sb_str(&b, ",\n   \"service\": ");
		sb_json(&b, e->key);
		if (e->uid) {
			sb_str(&b, ",\n   \"uid\": ");
			sb_json(&b, e->uid);
		}
		sb_str(&b, "\n  }");
	}
	sb_str(&b, first ? "],\n \"version\": 1\n}" : "\n ],\n \"version\": 1\n}");
	return b.p;
}

int pa_state_parse(struct pa_state *st, const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, 0, &je), *arr, *o;
	size_t i;

	if (!doc) {
		snprintf(err, errlen, "line %d: %s", je.line, je.text);
		return -1;
	}
	arr = json_object_get(doc, "allocations");
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "no \"allocations\" array");
		json_decref(doc);
		return -1;
	}
	json_array_foreach(arr, i, o) {
		json_t *svc = json_object_get(o, "service"), *pool = json_object_get(o, "pool");
		json_t *uid = json_object_get(o, "uid"), *addrs = json_object_get(o, "addresses"), *a;
		size_t j;
		if (!json_is_string(svc) || !json_is_string(pool) || !json_is_array(addrs) ||
		    (uid && !json_is_string(uid)) || !strchr(json_string_value(svc), '/')) {
			snprintf(err, errlen, "allocations[%zu]: needs \"service\", \"pool\" and \"addresses\"", i);
			json_decref(doc);
			return -1;
		}
		struct pa_entry *e = xzalloc(sizeof *e);
		e->key = xstrdup(json_string_value(svc));
		e->pool = xstrdup(json_string_value(pool));
		e->uid = uid ? xstrdup(json_string_value(uid)) : NULL;
		json_array_foreach(addrs, j, a) {
			if (e->naddrs == SVC_MAX_ADDRS || !json_is_string(a) ||
			    !ip_pton(json_string_value(a), &e->addrs[e->naddrs])) {
				snprintf(err, errlen, "allocations[%zu].addresses[%zu]: not an address (or more than %d)",
					 i, j, SVC_MAX_ADDRS);
				entry_free(e);
				json_decref(doc);
				return -1;
			}
			e->naddrs++;
		}
		state_put(st, e);
	}
	json_decref(doc);
	return 0;
}

int pa_state_save(const struct pa_state *st, const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	char *text = pa_state_format(st);
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(text);
		return -1;
	}
	/* write, fsync, rename: a crash leaves the old file or the new one,
	 * never half of one */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	free(text);
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "rename %s -> %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	close(fd);
	unlink(tmp);
	free(text);
	return -1;
}

int pa_state_load(struct pa_state *st, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
	} while (r > 0);
	fclose(f);
	char e2[200];
	int rc = pa_state_parse(st, buf, len, e2, sizeof e2);
	if (rc)
		snprintf(err, errlen, "%s: %s", path, e2);
	free(buf);
	return rc;
}

/* --- pools during one run ------------------------------------------------------------ */

struct rpool {
	const struct pool_config *cf;
	int index;			/* config order */
	int has4, has6;
	/* cursor per family: no free address before (range, address) */
	const struct pool_range *cur_r[2];
	ip_addr cur_ip[2];
};

static int fam_i(int af)
{
	return af == AF_IP6;
}

/* Used addresses: open addressing on the address. */
struct used {
	ip_addr ip;
	int in_use;
	struct rpool *pool;
	struct service **holders;
	int nh, cap;
};

struct run {
	struct rpool *pools;
	int npools;
	struct used *tab;
	size_t tsize, tcount;
	const char *lb_class;
	int dry;			/* give() only says it would */
	int would;			/* it would have given */
};

static uint32_t ip_hash(ip_addr a)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 4; i++) {
		h ^= a.w[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

static struct used *used_find(struct run *r, ip_addr a, int create);

static void used_grow(struct run *r)
{
	struct used *old = r->tab;
	size_t osize = r->tsize;

	r->tsize = osize ? osize * 2 : 1024;
	r->tab = xzalloc(r->tsize * sizeof *r->tab);
	r->tcount = 0;
	for (size_t i = 0; i < osize; i++)
		if (old[i].in_use) {
			struct used *u = used_find(r, old[i].ip, 1);
			*u = old[i];
		}
	free(old);
}

static struct used *used_find(struct run *r, ip_addr a, int create)
{
	if (create && (r->tcount + 1) * 2 > r->tsize)
		used_grow(r);
	if (!r->tsize)
		return NULL;
	size_t i = ip_hash(a) & (r->tsize - 1);
	while (r->tab[i].in_use) {
		if (ip_equal(r->tab[i].ip, a))
			return &r->tab[i];
		i = (i + 1) & (r->tsize - 1);
	}
	if (!create)
		return NULL;
	r->tab[i].in_use = 1;
	r->tab[i].ip = a;
	r->tcount++;
	return &r->tab[i];
}

static void used_add(struct run *r, ip_addr a, struct rpool *p, struct service *s)
{
	struct used *u = used_find(r, a, 1);

	u->pool = p;
	if (u->nh == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 2;
		u->holders = xrealloc(u->holders, (size_t)u->cap * sizeof *u->holders);
	}
	u->holders[u->nh++] = s;
}

static struct rpool *rpool_by_name(struct run *r, const char *name)
{
	for (int i = 0; i < r->npools; i++)
		if (!strcmp(r->pools[i].cf->name, name))
			return &r->pools[i];
	return NULL;
}

static int range_has(const struct pool_range *rg, ip_addr a)
{
	return rg->af == ip_af(a) && ip_cmp(rg->first, a) <= 0 && ip_cmp(a, rg->last) <= 0;
}

static struct rpool *rpool_of(struct run *r, ip_addr a)
{
	for (int i = 0; i < r->npools; i++)
		for (const struct pool_range *rg = r->pools[i].cf->ranges; rg; rg = rg->next)
			if (range_has(rg, a))
				return &r->pools[i];
	return NULL;
}

static int rpool_holds(const struct rpool *p, ip_addr a)
{
	for (const struct pool_range *rg = p->cf->ranges; rg; rg = rg->next)
		if (range_has(rg, a))
			return 1;
	return 0;
}

/* MetalLB's ipConfusesBuggyFirmwares: IPv4 .0 and .255 */
static int is_buggy(ip_addr a)
{
	if (!ip_is4(a))
		return 0;
	uint32_t last = ip4_get(a) & 0xff;
	return last == 0 || last == 255;
}

/* --- sharing ------------------------------------------------------------------------ */

/* May s share an address with h?  Returns 1, or 0 with why. */
static int share_with(const struct service *s, const struct service *h, ip_addr a, char *why, size_t len)
{
	char b[IP_STRLEN];
	const char *key = svc_metallb_annotation(s, "allow-shared-ip");
	const char *hk = svc_metallb_annotation(h, "allow-shared-ip");

	if (!key || !*key || !hk || strcmp(key, hk)) {
		snprintf(why, len, "address %s is in use by %s", ip_ntop(a, b), h->key);
		return 0;
	}
	if (svc_ports_collide(s, h)) {
		snprintf(why, len, "address %s is shared with %s, whose ports collide", ip_ntop(a, b), h->key);
		return 0;
	}
	/* MetalLB: both Cluster, or the same backends (selector) */
	if ((s->traffic_policy == K8S_POLICY_LOCAL || h->traffic_policy == K8S_POLICY_LOCAL) &&
	    (!s->selector_key || !h->selector_key || strcmp(s->selector_key, h->selector_key))) {
		snprintf(why, len, "address %s is shared with %s: traffic policy Local needs the same selector on both",
			 ip_ntop(a, b), h->key);
		return 0;
	}
	return 1;
}

/* May s use address u, given who holds it?  Returns 1, or 0 with why,
 * which names the oldest holder in the way: the same words whatever order
 * the holders came in. */
static int share_ok(const struct used *u, const struct service *s, char *why, size_t len)
{
	const struct service *worst = NULL;
	char w1[SVC_REASON_LEN];

	for (int i = 0; i < u->nh; i++) {
		const struct service *h = u->holders[i];
		if (h == s || share_with(s, h, u->ip, w1, sizeof w1))
			continue;
		if (!worst || svc_cmp_age(h, worst) < 0) {
			worst = h;
			snprintf(why, len, "%s", w1);
		}
	}
	return !worst;
}

static int addr_ok(struct run *r, ip_addr a, const struct service *s, char *why, size_t len)
{
	struct used *u = used_find(r, a, 0);
	return !u || share_ok(u, s, why, len);
}

/* --- families ---------------------------------------------------------------------- */

struct want {
	int fam[2], n;		/* families in order */
	int nreq;		/* the first nreq are required, the rest optional */
	ip_addr req[2];		/* requested addresses */
	int nreqaddr;
	struct rpool *pool;	/* requested pool */
};

static void set_reason(struct service *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_reason(struct service *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof s->reason, fmt, ap);
	va_end(ap);
}

/* What the Service asks for; 0, or -1 with the reason set. */
static int service_wants(struct run *r, struct service *s, struct want *w)
{
	const char *ips = svc_metallb_annotation(s, "loadBalancerIPs");
	const char *pool = svc_metallb_annotation(s, "address-pool");
	char b[IP_STRLEN];

	memset(w, 0, sizeof *w);
	if (pool) {
		w->pool = rpool_by_name(r, pool);
		if (!w->pool) {
			set_reason(s, "requested pool \"%.60s\" does not exist", pool);
			return -1;
		}
	}
	if (ips && s->lb_ip) {
		set_reason(s, "service can not have both metallb.io/loadBalancerIPs and spec.loadBalancerIP");
		return -1;
	}
	if (!ips)
		ips = s->lb_ip;
	if (ips) {
		const char *p = ips;
		while (*p) {
			char one[IP_STRLEN + 8];
			size_t n = strcspn(p, ",");
			while (n && (*p == ' ' || *p == '\t'))
				p++, n--;
			size_t m = n;
			while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
				m--;
			if (m >= sizeof one || !m) {
				set_reason(s, "requested address \"%.*s\" is not an IP address", (int)(m > 60 ? 60 : m), p);
				return -1;
			}
			memcpy(one, p, m);
			one[m] = 0;
			ip_addr a;
			if (!ip_pton(one, &a)) {
				set_reason(s, "requested address \"%.60s\" is not an IP address", one);
				return -1;
			}
			if (w->nreqaddr == 2 || (w->nreqaddr == 1 && ip_af(w->req[0]) == ip_af(a))) {
				set_reason(s, "at most one requested address per family");
				return -1;
			}
			w->req[w->nreqaddr++] = a;
			p += n;
			if (*p == ',')
				p++;
		}
		if (!w->nreqaddr) {
			set_reason(s, "requested addresses are empty");
			return -1;
		}
		for (int i = 0; i < w->nreqaddr; i++)
			w->fam[w->n++] = ip_af(w->req[i]);
		w->nreq = w->n;
		if (s->family_policy == SVC_REQUIRE_DUAL && w->n < 2) {
			set_reason(s, "RequireDualStack needs one requested address of each family, got only %s",
				   ip_ntop(w->req[0], b));
			return -1;
		}
		if (s->family_policy == SVC_SINGLE_STACK && w->n > 1) {
			set_reason(s, "SingleStack takes one requested address, got two");
			return -1;
		}
		return 0;
	}
	int first = s->nfamilies ? s->families[0] : AF_IP4;
	int other = first == AF_IP4 ? AF_IP6 : AF_IP4;
	w->fam[w->n++] = first;
	w->nreq = 1;
	if (s->family_policy == SVC_REQUIRE_DUAL) {
		w->fam[w->n++] = s->nfamilies > 1 ? s->families[1] : other;
		w->nreq = 2;
	} else if (s->family_policy == SVC_PREFER_DUAL) {
		w->fam[w->n++] = s->nfamilies > 1 ? s->families[1] : other;
	}
	return 0;
}

/* --- choosing a pool ---------------------------------------------------------------- */

static int pool_limited(const struct pool_config *p)
{
	return p->nnamespaces > 0 || p->service_selector;
}

static int pool_matches(const struct pool_config *p, const struct service *s)
{
	int ok = 1;

	if (p->nnamespaces) {
		ok = 0;
		for (int i = 0; i < p->nnamespaces; i++)
			if (!strcmp(p->namespaces[i], s->namespace))
				ok = 1;
	}
	if (ok && p->service_selector) {
		int n = s->labels ? s->labels->n : 0;
		const char **k = xmalloc((size_t)(n + 1) * sizeof *k), **v = xmalloc((size_t)(n + 1) * sizeof *v);
		struct label_set ls;
		kv_list_labels(s->labels, &ls, k, v);
		ok = selector_match(p->service_selector, &ls);
		free(k);
		free(v);
	}
	return ok;
}

static int rpool_has_af(const struct rpool *p, int af)
{
	return af == AF_IP4 ? p->has4 : p->has6;
}

static int range_index(const struct rpool *p, ip_addr a)
{
	int i = 0;
	for (const struct pool_range *rg = p->cf->ranges; rg; rg = rg->next, i++)
		if (range_has(rg, a))
			return i;
	return -1;
}

/* The lowest free address of family af in p, in range order, from the
 * cursor on; the cursor moves to it. */
static int find_free(struct run *r, struct rpool *p, int af, ip_addr *out)
{
	const struct pool_range *rg = p->cur_r[fam_i(af)];
	ip_addr a = p->cur_ip[fam_i(af)];
	int first = 1, ovf;

	for (; rg; rg = rg->next, first = 0) {
		if (rg->af != af)
			continue;
		if (!first)
			a = rg->first;
		for (;;) {
			if (!(p->cf->avoid_buggy_ips && is_buggy(a)) && !used_find(r, a, 0)) {
				/* everything before a is taken */
				p->cur_r[fam_i(af)] = rg;
				p->cur_ip[fam_i(af)] = a;
				*out = a;
				return 1;
			}
			if (ip_equal(a, rg->last))
				break;
			a = ip_add(a, 1, &ovf);
		}
	}
	return 0;
}

/* The first address of family af in p that s may take: the lowest free
 * one, or a lower one that it may share (MetalLB walks the pool and takes
 * the first address that is free or sharing-compatible). */
static int find_addr(struct run *r, struct rpool *p, int af, const struct service *s, ip_addr *out)
{
	const char *key = svc_metallb_annotation(s, "allow-shared-ip");
	char why[SVC_REASON_LEN];
	int have_share = 0, share_ri = 0;
	ip_addr share = { { 0 } }, freea;

	/* addresses shared are few: look at the used ones of this pool */
	if (key && *key) {
		for (size_t i = 0; i < r->tsize; i++) {
			struct used *u = &r->tab[i];
			if (!u->in_use || u->pool != p || ip_af(u->ip) != af)
				continue;
			if ((p->cf->avoid_buggy_ips && is_buggy(u->ip)) || !share_ok(u, s, why, sizeof why))
				continue;
			int ri = range_index(p, u->ip);
			if (!have_share || ri < share_ri || (ri == share_ri && ip_cmp(u->ip, share) < 0)) {
				have_share = 1;
				share_ri = ri;
				share = u->ip;
			}
		}
	}
	int have_free = find_free(r, p, af, &freea);
	if (have_share && have_free) {
		int fri = range_index(p, freea);
		if (fri < share_ri || (fri == share_ri && ip_cmp(freea, share) < 0))
			have_share = 0;
	}
	if (have_share) {
		*out = share;
		return 1;
	}
	if (have_free) {
		*out = freea;
		return 1;
	}
	return 0;
}

static void give(struct run *r, struct service *s, struct rpool *p, const ip_addr *a, int n)
{
	if (r->dry) {
		r->would = 1;
		return;
	}
	s->pool = p->cf->name;
	s->naddrs = n;
	for (int i = 0; i < n; i++) {
		s->addrs[i] = a[i];
		used_add(r, a[i], p, s);
	}
	s->reason[0] = 0;
}

/* Try one pool: every required family, then the optional one. */
static int try_pool(struct run *r, struct rpool *p, struct service *s, const struct want *w, char *why,
		    size_t len)
{
	ip_addr got[2];
	int n = 0;

	for (int i = 0; i < w->nreq; i++)
		if (!rpool_has_af(p, w->fam[i])) {
			snprintf(why, len, "pool %s has no IPv%d addresses", p->cf->name, w->fam[i]);
			return 0;
		}
	for (int i = 0; i < w->n; i++) {
		if (i >= w->nreq && !rpool_has_af(p, w->fam[i]))
			continue;
		if (!find_addr(r, p, w->fam[i], s, &got[n])) {
			if (i < w->nreq) {
				snprintf(why, len, "pool %s is exhausted (no free IPv%d address)", p->cf->name, w->fam[i]);
				return 0;
			}
			continue;	/* PreferDualStack: the other family is a bonus */
		}
		n++;
	}
	give(r, s, p, got, n);
	return 1;
}

static int cmp_priority(const void *a, const void *b)
{
	const struct rpool *x = *(struct rpool *const *)a, *y = *(struct rpool *const *)b;

	/* lower priority value first; pools without one after those with one;
	 * ties in config order (MetalLB breaks them randomly, we do not) */
	if (x->cf->has_priority != y->cf->has_priority)
		return x->cf->has_priority ? -1 : 1;
	if (x->cf->has_priority && x->cf->priority != y->cf->priority)
		return x->cf->priority < y->cf->priority ? -1 : 1;
	return x->index - y->index;
}

static void allocate_requested(struct run *r, struct service *s, const struct want *w)
{
	struct rpool *p = NULL;
	char b[IP_STRLEN], why[SVC_REASON_LEN];

	for (int i = 0; i < w->nreqaddr; i++) {
		struct rpool *q = rpool_of(r, w->req[i]);
		if (!q) {
			set_reason(s, "requested address %s is not in any pool", ip_ntop(w->req[i], b));
			return;
		}
		if (w->pool && q != w->pool) {
			set_reason(s, "requested address %s is not in the requested pool %s", ip_ntop(w->req[i], b),
				   w->pool->cf->name);
			return;
		}
		if (p && q != p) {
			set_reason(s, "requested addresses are in different pools (%s, %s)", p->cf->name, q->cf->name);
			return;
		}
		p = q;
		if (q->cf->avoid_buggy_ips && is_buggy(w->req[i])) {
			set_reason(s, "requested address %s ends in .0 or .255 and pool %s avoids buggy ips",
				   ip_ntop(w->req[i], b), q->cf->name);
			return;
		}
		if (!addr_ok(r, w->req[i], s, why, sizeof why)) {
			set_reason(s, "%s", why);
			return;
		}
	}
	give(r, s, p, w->req, w->nreqaddr);
}

static void allocate(struct run *r, struct service *s)
{
	struct want w;
	char why[SVC_REASON_LEN] = "";

	if (service_wants(r, s, &w))
		return;
	if (w.nreqaddr) {
		allocate_requested(r, s, &w);
		return;
	}
	if (w.pool) {
		/* a named pool is used even when it says auto assign no */
		if (!try_pool(r, w.pool, s, &w, why, sizeof why))
			set_reason(s, "%s", why);
		return;
	}
	struct rpool **cand = xmalloc((size_t)(r->npools + 1) * sizeof *cand);
	int nc = 0, nlimited;
	for (int i = 0; i < r->npools; i++)
		if (r->pools[i].cf->auto_assign && pool_limited(r->pools[i].cf) && pool_matches(r->pools[i].cf, s))
			cand[nc++] = &r->pools[i];
	qsort(cand, (size_t)nc, sizeof *cand, cmp_priority);
	nlimited = nc;
	for (int i = 0; i < r->npools; i++)
		if (r->pools[i].cf->auto_assign && !pool_limited(r->pools[i].cf))
			cand[nc++] = &r->pools[i];
	for (int i = 0; i < nc; i++) {
		char w1[SVC_REASON_LEN];
		if (try_pool(r, cand[i], s, &w, w1, sizeof w1)) {
			free(cand);
			return;
		}
		if (!why[0])
			snprintf(why, sizeof why, "%s", w1);
		else if (strlen(why) + strlen(w1) + 3 < sizeof why)
			strcat(strcat(why, "; "), w1);
	}
	free(cand);
	if (!nc)
		set_reason(s, "no pool with auto assign serves it (%s)",
			   nlimited || r->npools ? "namespaces or service selector do not match" : "no pools configured");
	else
		set_reason(s, "no free address: %s", why);
}

/* --- pass 1: keep what is still valid ------------------------------------------------- */

static int same_addrs(const ip_addr *a, int na, const ip_addr *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++) {
		int found = 0;
		for (int j = 0; j < nb; j++)
			found |= ip_equal(a[i], b[j]);
		if (!found)
			return 0;
	}
	return 1;
}

static int try_keep(struct run *r, struct service *s, const ip_addr *addrs, int n, struct rpool *p)
{
	struct want w;
	char why[SVC_REASON_LEN];

	if (!p || !n || service_wants(r, s, &w)) {
		s->reason[0] = 0;
		return 0;
	}
	if (w.pool && w.pool != p)
		return 0;
	if (w.nreqaddr && !same_addrs(addrs, n, w.req, w.nreqaddr))
		return 0;
	/* the families must still be what the Service asks for */
	int have[2] = { 0, 0 };
	for (int i = 0; i < n; i++) {
		if (!rpool_holds(p, addrs[i]) || !addr_ok(r, addrs[i], s, why, sizeof why))
			return 0;
		if (have[fam_i(ip_af(addrs[i]))]++)
			return 0;
	}
	for (int i = 0; i < w.nreq; i++)
		if (!have[fam_i(w.fam[i])])
			return 0;
	for (int i = 0; i < n; i++) {
		int listed = 0;
		for (int j = 0; j < w.n; j++)
			listed |= w.fam[j] == ip_af(addrs[i]);
		if (!listed)
			return 0;
	}
	/* in the Service's family order */
	ip_addr ord[2];
	int k = 0;
	for (int j = 0; j < w.n; j++)
		for (int i = 0; i < n; i++)
			if (ip_af(addrs[i]) == w.fam[j])
				ord[k++] = addrs[i];
	give(r, s, p, ord, k);
	return 1;
}

static int keep(struct run *r, struct service *s, const struct pa_state *prev)
{
	const struct pa_entry *e = pa_state_get(prev, s->key);

	/* an entry of an earlier Service of the same name (deleted and made
	 * again) is not this one's */
	if (e && e->uid && s->uid && strcmp(e->uid, s->uid))
		e = NULL;
	if (e && e->naddrs)
		return try_keep(r, s, e->addrs, e->naddrs, rpool_by_name(r, e->pool));
	if (!e && s->ningress) {
		/* status written by an earlier allocator (MetalLB, or us on
		 * another node) */
		struct rpool *p = rpool_of(r, s->ingress[0]);
		for (int i = 1; i < s->ningress; i++)
			if (rpool_of(r, s->ingress[i]) != p)
				return 0;
		return try_keep(r, s, s->ingress, s->ningress, p);
	}
	return 0;
}

/* --- the run ------------------------------------------------------------------------- */

int pa_served(const struct service *s, const char *lb_class)
{
	if (!s->is_lb)
		return 0;
	/* MetalLB --lb-class: without one, only Services without a class */
	if (!lb_class)
		return !s->lb_class;
	return s->lb_class && !strcmp(s->lb_class, lb_class);
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int kv_same(const struct kv_list *a, const struct kv_list *b)
{
	int na = a ? a->n : 0, nb = b ? b->n : 0;

	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (strcmp(a->kv[i].key, b->kv[i].key) || strcmp(a->kv[i].value, b->kv[i].value))
			return 0;
	return 1;
}

int pa_inputs_equal(const struct service *a, const struct service *b)
{
	/* what pa_run and everything it calls read of a Service */
	static const char *const ann[] = { "loadBalancerIPs", "address-pool", "allow-shared-ip" };

	if (a->is_lb != b->is_lb || !str_same(a->lb_class, b->lb_class) || !str_same(a->lb_ip, b->lb_ip) ||
	    a->created != b->created || strcmp(a->namespace, b->namespace) || strcmp(a->name, b->name) ||
	    !str_same(a->uid, b->uid) || a->nfamilies != b->nfamilies || a->family_policy != b->family_policy ||
	    a->traffic_policy != b->traffic_policy || a->nports != b->nports ||
	    !str_same(a->selector_key, b->selector_key) || !kv_same(a->labels, b->labels))
		return 0;
	for (int i = 0; i < a->nfamilies; i++)
		if (a->families[i] != b->families[i])
			return 0;
	for (int i = 0; i < a->nports; i++)
		if (a->ports[i].port != b->ports[i].port || strcmp(a->ports[i].proto, b->ports[i].proto))
			return 0;
	for (size_t i = 0; i < sizeof ann / sizeof ann[0]; i++)
		if (!str_same(svc_metallb_annotation(a, ann[i]), svc_metallb_annotation(b, ann[i])))
			return 0;
	return 1;
}

void pa_copy_result(struct service *to, const struct service *from)
{
	memcpy(to->addrs, from->addrs, sizeof to->addrs);
	to->naddrs = from->naddrs;
	to->pool = from->pool;
	memcpy(to->reason, from->reason, sizeof to->reason);
	to->served = from->served;
	to->changed = 0;	/* what a run would say: the same as last time */
}

void pa_state_forget(struct pa_state *st, const char *key)
{
	entry_free(k8s_set_del(&st->set, key));
}

static int cmp_age(const void *a, const void *b)
{
	return svc_cmp_age(*(struct service *const *)a, *(struct service *const *)b);
}

int pa_run(const struct pool_config *pools, struct service *const *svcs, int n, const char *lb_class,
	   const struct pa_state *prev)
{
	struct run r = { .lb_class = lb_class };
	struct service **ord = xmalloc((size_t)(n + 1) * sizeof *ord);
	int nord = 0, changed = 0;

	for (const struct pool_config *p = pools; p; p = p->next)
		r.npools++;
	r.pools = xzalloc((size_t)(r.npools + 1) * sizeof *r.pools);
	int i = 0;
	for (const struct pool_config *p = pools; p; p = p->next, i++) {
		struct rpool *rp = &r.pools[i];
		rp->cf = p;
		rp->index = i;
		for (const struct pool_range *rg = p->ranges; rg; rg = rg->next) {
			int f = fam_i(rg->af);
			if (!rp->cur_r[f]) {
				rp->cur_r[f] = rg;
				rp->cur_ip[f] = rg->first;
			}
			if (rg->af == AF_IP4)
				rp->has4 = 1;
			else
				rp->has6 = 1;
		}
	}
	for (i = 0; i < n; i++) {
		struct service *s = svcs[i];
		s->served = pa_served(s, lb_class);
		s->naddrs = 0;
		s->pool = NULL;
		s->reason[0] = 0;
		if (s->served)
			ord[nord++] = s;
	}
	qsort(ord, (size_t)nord, sizeof *ord, cmp_age);
	char *done = xzalloc((size_t)nord + 1);
	for (i = 0; i < nord; i++)
		done[i] = (char)keep(&r, ord[i], prev);
	for (i = 0; i < nord; i++)
		if (!done[i])
			allocate(&r, ord[i]);
	/* a pending Service's reason is what stops it once every address is
	 * handed out, not at its turn (when younger Services had not taken
	 * theirs yet): so a run on its own result says the same words, and a
	 * source that skips runs which change nothing loses nothing */
	r.dry = 1;
	for (i = 0; i < nord; i++) {
		struct service *s = ord[i];
		if (!s->naddrs) {
			char was[SVC_REASON_LEN];
			memcpy(was, s->reason, sizeof was);
			s->reason[0] = 0;
			r.would = 0;
			allocate(&r, s);
			if (r.would || !s->reason[0])
				memcpy(s->reason, was, sizeof was);	/* cannot be: nothing was freed */
		}
	}
	for (i = 0; i < nord; i++) {
		struct service *s = ord[i];
		const struct pa_entry *e = pa_state_get(prev, s->key);
		s->changed = !e || !same_addrs(e->addrs, e->naddrs, s->addrs, s->naddrs) ||
			     (s->naddrs && (!e->pool || strcmp(e->pool, s->pool)));
		changed += s->changed;
	}
	for (size_t k = 0; k < r.tsize; k++)
		free(r.tab[k].holders);
	free(r.tab);
	free(r.pools);
	free(done);
	free(ord);
	return changed;
}

/* --- usage ------------------------------------------------------------------------- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return UINT64_MAX - a < b ? UINT64_MAX : a + b;
}

void pa_pool_usage(const struct pool_config *p, struct service *const *svcs, int n, struct pa_pool_usage *u)
{
	memset(u, 0, sizeof *u);
	for (const struct pool_range *rg = p->ranges; rg; rg = rg->next) {
		int64_t d = ip_diff(rg->first, rg->last);
		uint64_t c = d == INT64_MAX ? UINT64_MAX : (uint64_t)d + 1;
		if (rg->af == AF_IP4)
			u->size4 = sat_add(u->size4, c);
		else
			u->size6 = sat_add(u->size6, c);
	}
	/* shared addresses count once: an address is counted by its oldest
	 * holder only, found by scanning (pools are few, Services many, and
	 * sharing is rare) */
	for (int i = 0; i < n; i++) {
		const struct service *s = svcs[i];
		if (!s->pool || strcmp(s->pool, p->name))
			continue;
		u->services++;
		for (int j = 0; j < s->naddrs; j++) {
			int dup = 0;
			if (svc_metallb_annotation(s, "allow-shared-ip"))
				for (int k = 0; k < i && !dup; k++)
					for (int m = 0; m < svcs[k]->naddrs; m++)
						if (svcs[k]->pool && ip_equal(svcs[k]->addrs[m], s->addrs[j]))
							dup = 1;
			if (dup)
				continue;
			if (ip_is4(s->addrs[j]))
				u->used4++;
			else
				u->used6++;
		}
	}
}
