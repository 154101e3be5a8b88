/*
 * metalbird -- the Service model
 *
 * What metalbird knows of the cluster: Services, EndpointSlices and Nodes,
 * reduced to the fields that allocation and announcement read (SPEC section
 * 4).  The Kubernetes source fills a struct k8s_db from a state file or from
 * the API server (proto/kubernetes/decode.c); the pool allocator
 * (nest/pool_alloc.c) reads the Services and writes each one's addresses
 * and, when it has none, the reason in words.
 *
 * Every object owns its strings (malloc'd); svc_free() and friends release
 * one object whole, so a watch event can replace a single object.
 */
#ifndef MB_SERVICE_H
#define MB_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"
#include "nest/route.h"
#include "nest/selector.h"

/* spec.ipFamilyPolicy */
enum svc_family_policy { SVC_SINGLE_STACK, SVC_PREFER_DUAL, SVC_REQUIRE_DUAL };

struct svc_port {
	char proto[8];		/* "TCP", "UDP", "SCTP" */
	int port;
};

#define SVC_MAX_ADDRS 2		/* one per family */
#define SVC_REASON_LEN 160

struct service {
	char *namespace, *name;
	char *key;			/* "namespace/name" */
	char *uid;
	char *resource_version;
	char *created_text;		/* metadata.creationTimestamp as given */
	int64_t created;		/* the same in seconds since the epoch */
	struct kv_list *labels;		/* sorted by key; never NULL */
	struct kv_list *annotations;	/* sorted by key; never NULL */
	int is_lb;			/* spec.type == LoadBalancer */
	char *lb_class;			/* spec.loadBalancerClass, or NULL */
	char *lb_ip;			/* spec.loadBalancerIP, or NULL */
	int families[2], nfamilies;	/* spec.ipFamilies: AF_IP4 / AF_IP6 */
	enum svc_family_policy family_policy;
	enum k8s_policy traffic_policy;	/* spec.externalTrafficPolicy (default Cluster) */
	struct svc_port *ports;
	int nports;
	char *selector_key;		/* spec.selector as "k=v,k=v" sorted; NULL = none */
	ip_addr ingress[SVC_MAX_ADDRS];	/* status.loadBalancer.ingress[].ip */
	int ningress;

	/* written by the allocator */
	ip_addr addrs[SVC_MAX_ADDRS];	/* allocated, in ipFamilies order */
	int naddrs;
	const char *pool;		/* pool name (owned by the config), or NULL */
	char reason[SVC_REASON_LEN];	/* why pending, "" when allocated or not served */
	int served;			/* LoadBalancer of our class */
	int changed;			/* allocation differs from the previous run */

	/* filled by k8s_db_count_endpoints() from the EndpointSlices */
	int ep_total, ep_local;		/* serving endpoints: all, on this node */
	struct epslice **slices;	/* this Service's slices (valid until the db changes) */
	int nslices, slices_size;

	/* the source's interned route attributes of this Service, kept while
	 * the object and its pool stay (a reference; released by svc_free) */
	struct rta *rta_cache;
	const char *rta_pool;
};

struct svc_endpoint {
	char *node;			/* nodeName, or NULL */
	int serving;			/* ready true/absent, or serving true */
};

struct epslice {
	char *namespace, *name, *key;
	char *service;			/* label kubernetes.io/service-name */
	char *resource_version;
	struct svc_endpoint *eps;
	int neps;
};

struct k8s_node {
	char *name;
	char *resource_version;
	struct kv_list *labels;
	int ready;			/* condition Ready is True */
	int network_unavailable;	/* condition NetworkUnavailable is True */
};

/*
 * A set of objects keyed by a string ("ns/name", or the node name), kept
 * sorted so that lookups are binary searches and iteration is ordered.
 */
struct k8s_set {
	void **obj;
	const char **keys;		/* keys[i] belongs to obj[i] */
	int n, size;
};

struct k8s_db {
	struct k8s_set services, slices, nodes;
};

/* Labels and annotations */
struct kv_list *kv_list_new(int n);		/* n empty slots, caller fills then kv_list_sort */
void kv_list_sort(struct kv_list *l);
void kv_list_free(struct kv_list *l);
/* A label_set view of a kv_list for selectors; keys/values point into l. */
void kv_list_labels(const struct kv_list *l, struct label_set *out, const char **keys, const char **values);

/* Objects */
struct service *svc_new(void);
void svc_free(struct service *s);
void epslice_free(struct epslice *e);
void k8s_node_free(struct k8s_node *n);
/* An annotation, looked up by its stable name first, then the legacy
 * metallb.universe.tf one ("loadBalancerIPs" -> metallb.io/..., ...). */
const char *svc_metallb_annotation(const struct service *s, const char *suffix);
/* Do the Services' ports collide (same protocol and port)? */
int svc_ports_collide(const struct service *a, const struct service *b);
/* Oldest first: creationTimestamp, then namespace/name. */
int svc_cmp_age(const struct service *a, const struct service *b);

/* Sets */
void *k8s_set_get(const struct k8s_set *s, const char *key);
/* Insert or replace; returns the object replaced (to free) or NULL. */
void *k8s_set_put(struct k8s_set *s, const char *key, void *obj);
void *k8s_set_del(struct k8s_set *s, const char *key);

void k8s_db_init(struct k8s_db *db);
void k8s_db_free(struct k8s_db *db);
/* Recount each Service's serving endpoints (total, and on node `self`). */
void k8s_db_count_endpoints(struct k8s_db *db, const char *self);

/* RFC 3339 timestamp ("2024-05-01T10:00:00Z") to seconds; -1 on error. */
int64_t k8s_parse_time(const char *s);

#endif
