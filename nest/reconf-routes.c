/*
 * metalbird -- `configure check`: the routes a reload would change
 *
 * For each protocol of the plan that exports, compare what its channel has
 * announced with what the new config's export filter would announce, net by
 * net over the table: the counts of announcements and withdrawals (and with
 * `all` the prefixes).  Nothing is applied; the filters of the new config
 * run on the current routes exactly as a refeed would run them.
 *
 * The hook chains in front of whatever other module (the Kubernetes
 * source: Services whose addresses would change) registered before it; it
 * installs itself when the first config is committed, after every module's
 * init has run.
 */
#include "conf/commit.h"
#include "nest/channel.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/filter/filter.h"
#include "nest/protocol.h"
#include "nest/rt-table.h"

#include <stdio.h>

#define LIST_MAX 1000	/* prefixes listed per protocol with `all` */

static void (*next_hook)(struct cli *c, struct config *old, struct config *new, struct reconf_plan *plan, int all);
static void plan_routes(struct cli *c, struct config *old, struct config *new, struct reconf_plan *plan, int all);

/* What the new config would export for one net, as a channel would. */
static struct rta *would_export(struct proto *p, const struct filter *f, struct rt_table *t, struct rt_net *rn)
{
	struct rte *best = rt_best(rn);
	struct rta *out = NULL;

	if (!best)
		return NULL;
	struct proto *src = rt_src_proto(best->src);
	if (p && src == p)
		return NULL;	/* a route is not exported back to its source */
	net_addr n = rt_net_addr(t, rn);
	if (f_run(f, &n, src ? src->name : "?", best->attrs, &out) != F_ACCEPT)
		return NULL;
	return out;
}

static void diff_proto(struct cli *c, struct reconf_item *it, int all)
{
	struct proto *p = it->proto;
	struct channel *ch = p ? p->channels : NULL;
	const struct filter *nf = it->new_cf ? it->new_cf->out_filter : NULL;
	const char *name = it->new_cf ? it->new_cf->name : it->old_cf->name;
	unsigned long ann = 0, wd = 0, listed = 0;
	char b[NET_STRLEN];

	if (it->action == RC_SAME)
		return;
	if (p ? !ch : !it->new_cf->class->exports)
		return;		/* exports nothing (no channel) */
	for (int ti = 0; ti < 2; ti++) {
		struct rt_table *t = ti ? &rt_master6 : &rt_master4;
		struct rt_iter iter;
		struct rt_net *rn;
		rt_iter_init(&iter, t, NULL, NULL);
		while ((rn = rt_iter_next(&iter))) {
			net_addr n = rt_net_addr(t, rn);
			struct rta *old = ch && ch->up ? channel_sent(ch, &n) : NULL;
			struct rta *now = it->action == RC_REMOVE || !nf ? NULL : would_export(p, nf, t, rn);
			int a = now && (it->action == RC_RESTART || now != old);
			int w = old && !now;
			if (now)
				rta_free(now);
			if (!a && !w)
				continue;
			ann += a;
			wd += w;
			if (all && listed < LIST_MAX) {
				cli_msg(c, -RC_PLAN, "    %c %s", a ? '+' : '-', net_ntop(&n, b));
				listed++;
			}
		}
	}
	if (all && ann + wd > listed)
		cli_msg(c, -RC_PLAN, "    ... %lu more", ann + wd - listed);
	cli_msg(c, -RC_PLAN, "  routes of %s: %lu to announce, %lu to withdraw%s", name, ann, wd,
		it->action == RC_ADD ? " (once it is up)" :
		it->action == RC_RESTART ? " (the session restarts and sends them again)" : "");
}

static void plan_routes(struct cli *c, struct config *old, struct config *new, struct reconf_plan *plan, int all)
{
	for (int i = 0; i < plan->n; i++)
		diff_proto(c, &plan->items[i], all);
	if (next_hook)
		next_hook(c, old, new, plan, all);
}

static void install(struct config *old, struct config *new)
{
	if (cmd_plan_hook == plan_routes)
		return;
	next_hook = cmd_plan_hook;
	cmd_plan_hook = plan_routes;
}

void reconf_routes_init(void);
void reconf_routes_init(void)
{
	config_hook_add(install);
}
