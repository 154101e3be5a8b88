/*
 * metalbird -- the pool allocator
 *
 * Gives each served LoadBalancer Service its addresses from the configured
 * pools, by the rules of SPEC section 4 and MetalLB's allocator
 * (../shared/METALLB.md).  The allocator is a pure function of (pools,
 * Services, previous allocations): it writes each Service's addresses,
 * pool and, when it has none, the reason in words.  Running it again with
 * its own result as the previous allocations changes nothing, which is
 * what makes allocations stable across reloads and restarts; `configure
 * check` runs it on a new config to list what would change.
 */
#ifndef MB_POOL_ALLOC_H
#define MB_POOL_ALLOC_H

#include <stddef.h>

#include "nest/pool.h"
#include "nest/service.h"

/* One previous allocation, by Service key. */
struct pa_entry {
	char *key;			/* "namespace/name" */
	char *uid;			/* NULL: any */
	char *pool;
	ip_addr addrs[SVC_MAX_ADDRS];
	int naddrs;
	char *reason;			/* pending reason last logged, or NULL */
	unsigned seen;			/* pa_state_sync's pass */
};

struct pa_state {
	struct k8s_set set;		/* of struct pa_entry, by key */
	unsigned pass;
};

void pa_state_init(struct pa_state *st);
void pa_state_free(struct pa_state *st);
/* The allocations of the Services as they are now (served ones only). */
void pa_state_from_services(struct pa_state *st, struct service *const *svcs, int n);
/* The same, in place: st ends as pa_state_from_services() would make it
 * from empty, touching only entries that differ.  Returns how many entries
 * with addresses went away. */
int pa_state_sync(struct pa_state *st, struct service *const *svcs, int n);
const struct pa_entry *pa_state_get(const struct pa_state *st, const char *key);

/* Persistence in the state directory: a JSON document
 *   {"version":1,"allocations":[{"service":"ns/name","uid":..,"pool":..,"addresses":[..]}]}
 * written to a temporary file, fsynced and renamed over the old one.  A
 * missing file loads as empty.  Errors return -1 with a message. */
int pa_state_save(const struct pa_state *st, const char *path, char *err, size_t errlen);
int pa_state_load(struct pa_state *st, const char *path, char *err, size_t errlen);
/* The same from/to memory (tests, fuzzing). */
int pa_state_parse(struct pa_state *st, const char *text, size_t len, char *err, size_t errlen);
char *pa_state_format(const struct pa_state *st);

/*
 * Allocate.  pools: the config's pool list (may be NULL).  svcs: every
 * Service (served or not; order does not matter).  lb_class: the
 * `load balancer class` (NULL: only Services without a class).  prev: the
 * previous allocations (may be NULL).  Returns the number of Services whose
 * allocation changed from prev.
 */
int pa_run(const struct pool_config *pools, struct service *const *svcs, int n, const char *lb_class,
	   const struct pa_state *prev);

/* Is this Service ours to allocate? */
int pa_served(const struct service *s, const char *lb_class);

/*
 * For a source that follows changes one object at a time.  Does the
 * allocator read the same from both versions of a Service?  Everything it
 * reads but status.loadBalancer.ingress, which it reads only for a Service
 * without a previous allocation, and every Service it served has one after
 * a run.  When they are equal, a run with the new version gives it what the
 * old one had (pa_copy_result) and changes nobody else.
 */
int pa_inputs_equal(const struct service *a, const struct service *b);
void pa_copy_result(struct service *to, const struct service *from);
/* A Service without addresses went away: drop its entry. */
void pa_state_forget(struct pa_state *st, const char *key);

/* Per pool counts after a run, for `show pools` and metrics. */
struct pa_pool_usage {
	uint64_t size4, size6;		/* addresses (saturating) */
	uint64_t used4, used6;		/* addresses allocated */
	int services;			/* Services holding an address of it */
};
void pa_pool_usage(const struct pool_config *p, struct service *const *svcs, int n, struct pa_pool_usage *u);

#endif
