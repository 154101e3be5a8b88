/*
 * metalbird -- protocol bgp: the instance
 *
 * Owns one BGP session (session.c) towards the configured neighbor and the
 * channel through which the route table feeds it.  (Being wired: until the
 * session engine lands the protocol stays in Idle.)
 */
#include "proto/bgp/bgp.h"
#include "nest/cli.h"

#include <stdio.h>
#include <string.h>

void bgp_init_config(struct proto_config *pc);
void bgp_postconfig(struct proto_config *pc);
enum reconf_action bgp_compare(const struct proto_config *po, const struct proto_config *pn, struct reconf_why *why);
void bgp_dump_config(FILE *out, const struct proto_config *pc);

struct bgp_proto {
	struct proto p;
};

static int bgp_start(struct proto *p)
{
	return PS_START;
}

static int bgp_shutdown(struct proto *p, enum proto_down_reason why)
{
	return PS_DOWN;
}

static void bgp_get_info(struct proto *p, char *buf, size_t len)
{
	snprintf(buf, len, "%-14s", "Idle");
}

struct proto_class proto_bgp = {
	.name = "bgp",
	.label = "BGP",
	.config_size = sizeof(struct bgp_config),
	.proto_size = sizeof(struct bgp_proto),
	.init_config = bgp_init_config,
	.postconfig = bgp_postconfig,
	.compare = bgp_compare,
	.dump_config = bgp_dump_config,
	.start = bgp_start,
	.shutdown = bgp_shutdown,
	.get_info = bgp_get_info,
};
