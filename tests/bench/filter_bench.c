/*
 * metalbird -- benchmark of filter runs (make bench-filter)
 *
 * A filter that adds a community and sets the local preference runs over
 * 1,000,000 routes (distinct /32s of one pool, so they share one interned
 * attribute set, as a pool's routes do) and the runs per second are printed.
 * A second pass runs a filter that only tests and accepts, the path that must
 * not allocate.  Every result is checked, so a broken filter cannot look fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "nest/filter/filter.h"
#include "nest/mem.h"
#include "nest/route.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct filter *get_filter(struct config *c, const char *name)
{
	for (unsigned i = 0; i < c->symtab_size; i++)
		for (struct symbol *s = c->symtab[i]; s; s = s->next)
			if (s->class == SYM_FILTER && !strcmp(s->name, name))
				return s->def;
	fprintf(stderr, "filter_bench: no filter %s\n", name);
	exit(1);
}

/* The outputs are kept until the pass ends, as the exporting channel keeps
 * the attribute sets of the routes it exported: an interned set that lost its
 * last reference would be freed and made again for the next route. */
static double run(const struct filter *f, struct rta *a, long n, int expect_change)
{
	net_addr net;
	struct rta *out;
	struct rta **keep = xmalloc(sizeof *keep * (size_t)n);
	double t0 = now();

	for (long i = 0; i < n; i++) {
		/* 100.64.0.0/10: prefixes only carried inside BGP (DEVELOPERS.md) */
		net = net_make(ip4_make(0x64400000u + (uint32_t)i), AF_IP4, 32);
		if (f_run(f, &net, "k8s", a, &out) != F_ACCEPT) {
			fprintf(stderr, "filter_bench: route %ld rejected\n", i);
			exit(1);
		}
		if ((out != a) != expect_change || (expect_change && out->bgp_local_pref != 200)) {
			fprintf(stderr, "filter_bench: wrong result for route %ld\n", i);
			exit(1);
		}
		keep[i] = out;
	}
	double rate = (double)n / (now() - t0);
	for (long i = 0; i < n; i++)
		rta_free(keep[i]);
	free(keep);
	return rate;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	char err[512];
	struct config *c = config_parse_string("bench.conf",
		"filter tag {\n"
		"  if pool = \"production\" then {\n"
		"    bgp_community.add((64512, 100));\n"
		"    bgp_local_pref = 200;\n"
		"    accept;\n"
		"  }\n"
		"  reject;\n"
		"}\n"
		"filter pass { if net ~ [ 100.64.0.0/10{32,32} ] && pool = \"production\" then accept; reject; }\n",
		err, sizeof err);
	if (!c) {
		fprintf(stderr, "filter_bench: %s\n", err);
		return 1;
	}
	struct rta tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.pool = "production";
	tmp.k8s_namespace = "prod";
	tmp.k8s_service = "web";
	struct rta *a = rta_lookup(&tmp);

	double r1 = run(get_filter(c, "tag"), a, n, 1);
	double r2 = run(get_filter(c, "pass"), a, n, 0);
	printf("filter_bench: %ld routes: set community + local pref: %.0f runs/s; test and accept: %.0f runs/s\n",
	       n, r1, r2);
	rta_free(a);
	config_free(c);
	return r1 > 0 ? 0 : 1;
}
