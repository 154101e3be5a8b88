/*
 * metalbird -- protocol kubernetes: decoding Kubernetes JSON
 */
#ifndef MB_K8S_DECODE_H
#define MB_K8S_DECODE_H

#include <stddef.h>

#include "nest/service.h"

struct json_t;

enum k8s_kind { K8S_SERVICE, K8S_SLICE, K8S_NODE, K8S_OTHER };

/*
 * A `List` as `kubectl get services,endpointslices,nodes -A -o json` prints
 * it (or a ServiceList, EndpointSliceList, NodeList as the API returns):
 * every Service, EndpointSlice and Node goes into db, which must be empty.
 * Returns 0, or -1 with "FILE: Kind NAMESPACE/NAME: FIELD: what is wrong"
 * in err (db then holds what was decoded so far; free it).
 * Objects of other kinds are skipped.
 */
int k8s_decode_list(const char *text, size_t len, const char *file, struct k8s_db *db,
		    char *err, size_t errlen);

/* Same, from a parsed document (the API's list responses); kind is the
 * kind of the items when the List does not say it per item. */
int k8s_decode_list_json(struct json_t *doc, enum k8s_kind kind, const char *file, struct k8s_db *db,
			 char *err, size_t errlen);

/* One object of a known kind (a watch event's object).  On success *out is
 * a struct service, epslice or k8s_node. */
int k8s_decode_object(struct json_t *o, enum k8s_kind kind, const char *where, void **out,
		      char *err, size_t errlen);

/* Kind of an object by its "kind" field. */
enum k8s_kind k8s_kind_of(const char *kind);
const char *k8s_kind_name(enum k8s_kind k);

/* Put an object into db (replacing one with its key). */
void k8s_db_put(struct k8s_db *db, enum k8s_kind kind, void *obj);

/* Read a whole file (malloc'd, NUL terminated); NULL with errno set. */
char *k8s_read_file(const char *path, size_t *len);

#endif
