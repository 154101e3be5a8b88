/*
 * metalbird -- protocol static: routes written in the config
 */
#ifndef MB_STATIC_H
#define MB_STATIC_H

#include "nest/protocol.h"

/* The routes of a block, packed (proto/static/static.c): a few bytes a
 * route, in config order, in blocks from the config's arena. */
struct static_block {
	struct static_block *next;
	uint32_t used, size;	/* bytes of data */
	uint8_t data[];
};

struct static_config {
	struct proto_config c;
	struct static_block *routes, *last;	/* in config order */
	int nroutes;
	int sorted;			/* each route greater (net_cmp) than the one before */
	/* a template's routes' lines, for duplicate errors in protocols
	 * made from it (a million routes: no full location, and none kept
	 * once a protocol's block is parsed) */
	const uint32_t *lines;
	uint32_t nlines;
};

void static_add_route(struct static_config *sc, const net_addr *n, const struct cf_loc *loc);

struct static_proto {
	struct proto p;
};

extern struct proto_class proto_static;

#endif
