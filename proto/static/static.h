/*
 * metalbird -- protocol static: routes written in the config
 */
#ifndef MB_STATIC_H
#define MB_STATIC_H

#include "nest/protocol.h"

struct static_route {
	struct static_route *next;
	net_addr net;
	int line;		/* in the config, for duplicate errors (a million routes: no full location) */
};

struct static_config {
	struct proto_config c;
	struct static_route *routes;	/* in config order */
	int nroutes;
};

void static_add_route(struct static_config *sc, const net_addr *n, const struct cf_loc *loc);

struct static_proto {
	struct proto p;
};

extern struct proto_class proto_static;

#endif
