/*
 * metalbird -- unit tests of the filter language (nest/filter/)
 *
 * Most cases are written in the filter language itself (STYLE.md item 17):
 * every tests/filter/NAME.conf is parsed as a config, and each function t_NAME
 * there is run over a fixed route and its result compared with the constant
 * t_NAME_ok; each e_NAME must fail at run time with a message containing the
 * string e_NAME_ok.  The C tables below cover what a function cannot show:
 * the attribute set a filter hands back (copy-on-write, interning), config
 * errors with their exact FILE:LINE:COL, comparison for reconfiguration,
 * the dump, and the `show route where` parser.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "nest/filter/f-inst.h"
#include "nest/protocol.h"
#include "nest/route.h"

static char err[1024];

/* --- the fixed route ---------------------------------------------------------- */

static net_addr route_net;
static struct rta *route_rta;

static void build_route(void)
{
	static struct {
		int n;
		struct kv kv[1];
	} labels = { 1, { { "tier", "gold" } } };
	struct rta tmp;
	uint8_t path[2 + 8];
	uint32_t asn[2] = { 64512, 64513 }, comm = 64512u << 16 | 100;

	if (route_rta)
		return;
	ip_addr a;
	ck_assert_int_eq(ip_pton("203.0.113.7", &a), AF_IP4);
	route_net = net_make(a, AF_IP4, 32);
	memset(&tmp, 0, sizeof tmp);
	tmp.pool = "production";
	tmp.k8s_namespace = "prod";
	tmp.k8s_service = "web";
	tmp.k8s_traffic_policy = K8S_POLICY_LOCAL;
	tmp.k8s_labels = (const struct kv_list *)&labels;
	path[0] = AS_PATH_SEQUENCE;
	path[1] = 2;
	memcpy(path + 2, asn, 8);
	tmp.bgp_path = adata_new(path, sizeof path);
	tmp.bgp_community = adata_new(&comm, 4);
	route_rta = rta_lookup(&tmp);
	free((void *)tmp.bgp_path);
	free((void *)tmp.bgp_community);
}

static struct symbol *find_sym(const struct config *c, const char *name)
{
	for (unsigned i = 0; i < c->symtab_size; i++)
		for (struct symbol *s = c->symtab[i]; s; s = s->next)
			if (!strcmp(s->name, name))
				return s;
	return NULL;
}

/* --- cases written in the filter language ---------------------------------------- */

static glob_t conf_files;
static int total_cases;

static void load_globs(void)
{
	if (!conf_files.gl_pathc && glob("tests/filter/*.conf", 0, NULL, &conf_files) != 0) {
		fprintf(stderr, "test_filter: no tests/filter/*.conf (run from the top of the tree)\n");
		exit(1);
	}
}

/* Run every case of a parsed tests/filter file; returns how many ran. */
static int run_cases(struct config *c, const char *file)
{
	char fails[8192];
	size_t fo = 0;
	int n = 0, bad = 0;

	fails[0] = 0;
	for (unsigned h = 0; h < c->symtab_size; h++)
		for (struct symbol *s = c->symtab[h]; s; s = s->next) {
			if (s->class != SYM_FUNCTION || (strncmp(s->name, "t_", 2) && strncmp(s->name, "e_", 2)))
				continue;
			const struct f_function *fn = s->def;
			char okname[256], got[512], want[512], e[512];
			snprintf(okname, sizeof okname, "%s_ok", s->name);
			struct symbol *ok = find_sym(c, okname);
			ck_assert_msg(ok && ok->class == SYM_CONSTANT, "%s: %s has no constant %s", file, s->name, okname);
			ck_assert_int_eq(fn->nargs, 0);
			const struct f_val *expect = ok->def;
			struct f_val v;
			int r = f_run_function(fn, &route_net, "k8s", route_rta, &v, e, sizeof e);
			n++;
			if (s->name[0] == 't') {
				if (r < 0) {
					bad++;
					fo += (size_t)snprintf(fails + fo, sizeof fails - fo, "\n  %s: run-time error %s", s->name, e);
				} else if (!f_val_equal(&v, expect)) {
					f_val_print(&v, got, sizeof got);
					f_val_print(expect, want, sizeof want);
					bad++;
					fo += (size_t)snprintf(fails + fo, sizeof fails - fo, "\n  %s: got %s (%s), want %s (%s)",
							       s->name, got, f_type_name(v.type), want, f_type_name(expect->type));
				}
			} else {
				ck_assert_int_eq(expect->type, T_STRING);
				if (r == 0 || !strstr(e, expect->u.s)) {
					bad++;
					fo += (size_t)snprintf(fails + fo, sizeof fails - fo, "\n  %s: %s, want error with \"%s\"",
							       s->name, r == 0 ? "no error" : e, expect->u.s);
				}
			}
			if (fo >= sizeof fails)
				fo = sizeof fails - 1;
		}
	ck_assert_msg(n >= 10, "%s: only %d cases", file, n);
	ck_assert_msg(bad == 0, "%s: %d of %d cases failed:%s", file, bad, n, fails);
	return n;
}

START_TEST(filter_language_cases)
{
	load_globs();
	build_route();
	ck_assert_uint_gt(conf_files.gl_pathc, (unsigned)_i);
	const char *file = conf_files.gl_pathv[_i];
	struct config *c = config_parse(file, err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	total_cases += run_cases(c, file);
	config_free(c);
}
END_TEST

/* The dump of a file's definitions (filter_dump_defs) parses again, and
 * every case still passes over the parsed dump. */
START_TEST(filter_language_dump)
{
	load_globs();
	build_route();
	const char *file = conf_files.gl_pathv[_i];
	struct config *c = config_parse(file, err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	char *dump = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&dump, &len);
	filter_dump_defs(m, c);
	fclose(m);
	struct config *d = config_parse_string("dump.conf", dump, err, sizeof err);
	ck_assert_msg(d != NULL, "%s: the dump does not parse: %s\n%s", file, err, dump);
	ck_assert_int_eq(run_cases(d, file), run_cases(c, file));
	/* and it is a fixed point */
	char *dump2 = NULL;
	size_t len2 = 0;
	m = open_memstream(&dump2, &len2);
	filter_dump_defs(m, d);
	fclose(m);
	ck_assert_str_eq(dump2, dump);
	free(dump);
	free(dump2);
	config_free(d);
	config_free(c);
}
END_TEST

/* --- attribute updates: a filter's result over the fixed route -------------------- */

static void rta_summary(const struct rta *a, char *buf, size_t len)
{
	char p[256], cm[256], lc[256], nh[IP_STRLEN];
	struct f_val v;

	v.type = T_PATH;
	v.u.ad = a->bgp_path;
	f_val_print(&v, p, sizeof p);
	v.type = T_CLIST;
	v.u.ad = a->bgp_community;
	f_val_print(&v, cm, sizeof cm);
	v.type = T_LCLIST;
	v.u.ad = a->bgp_large_community;
	f_val_print(&v, lc, sizeof lc);
	char med[16] = "-", lp[16] = "-";
	if (a->set & RTA_MED)
		snprintf(med, sizeof med, "%u", a->bgp_med);
	if (a->set & RTA_LOCAL_PREF)
		snprintf(lp, sizeof lp, "%u", a->bgp_local_pref);
	snprintf(buf, len, "origin=%s%s path=%s med=%s lp=%s comm=%s lc=%s nh=%s",
		 a->set & RTA_ORIGIN ? "" : "-", a->bgp_origin == 0 ? "IGP" : a->bgp_origin == 1 ? "EGP" : "INCOMPLETE",
		 p, med, lp, cm, lc, a->set & RTA_NEXT_HOP ? ip_ntop(a->bgp_next_hop, nh) : "-");
}

#define UNCHANGED "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-"

static const struct {
	const char *body;	/* filter body */
	int accept;
	const char *attrs;	/* summary of the result (accepted routes) */
} updates[] = {
	{ "accept;", 1, UNCHANGED },
	{ "reject;", 0, NULL },
	{ "", 0, NULL },						/* runs off its end */
	{ "if pool = \"production\" then accept;", 1, UNCHANGED },
	{ "if pool = \"staging\" then accept;", 0, NULL },
	{ "bgp_local_pref = 200; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=200 comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_med = 10; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=10 lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_med = 10; reject;", 0, NULL },
	{ "bgp_community.add((64512, 200)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100) (64512,200)) lc=(lclist) nh=-" },
	{ "bgp_community.add((1, 1)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (1,1) (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_community.delete((64512, 100)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist) lc=(lclist) nh=-" },
	{ "bgp_community.delete([(64512, *)]); bgp_community.add((65000, 1)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (65000,1)) lc=(lclist) nh=-" },
	{ "bgp_community = -empty-; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist) lc=(lclist) nh=-" },
	{ "bgp_large_community.add((64512, 1, 2)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist (64512, 1, 2)) nh=-" },
	{ "bgp_large_community.add((2, 0, 0)); bgp_large_community.add((1, 0, 0)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist (1, 0, 0) (2, 0, 0)) nh=-" },
	{ "bgp_path.prepend(65001); accept;", 1,
	  "origin=-IGP path=(path 65001 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_path.prepend(65001); bgp_path.prepend(65001); accept;", 1,
	  "origin=-IGP path=(path 65001 65001 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_path = +empty+; accept;", 1,
	  "origin=-IGP path=(path) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_origin = ORIGIN_EGP; accept;", 1,
	  "origin=EGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_origin = INCOMPLETE; accept;", 1,
	  "origin=INCOMPLETE path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_next_hop = 198.51.100.1; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=198.51.100.1" },
	{ "bgp_next_hop = 2001:db8::1; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=2001:db8::1" },
	{ "bgp_med = 5; unset(bgp_med); accept;", 1, UNCHANGED },
	{ "if k8s_label(\"tier\") = \"gold\" then bgp_local_pref = 300; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=300 comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "if k8s_label(\"tier\") = \"silver\" then bgp_local_pref = 300; accept;", 1, UNCHANGED },
	{ "if k8s_traffic_policy = \"Local\" then bgp_med = 0; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=0 lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "if net ~ [ 203.0.113.0/24{32,32} ] then { bgp_community.add((64512, 32)); accept; } reject;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,32) (64512,100)) lc=(lclist) nh=-" },
	{ "if net.len = 24 then accept; reject;", 0, NULL },
	{ "if k8s_label(\"color\") = \"red\" then accept; accept;", 0, NULL },	/* run-time error */
	{ "if defined(k8s_label(\"color\")) then reject; accept;", 1, UNCHANGED },
	{ "bgp_local_pref = 100; bgp_local_pref = bgp_local_pref + 50; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=150 comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "case pool { \"production\": bgp_med = 1; \"staging\": bgp_med = 2; else: reject; } accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=1 lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "int x = 7; bgp_med = x * 3; accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=21 lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "if (64512, 100) ~ bgp_community then bgp_community.add((64512, 101)); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100) (64512,101)) lc=(lclist) nh=-" },
	{ "if bgp_path ~ [= 64512 * =] then bgp_path.prepend(64512); accept;", 1,
	  "origin=-IGP path=(path 64512 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist) nh=-" },
	{ "bgp_community.add((64512, 100)); accept;", 1, UNCHANGED },		/* already there */
	{ "bgp_large_community.add((64512, 1, 1)); bgp_large_community.add((64512, 2, 9)); "
	  "bgp_large_community.delete([(64512, 2..5, *)]); accept;", 1,
	  "origin=-IGP path=(path 64512 64513) med=- lp=- comm=(clist (64512,100)) lc=(lclist (64512, 1, 1)) nh=-" },
	{ "bgp_med = 1 / 0; accept;", 0, NULL },	/* not reached: a config error; see errors */
};

static struct config *parse(const char *text)
{
	return config_parse_string("t.conf", text, err, sizeof err);
}

START_TEST(filter_attr_updates)
{
	char src[2048], got[1024];

	build_route();
	for (size_t k = 0; k < sizeof updates / sizeof updates[0]; k++) {
		snprintf(src, sizeof src, "filter f { %s }", updates[k].body);
		struct config *c = parse(src);
		if (strstr(updates[k].body, "1 / 0")) {
			ck_assert_msg(!c, "%s: division by a constant zero must be a config error", src);
			ck_assert_str_eq(err, "t.conf:1:24: division by zero");
			continue;
		}
		ck_assert_msg(c != NULL, "%s: %s", src, err);
		struct symbol *s = find_sym(c, "f");
		ck_assert_ptr_nonnull(s);
		uint32_t uc = route_rta->uc;
		struct rta *out = NULL;
		enum filter_result r = f_run(s->def, &route_net, "k8s", route_rta, &out);
		ck_assert_msg((r == F_ACCEPT) == updates[k].accept, "%s: %s", src, r == F_ACCEPT ? "accepted" : "rejected");
		if (r == F_ACCEPT) {
			rta_summary(out, got, sizeof got);
			ck_assert_msg(!strcmp(got, updates[k].attrs), "%s:\n got  %s\n want %s", src, got, updates[k].attrs);
			/* unchanged attributes: the same interned set, one more reference */
			if (!strcmp(updates[k].attrs, UNCHANGED)) {
				ck_assert_ptr_eq(out, route_rta);
				ck_assert_uint_eq(route_rta->uc, uc + 1);
			} else {
				ck_assert_ptr_ne(out, route_rta);
				ck_assert_uint_ge(out->uc, 1);
			}
			rta_free(out);
		}
		/* the route's own set is never changed */
		rta_summary(route_rta, got, sizeof got);
		ck_assert_str_eq(got, UNCHANGED);
		ck_assert_uint_eq(route_rta->uc, uc);
		config_free(c);
		total_cases++;
	}
}
END_TEST

/* Two runs that make equal sets get one interned rta. */
START_TEST(filter_interning)
{
	build_route();
	struct config *c = parse("filter f { bgp_local_pref = 200; bgp_community.add((64512, 1)); accept; }");
	ck_assert_ptr_nonnull(c);
	const struct filter *f = find_sym(c, "f")->def;
	struct rta *o1, *o2;
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o1), F_ACCEPT);
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o2), F_ACCEPT);
	ck_assert_ptr_eq(o1, o2);
	ck_assert_uint_ge(o1->uc, 2);
	rta_free(o1);
	rta_free(o2);
	config_free(c);
}
END_TEST

/* BIRD 2.0's declarations between a filter's name and its body. */
START_TEST(filter_bird20_decls)
{
	build_route();
	struct config *c = parse("filter f\nint x;\nprefix set s;\n{ s = [ 203.0.113.0/24+ ]; x = 7; "
				 "if net ~ s then { bgp_med = x; accept; } reject; }");
	ck_assert_msg(c != NULL, "%s", err);
	struct rta *o = NULL;
	ck_assert_int_eq(f_run(find_sym(c, "f")->def, &route_net, "k8s", route_rta, &o), F_ACCEPT);
	ck_assert(o->set & RTA_MED);
	ck_assert_uint_eq(o->bgp_med, 7);
	rta_free(o);
	config_free(c);
	/* the variables are the filter's own: gone after it */
	ck_assert_ptr_null(parse("filter f int x; { accept; } filter g { x = 1; accept; }"));
	ck_assert_str_eq(err, "t.conf:1:40: unknown variable 'x' (declare it first, e.g. 'int x;')");
}
END_TEST

/* A run-time error rejects, and is logged once for the filter. */
START_TEST(filter_runtime_error_once)
{
	build_route();
	struct config *c = parse("filter f { if bgp_med > 5 then accept; accept; }");
	ck_assert_ptr_nonnull(c);
	const struct filter *f = find_sym(c, "f")->def;
	const struct f_code *code = f->code;
	struct rta *o = NULL;
	ck_assert_int_eq(code->err_logged, 0);
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o), F_REJECT);
	ck_assert_int_eq(code->err_logged, 1);
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o), F_REJECT);
	ck_assert_ptr_null(o);
	config_free(c);
}
END_TEST

/* --- config errors: exact place and words ---------------------------------------------- */

static const struct {
	const char *text;
	const char *msg;
} errors[] = {
	{ "filter f { bgp_med = \"x\"; accept; }", "t.conf:1:22: cannot assign string to 'bgp_med' (int)" },
	{ "filter f { pool = \"x\"; }", "t.conf:1:12: route attribute 'pool' is read-only" },
	{ "filter f { net = 192.0.2.0/24; }", "t.conf:1:12: route attribute 'net' is read-only" },
	{ "filter f { if 1 then accept; }", "t.conf:1:15: the condition of 'if' must be bool, not int" },
	{ "filter f { if pool = 1 then accept; }", "t.conf:1:20: cannot compare string with int" },
	{ "filter f { if foo = 1 then accept; }", "t.conf:1:15: unknown name 'foo'" },
	{ "filter f { x = 1; }", "t.conf:1:12: unknown variable 'x' (declare it first, e.g. 'int x;')" },
	{ "filter f { int x; x = \"a\"; }", "t.conf:1:23: cannot assign string to int variable 'x'" },
	{ "filter f { int x; int x; }", "t.conf:1:23: 'x' is already defined as a variable at t.conf:1:16" },
	{ "filter f { foo x; }", "t.conf:1:12: unknown type 'foo' (types: int, bool, string, ip, prefix, pair, lc, bgppath, clist, lclist, int set, pair set, lc set, prefix set)" },
	{ "filter f { string set s; }", "t.conf:1:12: there are no sets of string (sets hold int, pair, lc or prefix)" },
	{ "filter f { int x = 1 + true; }", "t.conf:1:22: operator '+' needs int operands, not int and bool" },
	{ "filter f { if true && 1 then accept; }", "t.conf:1:20: operator '&&' needs bool operands, not bool and int" },
	{ "filter f { if !5 then accept; }", "t.conf:1:15: operator '!' needs a bool operand, not int" },
	{ "filter f { if net ~ 5 then accept; }", "t.conf:1:19: operator '~' cannot match prefix against int" },
	{ "filter f { if 5 ~ [ (1,2) ] then accept; }", "t.conf:1:17: operator '~' cannot match int against pair set" },
	{ "filter f { if \"a\" < 1 then accept; }", "t.conf:1:19: cannot compare string with int" },
	{ "filter f { if true < false then accept; }", "t.conf:1:20: operator '<' does not order values of type bool" },
	{ "filter f { return 1; }", "t.conf:1:12: 'return' is only allowed in a function (a filter ends with accept or reject)" },
	{ "function g() -> int { return \"x\"; }", "t.conf:1:30: function 'g' returns int, not string" },
	{ "function g() { return 1; return \"x\"; }", "t.conf:1:33: function 'g' returns int, not string" },
	{ "function g(int a) -> int { return a; } filter f { if g() = 1 then accept; }",
	  "t.conf:1:54: function 'g' takes 1 argument, not 0" },
	{ "function g(int a) -> int { return a; } filter f { if g(\"x\") = 1 then accept; }",
	  "t.conf:1:56: argument 1 of 'g' (a) must be int, not string" },
	{ "function g(int a) { return; } filter f { if g(1) = 1 then accept; }",
	  "t.conf:1:50: cannot compare void with int" },
	{ "filter f { if h(1) then accept; }", "t.conf:1:15: unknown function 'h'" },
	{ "function g() { return g(); }", "t.conf:1:23: function 'g' calls itself before its return type is known: declare it with '-> TYPE'" },
	{ "filter f { if bgp_path.foo = 1 then accept; }", "t.conf:1:24: bgppath has no method 'foo'" },
	{ "filter f { bgp_community.add(5); }", "t.conf:1:30: clist.add() cannot take int" },
	{ "filter f { bgp_path.prepend((1,2)); }", "t.conf:1:29: bgppath.prepend() cannot take pair" },
	{ "filter f { bgp_community.add((1,2), (3,4)); }", "t.conf:1:26: method 'add' takes one argument, not 2" },
	{ "filter f { bgp_path.len(); }", "t.conf:1:21: bgppath has no method 'len()'" },
	{ "filter f { if 1 ~ [ 1, (2,3) ] then accept; }", "t.conf:1:24: set mixes int and pair items" },
	{ "filter f { if 1 ~ [ 5..2 ] then accept; }", "t.conf:1:21: range 5..2 is empty (the start is above the end)" },
	{ "filter f { if (1,2) ~ [ (70000, 1) ] then accept; }", "t.conf:1:26: the first part of a pair 70000 is out of range (at most 65535)" },
	{ "filter f { if net ~ [ 192.0.2.0/24{30,20} ] then accept; }",
	  "t.conf:1:23: prefix pattern {30,20} is not a valid length range for IPv4 (0 <= low <= high <= 32)" },
	{ "filter f { if net ~ 192.0.2.1/24 then accept; }", "t.conf:1:21: prefix 192.0.2.1/24 has host bits set" },
	{ "filter f { if net ~ 192.0.2.0/33 then accept; }", "t.conf:1:31: prefix length /33 is too long for IPv4 (at most 32)" },
	{ "define x = 1 / 0;", "t.conf:1:14: division by zero" },
	{ "define x = 1 - 2;", "t.conf:1:14: 1 - 2 is negative (ints are 0..4294967295)" },
	{ "define x = (70000, 1);", "t.conf:1:12: pair (70000,1) is out of range (each part is 0..65535)" },
	{ "define x = net;", "t.conf:1:12: route attribute 'net' has no value here (only inside filters and functions)" },
	{ "define x = 1; define x = 2;", "t.conf:1:22: 'x' is already defined as a constant at t.conf:1:8" },
	{ "protocol static { export filter nope; }", "t.conf:1:33: unknown filter 'nope'" },
	{ "define c = 1; protocol static { export filter c; }", "t.conf:1:47: 'c' is a constant, not a filter" },
	{ "protocol static { export where 5; }", "t.conf:1:32: 'where' needs a bool expression, not int" },
	{ "filter f { case 1 { \"a\": accept; } }", "t.conf:1:21: case label is string but the case value is int" },
	{ "filter f { case 1 { else: accept; else: reject; } }", "t.conf:1:35: case has two 'else' branches" },
	{ "filter f { case bgp_path { else: accept; } }", "t.conf:1:17: case cannot branch on bgppath" },
	{ "filter f { print; }", "t.conf:1:17: unexpected ';' after 'print' in filter f: expected a number, an IPv4 address, an IPv6 address, a name, a string in double quotes, '+', '-', '!', '(', '[', ..." },
	{ "filter f { accept }", "t.conf:1:19: missing ';' before '}'" },
	{ "filter f { if true accept; }", "t.conf:1:20: unexpected 'accept' after 'if true' in filter f: expected '!=', '<=', '>=', '!~', '&&', '||', '=', '<', '>', '~', ..." },
	{ "filter f { bgp_path = +foo+; }", "t.conf:1:24: expected +empty+ (the empty bgppath)" },
	{ "filter f { bgp_community.add((1,2)) }", "t.conf:1:37: missing ';' before '}'" },
	{ "filter f { k8s_label(\"x\") = \"y\"; }", "t.conf:1:12: unknown option 'k8s_label' in filter f" },
	{ "filter f { if k8s_label(5) = \"a\" then accept; }", "t.conf:1:25: k8s_label() takes a string key, not int" },
	{ "filter f { if defined(5) then accept; }", "t.conf:1:15: defined() takes a route attribute or a variable" },
	{ "filter f { int y = f; }", "t.conf:1:20: 'f' is a filter, not a value" },
	{ "function g() -> int { return 1; } filter f { int y = g; }", "t.conf:1:54: function 'g' must be called with ()" },
	{ "filter f { clist c; c.add(5); }", "t.conf:1:27: clist.add() cannot take int" },
	{ "filter f { int c; c.add((1,2)); }", "t.conf:1:21: int has no method 'add()'" },
};

START_TEST(filter_too_many_variables)
{
	static char text[32768];
	size_t o = 0;

	o += (size_t)snprintf(text + o, sizeof text - o, "filter f {");
	for (int k = 0; k < 1025; k++)
		o += (size_t)snprintf(text + o, sizeof text - o, " int v%d;", k);
	snprintf(text + o, sizeof text - o, " accept; }");
	ck_assert_ptr_null(parse(text));
	ck_assert_str_eq(err, "t.conf:1:10170: too many variables (at most 1024 in one filter or function)");
}
END_TEST

START_TEST(filter_config_errors)
{
	static char fails[16384];
	size_t fo = 0;
	int bad = 0;

	for (size_t k = 0; k < sizeof errors / sizeof errors[0]; k++) {
		struct config *c = parse(errors[k].text);
		ck_assert_msg(c == NULL, "parsed, but should fail: %s", errors[k].text);
		if (strcmp(err, errors[k].msg)) {
			bad++;
			fo += (size_t)snprintf(fails + fo, sizeof fails - fo, "\n%s\n got  %s\n want %s",
					       errors[k].text, err, errors[k].msg);
			if (fo >= sizeof fails)
				fo = sizeof fails - 1;
		}
	}
	ck_assert_msg(!bad, "%d config errors differ:%s", bad, fails);
	ck_assert_uint_ge(sizeof errors / sizeof errors[0], 40);
}
END_TEST

/* --- reconfiguration: same by meaning ---------------------------------------------------- */

static const struct filter *export_of(struct config *c, const char *proto)
{
	for (struct proto_config *p = c->protos; p; p = p->next)
		if (!strcmp(p->name, proto))
			return p->out_filter;
	ck_abort_msg("no protocol %s", proto);
	return NULL;
}

static const struct {
	const char *a, *b;
	int same;
} sames[] = {
	{ "filter f { accept; }", "filter f { accept; }", 1 },
	{ "filter f { accept; }", "# comment\nfilter   f\n{\n\taccept;\n}", 1 },
	{ "filter f { accept; }", "filter f { reject; }", 0 },
	{ "filter f { accept; }", "filter g { accept; }", 0 },
	{ "filter f { bgp_local_pref = 200; accept; }", "filter f { bgp_local_pref = 100 + 100; accept; }", 1 },
	{ "filter f { bgp_local_pref = 200; accept; }", "filter f { bgp_local_pref = 201; accept; }", 0 },
	{ "define X = 5; filter f { bgp_med = X; accept; }", "define X = 5; filter f { bgp_med = X; accept; }", 1 },
	{ "define X = 5; filter f { bgp_med = X; accept; }", "define X = 6; filter f { bgp_med = X; accept; }", 0 },
	{ "filter f { if net ~ [ 192.0.2.0/24+ ] then accept; }", "filter f { if net ~ [ 192.0.2.0/24+ ] then accept; }", 1 },
	{ "filter f { if net ~ [ 192.0.2.0/24+ ] then accept; }", "filter f { if net ~ [ 192.0.2.0/25+ ] then accept; }", 0 },
	{ "filter f { if 5 ~ [ 1..10 ] then accept; }", "filter f { if 5 ~ [ 1..11 ] then accept; }", 1 },	/* folded: both true */
	{ "filter f { int x = 1; bgp_med = x; accept; }", "filter f { int y = 1; bgp_med = y; accept; }", 1 },
	{ "function g() -> int { return 1; } filter f { bgp_med = g(); accept; }",
	  "function g() -> int { return 1; } filter f { bgp_med = g(); accept; }", 1 },
	{ "function g() -> int { return 1; } filter f { bgp_med = g(); accept; }",
	  "function g() -> int { return 2; } filter f { bgp_med = g(); accept; }", 0 },
	{ "function g(int n) -> int { if n = 0 then return 0; return g(n - 1); } filter f { bgp_med = g(3); accept; }",
	  "function g(int n) -> int { if n = 0 then return 0; return g(n - 1); } filter f { bgp_med = g(3); accept; }", 1 },
	{ "filter f { case pool { \"a\": accept; else: reject; } }", "filter f { case pool { \"a\": accept; else: reject; } }", 1 },
	{ "filter f { case pool { \"a\": accept; else: reject; } }", "filter f { case pool { \"b\": accept; else: reject; } }", 0 },
	{ "filter f { print \"x\"; accept; }", "filter f { print \"y\"; accept; }", 0 },
};

START_TEST(filter_same_by_meaning)
{
	char ta[1024], tb[1024];

	for (size_t k = 0; k < sizeof sames / sizeof sames[0]; k++) {
		snprintf(ta, sizeof ta, "%s\nprotocol static s { export filter %s; }", sames[k].a,
			 strstr(sames[k].a, "filter g") ? "g" : "f");
		snprintf(tb, sizeof tb, "%s\nprotocol static s { export filter %s; }", sames[k].b,
			 strstr(sames[k].b, "filter g") ? "g" : "f");
		struct config *a = parse(ta);
		ck_assert_msg(a != NULL, "%s", err);
		struct config *b = parse(tb);
		ck_assert_msg(b != NULL, "%s", err);
		ck_assert_msg(filter_same(export_of(a, "s"), export_of(b, "s")) == sames[k].same,
			      "case %zu: %s  vs  %s", k, sames[k].a, sames[k].b);
		config_free(a);
		config_free(b);
	}
	ck_assert(filter_same(FILTER_ACCEPT, FILTER_ACCEPT));
	ck_assert(!filter_same(FILTER_ACCEPT, FILTER_REJECT));
}
END_TEST

/* --- dump: text that parses back to the same filter --------------------------------------- */

static const char *dumps[] = {
	"all",
	"none",
	"where pool = \"production\"",
	"where net ~ [ 203.0.113.0/24+, 198.51.100.0/24{25,32} ] && !defined(bgp_med)",
	"filter { if pool = \"production\" then { bgp_community.add((64512, 100)); bgp_local_pref = 200; accept; } reject; }",
	"filter { int x = 5; bgp_med = x * 2 + 1; if bgp_path ~ [= * 64513 =] then accept; else reject; }",
	"filter { case k8s_traffic_policy { \"Local\": bgp_med = 1; else: bgp_med = 2; } case net.len { 24, 30..32: accept; } reject; }",
	"filter { case bgp_community.len { 0: reject; } if (64512, 100) ~ bgp_community && (1, 2, 3) !~ bgp_large_community then accept; }",
	"filter { bgp_path.prepend(64512); bgp_origin = ORIGIN_EGP; bgp_next_hop = 2001:db8::1; unset(bgp_med); print \"x\\\"y\", net; accept; }",
	"filter { clist c = -empty-; c.add((1, 2)); bgp_community = c; bgp_large_community = --empty--; bgp_path = +empty+; if k8s_label(\"a\") = \"b\" then accept; }",
	"filter { case (1, 2) { (1, *): accept; } case net { 192.0.2.0/24+: reject; } }",
	"filter { if bgp_large_community ~ [ (1, 2, 3), (64512, *, 5), (64512, 7, 1..9) ] then accept; "
	"case (1, 2, 3) { (1, 2, *): reject; } }",
};

START_TEST(filter_dump_round_trip)
{
	char text[2048], dumped[2048], again[2200];

	for (size_t k = 0; k < sizeof dumps / sizeof dumps[0]; k++) {
		snprintf(text, sizeof text, "protocol static s { export %s; }", dumps[k]);
		struct config *a = parse(text);
		ck_assert_msg(a != NULL, "%s: %s", text, err);
		FILE *m = fmemopen(dumped, sizeof dumped, "w");
		filter_dump_spec(m, export_of(a, "s"));
		fclose(m);
		snprintf(again, sizeof again, "protocol static s { export %s; }", dumped);
		struct config *b = parse(again);
		ck_assert_msg(b != NULL, "dump does not parse: %s: %s", again, err);
		ck_assert_msg(filter_same(export_of(a, "s"), export_of(b, "s")), "dump differs: %s -> %s", dumps[k], dumped);
		if (k < 3)
			ck_assert_str_eq(dumped, dumps[k]);
		config_free(a);
		config_free(b);
	}
	/* a named filter dumps as its name */
	struct config *c = parse("filter keep { accept; } protocol static s { export filter keep; }");
	ck_assert_ptr_nonnull(c);
	FILE *m = fmemopen(dumped, sizeof dumped, "w");
	filter_dump_spec(m, export_of(c, "s"));
	fclose(m);
	ck_assert_str_eq(dumped, "filter keep");
	config_free(c);
}
END_TEST

/* --- show route where EXPR ------------------------------------------------------------------ */

static int count_syms(const struct config *c)
{
	int n = 0;
	for (unsigned i = 0; i < c->symtab_size; i++)
		for (struct symbol *s = c->symtab[i]; s; s = s->next)
			n++;
	return n;
}

START_TEST(filter_cli_expr)
{
	build_route();
	struct config *cfg = parse("define mine = [ 203.0.113.0/24+ ];\n"
				   "function gold() -> bool { return k8s_label(\"tier\") = \"gold\"; }");
	ck_assert_msg(cfg != NULL, "%s", err);
	struct rta *o;
	int nsyms = count_syms(cfg);
	const struct filter *f = filter_parse_cli_expr("net ~ mine && gold()", cfg, err, sizeof err);
	ck_assert_msg(f != NULL, "%s", err);
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o), F_ACCEPT);
	rta_free(o);
	filter_cli_free(f);

	f = filter_parse_cli_expr("pool = \"staging\"", cfg, err, sizeof err);
	ck_assert_msg(f != NULL, "%s", err);
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o), F_REJECT);
	filter_cli_free(f);

	f = filter_parse_cli_expr("net.len", cfg, err, sizeof err);
	ck_assert_ptr_null(f);
	ck_assert_str_eq(err, "cli:1:1: 'where' needs a bool expression, not int");
	f = filter_parse_cli_expr("pool = ", cfg, err, sizeof err);
	ck_assert_ptr_null(f);
	ck_assert_str_eq(err, "cli:1:8: unexpected end of file after 'pool =': expected a number, an IPv4 address, an IPv6 address, a name, a string in double quotes, '+', '-', '!', '(', '[', ...");
	f = filter_parse_cli_expr("nosuch = 1", cfg, err, sizeof err);
	ck_assert_ptr_null(f);
	ck_assert_str_eq(err, "cli:1:1: unknown name 'nosuch'");
	/* without a running config */
	f = filter_parse_cli_expr("net ~ 203.0.113.0/24", NULL, err, sizeof err);
	ck_assert_msg(f != NULL, "%s", err);
	ck_assert_int_eq(f_run(f, &route_net, "k8s", route_rta, &o), F_ACCEPT);
	rta_free(o);
	filter_cli_free(f);
	/* the running config's names are untouched (a parse defines names of
	 * its own, e.g. an implicit protocol, and frees them) */
	ck_assert_int_eq(count_syms(cfg), nsyms);
	ck_assert_ptr_nonnull(find_sym(cfg, "mine"));
	config_free(cfg);
}
END_TEST

START_TEST(filter_case_count)
{
	/* the language cases ran in this process (CK_FORK=no) or are counted
	 * per file; here: the tables hold enough cases on their own */
	ck_assert_uint_ge(sizeof updates / sizeof updates[0] + sizeof errors / sizeof errors[0] +
			  sizeof sames / sizeof sames[0] + sizeof dumps / sizeof dumps[0], 100);
}
END_TEST

static Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *t = tcase_create("filter");

	load_globs();
	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, filter_language_cases, 0, (int)conf_files.gl_pathc);
	tcase_add_loop_test(t, filter_language_dump, 0, (int)conf_files.gl_pathc);
	tcase_add_test(t, filter_attr_updates);
	tcase_add_test(t, filter_interning);
	tcase_add_test(t, filter_bird20_decls);
	tcase_add_test(t, filter_runtime_error_once);
	tcase_add_test(t, filter_config_errors);
	tcase_add_test(t, filter_too_many_variables);
	tcase_add_test(t, filter_same_by_meaning);
	tcase_add_test(t, filter_dump_round_trip);
	tcase_add_test(t, filter_cli_expr);
	tcase_add_test(t, filter_case_count);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(filter_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
