/*
 * rt_bench -- load N routes into the route table and export them through a
 * channel whose filter (the real filter language) sets a community and a
 * local preference, as a BGP session's export would.
 *
 *   obj/tests/rt_bench [N]        (default 1,000,000; `make bench-rt`)
 *
 * Reports: table inserts per second, filter runs per second (the channel's
 * delivery of the whole queue: f_run + interning + the sent-map compare),
 * and bytes of RSS per route for the table plus one exporting channel.
 * Prefixes are /32s from 100.64.0.0/10, as a big MetalLB pool would give.
 * It links every daemon module except main.c.
 */
#include "conf/conf.h"
#include "nest/channel.h"
#include "nest/filter/filter.h"
#include "nest/protocol.h"
#include "nest/rt-table.h"
#include "sysdep/unix/loop.h"
#include "sysdep/unix/main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* main.c is not linked: what other modules expect of it (sysdep/unix/main.h) */
ip_addr daemon_router_id;
const char *daemon_node_name = "bench";
int opt_graceful_restart;
int daemon_crashed;
void daemon_shutdown(void) {}
void daemon_init_modules(void) {}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sink {
	long announces, withdraws, batches;
	struct rta *last;	/* the last rta announced, to check the filter ran */
};

static void sink_begin(struct channel *ch)
{
	((struct sink *)ch->data)->batches++;
}
static void sink_notify(struct channel *ch, const net_addr *n, struct rta *new, struct rta *old)
{
	struct sink *s = ch->data;
	if (new) {
		s->announces++;
		s->last = new;
	} else
		s->withdraws++;
}
static void sink_feed_done(struct channel *ch)
{
	loop_exit();	/* main() runs the loop until a feed is done */
}
static const struct channel_ops sink_ops = {
	.begin = sink_begin, .notify = sink_notify, .feed_done = sink_feed_done,
};

static const char bench_conf[] =
	"router id 192.0.2.1;\n"
	"filter bench_out {\n"
	"  bgp_community.add((64512, 100));\n"
	"  bgp_local_pref = 200;\n"
	"  accept;\n"
	"}\n"
	"filter bench_half {\n"
	"  if net ~ [ 100.64.0.0/13{32,32} ] then {\n"
	"    bgp_community.add((64512, 100));\n"
	"    bgp_local_pref = 300;\n"
	"    accept;\n"
	"  }\n"
	"  reject;\n"
	"}\n"
	"protocol static src { }\n"
	"protocol static peer { export filter bench_out; }\n"
	"protocol static peer2 { export filter bench_half; }\n";

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	char err[512];

	if (n <= 0 || n > (1L << 22)) {
		fprintf(stderr, "usage: rt_bench [N <= 4194304]\n");
		return 2;
	}
	if (loop_init() < 0) {
		fprintf(stderr, "rt_bench: loop_init failed\n");
		return 1;
	}
	struct config *cf = config_parse_string("bench", bench_conf, err, sizeof err);
	if (!cf) {
		fprintf(stderr, "rt_bench: %s\n", err);
		return 1;
	}
	struct proto_config *csrc = cf->protos, *cpeer = csrc->next;
	struct proto src = { .name = "src", .cf = csrc, .class = csrc->class, .state = PS_UP };
	struct proto peer = { .name = "peer", .cf = cpeer, .class = cpeer->class, .state = PS_UP };
	struct sink sink = { 0 };
	struct channel *ch = channel_new(&peer, &sink_ops, &sink);
	channel_up(ch);
	loop_run();	/* its first full feed, of the empty table, is done: the
			 * queue, not the feed, then tells it of the routes */

	/* the source's attributes: one pool, shared by every route */
	struct rta tmp;
	rta_copy_tmp(&tmp, rta_empty());
	tmp.pool = "bench";
	struct rta *a = rta_lookup(&tmp);

	long rss0 = rss_kb();
	double t0 = now();
	for (long i = 0; i < n; i++) {
		net_addr net = net_make(ip4_make(0x64400000u + (uint32_t)i), AF_IP4, 32);
		rte_update(&src, &net, a);
	}
	double t1 = now();
	rt_flush();		/* every queued change through the export filter */
	double t2 = now();
	long rss1 = rss_kb();

	if (sink.announces != n || !sink.last || !(sink.last->set & RTA_LOCAL_PREF) ||
	    sink.last->bgp_local_pref != 200 || !sink.last->bgp_community) {
		fprintf(stderr, "rt_bench: the filter did not run as expected (%ld announcements)\n", sink.announces);
		return 1;
	}
	printf("routes:              %ld\n", n);
	printf("table inserts:       %.0f routes/s (%.3f s)\n", (double)n / (t1 - t0), t1 - t0);
	printf("export filter runs:  %.0f routes/s (%.3f s, %ld batches)\n", (double)n / (t2 - t1), t2 - t1,
	       sink.batches);
	printf("total load:          %.0f routes/s\n", (double)n / (t2 - t0));
	printf("RSS:                 %.1f bytes/route (table + one exporting channel; %ld kB total)\n",
	       (double)(rss1 - rss0) * 1024.0 / (double)n, rss1);
	printf("rt_memory:           %.1f bytes/route (nodes %zu kB), attribute sets: %zu\n",
	       (double)rt_memory() / (double)n, rt_memory() / 1024, rta_count());

	/* a changed export filter: the refeed tells only the differences */
	long a0 = sink.announces, w0 = sink.withdraws;
	long in13 = n < (1L << 19) ? n : (1L << 19);
	peer.cf = cpeer->next;
	channel_proto_reconfigured(&peer);
	double tr0 = now();
	loop_run();	/* the refeed runs in slices on loop turns */
	double tr1 = now();
	printf("refeed, new filter:  %.0f routes/s (%.3f s): %ld announced, %ld withdrawn (expected %ld, %ld)\n",
	       (double)n / (tr1 - tr0), tr1 - tr0, sink.announces - a0, sink.withdraws - w0, in13, n - in13);
	if (sink.announces - a0 != in13 || sink.withdraws - w0 != n - in13)
		return 1;

	double t3 = now();
	rte_withdraw_all(&src);
	rt_flush();
	double t4 = now();
	printf("withdraw all:        %.0f routes/s (%ld withdrawals told)\n", (double)n / (t4 - t3), sink.withdraws);
	return sink.withdraws == n ? 0 : 1;
}
