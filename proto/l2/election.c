/*
 * metalbird -- layer-2 election
 *
 * Which node answers ARP and Neighbor Solicitations for a Service address.
 * Every node computes it alone from the same Kubernetes state, with no
 * messages between nodes, and the rule is MetalLB's own
 * (speaker/layer2_controller.go, ShouldAnnounce) so that a cluster that
 * migrates from MetalLB node by node keeps one owner per address (SPEC
 * section 3, protocol l2):
 *
 *   - nobody announces a Service without a serving endpoint;
 *   - eligible nodes are Ready, not NetworkUnavailable, not labelled
 *     node.kubernetes.io/exclude-from-external-load-balancers, matched by
 *     the protocol's node selector, and for externalTrafficPolicy Local
 *     hosting a serving endpoint of the Service;
 *   - they are ordered by SHA-256(node name + "#" + the Service's first
 *     address as text), compared bytewise, and the first one wins.  The
 *     first address keys both families of a dual-stack Service, so both
 *     follow one winner.
 *
 * The functions here only read the model; nothing is cached, so a change
 * of any Node, EndpointSlice or Service is seen by the next call.
 */
#include "proto/l2/election.h"
#include "nest/selector.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *l2_inelig_text(enum l2_inelig r)
{
	switch (r) {
	case L2_ELIGIBLE: return "eligible";
	case L2_NOT_READY: return "node not Ready";
	case L2_NET_UNAVAILABLE: return "node NetworkUnavailable";
	case L2_EXCLUDED: return "node excluded from external load balancers";
	case L2_NOT_SELECTED: return "node not matched by the node selector";
	case L2_NO_LOCAL_EP: return "no serving endpoint on the node (Local policy)";
	}
	return "?";
}

int l2_elect_key(const char *node, ip_addr first, uint8_t out[32])
{
	char addr[IP_STRLEN];
	unsigned len = 0;
	int ok;

	ip_ntop(first, addr);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, node, strlen(node)) == 1 &&
	     EVP_DigestUpdate(ctx, "#", 1) == 1 &&
	     EVP_DigestUpdate(ctx, addr, strlen(addr)) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int l2_svc_first_addr(const struct service *s, ip_addr *out)
{
	if (s->naddrs > 0) {
		*out = s->addrs[0];
		return 1;
	}
	if (s->ningress > 0) {
		*out = s->ingress[0];
		return 1;
	}
	return 0;
}

static int slice_of(const struct epslice *e, const struct service *s)
{
	return e->service && e->namespace && s->namespace && s->name &&
	       !strcmp(e->service, s->name) && !strcmp(e->namespace, s->namespace);
}

int l2_svc_has_endpoint(const struct k8s_db *db, const struct service *s, const char *node)
{
	for (int i = 0; i < db->slices.n; i++) {
		const struct epslice *e = db->slices.obj[i];
		if (!slice_of(e, s))
			continue;
		for (int j = 0; j < e->neps; j++) {
			if (!e->eps[j].serving)
				continue;
			if (!node || (e->eps[j].node && !strcmp(e->eps[j].node, node)))
				return 1;
		}
	}
	return 0;
}

enum l2_inelig l2_node_eligible(const struct k8s_db *db, const struct service *s, const struct k8s_node *n,
				const struct selector *sel)
{
	if (!n->ready)
		return L2_NOT_READY;
	if (n->network_unavailable)
		return L2_NET_UNAVAILABLE;
	if (n->labels && kv_get(n->labels, L2_EXCLUDE_LABEL))
		return L2_EXCLUDED;
	if (sel) {
		int cnt = n->labels ? n->labels->n : 0;
		const char *keys[cnt + 1], *values[cnt + 1];
		struct label_set ls;
		kv_list_labels(n->labels, &ls, keys, values);
		if (!selector_match(sel, &ls))
			return L2_NOT_SELECTED;
	}
	if (s->traffic_policy == K8S_POLICY_LOCAL && db && !l2_svc_has_endpoint(db, s, n->name))
		return L2_NO_LOCAL_EP;
	return L2_ELIGIBLE;
}

/* Does any of the slices (all of one Service) have a serving endpoint on node? */
static int slices_serve_on(const struct epslice *const *sl, int n, const char *node)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < sl[i]->neps; j++)
			if (sl[i]->eps[j].serving && sl[i]->eps[j].node && !strcmp(sl[i]->eps[j].node, node))
				return 1;
	return 0;
}

const char *l2_elect(const struct k8s_db *db, const struct service *s, const struct selector *sel)
{
	const char *best = NULL;
	uint8_t best_key[32], key[32];
	ip_addr first;
	int nsl = 0, serving = 0;

	if (!l2_svc_first_addr(s, &first))
		return NULL;
	/* the Service's slices, gathered once: a Local Service is then checked
	 * per node against these only, not against every slice of the cluster */
	const struct epslice **sl = malloc(sizeof *sl * (size_t)(db->slices.n ? db->slices.n : 1));
	if (!sl)
		return NULL;
	for (int i = 0; i < db->slices.n; i++) {
		const struct epslice *e = db->slices.obj[i];
		if (!slice_of(e, s))
			continue;
		sl[nsl++] = e;
		for (int j = 0; j < e->neps; j++)
			serving |= e->eps[j].serving;
	}
	for (int i = 0; serving && i < db->nodes.n; i++) {
		const struct k8s_node *n = db->nodes.obj[i];
		if (!n->name)
			continue;
		/* Local is checked here, against the gathered slices */
		enum l2_inelig r = l2_node_eligible(NULL, s, n, sel);
		if (r == L2_ELIGIBLE && s->traffic_policy == K8S_POLICY_LOCAL && !slices_serve_on(sl, nsl, n->name))
			r = L2_NO_LOCAL_EP;
		if (r != L2_ELIGIBLE)
			continue;
		if (l2_elect_key(n->name, first, key) < 0)
			continue;
		/* bytewise, as Go's bytes.Compare; ties (equal hashes cannot
		 * happen for distinct names) keep the first in name order */
		if (!best || memcmp(key, best_key, sizeof key) < 0) {
			best = n->name;
			memcpy(best_key, key, sizeof key);
		}
	}
	free(sl);
	return best;
}

const struct service *l2_svc_lookup(const struct k8s_db *db, const char *ns, const char *name, ip_addr addr)
{
	if (ns && name) {
		char key[512];
		snprintf(key, sizeof key, "%s/%s", ns, name);
		return k8s_set_get(&db->services, key);
	}
	for (int i = 0; i < db->services.n; i++) {
		const struct service *s = db->services.obj[i];
		for (int j = 0; j < s->naddrs; j++)
			if (ip_equal(s->addrs[j], addr))
				return s;
		for (int j = 0; j < s->ningress; j++)
			if (ip_equal(s->ingress[j], addr))
				return s;
	}
	return NULL;
}
