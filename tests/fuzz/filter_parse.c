/*
 * libFuzzer harness of the filter language (nest/filter/): random filter
 * source through the config parser, and what parses is run over a fixed
 * route.  The first byte picks how the rest is read:
 *
 *   0: the body of an inline export filter.  A filter that parses is run,
 *      dumped (filter_dump_spec) and the dump parsed again: it must parse
 *      and be the same filter (filter_same).
 *   1: a whole config (functions, constants, filters): every filter in it
 *      is run over the route, and the dump of its definitions
 *      (filter_dump_defs) must parse to the same filters.
 *   2: a `show route where` expression against a small running config.
 *
 * An accepted route's attribute set is checked to be interned, and freed.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "nest/filter/filter.h"
#include "nest/protocol.h"
#include "nest/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static net_addr route_net;
static struct rta *route_rta;
static struct config *running;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct {
		int n;
		struct kv kv[1];
	} labels = { 1, { { "tier", "gold" } } };
	uint8_t path[2 + 8];
	uint32_t asn[2] = { 64512, 64513 }, comm = 64512u << 16 | 100;
	struct rta tmp;
	char err[512];

	route_net = net_make(ip4_make(0xcb007107), AF_IP4, 32);	/* 203.0.113.7/32 */
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
	running = config_parse_string("run.conf",
		"define mine = [ 203.0.113.0/24+ ];\n"
		"function gold() -> bool { return k8s_label(\"tier\") = \"gold\"; }\n", err, sizeof err);
	assert(running);
	return 0;
}

static void run(const struct filter *f)
{
	struct rta *out = NULL;

	if (f_run(f, &route_net, "k8s", route_rta, &out) == F_ACCEPT) {
		assert(out && out->uc >= 1);
		rta_free(out);
	}
}

/* The definitions' dump parses again to the same filters.  (A recursive
 * function returning a set has no `-> TYPE` form: its dump cannot parse.) */
static void defs_round_trip(struct config *c)
{
	char err[1024], *dump = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&dump, &len);

	filter_dump_defs(m, c);
	fclose(m);
	struct config *d = config_parse_string("dump.conf", dump, err, sizeof err);
	if (!d && strstr(err, "calls itself before its return type is known")) {
		free(dump);
		return;
	}
	if (!d) {
		fprintf(stderr, "dump of definitions does not parse: %s\n%s\n", err, dump);
		abort();
	}
	for (unsigned h = 0; h < c->symtab_size; h++)
		for (struct symbol *s = c->symtab[h]; s; s = s->next) {
			if (s->class != SYM_FILTER)
				continue;
			const struct filter *g = NULL;
			for (unsigned k = 0; k < d->symtab_size && !g; k++)
				for (struct symbol *t = d->symtab[k]; t; t = t->next)
					if (t->class == SYM_FILTER && !strcmp(t->name, s->name))
						g = t->def;
			if (!g || !filter_same(s->def, g)) {
				fprintf(stderr, "filter %s differs after its dump:\n%s\n", s->name, dump);
				abort();
			}
		}
	config_free(d);
	free(dump);
}

static const struct filter *export_of(struct config *c)
{
	return c->protos ? c->protos->out_filter : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];

	if (size < 1 || size > 4096)
		return 0;
	int mode = data[0] % 3;
	char *text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;

	if (mode == 0) {
		size_t n = strlen(text) + 64;
		char *conf = malloc(n);
		snprintf(conf, n, "protocol static s { export filter { %s }; }", text);
		struct config *c = config_parse_string("fuzz.conf", conf, err, sizeof err);
		if (c && export_of(c)) {
			const struct filter *f = export_of(c);
			run(f);
			char *dump = NULL;
			size_t dlen = 0;
			FILE *m = open_memstream(&dump, &dlen);
			filter_dump_spec(m, f);
			fclose(m);
			size_t n2 = dlen + 64;
			char *again = malloc(n2);
			snprintf(again, n2, "protocol static s { export %s; }", dump);
			struct config *c2 = config_parse_string("fuzz.conf", again, err, sizeof err);
			if (!c2 || !filter_same(f, export_of(c2))) {
				fprintf(stderr, "dump does not round-trip:\n  in:   %s\n  dump: %s\n  %s\n", conf, dump,
					c2 ? "differs" : err);
				abort();
			}
			run(export_of(c2));
			config_free(c2);
			free(again);
			free(dump);
		}
		config_free(c);
		free(conf);
	} else if (mode == 1) {
		struct config *c = config_parse_string("fuzz.conf", text, err, sizeof err);
		if (c) {
			for (unsigned h = 0; h < c->symtab_size; h++)
				for (struct symbol *s = c->symtab[h]; s; s = s->next)
					if (s->class == SYM_FILTER)
						run(s->def);
			for (struct proto_config *p = c->protos; p; p = p->next) {
				run(p->in_filter);
				run(p->out_filter);
			}
			defs_round_trip(c);
		}
		config_free(c);
	} else {
		const struct filter *f = filter_parse_cli_expr(text, running, err, sizeof err);
		if (f) {
			run(f);
			filter_cli_free(f);
		}
	}
	free(text);
	return 0;
}
