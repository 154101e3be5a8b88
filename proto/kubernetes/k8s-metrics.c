/*
 * metalbird -- metrics of the pool allocator
 *
 * The allocator's usage per pool under MetalLB's controller names; it lives
 * beside the Kubernetes source, whose Services it counts, and registers
 * with the metrics registry like every other module.
 */
#include "proto/kubernetes/k8s.h"
#include "nest/mem.h"
#include "nest/metrics.h"
#include "nest/pool.h"
#include "nest/pool_alloc.h"

#include <stdlib.h>

/*
 * The allocator's view, per pool, under MetalLB's controller names
 * (internal/allocator/stats.go).  The Services are those of the running
 * protocol kubernetes, as `show pools` counts them; with none, every
 * address is free.
 */
void k8s_pool_metrics(struct mbuf *b);
void k8s_pool_metrics(struct mbuf *b)
{
	static const struct { const char *name, *help; } fam[] = {
		{ "metallb_allocator_addresses_in_use_total", "Number of IP addresses in use, per pool" },
		{ "metallb_allocator_addresses_total", "Number of usable IP addresses, per pool" },
		{ "metallb_allocator_ipv4_addresses_in_use_total", "Number of IPv4 addresses in use, per pool" },
		{ "metallb_allocator_ipv4_addresses_total", "Number of usable IPv4 addresses, per pool" },
		{ "metallb_allocator_ipv6_addresses_in_use_total", "Number of IPv6 addresses in use, per pool" },
		{ "metallb_allocator_ipv6_addresses_total", "Number of usable IPv6 addresses, per pool" },
		{ "metallb_allocator_services_allocated_total", "Number of Services allocated, per pool" },
	};
	enum { NFAM = sizeof fam / sizeof fam[0] };
	struct service *const *svcs = NULL;
	int n = 0, npools = 0, pending = 0;
	char esc[256];

	if (k8s_instance) {
		svcs = (struct service *const *)k8s_instance->db.services.obj;
		n = k8s_instance->db.services.n;
	}
	for (const struct pool_config *pc = config ? config->pools : NULL; pc; pc = pc->next)
		npools++;
	struct pa_pool_usage *u = npools ? xzalloc(sizeof *u * (size_t)npools) : NULL;
	int i = 0;
	for (const struct pool_config *pc = config ? config->pools : NULL; pc; pc = pc->next)
		pa_pool_usage(pc, svcs, n, &u[i++]);
	for (int k = 0; k < NFAM; k++) {
		metrics_family(b, fam[k].name, "gauge", fam[k].help);
		i = 0;
		for (const struct pool_config *pc = config ? config->pools : NULL; pc; pc = pc->next, i++) {
			const struct pa_pool_usage *x = &u[i];
			unsigned long long v;
			switch (k) {
			case 0: v = x->used4 + x->used6; break;
			case 1: v = x->size4 + x->size6 < x->size4 ? ~0ULL : x->size4 + x->size6; break;
			case 2: v = x->used4; break;
			case 3: v = x->size4; break;
			case 4: v = x->used6; break;
			case 5: v = x->size6; break;
			default: v = (unsigned long long)x->services; break;
			}
			mbuf_printf(b, "%s{pool=\"%s\"} %llu\n", fam[k].name, metrics_escape(pc->name, esc, sizeof esc), v);
		}
	}
	free(u);
	for (int j = 0; j < n; j++)
		if (svcs[j]->served && !svcs[j]->naddrs)
			pending++;
	metrics_family(b, "metalbird_allocator_pending_services", "gauge",
		       "LoadBalancer Services of our class that have no address (pool exhausted, bad request, ...)");
	mbuf_printf(b, "metalbird_allocator_pending_services %d\n", pending);
}

