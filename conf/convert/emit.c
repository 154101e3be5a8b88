/*
 * metalbird-convert -- writing metallb.conf
 *
 * The model of convert.h becomes, in this order: `router id` (when the peers
 * name one), one `pool` per IPAddressPool, one export filter per BGP peer
 * that carries the BGPAdvertisements selecting it (pool, aggregation length,
 * Service labels; communities and local preference), `protocol bfd` for the
 * BFD profile the peers use, one `protocol bgp` per peer and one
 * `protocol l2` per L2Advertisement.  MetalLB announces nothing for a pool
 * that no advertisement selects; metalbird, without any bgp or l2 protocol,
 * would announce every pool in layer 2, so then the output says
 * `protocol l2 { export none; }`.  A name stays as MetalLB has it (a
 * Kubernetes name: letters, digits, '-', '.'), written in apostrophes where
 * it is no plain word ('prod-pool'), so that Services naming the pool in
 * metallb.io/address-pool keep working; anything else becomes letters,
 * digits and '_' with the MetalLB name in a comment.  Names are unique
 * across pools, filters and protocols.
 */
#include "conf/convert/convert.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Words of the config language (SPEC section 3) that a name must not be. */
static const char *const keywords[] = {
	"accept", "add", "address", "addresses", "aggregation", "all", "api", "as", "assign", "auth",
	"auto", "avoid", "aware", "balancer", "bfd", "bgp", "bug", "buggy", "ca", "case", "class",
	"connect", "debug", "define", "defined", "delete", "description", "dir", "direct", "disabled",
	"else", "error", "events", "export", "false", "fatal", "file", "filter", "filters", "from",
	"function", "graceful", "hold", "hop", "id", "if", "import", "include", "info", "interface",
	"interval", "ips", "keepalive", "kubeconfig", "kubernetes", "l2", "length", "length6", "listen",
	"load", "local", "log", "metrics", "ms", "multihop", "multiplier", "name", "namespaces", "neighbor",
	"net", "next", "no", "node", "none", "off", "on", "packets", "passive", "password", "peers", "pool",
	"port", "prepend", "print", "priority", "proto", "protocol", "protocols", "remote", "reject",
	"restart", "retry", "return", "route", "router", "routes", "security", "selector", "self",
	"server", "service", "state", "states", "static", "status", "stderr", "syslog", "template",
	"then", "time", "token", "trace", "true", "ttl", "warning", "where", "write", "yes", NULL,
};

/* ... and every keyword of the grammar as built (obj/cv-keywords.h). */
static const char *const grammar_keywords[] = {
#include "cv-keywords.h"
	NULL,
};

struct em {
	struct cv_model *m;
	FILE *out;
	struct cv_strv used;		/* config names given out */
};

static int is_keyword(const char *w)
{
	for (int i = 0; keywords[i]; i++)
		if (!strcmp(w, keywords[i]))
			return 1;
	for (int i = 0; grammar_keywords[i]; i++)
		if (!strcmp(w, grammar_keywords[i]))
			return 1;
	return 0;
}

/* Characters that a name in apostrophes may hold (conf/cf-lex.l). */
static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':';
}

static int plain_word(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* A config name as the config is to say it: bare, or in apostrophes. */
static const char *sym(struct em *e, const char *name)
{
	return plain_word(name) && !is_keyword(name) ? name : cv_printf(e->m, "'%s'", name);
}

static const char *config_name(struct em *e, const char *name, const char *fallback)
{
	char buf[128];
	size_t o = 0;
	int keep = *name && strlen(name) < sizeof buf - 8;

	for (const char *p = name; keep && *p; p++)
		keep = name_char(*p);
	if (keep) {
		/* in apostrophes where needed (sym()): the name MetalLB has */
		snprintf(buf, sizeof buf, "%s", name);
		goto unique;
	}
	for (const char *p = name; *p && o < sizeof buf - 8; p++)
		buf[o++] = isalnum((unsigned char)*p) ? *p : '_';
	buf[o] = 0;
	if (!o || isdigit((unsigned char)buf[0])) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%s_%s", fallback, buf);
		snprintf(buf, sizeof buf, "%s", tmp);
	}
	if (is_keyword(buf)) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%s_%s", buf, fallback);
		snprintf(buf, sizeof buf, "%s", tmp);
	}
unique:;
	char *n = cv_strdup(e->m, buf);
	for (int k = 2; cv_has(&e->used, n); k++)
		n = cv_printf(e->m, "%s_%d", buf, k);
	cv_push(e->m, &e->used, n);
	return e->used.v[e->used.n - 1];
}

/* A string in double quotes, with what the lexer would end early escaped. */
static char *quote(struct em *e, const char *s)
{
	size_t n = strlen(s);
	char *q = cv_alloc(e->m, n * 4 + 3), *o = q;

	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			*o++ = '\\';
			*o++ = *s;
		} else if (*s == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if ((unsigned char)*s < 0x20) {
			*o++ = ' ';
		} else {
			*o++ = *s;
		}
	}
	*o++ = '"';
	*o = 0;
	return q;
}

/* Comments may hold input text: keep each on one line. */
static void comment(struct em *e, const char *indent, const char *text)
{
	fprintf(e->out, "%s# ", indent);
	for (const char *p = text; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, e->out);
	fputc('\n', e->out);
}

static void notes(struct em *e, const char *indent, const struct cv_obj *o)
{
	for (int i = 0; i < o->notes.n; i++)
		comment(e, indent, o->notes.v[i]);
}

static void origin(struct em *e, const struct cv_obj *o)
{
	char *t = cv_printf(e->m, "%s %s%s%s (%s:%d)", o->kind, o->ns, *o->ns ? "/" : "", o->name, o->file, o->line);
	comment(e, "", t);
}

/* --- advertisements: which pools, which peers ---------------------------------- */

static int adv_selects_pool(const struct cv_adv *a, const struct cv_pool *p)
{
	if (!a->pools.n && !a->npool_sels)
		return 1;
	if (cv_has(&a->pools, p->o.name))
		return 1;
	for (int i = 0; i < a->npool_sels; i++)
		if (cv_sel_match(&a->pool_sels[i], &p->o.label_keys, &p->o.label_values))
			return 1;
	return 0;
}

static int adv_for_peer(const struct cv_adv *a, const struct cv_peer *p)
{
	return !a->l2 && (!a->peers.n || cv_has(&a->peers, p->o.name));
}

/* The aggregation lengths a pool's BGP advertisements ask for: the pool
 * carries all of them, and a filter tells them apart by net.len. */
static int pool_lengths(struct cv_model *m, const struct cv_pool *p, int v6, int *out, int max)
{
	int n = 0;

	for (int i = 0; i < m->nadvs; i++) {
		const struct cv_adv *a = m->advs[i];
		if (a->l2 || !adv_selects_pool(a, p))
			continue;
		int len = (int)(v6 ? (a->agg6 < 0 ? 128 : a->agg6) : (a->agg4 < 0 ? 32 : a->agg4));
		int seen = 0;
		for (int j = 0; j < n; j++)
			seen |= out[j] == len;
		if (!seen && n < max)
			out[n++] = len;
	}
	return n;
}

/* "pool = "a" || pool = "b"", or NULL when the advertisement takes every
 * pool; *none when it selects no pool at all. */
static char *pool_cond(struct em *e, const struct cv_adv *a, int *count, int *none)
{
	char *c = NULL;
	int n = 0;

	*none = 0;
	if (!a->pools.n && !a->npool_sels) {
		*count = e->m->npools;
		return NULL;
	}
	for (int i = 0; i < e->m->npools; i++) {
		const struct cv_pool *p = e->m->pools[i];
		if (!adv_selects_pool(a, p))
			continue;
		c = cv_printf(e->m, "%s%spool = %s", c ? c : "", c ? " || " : "", quote(e, p->o.cname));
		n++;
	}
	*count = n;
	*none = !n;
	return c;
}

static char *label_req(struct em *e, const struct cv_req *q)
{
	const char *lab = cv_printf(e->m, "k8s_label(%s)", quote(e, q->key));
	char *c = NULL;

	switch (q->op) {
	case CV_SEL_EXISTS: return cv_printf(e->m, "defined(%s)", lab);
	case CV_SEL_NOT_EXISTS: return cv_printf(e->m, "!defined(%s)", lab);
	case CV_SEL_EQ:
	case CV_SEL_IN:
		for (int i = 0; i < q->values.n; i++)
			c = cv_printf(e->m, "%s%s%s = %s", c ? c : "", c ? " || " : "", lab, quote(e, q->values.v[i]));
		return q->values.n > 1 ? cv_printf(e->m, "(%s)", c) : c;
	case CV_SEL_NOTIN:
		for (int i = 0; i < q->values.n; i++)
			c = cv_printf(e->m, "%s && %s != %s", c ? c : "", lab, quote(e, q->values.v[i]));
		return cv_printf(e->m, "(!defined(%s) || (%s))", lab, c + 4);
	}
	return cv_strdup(e->m, "true");
}

/* Service selectors: any selector, all of its requirements. */
static char *svc_cond(struct em *e, const struct cv_sel *sels, int n)
{
	char *c = NULL;

	for (int i = 0; i < n; i++) {
		char *one = NULL;
		for (int j = 0; j < sels[i].n; j++)
			one = cv_printf(e->m, "%s%s%s", one ? one : "", one ? " && " : "", label_req(e, &sels[i].r[j]));
		if (!one)
			return NULL;	/* an empty selector matches every Service */
		c = cv_printf(e->m, "%s%s%s", c ? c : "", c ? " || " : "", n > 1 && sels[i].n > 1 ?
			      cv_printf(e->m, "(%s)", one) : one);
	}
	return c;
}

/* net.len conditions, needed only when a pool carries several lengths. */
static char *len_cond(struct em *e, const struct cv_adv *a)
{
	int need4 = 0, need6 = 0, has4 = 0, has6 = 0, l[8];

	for (int i = 0; i < e->m->npools; i++) {
		const struct cv_pool *p = e->m->pools[i];
		if (!adv_selects_pool(a, p))
			continue;
		has4 |= p->has4;
		has6 |= p->has6;
		need4 |= p->has4 && pool_lengths(e->m, p, 0, l, 8) > 1;
		need6 |= p->has6 && pool_lengths(e->m, p, 1, l, 8) > 1;
	}
	if (!need4 && !need6)
		return NULL;
	int l4 = (int)(a->agg4 < 0 ? 32 : a->agg4), l6 = (int)(a->agg6 < 0 ? 128 : a->agg6);
	/* one family: its length alone; both: each family with its own */
	if (!has6)
		return cv_printf(e->m, "net.len = %d", l4);
	if (!has4)
		return cv_printf(e->m, "net.len = %d", l6);
	return cv_printf(e->m, "((net ~ 0.0.0.0/0 && net.len = %d) || (net ~ ::/0 && net.len = %d))", l4, l6);
}

static char *and(struct em *e, char *a, char *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return cv_printf(e->m, "%s && %s", a, b);
}

/* The whole condition of an advertisement; NULL = every route. */
static char *adv_cond(struct em *e, const struct cv_adv *a, int *none)
{
	int count;
	char *pc = pool_cond(e, a, &count, none);

	if (pc && count > 1)
		pc = cv_printf(e->m, "(%s)", pc);
	char *sc = svc_cond(e, a->svc_sels, a->nsvc_sels);
	if (sc && a->nsvc_sels > 1)
		sc = cv_printf(e->m, "(%s)", sc);
	return and(e, and(e, pc, len_cond(e, a)), sc);
}

/* A community as an advertisement names it: "a:b", "large:a:b:c" or the
 * name of a Community alias.  Returns the filter statement, or NULL with
 * *why set. */
static char *community_stmt(struct em *e, const char *c, const char **why)
{
	unsigned long long v[3];
	int n = 0;
	const char *s = c;
	int large = !strncmp(s, "large:", 6);

	for (int depth = 0; depth < 2; depth++) {
		large = !strncmp(s, "large:", 6);
		const char *p = large ? s + 6 : s;
		n = 0;
		while (n < 3 && isdigit((unsigned char)*p)) {
			char *end;
			v[n++] = strtoull(p, &end, 10);
			p = end;
			if (*p != ':')
				break;
			p++;
		}
		if (!*p && n == (large ? 3 : 2) && p[-1] != ':')
			break;
		n = 0;
		int found = 0;
		for (int i = 0; i < e->m->comm_names.n; i++)
			if (!strcmp(e->m->comm_names.v[i], s)) {
				s = e->m->comm_values.v[i];
				found = 1;
				break;
			}
		if (!found)
			break;
	}
	if (!n) {
		*why = "is neither a:b, large:a:b:c nor a Community alias";
		return NULL;
	}
	if (!large) {
		if (v[0] > 65535 || v[1] > 65535) {
			*why = "has a part above 65535";
			return NULL;
		}
		return cv_printf(e->m, "bgp_community.add((%llu, %llu));", v[0], v[1]);
	}
	if (v[0] > 4294967295ULL || v[1] > 4294967295ULL || v[2] > 4294967295ULL) {
		*why = "has a part above 4294967295";
		return NULL;
	}
	return cv_printf(e->m, "bgp_large_community.add((%llu, %llu, %llu));", v[0], v[1], v[2]);
}

/* --- sections ------------------------------------------------------------------ */

static void emit_pool(struct em *e, struct cv_pool *p)
{
	int l[8], n;

	origin(e, &p->o);
	notes(e, "", &p->o);
	if (strcmp(p->o.cname, p->o.name))
		comment(e, "", cv_printf(e->m, "MetalLB name \"%s\": Services that name this pool in "
					 "metallb.io/address-pool must use \"%s\"", p->o.name, p->o.cname));
	fprintf(e->out, "pool %s {\n\taddresses ", sym(e, p->o.cname));
	for (int i = 0; i < p->addrs.n; i++)
		fprintf(e->out, "%s%s", i ? ", " : "", p->addrs.v[i]);
	fprintf(e->out, ";\n");
	if (!p->auto_assign)
		fprintf(e->out, "\tauto assign no;\n");
	if (p->avoid_buggy)
		fprintf(e->out, "\tavoid buggy ips yes;\n");
	if (p->has4 && (n = pool_lengths(e->m, p, 0, l, 8)) && !(n == 1 && l[0] == 32)) {
		fprintf(e->out, "\taggregation length");
		for (int i = 0; i < n; i++)
			fprintf(e->out, "%s %d", i ? "," : "", l[i]);
		fprintf(e->out, ";\n");
	}
	if (p->has6 && (n = pool_lengths(e->m, p, 1, l, 8)) && !(n == 1 && l[0] == 128)) {
		fprintf(e->out, "\taggregation length6");
		for (int i = 0; i < n; i++)
			fprintf(e->out, "%s %d", i ? "," : "", l[i]);
		fprintf(e->out, ";\n");
	}
	if (p->namespaces.n) {
		fprintf(e->out, "\tnamespaces ");
		for (int i = 0; i < p->namespaces.n; i++)
			fprintf(e->out, "%s%s", i ? ", " : "", quote(e, p->namespaces.v[i]));
		fprintf(e->out, ";\n");
	}
	for (int i = 0; i < p->nsvc_sels; i++) {
		char *t = cv_sel_text(e->m, &p->svc_sels[i]);
		if (!i && *t)
			fprintf(e->out, "\tservice selector %s;\n", quote(e, t));
		else if (i)
			comment(e, "\t", cv_printf(e->m, "serviceSelectors[%d] \"%s\" cannot be expressed: "
						   "a pool has one service selector", i, t));
	}
	if (p->priority > 0)
		fprintf(e->out, "\tpriority %lld;\n", (long long)p->priority);
	fprintf(e->out, "}\n\n");
}

struct peer_out {
	const char *filter;		/* export filter name, NULL = export none */
	int disabled;			/* written as a comment only */
};

static const char *emit_filter(struct em *e, struct cv_peer *p)
{
	struct cv_adv **ads = cv_alloc(e->m, sizeof(*ads) * (size_t)(e->m->nadvs + 1));
	int n = 0;

	for (int i = 0; i < e->m->nadvs; i++)
		if (adv_for_peer(e->m->advs[i], p))
			ads[n++] = e->m->advs[i];
	if (!n)
		return NULL;
	const char *name = config_name(e, cv_printf(e->m, "export_%s", p->o.cname), "f");
	char **conds = cv_alloc(e->m, sizeof(*conds) * (size_t)(n + 1));
	int live = 0, always = 0;
	for (int i = 0; i < n; i++) {
		int none;
		conds[i] = adv_cond(e, ads[i], &none);
		if (none) {
			ads[i] = NULL;
			continue;
		}
		live++;
		always |= !conds[i];
	}
	if (!live)
		return NULL;
	comment(e, "", cv_printf(e->m, "what %s %s is sent: the advertisements that select it", p->o.kind, p->o.name));
	fprintf(e->out, "filter %s {\n", sym(e, name));
	/* One advertisement: set its attributes and accept.  Several: each sets
	 * its own attributes (so that two advertisements of one pool add both
	 * their communities, as MetalLB does), then one accept for all. */
	for (int i = 0; i < n; i++) {
		struct cv_adv *a = ads[i];
		if (!a)
			continue;
		comment(e, "\t", cv_printf(e->m, "%s %s (%s:%d)", a->o.kind, a->o.name, a->o.file, a->o.line));
		notes(e, "\t", &a->o);
		for (int j = 0; j < a->nnode_sels; j++)
			comment(e, "\t", cv_printf(e->m, "nodeSelectors \"%s\" cannot be expressed per advertisement: "
						   "use node selector in protocol %s", cv_sel_text(e->m, &a->node_sels[j]),
						   p->o.cname));
		struct cv_strv stmts = { 0 };
		for (int j = 0; j < a->communities.n; j++) {
			const char *why = NULL;
			char *st = community_stmt(e, a->communities.v[j], &why);
			if (st)
				cv_push(e->m, &stmts, st);
			else
				comment(e, "\t", cv_printf(e->m, "communities: \"%s\" %s; left out", a->communities.v[j], why));
		}
		if (a->local_pref > 0)
			cv_push(e->m, &stmts, cv_printf(e->m, "bgp_local_pref = %lld;", (long long)a->local_pref));
		if (live == 1)
			cv_push(e->m, &stmts, "accept;");
		if (!stmts.n)
			continue;
		const char *ind = conds[i] ? "\t\t" : "\t";
		if (conds[i])
			fprintf(e->out, "\tif %s then {\n", conds[i]);
		for (int j = 0; j < stmts.n; j++)
			fprintf(e->out, "%s%s\n", ind, stmts.v[j]);
		if (conds[i])
			fprintf(e->out, "\t}\n");
	}
	if (live > 1) {
		if (always) {
			fprintf(e->out, "\taccept;\n");
		} else {
			fprintf(e->out, "\tif ");
			int first = 1;
			for (int i = 0; i < n; i++)
				if (ads[i]) {
					fprintf(e->out, "%s(%s)", first ? "" : " || ", conds[i]);
					first = 0;
				}
			fprintf(e->out, " then accept;\n");
		}
	}
	if (!always)
		fprintf(e->out, "\treject;\n");
	fprintf(e->out, "}\n\n");
	return name;
}

static int valid_asn(int64_t a)
{
	return (a >= 1 && a <= 65534 && a != 23456) || (a >= 131072 && a <= 4294967294LL);
}

/* Writes the protocol to a memory stream first: a peer that cannot be
 * expressed is then printed as a comment, so that the output stays valid. */
static int emit_peer(struct em *e, struct cv_peer *p, const char *filter, const struct cv_bfd *bfd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *why = NULL;

	if (!f)
		return -1;
	int64_t peer_as = p->peer_asn;
	if (p->dynamic_asn && !strcmp(p->dynamic_asn, "internal"))
		peer_as = p->my_asn;
	else if (p->dynamic_asn)
		why = "dynamicASN external (any AS but ours) cannot be expressed: give the neighbor's AS";
	if (!p->addr)
		why = cv_printf(e->m, "interface %s without peerAddress (BGP unnumbered) cannot be expressed",
				p->iface ? p->iface : "?");
	if (!why && !valid_asn(p->my_asn))
		why = cv_printf(e->m, "myASN %lld is reserved or out of range (valid: 1-65534, 131072-4294967294, "
				"not 23456)", (long long)p->my_asn);
	if (!why && !valid_asn(peer_as))
		why = cv_printf(e->m, "peerASN %lld is reserved or out of range (valid: 1-65534, 131072-4294967294, "
				"not 23456)", (long long)peer_as);
	/* RFC 2385 keys are at most 80 octets (TCP_MD5SIG_MAXKEYLEN) */
	if (!why && p->password && strlen(p->password) > 80)
		why = "password is longer than 80 characters, the TCP-MD5 key limit";
	fprintf(f, "protocol bgp %s {\n", sym(e, p->o.cname));
	if (p->addr) {
		fprintf(f, "\tneighbor %s", p->addr);
		if (p->port && p->port != 179)
			fprintf(f, " port %lld", (long long)p->port);
		fprintf(f, " as %lld;\n", (long long)peer_as);
	}
	if (p->src)
		fprintf(f, "\tlocal %s as %lld;\n", p->src, (long long)p->my_asn);
	else
		fprintf(f, "\tlocal as %lld;\n", (long long)p->my_asn);
	if (p->iface && p->addr)
		fprintf(f, "\tinterface %s;\n", quote(e, p->iface));
	int64_t hold = p->hold, ka = p->keepalive;
	if (hold < 0 && ka >= 0)
		hold = ka * 3;		/* MetalLB: only keepalive given, hold = 3 x keepalive */
	if (hold >= 0)		/* 0 or 3..65535: checked by the reader */
		fprintf(f, "\thold time %lld;\n", (long long)hold);
	if (ka > 0 && hold == 0)
		fprintf(f, "\t# keepaliveTime %llds left out: hold time 0 sends no keepalives\n", (long long)ka);
	else if (ka > 0)
		fprintf(f, "\tkeepalive time %lld;\n", (long long)ka);
	if (p->connect > 0)
		fprintf(f, "\tconnect retry time %lld;\n", (long long)(p->connect > 65535 ? 65535 : p->connect));
	if (p->multihop)
		fprintf(f, "\tmultihop 255;\n");
	if (p->password && *p->password)
		fprintf(f, "\tpassword %s;\n", quote(e, p->password));
	if (p->gr)
		fprintf(f, "\tgraceful restart on;\n");
	if (p->bfd_profile) {
		fprintf(f, "\tbfd on;\n");
		if (!bfd)
			fprintf(f, "\t# bfdProfile %s is not defined; protocol bfd uses its defaults\n", p->bfd_profile);
	}
	for (int i = 0; i < p->nnode_sels; i++) {
		char *t = cv_sel_text(e->m, &p->node_sels[i]);
		if (!i && *t)
			fprintf(f, "\tnode selector %s;\n", quote(e, t));
		else if (i)
			fprintf(f, "\t# nodeSelectors[%d] \"%s\" cannot be expressed: one node selector per protocol\n",
				i, t);
	}
	if (filter)
		fprintf(f, "\texport filter %s;\n", sym(e, filter));
	else
		fprintf(f, "\texport none;\t# no BGPAdvertisement selects this peer\n");
	fprintf(f, "}\n");
	fclose(f);

	origin(e, &p->o);
	notes(e, "", &p->o);
	if (why) {
		comment(e, "", cv_printf(e->m, "left out: %s", why));
		for (char *line = text, *nl; line && *line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = 0;
			fprintf(e->out, "# %s\n", line);
		}
	} else {
		fputs(text, e->out);
	}
	fputc('\n', e->out);
	free(text);
	return why ? 0 : 1;
}

static const struct cv_bfd *find_bfd(struct em *e, const char *name)
{
	for (int i = 0; name && i < e->m->nbfds; i++)
		if (!strcmp(e->m->bfds[i]->o.name, name))
			return e->m->bfds[i];
	return NULL;
}

static void emit_bfd(struct em *e, const struct cv_bfd *b)
{
	int64_t rx = b->rx < 0 ? 300 : b->rx, tx = b->tx < 0 ? 300 : b->tx, mult = b->mult < 0 ? 3 : b->mult;

	origin(e, &b->o);
	notes(e, "", &b->o);
	if (b->echo_mode || b->echo_interval >= 0)
		comment(e, "", "echoMode/echoInterval cannot be expressed: metalbird's BFD sends no echo packets");
	if (b->passive)
		comment(e, "", "passiveMode cannot be expressed: metalbird's BFD always sends control packets");
	if (b->min_ttl >= 0)
		comment(e, "", cv_printf(e->m, "minimumTtl %lld cannot be expressed", (long long)b->min_ttl));
	fprintf(e->out, "protocol bfd {\n\tinterface \"*\" {\n");
	if (rx == tx)
		fprintf(e->out, "\t\tinterval %lld ms;\n", (long long)rx);
	else
		fprintf(e->out, "\t\tmin rx interval %lld ms;\n\t\tmin tx interval %lld ms;\n", (long long)rx,
			(long long)tx);
	fprintf(e->out, "\t\tmultiplier %lld;\n\t};\n}\n\n", (long long)mult);
}

static void emit_l2(struct em *e, struct cv_adv *a)
{
	int none;
	char *c = adv_cond(e, a, &none);

	origin(e, &a->o);
	notes(e, "", &a->o);
	if (none) {
		comment(e, "", "left out: it selects no pool");
		fputc('\n', e->out);
		return;
	}
	fprintf(e->out, "protocol l2 %s {\n", sym(e, a->o.cname));
	if (a->interfaces.n) {
		fprintf(e->out, "\tinterface ");
		for (int i = 0; i < a->interfaces.n; i++)
			fprintf(e->out, "%s%s", i ? ", " : "", quote(e, a->interfaces.v[i]));
		fprintf(e->out, ";\n");
	}
	for (int i = 0; i < a->nnode_sels; i++) {
		char *t = cv_sel_text(e->m, &a->node_sels[i]);
		if (!i && *t)
			fprintf(e->out, "\tnode selector %s;\n", quote(e, t));
		else if (i)
			comment(e, "\t", cv_printf(e->m, "nodeSelectors[%d] \"%s\" cannot be expressed: "
						   "one node selector per protocol", i, t));
	}
	if (c)
		fprintf(e->out, "\texport where %s;\n", c);
	else
		fprintf(e->out, "\texport all;\n");
	fprintf(e->out, "}\n\n");
}

int cv_emit(struct cv_model *m, FILE *out)
{
	struct em e = { .m = m, .out = out };
	const char *rid = NULL;
	int bgp_live = 0, l2_live = 0;

	fprintf(out, "# metallb.conf written by metalbird-convert from");
	for (int i = 0; i < m->files.n; i++)
		fprintf(out, " %s", m->files.v[i]);
	fprintf(out, "\n# Check it with: metalbird -p -c metallb.conf\n\n");
	for (int i = 0; i < m->notes.n; i++)
		comment(&e, "", m->notes.v[i]);
	if (m->notes.n)
		fputc('\n', out);

	/* names: pools first, as Services name them in annotations */
	for (int i = 0; i < m->npools; i++)
		m->pools[i]->o.cname = (char *)config_name(&e, m->pools[i]->o.name, "pool");
	for (int i = 0; i < m->npeers; i++)
		m->peers[i]->o.cname = (char *)config_name(&e, m->peers[i]->o.name, "peer");
	for (int i = 0; i < m->nadvs; i++)
		if (m->advs[i]->l2)
			m->advs[i]->o.cname = (char *)config_name(&e, m->advs[i]->o.name, "l2");

	for (int i = 0; i < m->npeers; i++) {
		const char *r = m->peers[i]->router_id;
		if (!r)
			continue;
		if (!rid) {
			rid = r;
			fprintf(out, "router id %s;\t# routerID of BGPPeer %s\n", r, m->peers[i]->o.name);
		} else if (strcmp(rid, r)) {
			comment(&e, "", cv_printf(m, "routerID %s of BGPPeer %s cannot be expressed: one router id per node",
						  r, m->peers[i]->o.name));
		}
	}
	if (rid)
		fputc('\n', out);

	for (int i = 0; i < m->npools; i++)
		emit_pool(&e, m->pools[i]);

	const char **filters = cv_alloc(m, sizeof(char *) * (size_t)(m->npeers + 1));
	for (int i = 0; i < m->npeers; i++)
		filters[i] = emit_filter(&e, m->peers[i]);

	/* BFD: the profile of the first peer that names one */
	const struct cv_bfd *bfd = NULL;
	for (int i = 0; i < m->npeers; i++) {
		const struct cv_bfd *b = find_bfd(&e, m->peers[i]->bfd_profile);
		if (b && !bfd) {
			bfd = b;
			emit_bfd(&e, b);
		} else if (b && b != bfd) {
			comment(&e, "", cv_printf(m, "BFDProfile %s of BGPPeer %s cannot be expressed: one protocol bfd "
						  "serves every session; it uses BFDProfile %s", b->o.name,
						  m->peers[i]->o.name, bfd->o.name));
			fputc('\n', out);
		}
	}
	for (int i = 0; i < m->nbfds; i++) {
		int used = 0;
		for (int j = 0; j < m->npeers; j++)
			used |= m->peers[j]->bfd_profile && !strcmp(m->peers[j]->bfd_profile, m->bfds[i]->o.name);
		if (!used) {
			comment(&e, "", cv_printf(m, "BFDProfile %s is used by no peer; left out", m->bfds[i]->o.name));
			fputc('\n', out);
		}
	}

	for (int i = 0; i < m->npeers; i++)
		bgp_live += emit_peer(&e, m->peers[i], filters[i], find_bfd(&e, m->peers[i]->bfd_profile));

	for (int i = 0; i < m->nadvs; i++) {
		struct cv_adv *a = m->advs[i];
		if (!a->l2)
			continue;
		int none;
		adv_cond(&e, a, &none);
		l2_live += !none;
		emit_l2(&e, a);
	}
	/* BGP advertisements naming peers that do not exist */
	for (int i = 0; i < m->nadvs; i++)
		for (int j = 0; j < m->advs[i]->peers.n; j++) {
			int found = 0;
			for (int k = 0; k < m->npeers; k++)
				found |= !strcmp(m->peers[k]->o.name, m->advs[i]->peers.v[j]);
			if (!found)
				comment(&e, "", cv_printf(m, "%s %s names peer %s, which is not defined", m->advs[i]->o.kind,
							  m->advs[i]->o.name, m->advs[i]->peers.v[j]));
		}
	if (!bgp_live && !l2_live) {
		comment(&e, "", "No advertisement announces any pool: MetalLB announces nothing then, and so does this.");
		fprintf(out, "protocol l2 {\n\texport none;\n}\n");
	}
	return ferror(out) ? -1 : 0;
}
