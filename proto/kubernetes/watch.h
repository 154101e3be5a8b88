/*
 * metalbird -- protocol kubernetes: API mode (LIST and WATCH)
 */
#ifndef MB_K8S_WATCH_H
#define MB_K8S_WATCH_H

#include <stddef.h>

struct k8s_proto;
struct k8s_watch;
struct cli;

/* Start listing and watching Services, EndpointSlices and Nodes with the
 * protocol's config (kubeconfig, api server, or in-cluster).  Returns NULL
 * with a message when the config cannot be used (unreadable kubeconfig...);
 * network errors are retried with backoff, never returned. */
struct k8s_watch *k8s_watch_start(struct k8s_proto *p, char *err, size_t errlen);
void k8s_watch_stop(struct k8s_watch *w);
/* Allocations changed: patch status and the pool annotation where `write
 * status on`, of the Services keys name (all when keys is NULL). */
void k8s_watch_status_changed(struct k8s_watch *w, const char *const *keys, int nkeys);
void k8s_watch_show(struct k8s_watch *w, struct cli *c);

#endif
