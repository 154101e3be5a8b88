/*
 * metalbird -- `show route`
 *
 * `show route [all] [count] [for ADDR|PREFIX] [where EXPR] [export NAME]
 * [protocol NAME] [pool NAME] [json]` in BIRD's layout (../shared/BIRD-CLI.md):
 * a `Table master4:` header, one 1007 line per route, with `all` the 1008
 * type line and 1012 attribute lines, and for each exporting protocol
 * whether it exports the route and why not.  `count` ends with 0014 totals;
 * without a filter it reads the tables' counters and answers at once.
 *
 * The reply is produced in slices (c->cont): each call walks at most
 * SHOW_SLICE nets with a walk that survives table changes between calls,
 * so a million routes neither stall the daemon nor other clients.  The
 * walk is narrowed to the prefix range of `for PREFIX` and of a `where`
 * that begins with `net ~ PREFIX`, so those do not scan the whole table.
 */
#include "nest/rt-table.h"
#include "nest/channel.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/filter/filter.h"
#include "nest/mem.h"
#include "nest/protocol.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_SLICE 4096		/* nets walked per slice */
#define RT_PREF 200		/* shown as BIRD's preference column */

struct rt_show {
	int all, count, json;
	int has_for;			/* `for`: one net, the longest match */
	net_addr for_net;
	int has_range;			/* walk only inside range */
	net_addr range;
	const struct filter *where;
	struct config *cfg;		/* the config where was compiled against */
	char export_name[128], proto_name[128], pool[128];
	int table;			/* 0 master4, 1 master6, 2 done */
	int header_done;		/* "Table X:" printed for this table */
	int json_first;
	struct rt_iter it;
	/* totals for count */
	uint64_t shown, nets_shown, tables_shown;
	uint64_t t_shown, t_nets;	/* of the current table */
	int wrote;			/* this slice wrote a line */
};

/* --- formatting ------------------------------------------------------------------ */

static const char *origin_name(int o)
{
	return o == 0 ? "IGP" : o == 1 ? "EGP" : "Incomplete";
}

static void fmt_path(const struct adata *p, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	if (!p)
		return;
	for (uint32_t i = 0; i + 2 <= p->length;) {
		int type = p->data[i], cnt = p->data[i + 1];
		i += 2;
		if (type == AS_PATH_SET && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s{", o ? " " : "");
		for (int k = 0; k < cnt && i + 4 <= p->length; k++, i += 4) {
			uint32_t asn;
			memcpy(&asn, p->data + i, 4);
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, "%s%u",
						      (o && !(type == AS_PATH_SET && k == 0)) ? " " : "", asn);
		}
		if (type == AS_PATH_SET && o < len)
			o += (size_t)snprintf(buf + o, len - o, "}");
	}
}

static void fmt_comm(const struct adata *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (uint32_t i = 0; a && i + 4 <= a->length && o < len; i += 4) {
		uint32_t v;
		memcpy(&v, a->data + i, 4);
		o += (size_t)snprintf(buf + o, len - o, "%s(%u,%u)", o ? " " : "", v >> 16, v & 0xffff);
	}
}

static void fmt_lcomm(const struct adata *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (uint32_t i = 0; a && i + 12 <= a->length && o < len; i += 12) {
		uint32_t v[3];
		memcpy(v, a->data + i, 12);
		o += (size_t)snprintf(buf + o, len - o, "%s(%u, %u, %u)", o ? " " : "", v[0], v[1], v[2]);
	}
}

/* BIRD's info column of a route with an AS path: " [AS65001i]", the origin
 * AS (the last of the path) and the origin (i, e, ?); bgp_get_route_info. */
static const char *path_info(const struct rta *a, char *buf, size_t len)
{
	const struct adata *p = a->bgp_path;
	uint32_t origin_as = 0;
	int have = 0;

	buf[0] = 0;
	if (!p)
		return buf;
	for (uint32_t i = 0; i + 2 <= p->length;) {
		int type = p->data[i], cnt = p->data[i + 1];
		i += 2;
		for (int k = 0; k < cnt && i + 4 <= p->length; k++, i += 4)
			if (type == AS_PATH_SEQUENCE) {
				memcpy(&origin_as, p->data + i, 4);
				have = 1;
			} else
				have = 0;	/* an AS_SET last: no single origin AS */
	}
	int o = (a->set & RTA_ORIGIN) ? a->bgp_origin : 0;
	char oc = o == 0 ? 'i' : o == 1 ? 'e' : '?';
	if (have)
		snprintf(buf, len, " [AS%u%c]", origin_as, oc);
	else
		snprintf(buf, len, " [%c]", oc);
	return buf;
}

static void show_attrs(struct cli *c, const struct rta *a)
{
	char b[1024];

	if (a->pool)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tpool: %s", a->pool);
	if (a->k8s_service)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tk8s.service: %s/%s", a->k8s_namespace ? a->k8s_namespace : "",
			a->k8s_service);
	if (a->k8s_traffic_policy != K8S_POLICY_NONE)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tk8s.traffic_policy: %s",
			a->k8s_traffic_policy == K8S_POLICY_LOCAL ? "Local" : "Cluster");
	if (a->set & RTA_ORIGIN)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.origin: %s", origin_name(a->bgp_origin));
	if (a->bgp_path) {
		fmt_path(a->bgp_path, b, sizeof b);
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.as_path: %s", b);
	}
	if (a->set & RTA_NEXT_HOP)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.next_hop: %s", ip_ntop(a->bgp_next_hop, b));
	if (a->set & RTA_MED)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.med: %u", a->bgp_med);
	if (a->set & RTA_LOCAL_PREF)
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.local_pref: %u", a->bgp_local_pref);
	if (a->bgp_community) {
		fmt_comm(a->bgp_community, b, sizeof b);
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.community: %s", b);
	}
	if (a->bgp_large_community) {
		fmt_lcomm(a->bgp_large_community, b, sizeof b);
		cli_msg(c, -RC_ROUTE_ATTRS, "\tBGP.large_community: %s", b);
	}
}

/* Does a protocol export: it has a channel, or an export given in its config. */
static int is_exporter(struct proto *p)
{
	return p->channels || (p->cf && p->cf->out_set);
}

/* What protocol p would export for rn: an rta with one reference, or NULL
 * and why not. */
static struct rta *export_of(struct proto *p, struct rt_table *t, struct rt_net *rn, const char **why)
{
	struct channel *ch = p->channels;

	if (ch)
		return channel_eval(ch, t, rn, why);
	struct rte *best = rt_best(rn);
	struct proto *src = best ? rt_src_proto(best->src) : NULL;
	struct rta *out = NULL;
	*why = NULL;
	if (!best) {
		*why = "no route";
		return NULL;
	}
	if (src == p) {
		*why = "its own route";
		return NULL;
	}
	net_addr n = rt_net_addr(t, rn);
	if (!p->cf || f_run(p->cf->out_filter, &n, src ? src->name : "?", best->attrs, &out) != F_ACCEPT || !out) {
		*why = "rejected by the export filter";
		return NULL;
	}
	return out;
}

static void show_exports(struct cli *c, struct rt_table *t, struct rt_net *rn)
{
	for (struct proto *p = proto_list; p; p = p->next) {
		if (!is_exporter(p))
			continue;
		const char *why;
		struct rta *x = export_of(p, t, rn, &why);
		if (x) {
			rta_free(x);
			if (p->state != PS_UP)
				cli_msg(c, -RC_ROUTE_ATTRS, "\tExport to %s: no (protocol %s)", p->name,
					proto_state_name(p->state));
			else
				cli_msg(c, -RC_ROUTE_ATTRS, "\tExport to %s: yes", p->name);
		} else
			cli_msg(c, -RC_ROUTE_ATTRS, "\tExport to %s: no (%s)", p->name, why);
	}
}

static json_t *route_json(struct rt_table *t, struct rt_net *rn, struct rte *e, const struct rta *a, int best,
			  int all)
{
	char b[1024], nb[NET_STRLEN];
	net_addr n = rt_net_addr(t, rn);
	struct proto *src = rt_src_proto(e->src);
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:I}", "net", net_ntop(&n, nb), "table", t->name, "proto",
			      src ? src->name : "?", "primary", best, "since", (json_int_t)e->changed);
	if (!all)
		return o;
	if (a->pool)
		json_object_set_new(o, "pool", json_string(a->pool));
	if (a->k8s_service) {
		snprintf(b, sizeof b, "%s/%s", a->k8s_namespace ? a->k8s_namespace : "", a->k8s_service);
		json_object_set_new(o, "service", json_string(b));
	}
	if (a->set & RTA_ORIGIN)
		json_object_set_new(o, "bgp_origin", json_string(origin_name(a->bgp_origin)));
	if (a->bgp_path) {
		fmt_path(a->bgp_path, b, sizeof b);
		json_object_set_new(o, "bgp_path", json_string(b));
	}
	if (a->set & RTA_NEXT_HOP)
		json_object_set_new(o, "bgp_next_hop", json_string(ip_ntop(a->bgp_next_hop, b)));
	if (a->set & RTA_MED)
		json_object_set_new(o, "bgp_med", json_integer(a->bgp_med));
	if (a->set & RTA_LOCAL_PREF)
		json_object_set_new(o, "bgp_local_pref", json_integer(a->bgp_local_pref));
	if (a->bgp_community) {
		fmt_comm(a->bgp_community, b, sizeof b);
		json_object_set_new(o, "bgp_community", json_string(b));
	}
	if (a->bgp_large_community) {
		fmt_lcomm(a->bgp_large_community, b, sizeof b);
		json_object_set_new(o, "bgp_large_community", json_string(b));
	}
	json_t *ex = json_object();
	for (struct proto *p = proto_list; p; p = p->next) {
		if (!is_exporter(p))
			continue;
		const char *why;
		struct rta *x = export_of(p, t, rn, &why);
		if (x)
			rta_free(x);
		json_object_set_new(ex, p->name, json_string(x ? "yes" : why));
	}
	json_object_set_new(o, "exports", ex);
	return o;
}

static void json_line(struct cli *c, struct rt_show *s, json_t *o)
{
	char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!txt)
		return;
	cli_msg(c, -RC_JSON, "%s%s", s->json_first ? "  " : ", ", txt);
	s->json_first = 0;
	free(txt);
}

/* --- one net --------------------------------------------------------------------- */

static int route_passes(struct rt_show *s, struct rt_table *t, struct rt_net *rn, struct rte *e)
{
	if (s->proto_name[0]) {
		struct proto *src = rt_src_proto(e->src);
		if (!src || strcmp(src->name, s->proto_name))
			return 0;
	}
	if (s->pool[0] && (!e->attrs->pool || strcmp(e->attrs->pool, s->pool)))
		return 0;
	if (s->where) {
		struct proto *src = rt_src_proto(e->src);
		struct rta *out = NULL;
		net_addr n = rt_net_addr(t, rn);
		enum filter_result r = f_run(s->where, &n, src ? src->name : "?", e->attrs, &out);
		rta_free(out);
		if (r != F_ACCEPT)
			return 0;
	}
	return 1;
}

static void show_route_line(struct cli *c, struct rt_show *s, struct rt_table *t, struct rt_net *rn,
			    struct rte *e, struct rta *a, int best)
{
	char nb[NET_STRLEN], tb[32], ib[32];
	net_addr n = rt_net_addr(t, rn);
	struct proto *src = rt_src_proto(e->src);

	s->wrote = 1;
	if (s->json) {
		json_line(c, s, route_json(t, rn, e, a, best, s->all));
		return;
	}
	if (!s->header_done) {
		if (s->tables_shown)
			cli_msg(c, -RC_ROUTE_LIST, "%s", "");
		cli_msg(c, -RC_ROUTE_LIST, "Table %s:", t->name);
		s->header_done = 1;
		s->tables_shown++;
	}
	cli_fmt_since(rte_changed(e), tb, sizeof tb);
	cli_msg(c, -RC_ROUTE_LIST, "%-20s %s [%s %s%s]%s (%d)%s", net_ntop(&n, nb), "unicast", src ? src->name : "?",
		tb, "", best ? " *" : "", RT_PREF, path_info(a, ib, sizeof ib));
	if (!s->all)
		return;
	cli_msg(c, -RC_ROUTE_DETAILS, "\tType: %s univ", src ? src->class->label : "?");
	show_attrs(c, a);
	if (!s->export_name[0])
		show_exports(c, t, rn);
}

/* Show what the table holds for rn; returns the routes shown. */
static int show_net(struct cli *c, struct rt_show *s, struct rt_table *t, struct rt_net *rn)
{
	int shown = 0;

	if (s->export_name[0]) {
		/* only the best route, as the protocol exports it */
		struct proto *p = proto_find(s->export_name);
		struct rte *best = rt_best(rn);
		const char *why;
		if (!p || !best || !route_passes(s, t, rn, best))
			return 0;
		struct rta *x = export_of(p, t, rn, &why);
		if (!x)
			return 0;
		if (!s->count)
			show_route_line(c, s, t, rn, best, x, 1);
		rta_free(x);
		return 1;
	}
	for (struct rte *e = &rn->r; e && e->attrs; e = e->next) {
		if (!route_passes(s, t, rn, e))
			continue;
		if (!s->count)
			show_route_line(c, s, t, rn, e, e->attrs, e == &rn->r);
		shown++;
	}
	return shown;
}

/* --- the walk ---------------------------------------------------------------------- */

static void table_done(struct cli *c, struct rt_show *s, struct rt_table *t)
{
	if (s->count && s->t_nets && !s->json)
		cli_msg(c, -RC_ROUTE_LIST, "%llu of %u routes for %llu networks in table %s",
			(unsigned long long)s->t_shown, t->routes, (unsigned long long)s->t_nets, t->name);
	if (s->count && s->t_nets)
		s->tables_shown++;
	s->shown += s->t_shown;
	s->nets_shown += s->t_nets;
	s->t_shown = s->t_nets = 0;
	s->header_done = 0;
}

static void show_finish(struct cli *c, struct rt_show *s)
{
	if (s->json) {
		if (s->count) {
			json_t *o = json_pack("{s:I, s:I, s:I}", "routes", (json_int_t)s->shown, "networks",
					      (json_int_t)s->nets_shown, "total",
					      (json_int_t)(rt_master4.routes + rt_master6.routes));
			cli_json(c, RC_JSON, o);
			return;
		}
		cli_msg(c, -RC_JSON, "]}");
		cli_ok(c);
		return;
	}
	if (s->count) {
		cli_msg(c, RC_ROUTE_COUNT, "Total: %llu of %u routes for %llu networks in %llu tables",
			(unsigned long long)s->shown, rt_master4.routes + rt_master6.routes,
			(unsigned long long)s->nets_shown, (unsigned long long)s->tables_shown);
		return;
	}
	cli_ok(c);
}

static void show_free(struct rt_show *s)
{
	if (s->where)
		filter_cli_free(s->where);
	free(s);
}

static void show_cleanup(struct cli *c)
{
	show_free(c->cont_data);
	c->cont_data = NULL;
	c->cont = NULL;
	c->cont_cleanup = NULL;
}

static void show_start_table(struct rt_show *s)
{
	struct rt_table *t = s->table ? &rt_master6 : &rt_master4;

	if (s->has_range) {
		ip_addr hi = net_last(&s->range);
		net_addr lo = s->range;
		lo.len = 0;	/* the range starts at its address, any length */
		rt_iter_init(&s->it, t, &lo, &hi);
	} else
		rt_iter_init(&s->it, t, NULL, NULL);
}

static void show_cont(struct cli *c)
{
	struct rt_show *s = c->cont_data;
	int budget = SHOW_SLICE;

	if (s->where && s->cfg != config) {
		/* the expression may use the old config's functions and constants */
		cli_msg(c, RC_E_STOPPED_RECONF, "Stopped due to reconfiguration");
		show_cleanup(c);
		return;
	}

	while (s->table < 2) {
		struct rt_table *t = s->table ? &rt_master6 : &rt_master4;
		int skip = s->has_range && s->range.af != t->af;
		struct rt_net *rn = NULL;
		/* The control socket calls us again when what we wrote has
		 * drained, so a slice that wrote nothing (count, or a selection
		 * that matched nothing yet) must go on: it stops only after
		 * writing.  (sysdep/unix/ctl.c could resume a silent slice from
		 * the loop instead; until then this keeps the reply going.) */
		while (!skip && (budget-- > 0 || !s->wrote) && (rn = rt_iter_next(&s->it))) {
			if (s->has_range && !net_contains(&s->range, &(net_addr){ rn->ip, (uint8_t)t->af, rn->n.len }))
				continue;
			int k = show_net(c, s, t, rn);
			s->t_shown += (uint64_t)k;
			s->t_nets += k > 0;
		}
		if (!skip && rn) {
			s->wrote = 0;
			return;		/* the slice is used up: c->cont stays set */
		}
		table_done(c, s, t);
		if (++s->table < 2)
			show_start_table(s);
	}
	show_finish(c, s);
	show_cleanup(c);
}

/* --- the command ------------------------------------------------------------------- */

/* `net ~ PREFIX` at the start of a where expression narrows the walk. */
static void where_range(struct rt_show *s, const char *text)
{
	char buf[NET_STRLEN + 8];
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "net", 3))
		return;
	p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '~')
		return;
	p++;
	while (isspace((unsigned char)*p))
		p++;
	size_t n = strcspn(p, " \t&|;)");
	if (n == 0 || n >= sizeof buf)
		return;
	memcpy(buf, p, n);
	buf[n] = 0;
	const char *rest = p + n;
	while (isspace((unsigned char)*rest))
		rest++;
	/* only `net ~ P` alone or `net ~ P && ...`: an `||` would widen it */
	if (*rest && strncmp(rest, "&&", 2))
		return;
	net_addr r;
	if (net_pton(buf, &r) == 0 && !s->has_range) {
		s->has_range = 1;
		s->range = r;
	}
}

static const struct filter *cli_expr(const char *text, char *err, size_t errlen)
{
	return filter_parse_cli_expr(text, config, err, errlen);
}

static int copy_name(char *dst, size_t len, const char *src)
{
	if (strlen(src) >= len)
		return -1;
	strcpy(dst, src);
	return 0;
}

static void cmd_show_route(struct cli *c, struct cmd_args *a)
{
	struct rt_show *s = xzalloc(sizeof *s);
	char err[256];

	s->json = c->json;
	s->json_first = 1;
	for (int i = 0; i < a->n; i++) {
		const char *w = a->tok[i].s;
		if (cmd_arg_is(a, i, "all"))
			s->all = 1;
		else if (cmd_arg_is(a, i, "count"))
			s->count = 1;
		else if (cmd_arg_is(a, i, "for") && i + 1 < a->n) {
			const char *x = a->tok[++i].s;
			ip_addr ip;
			int af;
			if (strchr(x, '/')) {
				if (net_pton(x, &s->for_net) != 0) {
					cli_msg(c, RC_E_PARSE, "'%s' is not a prefix", x);
					goto out;
				}
			} else if ((af = ip_pton(x, &ip))) {
				s->for_net = net_make(ip, af, af_maxlen(af));
			} else {
				cli_msg(c, RC_E_PARSE, "'%s' is not an address or a prefix", x);
				goto out;
			}
			s->has_for = 1;
		} else if (cmd_arg_is(a, i, "where") && i + 1 < a->n) {
			/* the expression is the rest of the line, as typed */
			char text[CMD_MAX_LINE];
			if (a->tok[i + 1].quoted && i + 2 == a->n)
				snprintf(text, sizeof text, "%s", a->tok[i + 1].s);	/* where "EXPR" */
			else
				snprintf(text, sizeof text, "%s", a->line->line + a->tok[i + 1].col);
			size_t tl = strlen(text);
			while (tl && isspace((unsigned char)text[tl - 1]))
				text[--tl] = 0;
			if (c->json && tl >= 4 && !strcmp(text + tl - 4, "json"))
				text[tl - 4] = 0;	/* the dispatcher took it as the json flag */
			s->where = cli_expr(text, err, sizeof err);
			s->cfg = config;
			if (!s->where) {
				cli_msg(c, RC_E_PARSE, "%s", err);
				goto out;
			}
			where_range(s, text);
			break;
		} else if ((cmd_arg_is(a, i, "export") || cmd_arg_is(a, i, "protocol") || cmd_arg_is(a, i, "pool")) &&
			   i + 1 < a->n) {
			char *dst = w[1] == 'x' ? s->export_name : w[1] == 'r' ? s->proto_name : s->pool;
			const char *name = a->tok[++i].s;
			if (copy_name(dst, sizeof s->pool, name) < 0) {
				cli_msg(c, RC_E_ARG_TOO_LONG, "name too long");
				goto out;
			}
			if (dst != s->pool && !proto_find(name)) {
				cli_msg(c, RC_E_NO_PROTOCOLS, "No protocols match");
				goto out;
			}
		} else {
			cli_msg(c, RC_E_PARSE, "unexpected '%s': show route [all] [count] [for ADDR|PREFIX] "
				"[where EXPR] [export NAME] [protocol NAME] [pool NAME]", w);
			goto out;
		}
	}

	if (s->has_for) {
		struct rt_table *t = rt_table_af(s->for_net.af);
		struct rt_net *rn = rt_lookup(t, s->for_net.ip, s->for_net.len);
		if (s->json && !s->count)
			cli_msg(c, -RC_JSON, "{\"routes\": [");
		int k = rn ? show_net(c, s, t, rn) : 0;
		if (!k && !(s->json && !s->count)) {
			cli_msg(c, RC_E_NOT_FOUND, "Network not found");
			goto out;
		}
		s->t_shown = (uint64_t)k;
		s->t_nets = k > 0;
		if (s->json && !s->count) {
			cli_msg(c, -RC_JSON, "]}");
			cli_ok(c);
			goto out;
		}
		table_done(c, s, t);
		show_finish(c, s);
		goto out;
	}

	if (s->count && !s->where && !s->export_name[0] && !s->proto_name[0] && !s->pool[0] && !s->has_range) {
		/* nothing to filter: the counters answer at once */
		struct rt_table *tabs[2] = { &rt_master4, &rt_master6 };
		for (int i = 0; i < 2; i++) {
			if (!tabs[i]->nets)
				continue;
			if (!s->json)
				cli_msg(c, -RC_ROUTE_LIST, "%u of %u routes for %u networks in table %s",
					tabs[i]->routes, tabs[i]->routes, tabs[i]->nets, tabs[i]->name);
			s->shown += tabs[i]->routes;
			s->nets_shown += tabs[i]->nets;
			s->tables_shown++;
		}
		show_finish(c, s);
		goto out;
	}

	if (s->json && !s->count)
		cli_msg(c, -RC_JSON, "{\"routes\": [");
	s->table = 0;
	show_start_table(s);
	c->cont_data = s;
	c->cont = show_cont;
	c->cont_cleanup = show_cleanup;
	show_cont(c);
	return;
out:
	show_free(s);
}

/* BIRD's channel block of `show protocols all` (BIRD-CLI.md), for the
 * show_details hook of a protocol that exports. */
void rt_show_channel(struct cli *c, struct proto *p)
{
	for (struct channel *ch = p->channels; ch; ch = ch->proto_next) {
		const struct channel_stats *st = &ch->st;
		cli_msg(c, -RC_PROTO_DETAILS, "    Table:          master4, master6");
		cli_msg(c, -RC_PROTO_DETAILS, "    Preference:     %d", RT_PREF);
		cli_msg(c, -RC_PROTO_DETAILS, "    Input filter:   %s", filter_name(p->cf ? p->cf->in_filter : NULL));
		cli_msg(c, -RC_PROTO_DETAILS, "    Output filter:  %s", filter_name(ch->out_filter));
		cli_msg(c, -RC_PROTO_DETAILS, "    Routes:         %u imported, %u exported, 0 preferred",
			rt_src_routes(p), st->exported);
		cli_msg(c, -RC_PROTO_DETAILS, "    Route change stats:     received   rejected   filtered    ignored   accepted");
		cli_msg(c, -RC_PROTO_DETAILS, "      Export updates:    %10llu %10u %10llu %10s %10llu",
			(unsigned long long)st->upd_received, 0u, (unsigned long long)st->upd_filtered, "---",
			(unsigned long long)st->upd_accepted);
		cli_msg(c, -RC_PROTO_DETAILS, "      Export withdraws:  %10llu %10s %10s %10s %10llu",
			(unsigned long long)st->wd_received, "---", "---", "---", (unsigned long long)st->wd_accepted);
	}
}

static size_t mem_routes(void)
{
	size_t b = rt_memory() + rta_memory();
	for (struct channel *ch = channel_list; ch; ch = ch->next)
		b += (ch->sent_size[0] + ch->sent_size[1]) * sizeof(struct rta *);
	return b;
}

void reconf_routes_init(void);

void rt_show_init(void)
{
	reconf_routes_init();	/* configure check: routes a reload would change */
	cmd_register(CMD_SHOW_ROUTE, cmd_show_route);
	cmd_mem_routes = mem_routes;
}
