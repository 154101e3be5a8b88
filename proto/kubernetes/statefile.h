/*
 * metalbird -- protocol kubernetes: watching the state file
 */
#ifndef MB_K8S_STATEFILE_H
#define MB_K8S_STATEFILE_H

#include <stddef.h>

struct k8s_statefile;

/* Watch path (absolute): changed(data) is called from the loop whenever
 * the file was written and closed, renamed into place, or appeared.  The
 * directory must exist; the file need not. */
struct k8s_statefile *k8s_sf_open(const char *path, void (*changed)(void *data), void *data,
				  char *err, size_t errlen);
void k8s_sf_close(struct k8s_statefile *sf);

#endif
