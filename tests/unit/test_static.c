/*
 * metalbird -- unit tests of protocol static: how it keeps its routes
 *
 * The routes of a block are stored packed (proto/static/static.c): every
 * prefix length of both families must come back as written and in config
 * order, duplicates must be found in and out of order and across a
 * template, with the line of the first one, and a reconfiguration must
 * change exactly the routes that differ.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "nest/protocol.h"
#include "nest/route.h"
#include "nest/rt-table.h"
#include "proto/static/static.h"
#include "sysdep/unix/loop.h"

static char err[1024];

static struct config *parse(const char *text)
{
	return config_parse_string("t.conf", text, err, sizeof err);
}

static struct proto_config *proto_named(struct config *c, const char *name)
{
	for (struct proto_config *p = c->protos; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	ck_abort_msg("no protocol %s", name);
	return NULL;
}

/* The `route` lines of a protocol's canonical dump. */
static char *dump_routes(const struct proto_config *pc)
{
	char *buf = NULL, *out, *o;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	proto_static.dump_config(f, pc);
	fclose(f);
	out = o = calloc(1, len + 1);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "route "))
			o += sprintf(o, "%s\n", line + strspn(line, "\t"));
	free(buf);
	return out;
}

/* A text of routes for every prefix length of ff..ff (both families,
 * interleaved), as a config block and as the dump should show it. */
static void all_lengths(char **conf, char **dump)
{
	size_t cap = 64 * 1024;
	char *c = calloc(1, cap), *d = calloc(1, cap);
	size_t cn = 0, dn = 0;
	ip_addr ones4 = ip4_make(0xffffffffu), ones6;
	char b[NET_STRLEN];

	memset(&ones6, 0xff, sizeof ones6);
	cn += (size_t)snprintf(c + cn, cap - cn, "protocol static s {\n");
	for (int len = 0; len <= 128; len++) {
		for (int af = AF_IP4; af <= AF_IP6; af += AF_IP6 - AF_IP4) {
			if (af == AF_IP4 && len > 32)
				continue;
			net_addr n = net_make(af == AF_IP4 ? ones4 : ones6, af, len);
			net_ntop(&n, b);
			cn += (size_t)snprintf(c + cn, cap - cn, "  route %s;\n", b);
			dn += (size_t)snprintf(d + dn, cap - dn, "route %s;\n", b);
		}
	}
	snprintf(c + cn, cap - cn, "}\n");
	*conf = c;
	*dump = d;
}

START_TEST(every_length_round_trips)
{
	char *text, *want;
	all_lengths(&text, &want);
	struct config *c = parse(text);
	ck_assert_msg(c != NULL, "%s", err);
	struct static_config *sc = (struct static_config *)proto_named(c, "s");
	ck_assert_int_eq(sc->nroutes, 33 + 129);
	char *got = dump_routes(&sc->c);
	ck_assert_str_eq(got, want);
	free(got);
	config_free(c);
	free(text);
	free(want);
}
END_TEST

START_TEST(duplicates)
{
	/* in order: the one before */
	struct config *c = parse("protocol static a {\n route 192.0.2.0/24;\n route 192.0.2.0/24;\n}\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "t.conf:3:8: route 192.0.2.0/24 is already given at line 2");
	/* out of order: any one before, IPv6 too */
	c = parse("protocol static a {\n route 2001:db8::/32;\n route 198.51.100.0/24;\n route 192.0.2.0/24;\n"
		  " route 2001:db8::/48;\n route 2001:db8::/32;\n}\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "t.conf:6:8: route 2001:db8::/32 is already given at line 2");
	/* the same prefix of the other family length is not a duplicate */
	c = parse("protocol static a { route ::/0; route 0.0.0.0/0; route 192.0.2.0/24; route 192.0.2.0/25; }\n");
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
	/* a template's route, where the template gave it */
	c = parse("template static t {\n route 192.0.2.0/24;\n\n route 203.0.113.0/24;\n}\n"
		  "protocol static a from t {\n route 198.51.100.0/24;\n route 203.0.113.0/24;\n}\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "t.conf:8:8: route 203.0.113.0/24 is already given at line 4");
	/* two protocols from one template: each has the template's routes, then its own */
	c = parse("template static t { route 192.0.2.0/24; }\n"
		  "protocol static a from t { route 198.51.100.0/24; }\n"
		  "protocol static b from t { route 203.0.113.0/24; route 192.0.2.128/25; }\n");
	ck_assert_msg(c != NULL, "%s", err);
	char *got = dump_routes(proto_named(c, "a"));
	ck_assert_str_eq(got, "route 192.0.2.0/24;\nroute 198.51.100.0/24;\n");
	free(got);
	got = dump_routes(proto_named(c, "b"));
	ck_assert_str_eq(got, "route 192.0.2.0/24;\nroute 203.0.113.0/24;\nroute 192.0.2.128/25;\n");
	free(got);
	config_free(c);
}
END_TEST

/* n /32s from 100.64.0.0, but for `skip` (-1: none), plus `extra` if set. */
static char *many(int n, int skip, const char *extra)
{
	size_t cap = (size_t)n * 40 + 256, o = 0;
	char *t = malloc(cap);

	o += (size_t)snprintf(t + o, cap - o, "protocol static s {\n");
	for (int i = 0; i < n; i++)
		if (i != skip)
			o += (size_t)snprintf(t + o, cap - o, " route 100.%d.%d.%d/32;\n", 64 + i / 65536,
					      (i / 256) % 256, i % 256);
	if (extra)
		o += (size_t)snprintf(t + o, cap - o, " route %s;\n", extra);
	snprintf(t + o, cap - o, "}\n");
	return t;
}

static int in_table(const char *prefix)
{
	net_addr n;
	ck_assert_int_eq(net_pton(prefix, &n), 0);
	struct rt_net *rn = rt_find(rt_table_af(n.af), &n);
	return rn && rt_best(rn);
}

START_TEST(reconfigure_changes_only_the_difference)
{
	const int n = 100000;
	char *t0 = many(n, -1, NULL), *t1 = many(n, 7, "2001:db8::/48"), *t2 = many(n, 7, "2001:db8::/48");
	struct config *c0 = parse(t0), *c1 = parse(t1), *c2 = parse(t2);
	ck_assert_msg(c0 && c1 && c2, "%s", err);
	struct proto_config *p0 = proto_named(c0, "s"), *p1 = proto_named(c1, "s"), *p2 = proto_named(c2, "s");
	struct reconf_why why;

	ck_assert_int_eq(proto_static.compare(p1, p2, &why), RC_SAME);
	ck_assert_int_eq(proto_static.compare(p0, p1, &why), RC_SOFT);
	ck_assert_str_eq(why.text, "routes changed (100000 -> 100000)");

	struct proto p = { .name = "s", .class = &proto_static, .cf = p0 };
	ck_assert_int_eq(proto_static.start(&p), PS_UP);
	ck_assert_uint_eq(rt_src_routes(&p), (unsigned)n);
	ck_assert(in_table("100.64.0.7/32"));
	ck_assert(!in_table("2001:db8::/48"));

	ck_assert_int_eq(proto_static.reconfigure(&p, p1), 1);
	p.cf = p1;
	ck_assert_uint_eq(rt_src_routes(&p), (unsigned)n);
	ck_assert(!in_table("100.64.0.7/32"));
	ck_assert(in_table("100.64.0.6/32"));
	ck_assert(in_table("100.65.134.159/32"));
	ck_assert(in_table("2001:db8::/48"));

	/* and back */
	ck_assert_int_eq(proto_static.reconfigure(&p, p0), 1);
	p.cf = p0;
	ck_assert_uint_eq(rt_src_routes(&p), (unsigned)n);
	ck_assert(in_table("100.64.0.7/32"));
	ck_assert(!in_table("2001:db8::/48"));

	/* a config out of order takes the other way (a hash of the new routes) */
	char *t3 = many(n, 9, "100.64.0.0/10");
	struct config *c3 = parse(t3);
	ck_assert_msg(c3 != NULL, "%s", err);
	struct proto_config *p3 = proto_named(c3, "s");
	ck_assert_int_eq(((struct static_config *)p0)->sorted, 1);
	ck_assert_int_eq(((struct static_config *)p3)->sorted, 0);
	ck_assert_int_eq(proto_static.reconfigure(&p, p3), 1);
	p.cf = p3;
	ck_assert_uint_eq(rt_src_routes(&p), (unsigned)n);
	ck_assert(!in_table("100.64.0.9/32"));
	ck_assert(in_table("100.64.0.0/10"));
	ck_assert(in_table("100.64.0.7/32"));
	ck_assert_int_eq(proto_static.reconfigure(&p, p0), 1);
	p.cf = p0;
	ck_assert_uint_eq(rt_src_routes(&p), (unsigned)n);
	ck_assert(in_table("100.64.0.9/32"));
	ck_assert(!in_table("100.64.0.0/10"));
	config_free(c3);
	free(t3);

	ck_assert_int_eq(proto_static.shutdown(&p, PDR_SHUTDOWN), PS_DOWN);
	ck_assert_uint_eq(rt_src_routes(&p), 0);
	rt_flush();
	ck_assert_ptr_null(rt_master4.root);
	ck_assert_ptr_null(rt_master6.root);
	config_free(c0);
	config_free(c1);
	config_free(c2);
	free(t0);
	free(t1);
	free(t2);
}
END_TEST

static Suite *static_suite(void)
{
	Suite *s = suite_create("static");
	TCase *tc = tcase_create("routes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_length_round_trips);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, reconfigure_changes_only_the_difference);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (loop_init() < 0)
		return EXIT_FAILURE;
	SRunner *sr = srunner_create(static_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
