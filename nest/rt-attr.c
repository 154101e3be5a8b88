/*
 * metalbird -- interned route attribute sets
 *
 * A hash table of every rta in use, keyed by contents.  rta_lookup() finds
 * the equal one or makes a deep copy that owns its strings and blobs, so
 * the interned set never points into a filter's scratch memory or a Service
 * object that may go away.  The table doubles when it is twice as full as it
 * is wide.
 */
#include "nest/route.h"
#include "nest/mem.h"

#include <stdlib.h>
#include <string.h>

static struct rta **table;
static uint32_t table_size, table_count;
static size_t table_bytes;
static struct rta *empty;

static uint32_t mix(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t mix_str(uint32_t h, const char *s)
{
	return s ? mix(h, s, strlen(s) + 1) : mix(h, "", 0) * 31u;
}

static uint32_t mix_adata(uint32_t h, const struct adata *a)
{
	return a ? mix(mix(h, &a->length, 4), a->data, a->length) : h * 33u;
}

static uint32_t mix_kv(uint32_t h, const struct kv_list *l)
{
	if (!l)
		return h * 37u;
	for (int i = 0; i < l->n; i++)
		h = mix_str(mix_str(h, l->kv[i].key), l->kv[i].value);
	return h;
}

static uint32_t rta_hash(const struct rta *a)
{
	uint32_t h = 2166136261u;

	h = mix_str(h, a->pool);
	h = mix_str(h, a->k8s_namespace);
	h = mix_str(h, a->k8s_service);
	h = mix(h, &a->k8s_traffic_policy, 1);
	h = mix_kv(h, a->k8s_labels);
	h = mix_kv(h, a->k8s_annotations);
	h = mix(h, &a->set, 1);
	h = mix(h, &a->bgp_origin, 1);
	if (a->set & RTA_MED)
		h = mix(h, &a->bgp_med, 4);
	if (a->set & RTA_LOCAL_PREF)
		h = mix(h, &a->bgp_local_pref, 4);
	if (a->set & RTA_NEXT_HOP)
		h = mix(h, &a->bgp_next_hop, sizeof a->bgp_next_hop);
	h = mix_adata(h, a->bgp_path);
	h = mix_adata(h, a->bgp_community);
	h = mix_adata(h, a->bgp_large_community);
	return h;
}

static int str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int adata_equal(const struct adata *a, const struct adata *b)
{
	if (a == b)
		return 1;
	/* an empty blob and no blob are the same thing */
	uint32_t la = a ? a->length : 0, lb = b ? b->length : 0;
	return la == lb && (!la || !memcmp(a->data, b->data, la));
}

static int kv_eq(const struct kv_list *a, const struct kv_list *b)
{
	if (a == b)
		return 1;
	int na = a ? a->n : 0, nb = b ? b->n : 0;
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (strcmp(a->kv[i].key, b->kv[i].key) || strcmp(a->kv[i].value, b->kv[i].value))
			return 0;
	return 1;
}

int rta_equal(const struct rta *a, const struct rta *b)
{
	if (a == b)
		return 1;
	return str_eq(a->pool, b->pool) && str_eq(a->k8s_namespace, b->k8s_namespace) &&
	       str_eq(a->k8s_service, b->k8s_service) && a->k8s_traffic_policy == b->k8s_traffic_policy &&
	       kv_eq(a->k8s_labels, b->k8s_labels) && kv_eq(a->k8s_annotations, b->k8s_annotations) &&
	       a->set == b->set && a->bgp_origin == b->bgp_origin &&
	       (!(a->set & RTA_MED) || a->bgp_med == b->bgp_med) &&
	       (!(a->set & RTA_LOCAL_PREF) || a->bgp_local_pref == b->bgp_local_pref) &&
	       (!(a->set & RTA_NEXT_HOP) || ip_equal(a->bgp_next_hop, b->bgp_next_hop)) &&
	       adata_equal(a->bgp_path, b->bgp_path) && adata_equal(a->bgp_community, b->bgp_community) &&
	       adata_equal(a->bgp_large_community, b->bgp_large_community);
}

struct adata *adata_new(const void *data, uint32_t len)
{
	struct adata *a = xmalloc(sizeof *a + len);
	a->length = len;
	if (len)
		memcpy(a->data, data, len);
	return a;
}

static const struct adata *own_adata(const struct adata *a)
{
	if (!a || !a->length)
		return NULL;
	table_bytes += sizeof *a + a->length;
	return adata_new(a->data, a->length);
}

static const char *own_str(const char *s)
{
	if (!s)
		return NULL;
	table_bytes += strlen(s) + 1;
	return xstrdup(s);
}

static const struct kv_list *own_kv(const struct kv_list *l)
{
	if (!l || !l->n)
		return NULL;
	struct kv_list *n = xmalloc(sizeof *n + sizeof(struct kv) * l->n);
	n->n = l->n;
	table_bytes += sizeof *n + sizeof(struct kv) * l->n;
	for (int i = 0; i < l->n; i++) {
		n->kv[i].key = own_str(l->kv[i].key);
		n->kv[i].value = own_str(l->kv[i].value);
	}
	return n;
}

static void free_kv(const struct kv_list *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++) {
		free((void *)l->kv[i].key);
		free((void *)l->kv[i].value);
	}
	free((void *)l);
}

static void grow(void)
{
	uint32_t size = table_size ? table_size * 2 : 1024;
	struct rta **t = xzalloc(sizeof(struct rta *) * size);

	for (uint32_t i = 0; i < table_size; i++)
		for (struct rta *a = table[i], *n; a; a = n) {
			n = a->next;
			a->next = t[a->hash & (size - 1)];
			t[a->hash & (size - 1)] = a;
		}
	free(table);
	table = t;
	table_size = size;
}

struct rta *rta_lookup(const struct rta *tmp)
{
	uint32_t h = rta_hash(tmp);

	if (!table_size)
		grow();
	for (struct rta *a = table[h & (table_size - 1)]; a; a = a->next)
		if (a->hash == h && rta_equal(a, tmp)) {
			a->uc++;
			return a;
		}
	if (table_count >= table_size * 2)
		grow();
	struct rta *a = xmalloc(sizeof *a);
	*a = *tmp;
	a->hash = h;
	a->uc = 1;
	a->pool = own_str(tmp->pool);
	a->k8s_namespace = own_str(tmp->k8s_namespace);
	a->k8s_service = own_str(tmp->k8s_service);
	a->k8s_labels = own_kv(tmp->k8s_labels);
	a->k8s_annotations = own_kv(tmp->k8s_annotations);
	a->bgp_path = own_adata(tmp->bgp_path);
	a->bgp_community = own_adata(tmp->bgp_community);
	a->bgp_large_community = own_adata(tmp->bgp_large_community);
	a->next = table[h & (table_size - 1)];
	table[h & (table_size - 1)] = a;
	table_count++;
	table_bytes += sizeof *a;
	return a;
}

struct rta *rta_clone(struct rta *a)
{
	a->uc++;
	return a;
}

void rta_free(struct rta *a)
{
	if (!a || a == empty || --a->uc)
		return;
	for (struct rta **pp = &table[a->hash & (table_size - 1)]; *pp; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	table_count--;
	table_bytes -= sizeof *a;
	free((void *)a->pool);
	free((void *)a->k8s_namespace);
	free((void *)a->k8s_service);
	free_kv(a->k8s_labels);
	free_kv(a->k8s_annotations);
	free((void *)a->bgp_path);
	free((void *)a->bgp_community);
	free((void *)a->bgp_large_community);
	free(a);
}

void rta_copy_tmp(struct rta *dst, const struct rta *src)
{
	*dst = *src;
	dst->next = NULL;
	dst->uc = 0;
}

struct rta *rta_empty(void)
{
	if (!empty) {
		struct rta z;
		memset(&z, 0, sizeof z);
		empty = rta_lookup(&z);
	}
	return empty;
}

size_t rta_count(void)
{
	return table_count;
}

size_t rta_memory(void)
{
	return table_bytes + sizeof(struct rta *) * table_size;
}

const char *kv_get(const struct kv_list *l, const char *key)
{
	if (!l)
		return NULL;
	int lo = 0, hi = l->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(key, l->kv[mid].key);
		if (!c)
			return l->kv[mid].value;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}
