/*
 * Table-driven tests of the pool allocator (nest/pool_alloc.c).
 *
 * Each scenario gives pools and Services in a compact text form, runs the
 * allocator and compares every Service's result with what SPEC section 4
 * and MetalLB's rules say it must be.  A scenario may have a second step
 * (a reload, Services added or removed, a daemon restart with the
 * allocations persisted in the state file, or a restart with only
 * status.loadBalancer.ingress to go by) that starts from the first step's
 * allocations.
 *
 * Pools:    "NAME r=RANGE,RANGE auto=no buggy=yes ns=A,B sel=SELECTOR prio=N"
 * Services: "NS/NAME t=AGE type=cluster class=C fam=4|6|46|64 pol=single|prefer|require
 *            ips=..(metallb.io) lips=..(legacy) lbip=.. pool=P lpool=P share=K lshare=K
 *            ports=tcp/80,udp/53 etp=local sel=SELECTOR labels=k:v;k:v status=IP,IP uid=U"
 * Expect:   "NS/NAME=ADDR[,ADDR]@POOL", "NS/NAME=pending:WORDS-IN-REASON", "NS/NAME=-" (not served)
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nest/mem.h"
#include "nest/pool_alloc.h"
#include "nest/selector.h"

/* scenarios leave out the fields of a second step they do not use */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MAXP 6
#define MAXS 12

struct scen {
	const char *name;
	const char *lb_class;
	const char *pools[MAXP];
	const char *svcs[MAXS];
	const char *expect[MAXS];
	/* step 2 (when svcs2[0] or pools2[0] is set) */
	const char *pools2[MAXP];
	const char *svcs2[MAXS];
	const char *expect2[MAXS];
	int restart;		/* 0 prev in memory, 1 prev from the state file, 2 no prev at all */
};

static struct arena *mem;

/* --- building pools and Services from text ---------------------------------------- */

static char *field(const char *spec, const char *key)
{
	char pat[32];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(spec, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	size_t n = strcspn(p, " ");
	return arena_strndup(mem, p, n);
}

static struct pool_config *make_pool(const char *spec)
{
	struct pool_config *p = arena_alloc(mem, sizeof *p);
	char *name = arena_strndup(mem, spec, strcspn(spec, " "));
	char *r = field(spec, "r"), *v;
	struct pool_range **pp = &p->ranges;

	p->name = name;
	p->auto_assign = !((v = field(spec, "auto")) && !strcmp(v, "no"));
	p->avoid_buggy_ips = (v = field(spec, "buggy")) && !strcmp(v, "yes");
	ck_assert_ptr_nonnull(r);
	for (char *tok = strtok(r, ","); tok; tok = strtok(NULL, ",")) {
		struct pool_range *rg = arena_alloc(mem, sizeof *rg);
		char *dash = strchr(tok, '-');
		if (dash) {
			*dash = 0;
			ck_assert(ip_pton(tok, &rg->first));
			ck_assert(ip_pton(dash + 1, &rg->last));
		} else {
			net_addr n;
			ck_assert_int_eq(net_pton(tok, &n), 0);
			rg->first = n.ip;
			rg->last = net_last(&n);
		}
		rg->af = ip_af(rg->first);
		*pp = rg;
		pp = &rg->next;
	}
	if ((v = field(spec, "ns"))) {
		p->namespaces = arena_alloc(mem, 8 * sizeof(char *));
		for (char *tok = strtok(v, ","); tok && p->nnamespaces < 8; tok = strtok(NULL, ","))
			p->namespaces[p->nnamespaces++] = tok;
	}
	if ((v = field(spec, "sel"))) {
		char err[100];
		int off;
		p->service_selector = selector_parse(mem, v, err, sizeof err, &off);
		ck_assert_ptr_nonnull(p->service_selector);
	}
	if ((v = field(spec, "prio"))) {
		p->has_priority = 1;
		p->priority = atoi(v);
	}
	return p;
}

static struct pool_config *make_pools(const char *const *specs)
{
	struct pool_config *list = NULL, **pp = &list;
	for (int i = 0; i < MAXP && specs[i]; i++) {
		*pp = make_pool(specs[i]);
		pp = &(*pp)->next;
	}
	return list;
}

static void add_kv(struct kv_list **l, const char *k, const char *v)
{
	int n = *l ? (*l)->n : 0;
	struct kv_list *x = kv_list_new(n + 1);
	for (int i = 0; i < n; i++)
		x->kv[i] = (*l)->kv[i];
	x->kv[n].key = xstrdup(k);
	x->kv[n].value = xstrdup(v);
	free(*l);
	kv_list_sort(x);
	*l = x;
}

static struct service *make_svc(const char *spec)
{
	struct service *s = svc_new();
	char *v;
	size_t kl = strcspn(spec, " ");
	char *key = arena_strndup(mem, spec, kl);
	char *slash = strchr(key, '/');

	ck_assert_ptr_nonnull(slash);
	s->key = xstrdup(key);
	*slash = 0;
	s->namespace = xstrdup(key);
	s->name = xstrdup(slash + 1);
	s->labels = kv_list_new(0);
	s->annotations = kv_list_new(0);
	s->is_lb = !((v = field(spec, "type")) && !strcmp(v, "cluster"));
	s->created = (v = field(spec, "t")) ? atoi(v) : 0;
	if ((v = field(spec, "class")))
		s->lb_class = xstrdup(v);
	if ((v = field(spec, "uid")))
		s->uid = xstrdup(v);
	if ((v = field(spec, "fam"))) {
		for (char *c = v; *c; c++)
			s->families[s->nfamilies++] = *c == '4' ? AF_IP4 : AF_IP6;
	}
	if ((v = field(spec, "pol")))
		s->family_policy = !strcmp(v, "require") ? SVC_REQUIRE_DUAL
				   : !strcmp(v, "prefer") ? SVC_PREFER_DUAL : SVC_SINGLE_STACK;
	if ((v = field(spec, "ips")))
		add_kv(&s->annotations, "metallb.io/loadBalancerIPs", v);
	if ((v = field(spec, "lips")))
		add_kv(&s->annotations, "metallb.universe.tf/loadBalancerIPs", v);
	if ((v = field(spec, "lbip")))
		s->lb_ip = xstrdup(v);
	if ((v = field(spec, "pool")))
		add_kv(&s->annotations, "metallb.io/address-pool", v);
	if ((v = field(spec, "lpool")))
		add_kv(&s->annotations, "metallb.universe.tf/address-pool", v);
	if ((v = field(spec, "share")))
		add_kv(&s->annotations, "metallb.io/allow-shared-ip", v);
	if ((v = field(spec, "lshare")))
		add_kv(&s->annotations, "metallb.universe.tf/allow-shared-ip", v);
	if ((v = field(spec, "etp")) && !strcmp(v, "local"))
		s->traffic_policy = K8S_POLICY_LOCAL;
	if ((v = field(spec, "sel")))
		s->selector_key = xstrdup(v);
	if ((v = field(spec, "labels"))) {
		for (char *tok = strtok(v, ";"); tok; tok = strtok(NULL, ";")) {
			char *c = strchr(tok, ':');
			ck_assert_ptr_nonnull(c);
			*c = 0;
			add_kv(&s->labels, tok, c + 1);
		}
	}
	if ((v = field(spec, "ports"))) {
		s->ports = xzalloc(8 * sizeof *s->ports);
		for (char *tok = strtok(v, ","); tok && s->nports < 8; tok = strtok(NULL, ",")) {
			char *c = strchr(tok, '/');
			ck_assert_ptr_nonnull(c);
			*c = 0;
			for (char *u = tok; *u; u++)
				*u = (char)(*u - 32 * (*u >= 'a' && *u <= 'z'));
			snprintf(s->ports[s->nports].proto, sizeof s->ports[0].proto, "%s", tok);
			s->ports[s->nports].port = atoi(c + 1);
			s->nports++;
		}
	}
	if ((v = field(spec, "status"))) {
		for (char *tok = strtok(v, ","); tok && s->ningress < 2; tok = strtok(NULL, ","))
			ck_assert(ip_pton(tok, &s->ingress[s->ningress++]));
	}
	return s;
}

static int make_svcs(const char *const *specs, struct service **out)
{
	int n = 0;
	for (int i = 0; i < MAXS && specs[i]; i++)
		out[n++] = make_svc(specs[i]);
	return n;
}

static void result(const struct service *s, char *buf, size_t len)
{
	char b[IP_STRLEN];
	size_t o = 0;

	if (!s->served) {
		snprintf(buf, len, "%s=-", s->key);
		return;
	}
	if (!s->naddrs) {
		snprintf(buf, len, "%s=pending:%s", s->key, s->reason);
		return;
	}
	o += (size_t)snprintf(buf + o, len - o, "%s=", s->key);
	for (int i = 0; i < s->naddrs; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", ip_ntop(s->addrs[i], b));
	snprintf(buf + o, len - o, "@%s", s->pool);
}

static void check_expect(const char *scen, int step, struct service **svcs, int n, const char *const *expect)
{
	for (int i = 0; i < MAXS && expect[i]; i++) {
		const char *eq = strchr(expect[i], '=');
		char key[128], got[512];
		ck_assert_ptr_nonnull(eq);
		snprintf(key, sizeof key, "%.*s", (int)(eq - expect[i]), expect[i]);
		struct service *s = NULL;
		for (int j = 0; j < n; j++)
			if (!strcmp(svcs[j]->key, key))
				s = svcs[j];
		ck_assert_msg(s != NULL, "%s step %d: no service %s", scen, step, key);
		result(s, got, sizeof got);
		const char *pend = strstr(expect[i], "=pending:");
		if (pend) {
			/* the reason must be given and contain the expected words */
			ck_assert_msg(!s->naddrs && s->served && s->reason[0] && strstr(s->reason, pend + 9),
				      "%s step %d: want %s, got %s", scen, step, expect[i], got);
		} else {
			ck_assert_msg(!strcmp(got, expect[i]), "%s step %d: want %s, got %s", scen, step,
				      expect[i], got);
		}
	}
}

static void free_svcs(struct service **s, int n)
{
	for (int i = 0; i < n; i++)
		svc_free(s[i]);
}

/* --- the scenarios ------------------------------------------------------------------ */

#define P(...) { __VA_ARGS__ }

static const struct scen scens[] = {
	/* basics: order, lowest address, what is served */
	{ "first address", NULL, P("p r=203.0.113.0/30"), P("d/a"), P("d/a=203.0.113.0@p") },
	{ "oldest first", NULL, P("p r=203.0.113.0/30"), P("d/a t=2", "d/b t=1"),
	  P("d/b=203.0.113.0@p", "d/a=203.0.113.1@p") },
	{ "tie by namespace/name", NULL, P("p r=203.0.113.0/30"), P("z/a t=1", "a/z t=1", "a/b t=1"),
	  P("a/b=203.0.113.0@p", "a/z=203.0.113.1@p", "z/a=203.0.113.2@p") },
	{ "not a LoadBalancer", NULL, P("p r=203.0.113.0/30"), P("d/a type=cluster t=1", "d/b t=2"),
	  P("d/a=-", "d/b=203.0.113.0@p") },
	{ "foreign class ignored", NULL, P("p r=203.0.113.0/30"), P("d/a class=other t=1", "d/b t=2"),
	  P("d/a=-", "d/b=203.0.113.0@p") },
	{ "our class served", "metalbird", P("p r=203.0.113.0/30"),
	  P("d/a class=metalbird t=2", "d/b t=1", "d/c class=x t=0"),
	  P("d/a=203.0.113.0@p", "d/b=-", "d/c=-") },
	{ "exhaustion", NULL, P("p r=203.0.113.0/31"), P("d/a t=1", "d/b t=2", "d/c t=3"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p", "d/c=pending:pool p is exhausted") },
	{ "no pools", NULL, P(NULL), P("d/a"), P("d/a=pending:no pools configured") },
	/* d/y takes the address after d/p's turn: the reason still names the
	 * oldest holder in the way, as a second run (d/y kept first) says */
	{ "reason names the oldest holder", NULL, P("p r=203.0.113.0/31"),
	  P("d/p t=1 ips=203.0.113.0", "d/h t=3 share=k status=203.0.113.0", "d/y t=2 share=k ips=203.0.113.0"),
	  P("d/h=203.0.113.0@p", "d/y=203.0.113.0@p", "d/p=pending:address 203.0.113.0 is in use by d/y") },
	{ "avoid buggy ips", NULL, P("p r=203.0.113.0/24 buggy=yes"), P("d/a"), P("d/a=203.0.113.1@p") },
	{ "avoid buggy ips at the end", NULL, P("p r=203.0.113.254-203.0.113.255 buggy=yes"), P("d/a t=1", "d/b t=2"),
	  P("d/a=203.0.113.254@p", "d/b=pending:exhausted") },
	{ "buggy allowed by default", NULL, P("p r=203.0.113.255-203.0.114.0"), P("d/a t=1", "d/b t=2"),
	  P("d/a=203.0.113.255@p", "d/b=203.0.114.0@p") },
	{ "buggy does not apply to IPv6", NULL, P("p r=2001:db8::/126 buggy=yes"), P("d/a fam=6"),
	  P("d/a=2001:db8::@p") },
	{ "range order, not address order", NULL, P("p r=198.51.100.10-198.51.100.11,192.0.2.1/32"),
	  P("d/a t=1", "d/b t=2", "d/c t=3"),
	  P("d/a=198.51.100.10@p", "d/b=198.51.100.11@p", "d/c=192.0.2.1@p") },
	{ "pools in config order", NULL, P("p1 r=198.51.100.0/32", "p2 r=192.0.2.0/30"), P("d/a t=1", "d/b t=2"),
	  P("d/a=198.51.100.0@p1", "d/b=192.0.2.0@p2") },

	/* requested addresses */
	{ "requested address", NULL, P("p r=203.0.113.0/30"), P("d/a ips=203.0.113.2"), P("d/a=203.0.113.2@p") },
	{ "requested, legacy annotation", NULL, P("p r=203.0.113.0/30"), P("d/a lips=203.0.113.3"),
	  P("d/a=203.0.113.3@p") },
	{ "requested by spec.loadBalancerIP", NULL, P("p r=203.0.113.0/30"), P("d/a lbip=203.0.113.1"),
	  P("d/a=203.0.113.1@p") },
	{ "both annotation and loadBalancerIP", NULL, P("p r=203.0.113.0/30"),
	  P("d/a ips=203.0.113.1 lbip=203.0.113.2"), P("d/a=pending:can not have both") },
	{ "requested outside every pool", NULL, P("p r=203.0.113.0/30"), P("d/a ips=198.51.100.7"),
	  P("d/a=pending:198.51.100.7 is not in any pool") },
	{ "requested from an auto assign no pool", NULL, P("p r=203.0.113.0/30 auto=no"), P("d/a ips=203.0.113.1"),
	  P("d/a=203.0.113.1@p") },
	{ "requested address in use", NULL, P("p r=203.0.113.0/30"), P("d/a t=1 ips=203.0.113.1", "d/b t=2 ips=203.0.113.1"),
	  P("d/a=203.0.113.1@p", "d/b=pending:in use by d/a") },
	{ "requested in the requested pool", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"),
	  P("d/a ips=198.51.100.2 pool=q"), P("d/a=198.51.100.2@q") },
	{ "requested outside the requested pool", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"),
	  P("d/a ips=203.0.113.2 pool=q"), P("d/a=pending:not in the requested pool q") },
	{ "requested garbage", NULL, P("p r=203.0.113.0/30"), P("d/a ips=not-an-ip"),
	  P("d/a=pending:is not an IP address") },
	{ "requested buggy address", NULL, P("p r=203.0.113.0/24 buggy=yes"), P("d/a ips=203.0.113.255"),
	  P("d/a=pending:avoids buggy ips") },
	{ "requested dual stack", NULL, P("p r=203.0.113.0/30,2001:db8::/126"),
	  P("d/a pol=require fam=46 ips=203.0.113.1,2001:db8::2"), P("d/a=203.0.113.1,2001:db8::2@p") },
	{ "requested junk in a list", NULL, P("p r=203.0.113.0/30,2001:db8::/126"),
	  P("d/a pol=prefer fam=46 ips=203.0.113.1,+2001:db8::2"), P("d/a=pending:is not an IP address") },
	{ "two requested of one family", NULL, P("p r=203.0.113.0/30"), P("d/a ips=203.0.113.1,203.0.113.2"),
	  P("d/a=pending:at most one requested address per family") },
	{ "requested from two pools", NULL, P("p r=203.0.113.0/30", "q r=2001:db8::/126"),
	  P("d/a pol=require fam=46 ips=203.0.113.1,2001:db8::1"), P("d/a=pending:different pools") },
	{ "requested single IPv6", NULL, P("p r=203.0.113.0/30,2001:db8::/126"), P("d/a fam=6 ips=2001:db8::3"),
	  P("d/a=2001:db8::3@p") },
	{ "RequireDualStack with one requested", NULL, P("p r=203.0.113.0/30,2001:db8::/126"),
	  P("d/a pol=require ips=203.0.113.1"), P("d/a=pending:RequireDualStack needs") },
	{ "older automatic Service wins the address", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1", "d/b t=2 ips=203.0.113.0"), P("d/a=203.0.113.0@p", "d/b=pending:in use by d/a") },
	{ "automatic Service skips a requested address", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 ips=203.0.113.0", "d/b t=2"), P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },

	/* requested pool */
	{ "pool annotation", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"), P("d/a pool=q"),
	  P("d/a=198.51.100.0@q") },
	{ "legacy pool annotation", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"), P("d/a lpool=q"),
	  P("d/a=198.51.100.0@q") },
	{ "pool annotation, auto assign no", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30 auto=no"),
	  P("d/a pool=q"), P("d/a=198.51.100.0@q") },
	{ "unknown pool", NULL, P("p r=203.0.113.0/30"), P("d/a pool=nope"), P("d/a=pending:\"nope\" does not exist") },
	{ "auto assign no is skipped", NULL, P("p r=203.0.113.0/30 auto=no", "q r=198.51.100.0/30"), P("d/a"),
	  P("d/a=198.51.100.0@q") },
	{ "only auto assign no pools", NULL, P("p r=203.0.113.0/30 auto=no"), P("d/a"),
	  P("d/a=pending:no pool with auto assign") },
	{ "requested pool exhausted", NULL, P("p r=203.0.113.0/32", "q r=198.51.100.0/30"),
	  P("d/a t=1 pool=p", "d/b t=2 pool=p"), P("d/a=203.0.113.0@p", "d/b=pending:pool p is exhausted") },
	{ "stable prefix wins over legacy", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"),
	  P("d/a pool=q lpool=p"), P("d/a=198.51.100.0@q") },

	/* pools limited to namespaces and labels, priority */
	{ "namespace pool first", NULL, P("any r=203.0.113.0/30", "prod r=198.51.100.0/30 ns=prod"),
	  P("prod/a", "dev/b"), P("prod/a=198.51.100.0@prod", "dev/b=203.0.113.0@any") },
	{ "namespace list", NULL, P("any r=203.0.113.0/30", "ps r=198.51.100.0/30 ns=prod,staging"),
	  P("staging/a"), P("staging/a=198.51.100.0@ps") },
	{ "service selector pool", NULL, P("any r=203.0.113.0/30", "gold r=198.51.100.0/30 sel=tier=gold"),
	  P("d/a labels=tier:gold", "d/b labels=tier:silver"), P("d/a=198.51.100.0@gold", "d/b=203.0.113.0@any") },
	{ "selector and namespace both", NULL, P("any r=203.0.113.0/30", "g r=198.51.100.0/30 ns=prod sel=tier=gold"),
	  P("prod/a labels=tier:gold t=1", "dev/b labels=tier:gold t=2"),
	  P("prod/a=198.51.100.0@g", "dev/b=203.0.113.0@any") },
	{ "priority", NULL, P("low r=203.0.113.0/30 ns=d prio=20", "high r=198.51.100.0/30 ns=d prio=10"),
	  P("d/a"), P("d/a=198.51.100.0@high") },
	{ "priority beats none", NULL, P("none r=203.0.113.0/30 ns=d", "some r=198.51.100.0/30 ns=d prio=50"),
	  P("d/a"), P("d/a=198.51.100.0@some") },
	{ "equal priority in config order", NULL, P("x r=203.0.113.0/30 ns=d prio=5", "y r=198.51.100.0/30 ns=d prio=5"),
	  P("d/a"), P("d/a=203.0.113.0@x") },
	{ "limited pool full, then the next", NULL,
	  P("any r=192.0.2.0/30", "p2 r=203.0.113.0/32 ns=d prio=2", "p1 r=198.51.100.0/32 ns=d prio=1"),
	  P("d/a t=1", "d/b t=2", "d/c t=3"),
	  P("d/a=198.51.100.0@p1", "d/b=203.0.113.0@p2", "d/c=192.0.2.0@any") },
	{ "no pool for this namespace", NULL, P("prod r=198.51.100.0/30 ns=prod"), P("dev/a"),
	  P("dev/a=pending:namespaces or service selector do not match") },
	{ "limited auto assign no pool not used", NULL,
	  P("any r=203.0.113.0/30", "prod r=198.51.100.0/30 ns=prod auto=no"), P("prod/a"),
	  P("prod/a=203.0.113.0@any") },

	/* families */
	{ "RequireDualStack", NULL, P("p r=203.0.113.0/30,2001:db8::/126"), P("d/a pol=require fam=46"),
	  P("d/a=203.0.113.0,2001:db8::@p") },
	{ "RequireDualStack without IPv6", NULL, P("p r=203.0.113.0/30"), P("d/a pol=require fam=46"),
	  P("d/a=pending:no IPv6 addresses") },
	{ "RequireDualStack picks the dual pool", NULL, P("v4 r=203.0.113.0/30", "ds r=198.51.100.0/30,2001:db8::/126"),
	  P("d/a pol=require fam=46"), P("d/a=198.51.100.0,2001:db8::@ds") },
	{ "PreferDualStack in a single family pool", NULL, P("v4 r=203.0.113.0/30"), P("d/a pol=prefer fam=46"),
	  P("d/a=203.0.113.0@v4") },
	{ "PreferDualStack in a dual pool", NULL, P("ds r=203.0.113.0/30,2001:db8::/126"), P("d/a pol=prefer fam=46"),
	  P("d/a=203.0.113.0,2001:db8::@ds") },
	{ "PreferDualStack, IPv6 exhausted", NULL, P("ds r=203.0.113.0/30,2001:db8::/128"),
	  P("d/a t=1 pol=prefer fam=46", "d/b t=2 pol=prefer fam=46"),
	  P("d/a=203.0.113.0,2001:db8::@ds", "d/b=203.0.113.1@ds") },
	{ "IPv6 first", NULL, P("ds r=203.0.113.0/30,2001:db8::/126"), P("d/a pol=require fam=64"),
	  P("d/a=2001:db8::,203.0.113.0@ds") },
	{ "single IPv6 from a dual pool", NULL, P("ds r=203.0.113.0/30,2001:db8::/126"), P("d/a fam=6"),
	  P("d/a=2001:db8::@ds") },
	{ "IPv6 wanted, only IPv4 pools", NULL, P("v4 r=203.0.113.0/30"), P("d/a fam=6"),
	  P("d/a=pending:no IPv6 addresses") },
	{ "IPv6 skips IPv4 only pool", NULL, P("v4 r=203.0.113.0/30", "v6 r=2001:db8::/126"), P("d/a fam=6"),
	  P("d/a=2001:db8::@v6") },

	/* sharing */
	{ "shared, disjoint ports", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 share=k ports=tcp/80", "d/b t=2 share=k ports=tcp/443"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.0@p") },
	{ "same port other protocol", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 share=k ports=tcp/53", "d/b t=2 share=k ports=udp/53"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.0@p") },
	{ "shared, colliding ports", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 share=k ports=tcp/80", "d/b t=2 share=k ports=tcp/80"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },
	{ "different keys", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 share=k ports=tcp/80", "d/b t=2 share=j ports=tcp/443"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },
	{ "one without key", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 ports=tcp/80", "d/b t=2 share=k ports=tcp/443"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },
	{ "legacy sharing key", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 lshare=k ports=tcp/80", "d/b t=2 share=k ports=tcp/443"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.0@p") },
	{ "Local with other selector", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 share=k ports=tcp/80 etp=local sel=app=x", "d/b t=2 share=k ports=tcp/443 sel=app=y"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },
	{ "Local with the same selector", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 share=k ports=tcp/80 etp=local sel=app=x", "d/b t=2 share=k ports=tcp/443 etp=local sel=app=x"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.0@p") },
	{ "requested shared address", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 ips=203.0.113.2 share=k ports=tcp/80", "d/b t=2 ips=203.0.113.2 share=k ports=tcp/443"),
	  P("d/a=203.0.113.2@p", "d/b=203.0.113.2@p") },
	{ "requested shared, ports collide", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 ips=203.0.113.2 share=k ports=tcp/80", "d/b t=2 ips=203.0.113.2 share=k ports=tcp/80"),
	  P("d/a=203.0.113.2@p", "d/b=pending:ports collide") },
	{ "sharing in a full pool", NULL, P("p r=203.0.113.0/31"),
	  P("d/a t=1 share=k ports=tcp/80", "d/b t=2", "d/c t=3 share=k ports=tcp/81"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p", "d/c=203.0.113.0@p") },
	{ "shares the lowest compatible", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 ips=203.0.113.3 share=k ports=tcp/80", "d/b t=2 share=k ports=tcp/81"),
	  P("d/a=203.0.113.3@p", "d/b=203.0.113.0@p") },

	/* second steps: stability, freeing, reloads and restarts */
	{ "stable when an older Service appears", NULL, P("p r=203.0.113.0/30"), P("d/a t=5", "d/b t=6"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p"), P(NULL), P("d/a t=5", "d/b t=6", "d/c t=1"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p", "d/c=203.0.113.2@p") },
	{ "freed address goes to the pending one", NULL, P("p r=203.0.113.0/31"), P("d/a t=1", "d/b t=2", "d/c t=3"),
	  P("d/c=pending:exhausted"), P(NULL), P("d/b t=2", "d/c t=3"),
	  P("d/b=203.0.113.1@p", "d/c=203.0.113.0@p") },
	{ "pool shrinks on reload", NULL, P("p r=203.0.113.0/30"), P("d/a t=1", "d/b t=2", "d/c t=3"),
	  P("d/c=203.0.113.2@p"), P("p r=203.0.113.0/31", "q r=198.51.100.0/30"), P("d/a t=1", "d/b t=2", "d/c t=3"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p", "d/c=198.51.100.0@q") },
	{ "pool removed on reload", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"), P("d/a"),
	  P("d/a=203.0.113.0@p"), P("q r=198.51.100.0/30"), P("d/a"), P("d/a=198.51.100.0@q") },
	{ "pool grows: pending gets one", NULL, P("p r=203.0.113.0/32"), P("d/a t=1", "d/b t=2"),
	  P("d/b=pending:exhausted"), P("p r=203.0.113.0/31"), P("d/a t=1", "d/b t=2"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },
	{ "restart with the state file", NULL, P("p r=203.0.113.0/30"), P("d/b t=2"), P("d/b=203.0.113.0@p"),
	  P(NULL), P("d/a t=1", "d/b t=2"), P("d/a=203.0.113.1@p", "d/b=203.0.113.0@p"), 1 },
	{ "restart without state: status kept", NULL, P("p r=203.0.113.0/30"), P("d/b t=2"), P("d/b=203.0.113.0@p"),
	  P(NULL), P("d/a t=1", "d/b t=2 status=203.0.113.3"), P("d/a=203.0.113.0@p", "d/b=203.0.113.3@p"), 2 },
	{ "status outside the pools", NULL, P("p r=203.0.113.0/30"), P("d/a status=198.51.100.9"),
	  P("d/a=203.0.113.0@p") },
	{ "status conflict: older keeps", NULL, P("p r=203.0.113.0/30"),
	  P("d/b t=2 status=203.0.113.2", "d/a t=1 status=203.0.113.2"),
	  P("d/a=203.0.113.2@p", "d/b=203.0.113.0@p") },
	{ "state file wins over status", NULL, P("p r=203.0.113.0/30"), P("d/a"), P("d/a=203.0.113.0@p"),
	  P(NULL), P("d/a status=203.0.113.3"), P("d/a=203.0.113.0@p"), 1 },
	{ "requested address changed", NULL, P("p r=203.0.113.0/30"), P("d/a ips=203.0.113.1"),
	  P("d/a=203.0.113.1@p"), P(NULL), P("d/a ips=203.0.113.2"), P("d/a=203.0.113.2@p") },
	{ "requested pool changed", NULL, P("p r=203.0.113.0/30", "q r=198.51.100.0/30"), P("d/a"),
	  P("d/a=203.0.113.0@p"), P(NULL), P("d/a pool=q"), P("d/a=198.51.100.0@q") },
	{ "recreated Service is new", NULL, P("p r=203.0.113.0/30"), P("d/a t=5 uid=1"), P("d/a=203.0.113.0@p"),
	  P(NULL), P("d/a t=5 uid=2", "d/c t=1"), P("d/c=203.0.113.0@p", "d/a=203.0.113.1@p") },
	{ "same uid is kept", NULL, P("p r=203.0.113.0/30"), P("d/a t=5 uid=1"), P("d/a=203.0.113.0@p"),
	  P(NULL), P("d/a t=5 uid=1", "d/c t=1"), P("d/a=203.0.113.0@p", "d/c=203.0.113.1@p"), 1 },
	{ "single to dual stack", NULL, P("p r=203.0.113.0/30,2001:db8::/126"), P("d/a t=1", "d/b t=2"),
	  P("d/b=203.0.113.1@p"), P(NULL), P("d/a t=1", "d/b t=2 pol=require fam=46"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1,2001:db8::@p") },
	{ "dual to single stack", NULL, P("p r=203.0.113.0/30,2001:db8::/126"), P("d/a pol=require fam=46"),
	  P("d/a=203.0.113.0,2001:db8::@p"), P(NULL), P("d/a"), P("d/a=203.0.113.0@p") },
	{ "avoid buggy set on reload keeps the address", NULL, P("p r=203.0.113.0/30"), P("d/a"),
	  P("d/a=203.0.113.0@p"), P("p r=203.0.113.0/30 buggy=yes"), P("d/a", "d/b t=1"),
	  P("d/a=203.0.113.0@p", "d/b=203.0.113.1@p") },
	{ "no longer a LoadBalancer frees it", NULL, P("p r=203.0.113.0/32"), P("d/a t=1", "d/b t=2"),
	  P("d/b=pending:exhausted"), P(NULL), P("d/a t=1 type=cluster", "d/b t=2"),
	  P("d/a=-", "d/b=203.0.113.0@p") },
	{ "shared addresses survive a restart", NULL, P("p r=203.0.113.0/30"),
	  P("d/a t=1 ips=203.0.113.3 share=k ports=tcp/80", "d/b t=2 share=k ports=tcp/81"),
	  P("d/b=203.0.113.0@p"), P(NULL),
	  P("d/a t=1 ips=203.0.113.3 share=k ports=tcp/80", "d/b t=2 share=k ports=tcp/81", "d/c t=0"),
	  P("d/a=203.0.113.3@p", "d/b=203.0.113.0@p", "d/c=203.0.113.1@p"), 1 },
};

#define NSCEN ((int)(sizeof scens / sizeof scens[0]))

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int states_equal(const struct pa_state *a, const struct pa_state *b)
{
	if (a->set.n != b->set.n)
		return 0;
	for (int i = 0; i < a->set.n; i++) {
		const struct pa_entry *x = a->set.obj[i], *y = b->set.obj[i];
		if (strcmp(x->key, y->key) || strcmp(a->set.keys[i], b->set.keys[i]) || !str_same(x->uid, y->uid) ||
		    !str_same(x->pool, y->pool) || !str_same(x->reason, y->reason) || x->naddrs != y->naddrs)
			return 0;
		for (int j = 0; j < x->naddrs; j++)
			if (!ip_equal(x->addrs[j], y->addrs[j]))
				return 0;
		if (pa_state_get(b, x->key) != y)
			return 0;
	}
	return 1;
}

START_TEST(test_scenario)
{
	const struct scen *sc = &scens[_i];
	struct service *svcs[MAXS], *svcs2[MAXS];
	struct pa_state prev;

	mem = arena_new();
	struct pool_config *pools = make_pools(sc->pools);
	int n = make_svcs(sc->svcs, svcs);
	pa_run(pools, svcs, n, sc->lb_class, NULL);
	check_expect(sc->name, 1, svcs, n, sc->expect);
	/* running again on its own result changes nothing, not even the
	 * words of a reason */
	static char first[MAXS][512];
	char again[512];
	for (int i = 0; i < n; i++)
		result(svcs[i], first[i], sizeof first[i]);
	pa_state_init(&prev);
	pa_state_from_services(&prev, svcs, n);
	/* the same state made in place over another one */
	{
		static const char junk[] = "{\"version\":1,\"allocations\":[{\"service\":\"zz/gone\",\"pool\":\"p\","
			"\"addresses\":[\"203.0.113.9\"]},{\"service\":\"d/a\",\"uid\":\"old\",\"pool\":\"other\","
			"\"addresses\":[\"198.51.100.9\"]}]}";
		struct pa_state in;
		char err[256];
		pa_state_init(&in);
		ck_assert(pa_state_parse(&in, junk, strlen(junk), err, sizeof err) == 0);
		int gone = 1 + !pa_state_get(&prev, "d/a");
		ck_assert_int_eq(pa_state_sync(&in, svcs, n), gone);
		ck_assert_msg(states_equal(&prev, &in), "%s: pa_state_sync differs", sc->name);
		ck_assert_int_eq(pa_state_sync(&in, svcs, n), 0);
		ck_assert(states_equal(&prev, &in));
		pa_state_free(&in);
	}
	ck_assert_msg(pa_run(pools, svcs, n, sc->lb_class, &prev) == 0, "%s: not a fixed point", sc->name);
	check_expect(sc->name, 1, svcs, n, sc->expect);
	for (int i = 0; i < n; i++) {
		result(svcs[i], again, sizeof again);
		ck_assert_msg(!strcmp(first[i], again), "%s: %s, then %s", sc->name, first[i], again);
	}

	if (sc->svcs2[0] || sc->pools2[0]) {
		struct pool_config *pools2 = sc->pools2[0] ? make_pools(sc->pools2) : pools;
		int n2 = make_svcs(sc->svcs2[0] ? sc->svcs2 : sc->svcs, svcs2);
		struct pa_state *p2 = &prev;
		struct pa_state loaded;
		pa_state_init(&loaded);
		if (sc->restart == 1) {
			char path[] = "/tmp/mb-alloc-XXXXXX", err[256];
			int fd = mkstemp(path);
			ck_assert_int_ge(fd, 0);
			close(fd);
			ck_assert_msg(pa_state_save(&prev, path, err, sizeof err) == 0, "%s", err);
			ck_assert_msg(pa_state_load(&loaded, path, err, sizeof err) == 0, "%s", err);
			unlink(path);
			p2 = &loaded;
		} else if (sc->restart == 2) {
			p2 = NULL;
		}
		pa_run(pools2, svcs2, n2, sc->lb_class, p2);
		check_expect(sc->name, 2, svcs2, n2, sc->expect2);
		pa_state_free(&loaded);
		free_svcs(svcs2, n2);
	}
	pa_state_free(&prev);
	free_svcs(svcs, n);
	arena_free(mem);
}
END_TEST

/* A source that follows one object at a time (protocol kubernetes' flat
 * sync) skips the allocator when a new version of a Service differs only
 * where the allocator does not read: a full run must then give every
 * Service what it had, the new versions included. */
START_TEST(test_inputs_equal)
{
	const struct scen *sc = &scens[_i];
	struct service *svcs[MAXS];
	static char before[MAXS][512];
	char after[512];
	struct pa_state prev;

	mem = arena_new();
	struct pool_config *pools = make_pools(sc->pools);
	int n = make_svcs(sc->svcs, svcs);
	pa_run(pools, svcs, n, sc->lb_class, NULL);
	for (int i = 0; i < n; i++)
		result(svcs[i], before[i], sizeof before[i]);
	pa_state_init(&prev);
	pa_state_from_services(&prev, svcs, n);
	for (int i = 0; i < n; i++) {
		struct service *c = make_svc(sc->svcs[i]);
		/* our own status and annotation writes coming back, and others' */
		c->ningress = 1;
		ck_assert(ip_pton("192.0.2.99", &c->ingress[0]));
		add_kv(&c->annotations, "metallb.io/ip-allocated-from-pool", "somewhere");
		add_kv(&c->annotations, "example.com/owner", "team");
		ck_assert_msg(pa_inputs_equal(svcs[i], c), "%s: %s not equal to itself", sc->name, c->key);
		pa_copy_result(c, svcs[i]);
		svc_free(svcs[i]);
		svcs[i] = c;
	}
	ck_assert_msg(pa_run(pools, svcs, n, sc->lb_class, &prev) == 0, "%s: a run changed something", sc->name);
	for (int i = 0; i < n; i++) {
		result(svcs[i], after, sizeof after);
		ck_assert_msg(!strcmp(before[i], after), "%s: was %s, a run gives %s", sc->name, before[i], after);
	}
	pa_state_free(&prev);
	free_svcs(svcs, n);
	arena_free(mem);
}
END_TEST

/* Every field the allocator reads makes two versions differ. */
START_TEST(test_inputs_differ)
{
	static const char *const base = "d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b";
	static const char *const other[] = {
		"d/a t=6 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/81 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=udp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=y pool=p share=k ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=x pool=q share=k ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=j ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p ips=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.2 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k lbip=203.0.113.1 labels=a:b",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:c",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b type=cluster",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b class=c",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b uid=u2",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b fam=6",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b pol=prefer",
		"d/a t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b etp=local",
		"d/b t=5 ports=tcp/80 sel=app=x pool=p share=k ips=203.0.113.1 labels=a:b",
	};

	mem = arena_new();
	struct service *a = make_svc(base), *same = make_svc(base);
	ck_assert(pa_inputs_equal(a, same));
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		struct service *b = make_svc(other[i]);
		ck_assert_msg(!pa_inputs_equal(a, b) && !pa_inputs_equal(b, a), "equal: %s", other[i]);
		svc_free(b);
	}
	svc_free(a);
	svc_free(same);
	arena_free(mem);
}
END_TEST

/* --- the state file --------------------------------------------------------------- */

START_TEST(test_state_roundtrip)
{
	struct pa_state a, b;
	char err[256];
	const char *text = "{\"version\":1,\"allocations\":[{\"service\":\"d/a\",\"uid\":\"u1\",\"pool\":\"p\","
			   "\"addresses\":[\"203.0.113.1\",\"2001:db8::1\"]}]}";

	pa_state_init(&a);
	pa_state_init(&b);
	ck_assert_int_eq(pa_state_parse(&a, text, strlen(text), err, sizeof err), 0);
	const struct pa_entry *e = pa_state_get(&a, "d/a");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->naddrs, 2);
	ck_assert_str_eq(e->pool, "p");
	ck_assert_str_eq(e->uid, "u1");
	char *out = pa_state_format(&a);
	ck_assert_int_eq(pa_state_parse(&b, out, strlen(out), err, sizeof err), 0);
	const struct pa_entry *f = pa_state_get(&b, "d/a");
	ck_assert_ptr_nonnull(f);
	ck_assert(ip_equal(e->addrs[1], f->addrs[1]));
	free(out);
	pa_state_free(&a);
	pa_state_free(&b);
}
END_TEST

/* The state file is written by hand: byte for byte what jansson writes. */
static char *format_jansson(const struct pa_state *st)
{
	json_t *arr = json_array();
	char b[IP_STRLEN];

	for (int i = 0; i < st->set.n; i++) {
		const struct pa_entry *e = st->set.obj[i];
		if (!e->naddrs || !e->pool)
			continue;
		json_t *a = json_array();
		for (int j = 0; j < e->naddrs; j++)
			json_array_append_new(a, json_string(ip_ntop(e->addrs[j], b)));
		json_t *o = json_pack("{s:s, s:s, s:o}", "service", e->key, "pool", e->pool, "addresses", a);
		if (e->uid)
			json_object_set_new(o, "uid", json_string(e->uid));
		json_array_append_new(arr, o);
	}
	json_t *doc = json_pack("{s:i, s:o}", "version", 1, "allocations", arr);
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

START_TEST(test_state_format)
{
	static const char *const docs[] = {
		"{\"version\":1,\"allocations\":[]}",
		"{\"version\":1,\"allocations\":[{\"service\":\"d/a\",\"pool\":\"p\",\"addresses\":[\"203.0.113.1\"]}]}",
		"{\"version\":1,\"allocations\":[{\"service\":\"d/a\",\"uid\":\"u1\",\"pool\":\"p\","
		"\"addresses\":[\"203.0.113.1\",\"2001:db8::1\"]},{\"service\":\"d/b\",\"uid\":\"u2\","
		"\"pool\":\"q\",\"addresses\":[\"2001:db8::2\"]}]}",
		"{\"version\":1,\"allocations\":[{\"service\":\"d/\\\"q\\\\\\n\\t\\u0001\\/x\",\"uid\":\"\\b\\f\\r\u00e9\","
		"\"pool\":\"p \\u001f\",\"addresses\":[\"203.0.113.1\"]}]}",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		struct pa_state a;
		char err[256];
		pa_state_init(&a);
		ck_assert_msg(pa_state_parse(&a, docs[i], strlen(docs[i]), err, sizeof err) == 0, "%s", err);
		/* a pending entry (no addresses) is not written */
		struct service *s = svc_new();
		s->key = xstrdup("z/pending");
		s->served = 1;
		pa_state_from_services(&a, &s, 1);
		char *mine = pa_state_format(&a), *ref = format_jansson(&a);
		ck_assert_msg(!strcmp(mine, ref), "doc %zu:\n%s\njansson:\n%s", i, mine, ref);
		free(mine);
		free(ref);
		svc_free(s);
		pa_state_free(&a);
	}
}
END_TEST

START_TEST(test_state_bad)
{
	struct pa_state a;
	char err[256];
	static const char *bad[] = {
		"", "[]", "{\"allocations\":3}", "{\"allocations\":[{\"service\":\"x\",\"pool\":\"p\",\"addresses\":[]}]}",
		"{\"allocations\":[{\"service\":\"d/x\",\"pool\":\"p\",\"addresses\":[\"nope\"]}]}",
		"{\"allocations\":[{\"service\":\"d/x\",\"pool\":\"p\",\"addresses\":[\"192.0.2.1\",\"192.0.2.2\",\"192.0.2.3\"]}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pa_state_init(&a);
		err[0] = 0;
		ck_assert_msg(pa_state_parse(&a, bad[i], strlen(bad[i]), err, sizeof err) == -1, "accepted %s", bad[i]);
		ck_assert(err[0]);
		pa_state_free(&a);
	}
}
END_TEST

START_TEST(test_state_atomic)
{
	char dir[] = "/tmp/mb-state-XXXXXX", path[256], tmp[300], err[256];
	struct pa_state a, b;
	const char *text = "{\"allocations\":[{\"service\":\"d/a\",\"pool\":\"p\",\"addresses\":[\"203.0.113.1\"]}]}";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/allocations.json", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	pa_state_init(&a);
	pa_state_init(&b);
	/* missing file: empty, no error */
	ck_assert_int_eq(pa_state_load(&b, path, err, sizeof err), 0);
	ck_assert_int_eq(b.set.n, 0);
	ck_assert_int_eq(pa_state_parse(&a, text, strlen(text), err, sizeof err), 0);
	ck_assert_int_eq(pa_state_save(&a, path, err, sizeof err), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);	/* renamed away */
	ck_assert_int_eq(pa_state_load(&b, path, err, sizeof err), 0);
	ck_assert_int_eq(b.set.n, 1);
	/* a directory that does not exist is an error with the path */
	char bad[300];
	snprintf(bad, sizeof bad, "%s/nope/allocations.json", dir);
	ck_assert_int_eq(pa_state_save(&a, bad, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "nope"));
	unlink(path);
	rmdir(dir);
	pa_state_free(&a);
	pa_state_free(&b);
}
END_TEST

/* Ten thousand Services in one pool: one walk of the pool, not one per Service. */
START_TEST(test_many)
{
	enum { N = 10000 };
	struct service **svcs = xmalloc(N * sizeof *svcs);
	char spec[64];
	struct pa_state prev;

	mem = arena_new();
	const char *ps[] = { "p r=100.64.0.0/16", NULL };
	struct pool_config *pools = make_pools(ps);
	for (int i = 0; i < N; i++) {
		snprintf(spec, sizeof spec, "ns/s%05d t=%d", i, i);
		svcs[i] = make_svc(spec);
	}
	pa_run(pools, svcs, N, NULL, NULL);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(svcs[i]->naddrs, 1);
		ck_assert_uint_eq(ip4_get(svcs[i]->addrs[0]), (100u << 24 | 64u << 16) + (unsigned)i);
	}
	pa_state_init(&prev);
	pa_state_from_services(&prev, svcs, N);
	ck_assert_int_eq(pa_run(pools, svcs, N, NULL, &prev), 0);
	struct pa_pool_usage u;
	pa_pool_usage(pools, svcs, N, &u);
	ck_assert_uint_eq(u.size4, 65536);
	ck_assert_uint_eq(u.used4, N);
	ck_assert_int_eq(u.services, N);
	pa_state_free(&prev);
	free_svcs(svcs, N);
	free(svcs);
	arena_free(mem);
}
END_TEST

START_TEST(test_usage_shared)
{
	struct service *svcs[MAXS];
	const char *ps[] = { "p r=203.0.113.0/30,2001:db8::/120", NULL };
	const char *ss[] = { "d/a t=1 share=k ports=tcp/80", "d/b t=2 share=k ports=tcp/81", "d/c t=3 fam=6", NULL };
	struct pa_pool_usage u;

	mem = arena_new();
	struct pool_config *pools = make_pools(ps);
	int n = make_svcs(ss, svcs);
	pa_run(pools, svcs, n, NULL, NULL);
	pa_pool_usage(pools, svcs, n, &u);
	ck_assert_uint_eq(u.size4, 4);
	ck_assert_uint_eq(u.size6, 256);
	ck_assert_uint_eq(u.used4, 1);	/* shared: counted once */
	ck_assert_uint_eq(u.used6, 1);
	ck_assert_int_eq(u.services, 3);
	free_svcs(svcs, n);
	arena_free(mem);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("scenarios");
	TCase *ts = tcase_create("state");

	tcase_add_loop_test(tc, test_scenario, 0, NSCEN);
	tcase_add_loop_test(tc, test_inputs_equal, 0, NSCEN);
	tcase_add_test(tc, test_inputs_differ);
	tcase_add_test(ts, test_state_roundtrip);
	tcase_add_test(ts, test_state_format);
	tcase_add_test(ts, test_state_bad);
	tcase_add_test(ts, test_state_atomic);
	tcase_add_test(ts, test_many);
	tcase_add_test(ts, test_usage_shared);
	tcase_set_timeout(ts, 30);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, ts);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d scenarios\n", NSCEN);
	return failed ? 1 : 0;
}
