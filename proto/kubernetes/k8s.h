/*
 * metalbird -- protocol kubernetes: the source of Service state
 */
#ifndef MB_K8S_H
#define MB_K8S_H

#include "proto/kubernetes/decode.h"
#include "nest/pool_alloc.h"
#include "nest/protocol.h"
#include "nest/service.h"

struct k8s_config {
	struct proto_config c;
	const char *state_file;		/* absolute (cf_path) or NULL */
	const char *kubeconfig;		/* absolute or NULL */
	const char *api_server;		/* URL or NULL */
	const char *token_file, *ca_file;
	const char *lb_class;		/* NULL: only Services without a class */
	int write_status;		/* API mode: patch status.loadBalancer.ingress */
	struct cf_loc src_loc;		/* of the first source statement */
	int nsources;
};

struct k8s_route;
struct k8s_ann;
struct k8s_watch;
struct k8s_statefile;

struct k8s_proto {
	struct proto p;
	struct k8s_db db;		/* the last good state */
	int have_state;			/* db was filled at least once */
	int alloc_dirty;		/* Services, pools or class changed since the last allocation */
	int full_sync;			/* the next sync looks at every Service */
	struct k8s_set dirty;		/* else at these (keys, owned) */
	struct k8s_set slidx;		/* Service key -> struct k8s_slidx: its EndpointSlices */
	struct k8s_set anns;		/* Service key -> struct k8s_ann: the nets it wants in the table */
	struct pa_state alloc;		/* the allocations of the last run */
	struct k8s_statefile *sf;
	struct k8s_watch *watch;	/* API mode */
	struct defer *sync_ev;
	/* the routes this source has in the table: net -> rta */
	struct k8s_route *routes;
	size_t rsize, rcount;
	/* this node, from its Node object */
	int node_seen;			/* this node's Node object was seen */
	int node_blocked;		/* NetworkUnavailable or excluded */
	const char *node_why;		/* why, in words */
	/* counters for show protocols all */
	unsigned long reads, read_errors, syncs;
	int last_sync_looked;		/* Services the last sync looked at */
	int check_syncs;		/* $METALBIRD_K8S_CHECK_SYNC: check each against a full one */
	unsigned long checks, check_errors;
	double last_sync_ms;
	char state_error[600];		/* last error of the source, "" when fine */
	char alloc_path[4096];		/* state dir/allocations.json */
	int save_failed_logged;
};

extern struct proto_class proto_kubernetes;
extern struct k8s_proto *k8s_instance;	/* the running one (at most one) */

/* Replace the whole state (a state file read); takes db. */
void k8s_set_state(struct k8s_proto *p, struct k8s_db *db);
/* Every object may have changed (a relist, a reload): the next sync, on
 * this loop turn, looks at every Service; services: allocate again too. */
void k8s_state_changed(struct k8s_proto *p, int services);
/* One watch event: obj (of kind) was ADDED or MODIFIED and goes into the
 * state, or, deleted set, the object of its key is gone (obj is freed).
 * Only the Services it touches are looked at in the next sync: a Service
 * itself, an EndpointSlice's Service (old and new), none for a Node (this
 * node's is read at every sync).  Call k8s_sync_soon() after. */
void k8s_event(struct k8s_proto *p, enum k8s_kind kind, void *obj, int deleted);
/* Look at this Service in the next sync (a write of its status failed). */
void k8s_service_changed(struct k8s_proto *p, const char *key);
/* Sync on this loop turn. */
void k8s_sync_soon(struct k8s_proto *p);
/* Allocate and announce now. */
void k8s_sync(struct k8s_proto *p);
/* Called after every sync of the Kubernetes state and when the source
 * stops (k8s_instance is then NULL): for those who follow the state
 * (layer-2 election). */
void k8s_change_hook_add(void (*fn)(void));
/* Are a Service's addresses in the table?  Why not, in words ("" when they are). */
int k8s_announced(const struct k8s_proto *p, const struct service *s);
void k8s_announce_why(const struct k8s_proto *p, const struct service *s, char *buf, size_t len);
/* Control commands (k8s-show.c) */
void k8s_show_init(void);

#endif
