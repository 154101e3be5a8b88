/*
 * bgp_session_try -- bring one metalbird BGP session up against a real
 * peer on loopback, announce routes, and stop it.  Not part of the build:
 *
 *   cc -I. -D_GNU_SOURCE -o /tmp/bgp_session_try tests/unit/bgp_session_try.c \
 *      proto/bgp/session.c proto/bgp/update.c proto/bgp/attrs.c proto/bgp/packets.c \
 *      sysdep/unix/loop.c sysdep/linux/tcp.c nest/mem.c nest/ip.c -levent
 *   bgp_session_try LOCAL LOCAL_AS PEER PEER_AS PORT ROUTES SECONDS [passive|active] [PASSWORD]
 *
 * It listens on LOCAL:PORT for the neighbor's connection (the glue's job in
 * the daemon) and, unless passive, also connects out, so both opens and
 * collision detection run.  Once Established it announces ROUTES IPv4 /32s
 * from 100.64.0.0/10 and one IPv6 prefix (when negotiated), then End-of-RIB
 * markers, prints what it receives, and after SECONDS stops with Cease /
 * Administrative shutdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "proto/bgp/session.h"
#include "sysdep/linux/tcp.h"
#include "sysdep/unix/loop.h"

static struct bgp_session *sess;
static net_addr *nets;
static size_t nnets, sent_at;
static struct bgp_builder bld;
static struct bgp_attrs attrs;
static unsigned long rx_announced, rx_withdrawn, rx_updates;
static int eor_sent;

static void logf_(struct bgp_session *s, void *data, int remote, const char *msg)
{
	fprintf(stderr, "%.3f %s%s\n", now_mono(), remote ? "[remote] " : "", msg);
}

/* Send UPDATEs while the out-queue is below the watermark. */
static void pump(void)
{
	uint8_t buf[BGP_MAX_LEN];

	while (sent_at < nnets && bgp_session_outq(sess) < BGP_OUTQ_HIGH) {
		size_t used;
		size_t n = bgp_build_reach(&bld, nets + sent_at, nnets - sent_at, &used, buf, sizeof(buf));
		if (!n || bgp_session_send(sess, buf, n) < 0)
			return;
		sent_at += used;
	}
	if (sent_at == nnets && !eor_sent) {
		const struct bgp_neg *ng = bgp_session_neg(sess);
		if (ng->fam[BGP_FAM_IP6]) {
			struct bgp_builder b6;
			struct bgp_attrs *a6 = malloc(sizeof(*a6));
			net_addr n6;
			char err[80];
			size_t used;
			*a6 = attrs;
			ip_pton("2001:db8::4", &a6->mp_next_hop);
			net_pton("2001:db8:4::/48", &n6);
			if (bgp_builder_init(&b6, BGP_FAM_IP6, a6, &(struct bgp_attr_ctx){ ng->as4, ng->ibgp },
					     err, sizeof(err)) == 0) {
				size_t n = bgp_build_reach(&b6, &n6, 1, &used, buf, sizeof(buf));
				bgp_session_send(sess, buf, n);
			}
			free(a6);
		}
		for (int f = 0; f < BGP_FAM_N; f++)
			if (ng->fam[f])
				bgp_session_send(sess, buf, bgp_build_eor(f, buf, sizeof(buf)));
		eor_sent = 1;
		fprintf(stderr, "%.3f sent %zu IPv4 routes and End-of-RIB\n", now_mono(), nnets);
	}
}

static void on_established(struct bgp_session *s, void *data)
{
	const struct bgp_neg *ng = bgp_session_neg(s);
	char caps[512], err[80];
	ip_addr local;

	bgp_caps_format(&bgp_session_peer_open(s)->caps, caps, sizeof(caps));
	fprintf(stderr, "%.3f ESTABLISHED peer AS %u hold %u keepalive %u as4 %d ipv4 %d ipv6 %d\n"
		"   peer capabilities: %s\n", now_mono(), ng->peer_as, ng->hold, ng->keepalive, ng->as4,
		ng->fam[0], ng->fam[1], caps);
	bgp_session_local_addr(s, &local);
	bgp_attrs_init(&attrs);
	BGP_SET(&attrs, BGP_A_ORIGIN);
	BGP_SET(&attrs, BGP_A_AS_PATH);
	if (!ng->ibgp) {
		uint32_t me = (uint32_t)(uintptr_t)data;
		bgp_path_append(&attrs.path, BGP_AS_SEQUENCE, &me, 1);
	}
	BGP_SET(&attrs, BGP_A_NEXT_HOP);
	attrs.next_hop = local;
	BGP_SET(&attrs, BGP_A_COMMUNITY);
	attrs.ncomm = 1;
	attrs.comm[0] = 64512u << 16 | 100;
	BGP_SET(&attrs, BGP_A_LARGE_COMMUNITY);
	attrs.nlcomm = 1;
	attrs.lcomm[0] = (struct bgp_lcomm){ (uint32_t)(uintptr_t)data, 7, 8 };
	BGP_SET(&attrs, BGP_A_MED);
	attrs.med = 42;
	if (ng->ibgp) {
		BGP_SET(&attrs, BGP_A_LOCAL_PREF);
		attrs.local_pref = 300;
	}
	if (bgp_builder_init(&bld, BGP_FAM_IP4, &attrs, &(struct bgp_attr_ctx){ ng->as4, ng->ibgp },
			     err, sizeof(err)) < 0) {
		fprintf(stderr, "builder: %s\n", err);
		return;
	}
	sent_at = 0;
	eor_sent = 0;
	pump();
}

static void on_down(struct bgp_session *s, void *data, const char *reason,
		    const struct bgp_down_info *info)
{
	fprintf(stderr, "%.3f DOWN: %s%s%s\n", now_mono(), reason, info->notif_sent ? "; sent: " : "",
		info->notif_sent ? info->text : "");
}

static void on_update(struct bgp_session *s, void *data, const struct bgp_update *u)
{
	rx_updates++;
	if (u->action == BGP_7606_OK)
		rx_announced += u->nannounced;
	rx_withdrawn += u->nwithdrawn + (u->action == BGP_7606_WITHDRAW ? u->nannounced : 0);
	if (u->eor >= 0)
		fprintf(stderr, "%.3f received End-of-RIB for %s (%lu announced so far)\n", now_mono(),
			u->eor ? "ipv6" : "ipv4", rx_announced);
}

static void on_tx_space(struct bgp_session *s, void *data)
{
	if (bgp_session_state(s) == BGP_S_ESTABLISHED)
		pump();
}

static void on_refresh(struct bgp_session *s, void *data, int fam, int subtype)
{
	fprintf(stderr, "%.3f route refresh requested for family %d subtype %d\n", now_mono(), fam,
		subtype);
}

static void on_accept(int fd, void *data)
{
	bgp_session_accept(sess, fd);
}

static void on_exit_timer(void *data)
{
	loop_exit();
}

static void on_stop(void *data)
{
	static struct timer *t;

	bgp_session_stop(sess, BGP_CEASE_ADMIN_SHUTDOWN, "bgp_session_try done");
	fprintf(stderr, "%.3f stopped: received %lu updates, %lu prefixes announced, %lu withdrawn\n",
		now_mono(), rx_updates, rx_announced, rx_withdrawn);
	/* Let the Cease go out before leaving. */
	t = tm_new(on_exit_timer, NULL);
	tm_start(t, 0.5);
}

static const struct bgp_session_ops ops = {
	.established = on_established,
	.down = on_down,
	.update_received = on_update,
	.tx_space = on_tx_space,
	.refresh_requested = on_refresh,
	.log = logf_,
};

int main(int argc, char **argv)
{
	struct bgp_session_config cf = { 0 };
	char err[160];

	if (argc < 8) {
		fprintf(stderr, "usage: %s LOCAL LOCAL_AS PEER PEER_AS PORT ROUTES SECONDS [passive|active] [PASSWORD]\n",
			argv[0]);
		return 2;
	}
	ip_pton(argv[1], &cf.local);
	cf.has_local = 1;
	cf.local_as = (uint32_t)strtoul(argv[2], NULL, 10);
	ip_pton(argv[3], &cf.remote);
	cf.remote_as = (uint32_t)strtoul(argv[4], NULL, 10);
	cf.remote_port = (uint16_t)atoi(argv[5]);
	nnets = strtoul(argv[6], NULL, 10);
	double secs = atof(argv[7]);
	cf.passive = argc > 8 && !strcmp(argv[8], "passive");
	cf.password = argc > 9 ? argv[9] : NULL;
	cf.router_id = ip4_get(cf.local);
	cf.hold = 30;
	cf.connect_retry = 2;
	cf.error_wait_min = 1;
	cf.error_wait_max = 8;
	cf.multihop = 2;
	cf.enhanced_rr = 1;
	cf.gr = 1;
	cf.gr_time = 120;

	nets = malloc((nnets ? nnets : 1) * sizeof(*nets));
	for (size_t i = 0; i < nnets; i++)
		nets[i] = net_make(ip4_make(0x64400000u + (uint32_t)i), AF_IP4, 32);

	if (loop_init() < 0)
		return 1;
	sess = bgp_session_new(&cf, &ops, (void *)(uintptr_t)cf.local_as);
	struct sk_tcp_opts lo = { .local = cf.local, .has_local = 1 };
	struct listener *l = listen_tcp(cf.local, cf.remote_port, &lo, on_accept, NULL, err, sizeof(err));
	if (!l)
		fprintf(stderr, "listen: %s (active only)\n", err);
	else if (cf.password && tcp_md5_set(listener_fd(l), AF_INET, cf.remote, cf.password, err,
					    sizeof(err)) < 0)
		fprintf(stderr, "listener TCP-MD5: %s\n", err);
	struct timer *stop = tm_new(on_stop, NULL);
	tm_start(stop, secs);
	bgp_session_start(sess);
	loop_run();
	listener_free(l);
	bgp_session_free(sess);
	free(nets);
	return 0;
}
