/*
 * metalbird -- protocol static
 *
 * Routes written in the config (`route PREFIX;`), the first source of the
 * route table: fixed VIPs, and the way to test tables, filters and BGP
 * without Kubernetes.
 */
#include "proto/static/static.h"
#include "nest/cli.h"

#include <stdio.h>
#include <string.h>

void static_add_route(struct static_config *sc, const net_addr *n, const struct cf_loc *loc);

void static_add_route(struct static_config *sc, const net_addr *n, const struct cf_loc *loc)
{
	struct static_route **pp = &sc->routes;

	for (struct static_route *r = sc->routes; r; r = r->next)
		if (net_equal(&r->net, n)) {
			char b[NET_STRLEN];
			cf_error_at(loc, "route %s is already given at line %d", net_ntop(n, b), r->loc.line);
		}
	while (*pp)
		pp = &(*pp)->next;
	struct static_route *r = cf_alloc(sizeof *r);
	r->net = *n;
	r->loc = *loc;
	*pp = r;
	sc->nroutes++;
}

static void static_copy_config(struct proto_config *dst, const struct proto_config *src)
{
	struct static_config *d = (struct static_config *)dst;
	const struct static_config *s = (const struct static_config *)src;
	struct static_route *list = NULL, **pp = &list;

	/* the template's routes are copied, so ours can be added without touching it */
	for (struct static_route *r = s->routes; r; r = r->next) {
		struct static_route *n = cf_alloc(sizeof *n);
		*n = *r;
		n->next = NULL;
		*pp = n;
		pp = &n->next;
	}
	d->routes = list;
}

static enum reconf_action static_compare(const struct proto_config *o, const struct proto_config *n,
					 struct reconf_why *why)
{
	const struct static_config *a = (const void *)o, *b = (const void *)n;
	const struct static_route *x = a->routes, *y = b->routes;

	for (; x && y; x = x->next, y = y->next)
		if (!net_equal(&x->net, &y->net))
			break;
	if (x || y) {
		snprintf(why->text, sizeof why->text, "routes changed (%d -> %d)", a->nroutes, b->nroutes);
		return RC_SOFT;
	}
	return RC_SAME;
}

static void static_dump_config(FILE *out, const struct proto_config *c)
{
	const struct static_config *sc = (const void *)c;
	char b[NET_STRLEN];

	for (const struct static_route *r = sc->routes; r; r = r->next)
		fprintf(out, "\troute %s;\n", net_ntop(&r->net, b));
}

static int static_start(struct proto *p)
{
	return PS_UP;
}

static int static_shutdown(struct proto *p, enum proto_down_reason why)
{
	return PS_DOWN;
}

static int static_reconfigure(struct proto *p, struct proto_config *n)
{
	return 1;
}

static void static_show_details(struct proto *p, struct cli *c)
{
	const struct static_config *sc = (const void *)p->cf;
	cli_msg(c, -RC_PROTO_DETAILS, "  Routes:         %d configured", sc->nroutes);
}

struct proto_class proto_static = {
	.name = "static",
	.label = "Static",
	.config_size = sizeof(struct static_config),
	.proto_size = sizeof(struct static_proto),
	.copy_config = static_copy_config,
	.compare = static_compare,
	.dump_config = static_dump_config,
	.start = static_start,
	.shutdown = static_shutdown,
	.reconfigure = static_reconfigure,
	.show_details = static_show_details,
};
