/*
 * metalbird -- unit tests of pool configuration (nest/pool_conf.c)
 *
 * Ranges as parsed from `addresses` (prefixes and first-last ranges), their
 * sizes per family (saturating), membership, and the checks: host bits,
 * lengths, order, family, overlaps inside one pool and between pools (at the
 * later one, naming both), aggregation lengths against the pool's prefixes.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "conf/conf.h"
#include "nest/pool.h"

static char err[1024];

static struct config *parse(const char *text)
{
	return config_parse_string("p.conf", text, err, sizeof err);
}

static ip_addr A(const char *s)
{
	ip_addr a;
	ck_assert_msg(ip_pton(s, &a), "%s", s);
	return a;
}

START_TEST(ranges_and_sizes)
{
	struct config *c = parse("pool p {\n"
				 "  addresses 203.0.113.0/24, 198.51.100.10-198.51.100.20, 192.0.2.7;\n"
				 "  addresses 2001:db8::/120, 2001:db8:1::5-2001:db8:1::6;\n"
				 "}\n"
				 "pool q { addresses 2001:db8:ffff::/48; }\n"
				 "pool all6 { addresses 8000::/1; }\n");
	ck_assert_msg(c != NULL, "%s", err);
	struct pool_config *p = pool_find(c, "p");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(pool_size(p, AF_IP4), 256 + 11 + 1);
	ck_assert_uint_eq(pool_size(p, AF_IP6), 256 + 2);
	ck_assert_uint_eq(pool_size(pool_find(c, "q"), AF_IP6), UINT64_MAX);	/* 2^80: saturates */
	ck_assert_uint_eq(pool_size(pool_find(c, "q"), AF_IP4), 0);
	ck_assert_uint_eq(pool_size(pool_find(c, "all6"), AF_IP6), UINT64_MAX);
	ck_assert_ptr_null(pool_find(c, "nosuch"));

	ck_assert(pool_contains(p, A("203.0.113.0")));
	ck_assert(pool_contains(p, A("203.0.113.255")));
	ck_assert(!pool_contains(p, A("203.0.114.0")));
	ck_assert(pool_contains(p, A("198.51.100.10")));
	ck_assert(pool_contains(p, A("198.51.100.20")));
	ck_assert(!pool_contains(p, A("198.51.100.21")));
	ck_assert(!pool_contains(p, A("198.51.100.9")));
	ck_assert(pool_contains(p, A("192.0.2.7")));
	ck_assert(!pool_contains(p, A("192.0.2.8")));
	ck_assert(pool_contains(p, A("2001:db8::ff")));
	ck_assert(!pool_contains(p, A("2001:db8::100")));
	/* an IPv4-mapped IPv6 address is not the IPv4 address */
	ck_assert(!pool_contains(pool_find(c, "q"), A("203.0.113.1")));

	/* defaults */
	ck_assert(p->auto_assign);
	ck_assert(!p->avoid_buggy_ips);
	ck_assert_int_eq(p->nagg4, 1);
	ck_assert_int_eq(p->agg4[0], 32);
	ck_assert_int_eq(p->agg6[0], 128);
	ck_assert(!p->has_priority);
	ck_assert_ptr_null(p->namespaces);
	/* order of pools and of ranges is the config's */
	ck_assert_str_eq(c->pools->name, "p");
	ck_assert_str_eq(c->pools->next->name, "q");
	ck_assert(p->ranges->is_cidr);
	ck_assert_int_eq(p->ranges->cidr_len, 24);
	ck_assert(!p->ranges->next->is_cidr);
	config_free(c);
}
END_TEST

START_TEST(options)
{
	struct config *c = parse("pool p { addresses 203.0.113.0/24, 2001:db8::/64; auto assign off;\n"
				 " avoid buggy ips true; aggregation length 24, 32; aggregation length6 64;\n"
				 " namespaces \"a\", \"b\"; service selector \"x in (1,2)\"; priority 0; }");
	ck_assert_msg(c != NULL, "%s", err);
	struct pool_config *p = c->pools;
	ck_assert(!p->auto_assign);
	ck_assert(p->avoid_buggy_ips);
	ck_assert_int_eq(p->nagg4, 2);
	ck_assert_int_eq(p->agg4[0], 24);
	ck_assert_int_eq(p->agg4[1], 32);
	ck_assert_int_eq(p->agg6[0], 64);
	ck_assert_int_eq(p->nnamespaces, 2);
	ck_assert_str_eq(p->namespaces[1], "b");
	ck_assert_ptr_nonnull(p->service_selector);
	ck_assert_str_eq(p->service_selector_text, "x in (1,2)");
	ck_assert(p->has_priority);
	ck_assert_int_eq(p->priority, 0);
	config_free(c);
	/* a first-last range may be aggregated freely */
	c = parse("pool p { addresses 203.0.113.10-203.0.113.20; aggregation length 24; }");
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
}
END_TEST

#define ERR(text, expect)						\
	do {								\
		struct config *c_ = parse(text);			\
		ck_assert_msg(!c_, "parsed: %s", text);			\
		ck_assert_str_eq(err, expect);				\
	} while (0)

START_TEST(checks)
{
	ERR("pool p { addresses 203.0.113.1/24; }", "p.conf:1:20: 203.0.113.1/24 has host bits set; did you mean 203.0.113.0/24?");
	ERR("pool p { addresses 203.0.113.0/33; }", "p.conf:1:20: prefix length /33 is too long for an IPv4 address (at most 32)");
	ERR("pool p { addresses 2001:db8::/129; }", "p.conf:1:20: prefix length /129 is too long for an IPv6 address (at most 128)");
	ERR("pool p { addresses 203.0.113.9-203.0.113.8; }", "p.conf:1:20: range 203.0.113.9-203.0.113.8 is reversed: the start address is after the end address");
	ERR("pool p { addresses 203.0.113.9-2001:db8::1; }", "p.conf:1:20: range 203.0.113.9-2001:db8::1 mixes IPv4 and IPv6; a range must be of one family");
	ERR("pool p { auto assign no; }", "p.conf:1:6: pool 'p' has no addresses (add: addresses PREFIX or FIRST-LAST;)");
	ERR("pool p { addresses 203.0.113.0/24, 203.0.113.255; }", "p.conf:1:36: addresses 203.0.113.255 overlap 203.0.113.0/24, given at 1:20 in the same pool 'p'");
	ERR("pool a { addresses 203.0.113.0/25; }\npool b { addresses 198.51.100.0/24, 203.0.113.100-203.0.113.200; }",
	    "p.conf:2:37: pool 'b' addresses 203.0.113.100-203.0.113.200 overlap pool 'a' addresses 203.0.113.0/25 (p.conf:1:20)");
	/* touching is not overlapping */
	struct config *c = parse("pool a { addresses 203.0.113.0/25; }\npool b { addresses 203.0.113.128/25; }");
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
	/* IPv4 and IPv6 ranges never overlap */
	c = parse("pool a { addresses 0.0.0.0/1; }\npool b { addresses ::/1; }");
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
	ERR("pool p { addresses 203.0.113.0/24; }\npool p { addresses 198.51.100.0/24; }",
	    "p.conf:2:6: 'p' is already defined as a pool at p.conf:1:6");
	ERR("pool p { addresses 203.0.113.0/24; aggregation length 16; }",
	    "p.conf:1:55: aggregation length 16 is shorter than the pool's prefix 203.0.113.0/24: it would announce addresses outside the pool");
	ERR("pool p { addresses 203.0.113.0/24; aggregation length 33; }",
	    "p.conf:1:55: aggregation length 33 is too long for IPv4 (at most 32; use aggregation length6 for IPv6)");
	ERR("pool p { addresses 2001:db8::/64; aggregation length6 129; }",
	    "p.conf:1:55: aggregation length6 129 is too long (at most 128)");
	ERR("pool p { addresses 203.0.113.0/24; aggregation length 0; }",
	    "p.conf:1:55: aggregation length must be at least 1");
	ERR("pool p { addresses 203.0.113.0/24; priority 2147483648; }", "p.conf:1:45: priority 2147483648 is too large");
	ERR("pool p { addresses 203.0.113.0/24; service selector \"a b\"; }",
	    "p.conf:1:53: invalid service selector \"a b\": expected ',' between requirements at character 3");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *t = tcase_create("pool");
	tcase_add_test(t, ranges_and_sizes);
	tcase_add_test(t, options);
	tcase_add_test(t, checks);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
