/*
 * metalbird -- protocol kubernetes: API mode (LIST and WATCH)
 *
 * Not built yet: API mode reports that it is unavailable, so a config that
 * asks for it fails at protocol start with a clear message.
 */
#include "proto/kubernetes/watch.h"
#include "proto/kubernetes/k8s.h"

#include <stdio.h>

struct k8s_watch *k8s_watch_start(struct k8s_proto *p, char *err, size_t errlen)
{
	snprintf(err, errlen, "API mode is not available in this build; use state file");
	return NULL;
}

void k8s_watch_stop(struct k8s_watch *w)
{
}

void k8s_watch_status_changed(struct k8s_watch *w)
{
}

void k8s_watch_show(struct k8s_watch *w, struct cli *c)
{
}
