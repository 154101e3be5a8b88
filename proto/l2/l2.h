/*
 * metalbird -- protocol l2: ARP and NDP announcements (SPEC section 3)
 */
#ifndef MB_L2_H
#define MB_L2_H

#include <net/if.h>
#include <stdint.h>

#include "nest/protocol.h"

struct k8s_db;
struct service;
struct channel;
struct timer;
struct defer;
struct fdwatch;

struct l2_ifname {
	struct l2_ifname *next;
	const char *name;		/* owned by the config */
};

struct l2_config {
	struct proto_config c;
	struct l2_ifname *ifnames;	/* `interface "a", "b";` in order; NULL = every up, non-loopback one */
	int nifnames;
};

/* One service address this protocol exports. */
struct l2_addr {
	struct l2_addr *next;
	struct l2_addr **pprev;		/* what points at us in the list */
	struct l2_addr *hnext;		/* hash chain (l2_proto.hash) */
	ip_addr ip;
	char *ns, *svc;			/* the Service named by the route, or NULL */
	int owned;			/* this node is elected: we answer for it */
	char elected[128];		/* the elected node ("" none) */
	const char *why;		/* why not owned (static text), or NULL */
	int spam_left;			/* gratuitous announcements still to send */
	double spam_next;		/* when the next one goes (monotonic) */
	uint64_t requests, replies, gratuitous;
};

/* One interface we listen on. */
struct l2_if {
	struct l2_if *next;
	struct l2_proto *l2;
	int index;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	int fd;				/* AF_PACKET socket */
	struct fdwatch *w;
	int seen;			/* in the latest scan */
	uint64_t rx, tx;		/* questions received, answers and notices sent */
};

struct l2_proto {
	struct proto p;
	struct l2_proto *next_l2;	/* every running l2 protocol */
	struct channel *ch;
	struct l2_addr *addrs;
	int naddrs;
	struct l2_addr **hash;		/* by address: every ARP/NS looks one up */
	unsigned hsize;			/* buckets, a power of two (0: none yet) */
	struct l2_if *ifs;
	struct timer *rescan_tm;	/* follow interfaces that come and go */
	struct timer *spam_tm;		/* repeated gratuitous ARP / unsolicited NA */
	struct defer *elect_ev;		/* run the election on the next loop turn */
	char if_error[256];		/* the last interface problem */
};

extern struct proto_class proto_l2;
extern struct l2_proto *l2_running;	/* every started l2 protocol */

/* proto/l2/l2-show.c */
struct cli;
struct json_t;
struct mbuf;
int l2_count_owned(const struct l2_proto *lp);
int l2_count_ifs(const struct l2_proto *lp);
void l2_get_info(struct proto *p, char *buf, size_t len);
void l2_show_details(struct proto *p, struct cli *c);
void l2_show_json(struct proto *p, struct json_t *jo);
void l2_metrics(struct mbuf *b);

void l2_config_add_ifname(struct l2_config *c, const char *name, const struct cf_loc *loc);

/*
 * The Kubernetes state the election reads.  The Kubernetes source should
 * call l2_k8s_changed() whenever a Node, EndpointSlice or Service changed
 * (NULL when its state is gone); db must stay valid until the next call.
 * Until it does, l2 follows protocol kubernetes by itself
 * (proto/l2/k8sbridge.c).  Without Kubernetes state, routes are announced
 * as static routes: by every node that runs the protocol.
 */
void l2_k8s_changed(const struct k8s_db *db);
const struct k8s_db *l2_k8s_db(void);
/* Run every l2 protocol's election again on the next loop turn. */
void l2_k8s_poke(void);

/*
 * For `show services`: the node elected for s by the first running l2
 * protocol, or NULL when no l2 protocol runs or nobody is eligible; the
 * protocol's name in *proto when given.
 */
const char *l2_elected_node(const struct service *s, const char **proto);

/* proto/l2/k8sbridge.c */
const struct k8s_db *l2_bridge_db(void);
void l2_bridge_start(void);
void l2_bridge_stop(void);	/* no l2 protocol runs */

#endif
