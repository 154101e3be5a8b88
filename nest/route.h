/*
 * metalbird -- routes and their attributes
 *
 * A route is a prefix, its source protocol and a pointer to an attribute set
 * (struct rta).  Attribute sets are interned (STYLE.md item 6): equal sets
 * are one shared, reference-counted object, so a million routes of one pool
 * with the same communities cost one rta, and the BGP update builder can
 * bucket prefixes by rta pointer.  An interned rta is immutable; to change
 * one, copy it into a scratch struct (rta_copy_tmp), change that, and intern
 * the result (rta_lookup).
 *
 * The fields are exactly the route attributes that filters read and write
 * (SPEC section 3): the Kubernetes ones set by the source, and the BGP ones
 * that export filters set for BGP.
 */
#ifndef MB_ROUTE_H
#define MB_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"

/* An immutable blob: AS path, community lists. */
struct adata {
	uint32_t length;	/* bytes of data */
	uint8_t data[];
};

/* One label or annotation of a Service. */
struct kv {
	const char *key, *value;
};
struct kv_list {
	int n;			/* sorted by key */
	struct kv kv[];
};

/* Which optional attributes an rta carries (rta.set). */
#define RTA_MED		0x01
#define RTA_LOCAL_PREF	0x02
#define RTA_NEXT_HOP	0x04	/* absent: next hop self (the session's address) */
#define RTA_ORIGIN	0x08	/* absent: IGP */

enum k8s_policy { K8S_POLICY_NONE, K8S_POLICY_CLUSTER, K8S_POLICY_LOCAL };

/* AS path segments in bgp_path: type (1 byte: 1 AS_SET, 2 AS_SEQUENCE),
 * count (1 byte), then count ASNs as uint32 in host order (unaligned:
 * read with memcpy). */
#define AS_PATH_SET 1
#define AS_PATH_SEQUENCE 2

struct rta {
	struct rta *next;		/* hash chain of the intern table */
	uint32_t hash;			/* of the contents */
	uint32_t uc;			/* references; 0 for a scratch copy */
	/* from the source (Kubernetes; NULL when absent) */
	const char *pool;
	const char *k8s_namespace;
	const char *k8s_service;
	uint8_t k8s_traffic_policy;	/* enum k8s_policy */
	const struct kv_list *k8s_labels;
	const struct kv_list *k8s_annotations;
	/* BGP attributes, set by export filters (and by received UPDATEs) */
	uint8_t set;			/* RTA_* */
	uint8_t bgp_origin;		/* 0 IGP, 1 EGP, 2 INCOMPLETE */
	uint32_t bgp_med;
	uint32_t bgp_local_pref;
	ip_addr bgp_next_hop;
	const struct adata *bgp_path;		/* NULL = empty */
	const struct adata *bgp_community;	/* uint32 (asn << 16 | value), sorted, unique; NULL = none */
	const struct adata *bgp_large_community;	/* uint32 triples, sorted, unique; NULL = none */
};

/* Intern: return the shared rta equal to tmp (by value: strings, blobs and
 * label lists by content), with one more reference.  tmp is not consumed;
 * what the shared rta needs is copied. */
struct rta *rta_lookup(const struct rta *tmp);
struct rta *rta_clone(struct rta *a);		/* one more reference */
void rta_free(struct rta *a);			/* one less; freed at zero */
/* A scratch copy of a (uc 0) for a filter to modify, then rta_lookup(). */
void rta_copy_tmp(struct rta *dst, const struct rta *src);
int rta_equal(const struct rta *a, const struct rta *b);
/* The empty attribute set (interned, never freed). */
struct rta *rta_empty(void);
/* Number of interned sets and their bytes, for `show memory`. */
size_t rta_count(void);
size_t rta_memory(void);

/* Blobs: a new adata (malloc'd) holding len bytes; scratch copies made by
 * filters are owned by the filter run and freed by it. */
struct adata *adata_new(const void *data, uint32_t len);
int adata_equal(const struct adata *a, const struct adata *b);

/* --- the route table (nest/rt-table.c) ------------------------------------ */

struct proto;

/* A source protocol announces (a != NULL, interned; the table takes its own
 * reference) or withdraws (a == NULL) its route for net.  Exporting
 * channels hear of the change (batched, on a later loop turn). */
void rte_update(struct proto *src, const net_addr *net, struct rta *a);
/* Withdraw every route of a source (it stops). */
void rte_withdraw_all(struct proto *src);

/* Label lists */
const char *kv_get(const struct kv_list *l, const char *key);

#endif
