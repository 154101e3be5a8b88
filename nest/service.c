/*
 * metalbird -- the Service model
 *
 * Objects of the cluster (Services, EndpointSlices, Nodes) and the sorted
 * sets that hold them.  Nothing here knows where the objects come from: the
 * Kubernetes source decodes them, the allocator and the announcement rules
 * read them.  Sets are sorted arrays: a state file of ten thousand Services
 * is decoded in one go and then looked up by key, so binary search is all
 * that is needed, and ordered iteration makes every result deterministic.
 */
#include "nest/service.h"
#include "nest/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- labels ------------------------------------------------------------------- */

struct kv_list *kv_list_new(int n)
{
	struct kv_list *l = xzalloc(sizeof *l + (size_t)n * sizeof l->kv[0]);
	l->n = n;
	return l;
}

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	return strcmp(x->key, y->key);
}

void kv_list_sort(struct kv_list *l)
{
	qsort(l->kv, (size_t)l->n, sizeof l->kv[0], kv_cmp);
}

void kv_list_free(struct kv_list *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++) {
		free((char *)l->kv[i].key);
		free((char *)l->kv[i].value);
	}
	free(l);
}

void kv_list_labels(const struct kv_list *l, struct label_set *out, const char **keys, const char **values)
{
	out->n = l ? l->n : 0;
	for (int i = 0; i < out->n; i++) {
		keys[i] = l->kv[i].key;
		values[i] = l->kv[i].value;
	}
	out->keys = keys;
	out->values = values;
}

/* --- objects ------------------------------------------------------------------- */

struct service *svc_new(void)
{
	struct service *s = xzalloc(sizeof *s);
	s->traffic_policy = K8S_POLICY_CLUSTER;
	return s;
}

void svc_free(struct service *s)
{
	if (!s)
		return;
	free(s->namespace);
	free(s->name);
	free(s->key);
	free(s->uid);
	free(s->resource_version);
	free(s->created_text);
	kv_list_free(s->labels);
	kv_list_free(s->annotations);
	free(s->lb_class);
	free(s->lb_ip);
	free(s->ports);
	free(s->selector_key);
	free(s->slices);
	if (s->rta_cache)
		rta_free(s->rta_cache);
	free(s);
}

void epslice_free(struct epslice *e)
{
	if (!e)
		return;
	free(e->namespace);
	free(e->name);
	free(e->key);
	free(e->service);
	free(e->resource_version);
	for (int i = 0; i < e->neps; i++)
		free(e->eps[i].node);
	free(e->eps);
	free(e);
}

void k8s_node_free(struct k8s_node *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->resource_version);
	kv_list_free(n->labels);
	free(n);
}

const char *svc_metallb_annotation(const struct service *s, const char *suffix)
{
	static const char stable[] = "metallb.io/", legacy[] = "metallb.universe.tf/";
	char k[128];
	const char *v;
	size_t n = strlen(suffix);

	/* no printf: the allocator asks this several times per Service per run */
	if (!s->annotations || !s->annotations->n || n + sizeof legacy > sizeof k)
		return NULL;
	/* the stable prefix wins when both are given, as in MetalLB */
	memcpy(k, stable, sizeof stable - 1);
	memcpy(k + sizeof stable - 1, suffix, n + 1);
	if ((v = kv_get(s->annotations, k)))
		return v;
	memcpy(k, legacy, sizeof legacy - 1);
	memcpy(k + sizeof legacy - 1, suffix, n + 1);
	return kv_get(s->annotations, k);
}

int svc_ports_collide(const struct service *a, const struct service *b)
{
	for (int i = 0; i < a->nports; i++)
		for (int j = 0; j < b->nports; j++)
			if (a->ports[i].port == b->ports[j].port && !strcmp(a->ports[i].proto, b->ports[j].proto))
				return 1;
	return 0;
}

int svc_cmp_age(const struct service *a, const struct service *b)
{
	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	int c = strcmp(a->namespace, b->namespace);
	return c ? c : strcmp(a->name, b->name);
}

/* --- sets -------------------------------------------------------------------------- */

static int set_find(const struct k8s_set *s, const char *key, int *pos)
{
	int lo = 0, hi = s->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int c = strcmp(s->keys[mid], key);
		if (!c) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

void *k8s_set_get(const struct k8s_set *s, const char *key)
{
	int pos;
	return set_find(s, key, &pos) ? s->obj[pos] : NULL;
}

void *k8s_set_put(struct k8s_set *s, const char *key, void *obj)
{
	int pos;

	if (set_find(s, key, &pos)) {
		void *old = s->obj[pos];
		s->obj[pos] = obj;
		s->keys[pos] = key;
		return old;
	}
	if (s->n == s->size) {
		s->size = s->size ? s->size * 2 : 64;
		s->obj = xrealloc(s->obj, (size_t)s->size * sizeof *s->obj);
		s->keys = xrealloc(s->keys, (size_t)s->size * sizeof *s->keys);
	}
	/* objects usually arrive in key order (kubectl sorts): appending is the
	 * common case and costs nothing to move */
	memmove(&s->obj[pos + 1], &s->obj[pos], (size_t)(s->n - pos) * sizeof *s->obj);
	memmove(&s->keys[pos + 1], &s->keys[pos], (size_t)(s->n - pos) * sizeof *s->keys);
	s->obj[pos] = obj;
	s->keys[pos] = key;
	s->n++;
	return NULL;
}

void *k8s_set_del(struct k8s_set *s, const char *key)
{
	int pos;

	if (!set_find(s, key, &pos))
		return NULL;
	void *old = s->obj[pos];
	memmove(&s->obj[pos], &s->obj[pos + 1], (size_t)(s->n - pos - 1) * sizeof *s->obj);
	memmove(&s->keys[pos], &s->keys[pos + 1], (size_t)(s->n - pos - 1) * sizeof *s->keys);
	s->n--;
	return old;
}

void k8s_db_init(struct k8s_db *db)
{
	memset(db, 0, sizeof *db);
}

void k8s_db_free(struct k8s_db *db)
{
	for (int i = 0; i < db->services.n; i++)
		svc_free(db->services.obj[i]);
	for (int i = 0; i < db->slices.n; i++)
		epslice_free(db->slices.obj[i]);
	for (int i = 0; i < db->nodes.n; i++)
		k8s_node_free(db->nodes.obj[i]);
	free(db->services.obj);
	free(db->services.keys);
	free(db->slices.obj);
	free(db->slices.keys);
	free(db->nodes.obj);
	free(db->nodes.keys);
	memset(db, 0, sizeof *db);
}

void k8s_db_count_endpoints(struct k8s_db *db, const char *self)
{
	char key[512];

	for (int i = 0; i < db->services.n; i++) {
		struct service *s = db->services.obj[i];
		s->ep_total = s->ep_local = 0;
		s->nslices = 0;
	}
	for (int i = 0; i < db->slices.n; i++) {
		struct epslice *e = db->slices.obj[i];
		if (!e->service)
			continue;
		/* no printf here: this runs for every slice on every sync */
		size_t nl = strlen(e->namespace), sl = strlen(e->service);
		if (nl + sl + 2 > sizeof key)
			continue;
		memcpy(key, e->namespace, nl);
		key[nl] = '/';
		memcpy(key + nl + 1, e->service, sl + 1);
		struct service *s = k8s_set_get(&db->services, key);
		if (!s)
			continue;
		/* an index for whoever needs endpoints per node (layer 2
		 * election): no scan of every slice per Service */
		if (s->nslices == s->slices_size) {
			s->slices_size = s->slices_size ? 2 * s->slices_size : 2;
			s->slices = xrealloc(s->slices, (size_t)s->slices_size * sizeof *s->slices);
		}
		s->slices[s->nslices++] = e;
		for (int j = 0; j < e->neps; j++) {
			if (!e->eps[j].serving)
				continue;
			s->ep_total++;
			if (self && e->eps[j].node && !strcmp(e->eps[j].node, self))
				s->ep_local++;
		}
	}
}

/* --- time ----------------------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int64_t k8s_parse_time(const char *s)
{
	int Y, M, D, h, m, sec;

	/* RFC 3339 as Kubernetes writes it: YYYY-MM-DDTHH:MM:SSZ, fractions and
	 * numeric offsets allowed */
	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &Y) || digits(s + 5, 2, &M) || digits(s + 8, 2, &D) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &m) || digits(s + 17, 2, &sec))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (strlen(p) < 6 || p[3] != ':' || digits(p + 1, 2, &oh) || digits(p + 4, 2, &om))
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m,
			 .tm_sec = sec };
	return (int64_t)timegm(&tm) - off;
}
