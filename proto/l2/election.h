/*
 * metalbird -- layer-2 election: which node announces a Service address
 */
#ifndef MB_L2_ELECTION_H
#define MB_L2_ELECTION_H

#include <stdint.h>

#include "nest/ip.h"
#include "nest/service.h"

struct selector;

#define L2_EXCLUDE_LABEL "node.kubernetes.io/exclude-from-external-load-balancers"

/* Why a node is not eligible (l2_node_eligible), for messages. */
enum l2_inelig {
	L2_ELIGIBLE = 0,
	L2_NOT_READY,		/* condition Ready is not True */
	L2_NET_UNAVAILABLE,	/* condition NetworkUnavailable is True */
	L2_EXCLUDED,		/* labelled exclude-from-external-load-balancers */
	L2_NOT_SELECTED,	/* does not match the protocol's node selector */
	L2_NO_LOCAL_EP,		/* Local policy and no serving endpoint here */
};
const char *l2_inelig_text(enum l2_inelig r);

/* SHA-256 of node + "#" + address text, the sort key of MetalLB. */
int l2_elect_key(const char *node, ip_addr first, uint8_t out[32]);

/* The Service's first address: the allocated one, else status ingress;
 * returns 0 when it has none. */
int l2_svc_first_addr(const struct service *s, ip_addr *out);

/* Has the Service a serving endpoint on node (NULL: anywhere)? */
int l2_svc_has_endpoint(const struct k8s_db *db, const struct service *s, const char *node);

/* Is node eligible to announce s under the protocol's node selector?  With
 * db NULL the Local-policy endpoint check is left to the caller. */
enum l2_inelig l2_node_eligible(const struct k8s_db *db, const struct service *s, const struct k8s_node *n,
				const struct selector *sel);

/* The elected node for s (a name owned by db), or NULL when nobody
 * announces it: no address, no serving endpoint, no eligible node. */
const char *l2_elect(const struct k8s_db *db, const struct service *s, const struct selector *sel);

/* The Service behind an address: by namespace/name when given, else the
 * served Service that holds addr (allocated or in its status). */
const struct service *l2_svc_lookup(const struct k8s_db *db, const char *ns, const char *name, ip_addr addr);

#endif
