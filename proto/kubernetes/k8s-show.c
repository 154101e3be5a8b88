/*
 * metalbird -- protocol kubernetes: control commands
 *
 * `show pools [NAME]` (per pool and family: size, used, free, auto assign,
 * ranges), `show services [NAMESPACE/NAME]` (addresses, pool, traffic
 * policy, serving endpoints local/total, and why an address is not in the
 * table), their json variants, Service names for `show symbols service`
 * (the client completes them), and the Services whose addresses a new
 * config would change, for `configure check`.
 */
#include "proto/kubernetes/k8s.h"
#include "nest/metrics.h"
#include "nest/channel.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/rt-table.h"
#include "nest/mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct service *const *svcs_of(int *n)
{
	if (!k8s_instance) {
		*n = 0;
		return NULL;
	}
	*n = k8s_instance->db.services.n;
	return (struct service *const *)k8s_instance->db.services.obj;
}

static const char *fam_name(int af)
{
	return af == AF_IP4 ? "IPv4" : "IPv6";
}

static void ranges_text(const struct pool_config *pc, int af, char *buf, size_t len, json_t *arr)
{
	char a[IP_STRLEN], b[IP_STRLEN], one[2 * IP_STRLEN + 8];
	size_t o = 0;

	buf[0] = 0;
	for (const struct pool_range *r = pc->ranges; r; r = r->next) {
		if (r->af != af)
			continue;
		if (r->is_cidr)
			snprintf(one, sizeof one, "%s/%d", ip_ntop(r->first, a), r->cidr_len);
		else
			snprintf(one, sizeof one, "%s-%s", ip_ntop(r->first, a), ip_ntop(r->last, b));
		if (arr)
			json_array_append_new(arr, json_string(one));
		if (o + strlen(one) + 3 < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", one);
	}
}

static void cmd_show_pools(struct cli *c, struct cmd_args *a)
{
	const char *name = a->n ? a->tok[0].s : NULL;
	json_t *arr = c->json ? json_array() : NULL;
	int n, found = 0;
	struct service *const *svcs = svcs_of(&n);
	char ranges[1024];

	if (a->n > 1) {
		json_decref(arr);
		cli_msg(c, RC_E_PARSE, "show pools takes at most one pool name");
		return;
	}
	if (!arr)
		cli_msg(c, -RC_POOL_HEADING, "%-16s %-6s %12s %10s %12s %-5s %s", "Name", "Family", "Size", "Used",
			"Free", "Auto", "Ranges");
	for (const struct pool_config *pc = config ? config->pools : NULL; pc; pc = pc->next) {
		struct pa_pool_usage u;
		if (name && strcmp(name, pc->name))
			continue;
		found++;
		pa_pool_usage(pc, svcs, n, &u);
		json_t *fams = arr ? json_array() : NULL;
		for (int af = AF_IP4; af <= AF_IP6; af += AF_IP6 - AF_IP4) {
			uint64_t size = af == AF_IP4 ? u.size4 : u.size6, used = af == AF_IP4 ? u.used4 : u.used6;
			if (!size)
				continue;
			json_t *rarr = arr ? json_array() : NULL;
			ranges_text(pc, af, ranges, sizeof ranges, rarr);
			if (arr) {
				json_array_append_new(fams, json_pack("{s:s, s:I, s:I, s:I, s:o}", "family", fam_name(af),
								      "size", (json_int_t)(size > INT64_MAX ? INT64_MAX : size),
								      "used", (json_int_t)used,
								      "free", (json_int_t)(size - used > INT64_MAX ? INT64_MAX : size - used),
								      "ranges", rarr));
			} else {
				cli_msg(c, -RC_POOL_LIST, "%-16s %-6s %12llu %10llu %12llu %-5s %s", pc->name, fam_name(af),
					(unsigned long long)size, (unsigned long long)used,
					(unsigned long long)(size - used), pc->auto_assign ? "yes" : "no", ranges);
			}
		}
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:b, s:b, s:i, s:o}", "name", pc->name, "auto_assign",
							     pc->auto_assign, "avoid_buggy_ips", pc->avoid_buggy_ips,
							     "services", u.services, "families", fams));
	}
	if (name && !found) {
		json_decref(arr);
		cli_msg(c, RC_E_NOT_FOUND, "No pool named %s", name);
		return;
	}
	if (arr) {
		cli_json(c, RC_JSON, json_pack("{s:o}", "pools", arr));
		return;
	}
	cli_ok(c);
}

/* Which protocols send the Service's route (its first address, at the
 * pool's first aggregation length) and, for the others, why not: the
 * channel's own answer (rejected by the export filter...) or the state of
 * the protocol. */
static void export_info(const struct service *s, char *buf, size_t len, json_t *obj)
{
	const struct pool_config *pc = config && s->pool ? pool_find(config, s->pool) : NULL;
	size_t o = 0, o2 = 0;
	char by[200] = "", notby[400] = "";
	json_t *ja = obj ? json_array() : NULL, *jn = obj ? json_object() : NULL;

	buf[0] = 0;
	if (!pc || !s->naddrs)
		goto out;
	int af = ip_af(s->addrs[0]);
	int agg = af == AF_IP4 ? (pc->nagg4 ? pc->agg4[0] : 32) : (pc->nagg6 ? pc->agg6[0] : 128);
	net_addr net = net_make(s->addrs[0], af, agg);
	struct rt_table *t = rt_table_af(af);
	struct rt_net *rn = t ? rt_find(t, &net) : NULL;
	if (!rn || !rt_best(rn))
		goto out;
	for (struct channel *ch = channel_list; ch; ch = ch->next) {
		const char *name = ch->proto->name, *why = NULL;
		if (ch->proto == &k8s_instance->p)
			continue;
		if (ch->proto->state != PS_UP || !ch->up) {
			why = ch->proto->state == PS_START ? "session down" : "protocol down";
		} else if (!channel_sent(ch, &net)) {
			struct rta *a = channel_eval(ch, t, rn, &why);
			if (a) {
				rta_free(a);
				why = "not sent yet";
			}
			if (!why)
				why = "not exported";
		}
		if (!why) {
			if (o + strlen(name) + 3 < sizeof by)
				o += (size_t)snprintf(by + o, sizeof by - o, "%s%s", o ? ", " : "", name);
			if (ja)
				json_array_append_new(ja, json_string(name));
		} else {
			if (o2 + strlen(name) + strlen(why) + 5 < sizeof notby)
				o2 += (size_t)snprintf(notby + o2, sizeof notby - o2, "%s%s: %s", o2 ? "; " : "", name, why);
			if (jn)
				json_object_set_new(jn, name, json_string(why));
		}
	}
	if (by[0] || notby[0])
		snprintf(buf, len, "%s%s%s%s%s", by[0] ? "by " : "", by, by[0] && notby[0] ? "; " : "",
			 notby[0] ? "not by " : "", notby);
out:
	if (obj) {
		json_object_set_new(obj, "exported_by", ja);
		json_object_set_new(obj, "not_exported_by", jn);
	}
}

static const char *policy_name(enum k8s_policy p)
{
	return p == K8S_POLICY_LOCAL ? "Local" : "Cluster";
}

static void cmd_show_services(struct cli *c, struct cmd_args *a)
{
	const char *key = a->n ? a->tok[0].s : NULL;
	json_t *arr = c->json ? json_array() : NULL;
	int n, found = 0;
	struct service *const *svcs = svcs_of(&n);
	char why[400], addrs[2 * IP_STRLEN + 4], b[IP_STRLEN], exp[640];

	if (a->n > 1) {
		json_decref(arr);
		cli_msg(c, RC_E_PARSE, "show services takes at most one NAMESPACE/NAME");
		return;
	}
	if (!k8s_instance) {
		json_decref(arr);
		cli_msg(c, RC_E_NOT_AVAILABLE, "No kubernetes protocol is running");
		return;
	}
	if (!arr)
		cli_msg(c, -RC_SERVICE_HEADING, "%-32s %-32s %-14s %-8s %-9s %s", "Service", "Addresses", "Pool",
			"Policy", "Endpoints", "State");
	for (int i = 0; i < n; i++) {
		const struct service *s = svcs[i];
		if (key ? strcmp(key, s->key) : !s->served)
			continue;
		found++;
		k8s_announce_why(k8s_instance, s, why, sizeof why);
		addrs[0] = 0;
		json_t *aa = arr ? json_array() : NULL;
		for (int j = 0; j < s->naddrs; j++) {
			strcat(strcat(addrs, j ? "," : ""), ip_ntop(s->addrs[j], b));
			if (aa)
				json_array_append_new(aa, json_string(b));
		}
		if (arr) {
			json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:{s:i, s:i}, s:b, s:b}", "namespace", s->namespace,
					      "name", s->name, "addresses", aa, "traffic_policy",
					      policy_name(s->traffic_policy), "endpoints", "local", s->ep_local, "total",
					      s->ep_total, "served", s->served, "announced", !why[0]);
			json_object_set_new(o, "pool", s->pool ? json_string(s->pool) : json_null());
			if (why[0])
				json_object_set_new(o, "reason", json_string(why));
			if (s->served && !s->naddrs)
				json_object_set_new(o, "pending", json_true());
			export_info(s, exp, sizeof exp, why[0] ? NULL : o);
			json_array_append_new(arr, o);
		} else {
			char ep[32];
			snprintf(ep, sizeof ep, "%d/%d", s->ep_local, s->ep_total);
			exp[0] = 0;
			if (!why[0])
				export_info(s, exp, sizeof exp, NULL);
			cli_msg(c, -RC_SERVICE_LIST, "%-32s %-32s %-14s %-8s %-9s %s%s%s", s->key, s->naddrs ? addrs : "-",
				s->pool ? s->pool : "-", policy_name(s->traffic_policy), ep,
				why[0] ? why : "announced", exp[0] ? " " : "", exp);
		}
	}
	if (key && !found) {
		json_decref(arr);
		cli_msg(c, RC_E_NOT_FOUND, "No service %s", key);
		return;
	}
	if (arr) {
		cli_json(c, RC_JSON, json_pack("{s:o}", "services", arr));
		return;
	}
	cli_ok(c);
}

/* show symbols service: NAMESPACE/NAME of every Service we serve */
static int symbols_hook(struct cli *c, const char *kind, json_t *arr)
{
	int n, count = 0;
	struct service *const *svcs = svcs_of(&n);

	if (!kind || strcmp(kind, "service"))
		return 0;
	for (int i = 0; i < n; i++) {
		if (!svcs[i]->served)
			continue;
		count++;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s}", "name", svcs[i]->key, "kind", "service"));
		else
			cli_msg(c, -RC_SYMBOLS, "%-20s %s", svcs[i]->key, "service");
	}
	return count;
}

/* configure check: allocate with the new pools on the side and list the
 * Services whose addresses would change. */
struct saved {
	ip_addr addrs[SVC_MAX_ADDRS];
	int naddrs, served, changed;
	const char *pool;
	char reason[SVC_REASON_LEN];
};

static void plan_hook(struct cli *c, struct config *old, struct config *new, struct reconf_plan *plan, int all)
{
	int n;
	struct service *const *svcs = svcs_of(&n);
	const char *lb_class = NULL;
	char was[2 * IP_STRLEN + 4], now[2 * IP_STRLEN + 4], b[IP_STRLEN];

	if (!k8s_instance || !n)
		return;
	for (struct proto_config *pc = new->protos; pc; pc = pc->next)
		if (pc->class == &proto_kubernetes)
			lb_class = ((struct k8s_config *)pc)->lb_class;
	struct saved *sv = xmalloc((size_t)n * sizeof *sv);
	for (int i = 0; i < n; i++) {
		memcpy(sv[i].addrs, svcs[i]->addrs, sizeof sv[i].addrs);
		sv[i].naddrs = svcs[i]->naddrs;
		sv[i].served = svcs[i]->served;
		sv[i].changed = svcs[i]->changed;
		sv[i].pool = svcs[i]->pool;
		memcpy(sv[i].reason, svcs[i]->reason, sizeof sv[i].reason);
	}
	pa_run(new->pools, svcs, n, lb_class, &k8s_instance->alloc);
	for (int i = 0; i < n; i++) {
		struct service *s = svcs[i];
		int same = s->naddrs == sv[i].naddrs && (!s->naddrs || !strcmp(s->pool, sv[i].pool));
		for (int j = 0; same && j < s->naddrs; j++)
			same = ip_equal(s->addrs[j], sv[i].addrs[j]);
		if (same)
			continue;
		was[0] = now[0] = 0;
		for (int j = 0; j < sv[i].naddrs; j++)
			strcat(strcat(was, j ? "," : ""), ip_ntop(sv[i].addrs[j], b));
		for (int j = 0; j < s->naddrs; j++)
			strcat(strcat(now, j ? "," : ""), ip_ntop(s->addrs[j], b));
		cli_msg(c, -RC_PLAN, "service %s: %s%s%s -> %s%s%s", s->key, sv[i].naddrs ? was : "(none)",
			sv[i].naddrs ? " from pool " : "", sv[i].naddrs ? sv[i].pool : "",
			s->naddrs ? now : "pending: ", s->naddrs ? " from pool " : s->reason,
			s->naddrs ? s->pool : "");
	}
	/* put the running allocation back */
	for (int i = 0; i < n; i++) {
		memcpy(svcs[i]->addrs, sv[i].addrs, sizeof sv[i].addrs);
		svcs[i]->naddrs = sv[i].naddrs;
		svcs[i]->served = sv[i].served;
		svcs[i]->changed = sv[i].changed;
		svcs[i]->pool = sv[i].pool;
		memcpy(svcs[i]->reason, sv[i].reason, sizeof sv[i].reason);
	}
	free(sv);
}

void k8s_pool_metrics(struct mbuf *b);

void k8s_show_init(void)
{
	metrics_register(k8s_pool_metrics);
	cmd_pools_handler = cmd_show_pools;
	cmd_register(CMD_SHOW_SERVICES, cmd_show_services);
	cmd_symbols_hook = symbols_hook;
	cmd_plan_hook = plan_hook;
}
