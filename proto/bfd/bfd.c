/*
 * metalbird -- protocol bfd: single-hop BFD sessions (RFC 5880, RFC 5881)
 *
 * One protocol bfd instance serves every request (BGP protocols with `bfd
 * on`).  Control packets arrive on one UDP socket per family bound to port
 * 3784 and are matched to a session by Your Discriminator, or by source
 * address while the remote does not know ours yet (RFC 5880 6.8.6).  Each
 * session sends from a socket of its own bound to a port in 49152-65535
 * (RFC 5881 4) with TTL 255; received packets must carry TTL 255 (RFC 5881
 * 5: the GTSM check that makes single-hop BFD safe without authentication).
 * The state machine and the codec are pure functions (fsm.c, packets.c);
 * this file owns the sockets, the timers and the requests.
 */
#include "proto/bfd/bfd.h"
#include "proto/bfd/fsm.h"
#include "proto/bfd/packets.h"
#include "nest/cli.h"
#include "nest/cmds.h"
#include "nest/log.h"
#include "nest/mem.h"
#include "nest/metrics.h"
#include "sysdep/unix/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

struct bfd_session {
	struct bfd_session *next;
	ip_addr addr;			/* the neighbor */
	ip_addr local;			/* our address, when requested */
	int has_local;
	char ifname[IF_NAMESIZE];	/* "" when not known */
	unsigned ifindex;
	struct bfd_fsm f;
	int fd;				/* sending socket */
	uint16_t src_port;
	struct timer *tx_t, *det_t;
	double since;			/* wall clock of the last state change */
	uint64_t rx_pkts, tx_pkts;
	uint64_t up_events, down_events;
	int auth_simple;		/* Simple Password in use */
	uint8_t pw_len;
	uint8_t password[BFD_PASSWORD_MAX];
	uint64_t auth_fail;		/* packets dropped by the authentication check */
	int refs;			/* requests served */
	int notifying;			/* inside the request hooks */
};

#define BFD_KEY_ID 1	/* the key id of our one password */

struct bfd_request {
	struct bfd_request *next;
	ip_addr addr, local;
	int has_local;
	char *iface;
	bfd_hook hook;
	void *data;
	struct bfd_session *s;
	int state;			/* last state told */
};

struct bfd_proto {
	struct proto p;
	int fd4, fd6;
	struct fdwatch *w4, *w6;
};

static void sess_free(struct bfd_session *s);

static struct bfd_proto *bfd_running;		/* the instance that serves (max 1) */
static struct bfd_request *requests;
static struct bfd_session *sessions;

/* --- config ---------------------------------------------------------------------- */

void bfd_config_iface_start(struct bfd_config *c, const char *pattern)
{
	struct bfd_iface_config *ic = cf_alloc(sizeof *ic), **pp = &c->ifaces;

	ic->pattern = pattern;
	ic->min_rx = ic->min_tx = BFD_DEFAULT_INTERVAL;
	ic->mult = BFD_DEFAULT_MULT;
	while (*pp)
		pp = &(*pp)->next;
	*pp = ic;
	c->cur = ic;
}

void bfd_config_iface_end(struct bfd_config *c, const struct cf_loc *loc)
{
	if (c->cur && c->cur->auth_simple && !c->cur->password)
		cf_error_at(loc, "authentication simple needs a password");
}

static void bfd_copy_config(struct proto_config *dst, const struct proto_config *src)
{
	struct bfd_config *d = (struct bfd_config *)dst;
	const struct bfd_config *s = (const struct bfd_config *)src;
	struct bfd_iface_config **pp = &d->ifaces;

	d->ifaces = NULL;
	for (const struct bfd_iface_config *i = s->ifaces; i; i = i->next) {
		struct bfd_iface_config *n = cf_alloc(sizeof *n);
		*n = *i;
		n->next = NULL;
		*pp = n;
		pp = &n->next;
	}
	d->cur = NULL;
}

static int iface_cfg_equal(const struct bfd_iface_config *a, const struct bfd_iface_config *b)
{
	for (; a && b; a = a->next, b = b->next)
		if (strcmp(a->pattern, b->pattern) || a->min_rx != b->min_rx || a->min_tx != b->min_tx ||
		    a->mult != b->mult || a->auth_simple != b->auth_simple ||
		    strcmp(a->password ? a->password : "", b->password ? b->password : ""))
			return 0;
	return !a && !b;
}

static enum reconf_action bfd_compare(const struct proto_config *o, const struct proto_config *n,
				      struct reconf_why *why)
{
	const struct bfd_config *a = (const void *)o, *b = (const void *)n;

	if (iface_cfg_equal(a->ifaces, b->ifaces))
		return RC_SAME;
	snprintf(why->text, sizeof why->text, "interface options changed");
	return RC_SOFT;
}

static void bfd_dump_config(FILE *out, const struct proto_config *pc)
{
	const struct bfd_config *c = (const void *)pc;

	for (const struct bfd_iface_config *i = c->ifaces; i; i = i->next)
	{
		fprintf(out, "\tinterface \"%s\" {\n\t\tmin rx interval %u ms;\n\t\tmin tx interval %u ms;\n"
			"\t\tmultiplier %u;\n", i->pattern, i->min_rx / 1000, i->min_tx / 1000, i->mult);
		if (i->auth_simple)
			fprintf(out, "\t\tauthentication simple;\n\t\tpassword \"%s\";\n", i->password);
		fprintf(out, "\t};\n");
	}
}

/* The options for an interface: the first pattern that matches, else the
 * defaults (a session over an unknown interface matches only "*"). */
static const struct bfd_iface_config *iface_options(const char *ifname, uint32_t *tx, uint32_t *rx, uint8_t *mult)
{
	const struct bfd_config *c = bfd_running ? (const void *)bfd_running->p.cf : NULL;

	*tx = *rx = BFD_DEFAULT_INTERVAL;
	*mult = BFD_DEFAULT_MULT;
	for (const struct bfd_iface_config *i = c ? c->ifaces : NULL; i; i = i->next)
		if (fnmatch(i->pattern, ifname, 0) == 0) {
			*tx = i->min_tx;
			*rx = i->min_rx;
			*mult = (uint8_t)i->mult;
			return i;
		}
	return NULL;
}

/* The session's authentication, from its interface options (copied: the
 * config may go before the session). */
static void sess_auth(struct bfd_session *s, const struct bfd_iface_config *ic)
{
	s->auth_simple = ic && ic->auth_simple && ic->password;
	s->pw_len = 0;
	if (s->auth_simple) {
		s->pw_len = (uint8_t)strnlen(ic->password, BFD_PASSWORD_MAX);
		memcpy(s->password, ic->password, s->pw_len);
	}
}

/* RFC 5880 6.7.2 and 6.8.6: with Simple Password in use a packet must carry
 * the same key id and password; without, no authentication section. */
static int sess_auth_ok(const struct bfd_session *s, const struct bfd_pkt *p)
{
	if (!s->auth_simple)
		return !(p->flags & BFD_F_AUTH);
	return (p->flags & BFD_F_AUTH) && p->auth_type == BFD_AUTH_SIMPLE && p->auth_key_id == BFD_KEY_ID &&
	       p->pw_len == s->pw_len && !memcmp(p->password, s->password, s->pw_len);
}

/* --- addresses ------------------------------------------------------------------ */

static socklen_t to_sockaddr(ip_addr a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (ip_is4(a)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr.s_addr = htonl(ip4_get(a));
		return sizeof *s4;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	ip_to_bytes(a, s6->sin6_addr.s6_addr);
	return sizeof *s6;
}

static int from_sockaddr(const struct sockaddr *sa, ip_addr *a)
{
	if (sa->sa_family == AF_INET) {
		*a = ip4_make(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(x))
			*a = ip4_make((uint32_t)x->s6_addr[12] << 24 | (uint32_t)x->s6_addr[13] << 16 |
				      (uint32_t)x->s6_addr[14] << 8 | x->s6_addr[15]);
		else
			*a = ip_from_bytes(AF_IP6, x->s6_addr);
		return 0;
	}
	return -1;
}

static int addr_set(ip_addr a)
{
	return !ip_is_zero(a) && !(ip_is4(a) && ip4_get(a) == 0);
}

/* The interface whose prefix holds the neighbor (single hop: it is on a
 * connected network), for the per-interface options and `show`. */
static void iface_of(ip_addr addr, char *name, unsigned *index)
{
	struct ifaddrs *ifa, *i;
	int best = -1;

	name[0] = 0;
	*index = 0;
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		ip_addr a, m;
		if (!i->ifa_addr || !i->ifa_netmask || from_sockaddr(i->ifa_addr, &a) ||
		    from_sockaddr(i->ifa_netmask, &m) || ip_af(a) != ip_af(addr))
			continue;
		int af = ip_af(a), len = 0;
		while (len < af_maxlen(af) && ip_bit(m, af, len))
			len++;
		net_addr n = net_make(a, af, len);
		if (len > best && net_contains_ip(&n, addr)) {
			best = len;
			snprintf(name, IF_NAMESIZE, "%s", i->ifa_name);
		}
	}
	freeifaddrs(ifa);
	if (name[0])
		*index = if_nametoindex(name);
}

/* --- sending --------------------------------------------------------------------- */

static uint32_t rnd32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof v, 0) != sizeof v)
		v = (uint32_t)random() ^ (uint32_t)((uint64_t)(now_mono() * 1e6));
	return v;
}

static void sess_send(struct bfd_session *s, int final)
{
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	char a[IP_STRLEN];

	if (s->fd < 0)
		return;
	bfd_fsm_build(&s->f, final, &p);
	if (s->auth_simple) {
		p.auth_type = BFD_AUTH_SIMPLE;
		p.auth_key_id = BFD_KEY_ID;
		p.pw_len = s->pw_len;
		memcpy(p.password, s->password, s->pw_len);
	}
	size_t len = bfd_pkt_encode(&p, buf, sizeof buf);
	if (send(s->fd, buf, len, 0) < 0) {
		/* ECONNREFUSED from an ICMP port unreachable, no route: the
		 * detection timer tells what matters */
		if (bfd_running && errno != ECONNREFUSED)
			proto_trace(&bfd_running->p, D_PACKETS, "%s: send: %s", ip_ntop(s->addr, a), strerror(errno));
		return;
	}
	s->tx_pkts++;
}

static void tx_arm(struct bfd_session *s)
{
	uint32_t iv = bfd_fsm_tx_interval(&s->f);

	if (!iv) {
		tm_stop(s->tx_t);
		return;
	}
	tm_start(s->tx_t, bfd_jitter(iv, s->f.mult, (double)(rnd32() >> 8) / 16777216.0) / 1e6);
}

static void tx_expired(void *data)
{
	struct bfd_session *s = data;

	sess_send(s, 0);
	tx_arm(s);
}

static void notify(struct bfd_session *s)
{
	/* RFC 5882 3.2: a neighbor that went AdminDown did not lose the path;
	 * its clients are told AdminDown, which they must not act on */
	int st = s->f.state == BFD_S_DOWN && s->f.remote_state == BFD_S_ADMIN_DOWN ? BFD_S_ADMIN_DOWN : s->f.state;

	s->notifying = 1;
	for (struct bfd_request *r = requests, *next; r; r = next) {
		next = r->next;
		if (r->s != s || r->state == st)
			continue;
		r->state = st;
		r->hook(r->data, st, bfd_diag_name(s->f.diag));
	}
	s->notifying = 0;
	if (!s->refs)
		sess_free(s);	/* the last hook let go of it */
}

static void sess_log_state(struct bfd_session *s)
{
	char a[IP_STRLEN];

	if (!bfd_running)
		return;
	if (s->f.state == BFD_S_UP)
		proto_log(&bfd_running->p, L_INFO, "session to %s%s%s is up", ip_ntop(s->addr, a),
			  s->ifname[0] ? " on " : "", s->ifname);
	else if (s->f.state == BFD_S_DOWN && s->f.diag)
		proto_log(&bfd_running->p, L_INFO, "session to %s is down: %s", ip_ntop(s->addr, a),
			  bfd_diag_name(s->f.diag));
	else
		proto_trace(&bfd_running->p, D_STATES, "session to %s: %s", ip_ntop(s->addr, a),
			    bfd_state_name(s->f.state));
}

/* Act on what the state machine says happened. */
static void sess_events(struct bfd_session *s, int ev)
{
	if (ev & BFD_EV_FINAL)
		sess_send(s, 1);
	if (ev & (BFD_EV_STATE | BFD_EV_SEND)) {
		/* a state change or a new poll goes out now, not a second later */
		if (!(ev & BFD_EV_FINAL))
			sess_send(s, 0);
		tx_arm(s);
	} else if (ev & BFD_EV_TIMERS) {
		double iv = bfd_fsm_tx_interval(&s->f) / 1e6;
		if (!tm_active(s->tx_t) || tm_remains(s->tx_t) > iv)
			tx_arm(s);
	}
	if (ev & BFD_EV_STATE) {
		s->since = now_real();
		if (s->f.state == BFD_S_UP)
			s->up_events++;
		else if (s->f.state == BFD_S_DOWN)
			s->down_events++;
		sess_log_state(s);
		notify(s);
	}
}

static void det_expired(void *data)
{
	struct bfd_session *s = data;

	sess_events(s, bfd_fsm_timeout(&s->f));
}

/* --- sessions ----------------------------------------------------------------------- */

static int sess_socket(struct bfd_session *s, char *err, size_t errlen)
{
	int v6 = !ip_is4(s->addr);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int ttl = BFD_TTL;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* RFC 5881 5: "the TTL or Hop Limit value MUST be set to 255" */
	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof ttl) < 0) {
		snprintf(err, errlen, "setting TTL 255: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (s->ifname[0])
		(void)setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->ifname, (socklen_t)strlen(s->ifname));
	/* RFC 5881 4: "The source port MUST be in the range 49152 through
	 * 65535.  The same UDP source port number MUST be used for all BFD
	 * Control packets associated with a particular session." */
	ip_addr any = v6 ? (ip_addr){ { 0, 0, 0, 0 } } : ip4_make(0);
	uint32_t span = BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1, start = rnd32() % span;
	int bound = 0;
	for (uint32_t k = 0; k < span && !bound; k++) {
		uint16_t port = (uint16_t)(BFD_SRC_PORT_MIN + (start + k) % span);
		sl = to_sockaddr(s->has_local ? s->local : any, port, &ss);
		if (v6 && s->has_local && IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)&ss)->sin6_addr))
			((struct sockaddr_in6 *)&ss)->sin6_scope_id = s->ifindex;
		if (bind(fd, (struct sockaddr *)&ss, sl) == 0) {
			s->src_port = port;
			bound = 1;
		} else if (errno != EADDRINUSE) {
			break;
		}
	}
	if (!bound) {
		snprintf(err, errlen, "no source port in 49152-65535: %s", strerror(errno));
		close(fd);
		return -1;
	}
	sl = to_sockaddr(s->addr, BFD_CONTROL_PORT, &ss);
	/* a link-local neighbor is reached over its interface */
	if (v6 && IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = s->ifindex;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static uint32_t new_discriminator(void)
{
	for (;;) {
		uint32_t d = rnd32();
		int used = !d;
		for (struct bfd_session *s = sessions; s && !used; s = s->next)
			used = s->f.local_disc == d;
		if (!used)
			return d;
	}
}

static struct bfd_session *sess_find(ip_addr addr, const char *iface)
{
	for (struct bfd_session *s = sessions; s; s = s->next)
		if (ip_equal(s->addr, addr) && (!iface || !s->ifname[0] || !strcmp(iface, s->ifname)))
			return s;
	return NULL;
}

static struct bfd_session *sess_new(const struct bfd_request *r)
{
	struct bfd_session *s = xzalloc(sizeof *s);
	char err[200], a[IP_STRLEN];
	uint32_t tx, rx;
	uint8_t mult;

	s->addr = r->addr;
	s->local = r->local;
	s->has_local = r->has_local;
	if (r->iface) {
		snprintf(s->ifname, sizeof s->ifname, "%s", r->iface);
		s->ifindex = if_nametoindex(r->iface);
	} else
		iface_of(r->addr, s->ifname, &s->ifindex);
	sess_auth(s, iface_options(s->ifname, &tx, &rx, &mult));
	bfd_fsm_init(&s->f, new_discriminator(), tx, rx, mult);
	s->since = now_real();
	s->tx_t = tm_new(tx_expired, s);
	s->det_t = tm_new(det_expired, s);
	s->fd = sess_socket(s, err, sizeof err);
	if (s->fd < 0)
		proto_log(&bfd_running->p, L_ERR, "session to %s: %s", ip_ntop(s->addr, a), err);
	s->next = sessions;
	sessions = s;
	proto_trace(&bfd_running->p, D_EVENTS, "session to %s%s%s: discriminator %u, port %u", ip_ntop(s->addr, a),
		    s->ifname[0] ? " on " : "", s->ifname, s->f.local_disc, s->src_port);
	/* an active system sends from the start (6.1), every second while Down */
	sess_send(s, 0);
	tx_arm(s);
	return s;
}

static void sess_free(struct bfd_session *s)
{
	for (struct bfd_session **pp = &sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	/* RFC 5880 6.8.16: tell the remote we go AdminDown, so that it does
	 * not take our going away for a failure of the path */
	if (s->f.state == BFD_S_UP || s->f.state == BFD_S_INIT) {
		bfd_fsm_admin(&s->f, 1);
		sess_send(s, 0);
	}
	tm_free(s->tx_t);
	tm_free(s->det_t);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

static void req_attach(struct bfd_request *r)
{
	struct bfd_session *s = sess_find(r->addr, r->iface);

	if (!s)
		s = sess_new(r);
	s->refs++;
	r->s = s;
	if (s->f.state != r->state) {
		r->state = s->f.state;
		if (s->f.state == BFD_S_UP)
			r->hook(r->data, s->f.state, bfd_diag_name(s->f.diag));
	}
}

static void req_detach(struct bfd_request *r)
{
	struct bfd_session *s = r->s;

	r->s = NULL;
	r->state = BFD_S_DOWN;
	if (s && !--s->refs && !s->notifying)
		sess_free(s);
}

struct bfd_request *bfd_request_session(ip_addr addr, ip_addr local, const char *iface, bfd_hook hook, void *data)
{
	struct bfd_request *r = xzalloc(sizeof *r);

	r->addr = addr;
	r->has_local = addr_set(local) && ip_af(local) == ip_af(addr);
	r->local = local;
	r->iface = iface ? xstrdup(iface) : NULL;
	r->hook = hook;
	r->data = data;
	r->state = BFD_S_DOWN;
	r->next = requests;
	requests = r;
	if (bfd_running)
		req_attach(r);
	else {
		char b[IP_STRLEN];
		log_msg(L_WARN, "BFD session to %s requested, but no protocol bfd runs: it waits for one",
			ip_ntop(addr, b));
	}
	return r;
}

void bfd_request_free(struct bfd_request *r)
{
	if (!r)
		return;
	for (struct bfd_request **pp = &requests; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	req_detach(r);
	free(r->iface);
	free(r);
}

int bfd_request_state(const struct bfd_request *r)
{
	return r && r->s ? r->s->f.state : BFD_S_DOWN;
}

/* --- receiving ---------------------------------------------------------------------- */

static struct bfd_session *sess_by_disc(uint32_t d)
{
	for (struct bfd_session *s = sessions; s; s = s->next)
		if (s->f.local_disc == d)
			return s;
	return NULL;
}

static void rx_ready(int fd, void *data)
{
	struct bfd_proto *bp = data;

	/* a bounded batch per wakeup */
	for (int n = 0; n < 64; n++) {
		uint8_t buf[BFD_PKT_MAX + 1];
		struct sockaddr_storage from;
		union {
			struct cmsghdr align;
			uint8_t b[256];
		} ctl;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
		ssize_t len = recvmsg(fd, &m, 0);
		if (len < 0)
			return;
		int ttl = -1;
		unsigned ifindex = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL && c->cmsg_len >= CMSG_LEN(sizeof(int)))
				memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
			else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
				 c->cmsg_len >= CMSG_LEN(sizeof(int)))
				memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
			else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
				 c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof pi);
				ifindex = (unsigned)pi.ipi_ifindex;
			} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
				   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof pi);
				ifindex = pi.ipi6_ifindex;
			}
		}
		ip_addr src;
		char a[IP_STRLEN];
		const char *why;
		struct bfd_pkt p;
		if (from_sockaddr((struct sockaddr *)&from, &src) < 0)
			continue;
		/* RFC 5881 5: "received ... with a TTL or Hop Limit ... not
		 * equal to 255, the packet MUST be discarded" */
		if (ttl != BFD_TTL) {
			proto_trace(&bp->p, D_PACKETS, "%s: TTL %d, not 255: dropped", ip_ntop(src, a), ttl);
			continue;
		}
		if (bfd_pkt_decode(buf, (size_t)len, &p, &why) < 0) {
			proto_trace(&bp->p, D_PACKETS, "%s: bad packet: %s", ip_ntop(src, a), why);
			continue;
		}
		struct bfd_session *s;
		if (p.your_disc) {
			s = sess_by_disc(p.your_disc);
			if (s && !ip_equal(s->addr, src))
				s = NULL;
		} else {
			/* RFC 5880 6.8.6: with Your Discriminator zero the state
			 * must be Down or AdminDown; select by source address
			 * (and interface, RFC 5881 3) */
			if (p.state != BFD_S_DOWN && p.state != BFD_S_ADMIN_DOWN) {
				proto_trace(&bp->p, D_PACKETS, "%s: no discriminator in state %s: dropped",
					    ip_ntop(src, a), bfd_state_name(p.state));
				continue;
			}
			s = NULL;
			for (struct bfd_session *x = sessions; x && !s; x = x->next)
				if (ip_equal(x->addr, src) && (!x->ifindex || !ifindex || x->ifindex == ifindex))
					s = x;
		}
		if (!s) {
			proto_trace(&bp->p, D_PACKETS, "%s: no session (discriminator %u)", ip_ntop(src, a), p.your_disc);
			continue;
		}
		if (!sess_auth_ok(s, &p)) {
			proto_trace(&bp->p, D_PACKETS, "%s: authentication %s: dropped", ip_ntop(src, a),
				    (p.flags & BFD_F_AUTH) ? "failed" : "missing");
			s->auth_fail++;
			continue;
		}
		s->rx_pkts++;
		int ev = bfd_fsm_rx(&s->f, &p);
		if (!(ev & BFD_EV_DISCARD)) {
			uint64_t dt = bfd_fsm_detect_time(&s->f);
			if (dt)
				tm_start(s->det_t, (double)dt / 1e6);
		}
		sess_events(s, ev);
	}
}

static int rx_socket(int v6, struct bfd_proto *bp, char *err, size_t errlen)
{
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_storage ss;

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int r;
	if (v6)
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) |
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) |
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
	else
		r = setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) |
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	if (r) {
		snprintf(err, errlen, "socket options: %s", strerror(errno));
		close(fd);
		return -1;
	}
	socklen_t sl = to_sockaddr(v6 ? (ip_addr){ { 0, 0, 0, 0 } } : ip4_make(0), BFD_CONTROL_PORT, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		snprintf(err, errlen, "bind to port %d: %s", BFD_CONTROL_PORT, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* --- protocol hooks --------------------------------------------------------------- */

static int bfd_start(struct proto *p)
{
	struct bfd_proto *bp = (struct bfd_proto *)p;
	char err[200];

	bp->fd4 = rx_socket(0, bp, err, sizeof err);
	if (bp->fd4 < 0) {
		proto_set_error(p, "IPv4: %s", err);
		proto_log(p, L_ERR, "IPv4: %s", err);
	} else
		bp->w4 = fd_watch(bp->fd4, rx_ready, bp);
	bp->fd6 = rx_socket(1, bp, err, sizeof err);
	if (bp->fd6 < 0) {
		proto_log(p, L_WARN, "IPv6: %s", err);
	} else
		bp->w6 = fd_watch(bp->fd6, rx_ready, bp);
	if (bp->fd4 < 0 && bp->fd6 < 0)
		return PS_DOWN;
	bfd_running = bp;
	for (struct bfd_request *r = requests; r; r = r->next)
		if (!r->s)
			req_attach(r);
	return PS_UP;
}

static int bfd_shutdown(struct proto *p, enum proto_down_reason why)
{
	struct bfd_proto *bp = (struct bfd_proto *)p;

	/* the requests stay and wait for another instance; their owners are
	 * told AdminDown: BFD going away is no failure of the path */
	for (struct bfd_request *r = requests, *next; r; r = next) {
		next = r->next;
		if (!r->s)
			continue;
		int was = r->state;
		req_detach(r);
		if (was != BFD_S_DOWN && was != BFD_S_ADMIN_DOWN)
			r->hook(r->data, BFD_S_ADMIN_DOWN, bfd_diag_name(BFD_D_ADMIN_DOWN));
	}
	fd_unwatch(bp->w4);
	fd_unwatch(bp->w6);
	bp->w4 = bp->w6 = NULL;
	if (bp->fd4 >= 0)
		close(bp->fd4);
	if (bp->fd6 >= 0)
		close(bp->fd6);
	bp->fd4 = bp->fd6 = -1;
	if (bfd_running == bp)
		bfd_running = NULL;
	return PS_DOWN;
}

static int bfd_reconfigure(struct proto *p, struct proto_config *n)
{
	p->cf = n;
	for (struct bfd_session *s = sessions, *next; s; s = next) {
		next = s->next;
		uint32_t tx, rx;
		uint8_t mult;
		sess_auth(s, iface_options(s->ifname, &tx, &rx, &mult));
		sess_events(s, bfd_fsm_set_params(&s->f, tx, rx, mult));
	}
	return 1;
}

static void bfd_get_info(struct proto *p, char *buf, size_t len)
{
	int n = 0, up = 0;

	for (struct bfd_session *s = sessions; s; s = s->next) {
		n++;
		up += s->f.state == BFD_S_UP;
	}
	snprintf(buf, len, "%d session%s, %d up", n, n == 1 ? "" : "s", up);
}

/* --- show bfd sessions ------------------------------------------------------------ */

static void cmd_show_bfd(struct cli *c, struct cmd_args *a)
{
	json_t *arr = c->json ? json_array() : NULL;
	char addr[IP_STRLEN], since[40];
	int n = 0;

	for (struct bfd_session *s = sessions; s; s = s->next) {
		double tx = bfd_fsm_tx_interval(&s->f) / 1000.0;
		uint32_t rxv = s->f.act_rx > s->f.remote_des_tx ? s->f.act_rx : s->f.remote_des_tx;
		double det = (double)bfd_fsm_detect_time(&s->f) / 1000.0;
		ip_ntop(s->addr, addr);
		cli_fmt_since(s->since, since, sizeof since);
		if (arr) {
			/* whole milliseconds, as doc/json.md shows them */
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:s, s:s, s:I, s:I, s:I, s:I}",
				"neighbor", addr, "interface", s->ifname, "state", bfd_state_name(s->f.state),
				"since", since, "tx_interval_ms", (json_int_t)(tx + 0.5),
				"rx_interval_ms", (json_int_t)((rxv + 500) / 1000),
				"multiplier", (int)s->f.mult, "detect_time_ms", (json_int_t)(det + 0.5),
				"remote_state", bfd_state_name(s->f.remote_state), "diagnostic", bfd_diag_name(s->f.diag),
				"local_discriminator", (json_int_t)s->f.local_disc,
				"remote_discriminator", (json_int_t)s->f.remote_disc,
				"packets_received", (json_int_t)s->rx_pkts, "packets_sent", (json_int_t)s->tx_pkts));
			json_t *last = json_array_get(arr, json_array_size(arr) - 1);
			json_object_set_new(last, "authentication", json_string(s->auth_simple ? "simple" : "none"));
			json_object_set_new(last, "authentication_failures", json_integer((json_int_t)s->auth_fail));
			continue;
		}
		if (!n++) {
			cli_msg(c, -RC_BFD_HEADING, "%s:", bfd_running ? bfd_running->p.name : "bfd");
			cli_msg(c, -RC_BFD_HEADING, "%-25s %-10s %-10s %-12s %8s %8s %4s", "Neighbor", "Interface", "State",
				"Since", "Interval", "Timeout", "Mult");
		}
		cli_msg(c, -RC_BFD_SESSIONS, "%-25s %-10s %-10s %-12s %8.3f %8.3f %4u", addr, s->ifname[0] ? s->ifname : "-",
			bfd_state_name(s->f.state), since, tx / 1000.0, det / 1000.0, s->f.mult);
	}
	if (arr) {
		cli_json(c, RC_JSON, json_pack("{s:o}", "sessions", arr));
		return;
	}
	if (!n)
		cli_msg(c, -RC_BFD_HEADING, "No BFD sessions");
	cli_ok(c);
}

/* MetalLB's BFD metric names (FRR mode, METALLB.md), labelled by peer. */
static void bfd_metrics(struct mbuf *b)
{
	static const struct { const char *name, *type, *help; } fam[] = {
		{ "metallb_bfd_session_up", "gauge", "BFD session state (1 is up, 0 is down)" },
		{ "metallb_bfd_control_packet_input", "counter", "Number of received BFD control packets" },
		{ "metallb_bfd_control_packet_output", "counter", "Number of sent BFD control packets" },
		{ "metallb_bfd_session_up_events", "counter", "Number of BFD session up events" },
		{ "metallb_bfd_session_down_events", "counter", "Number of BFD session down events" },
	};
	char a[IP_STRLEN];

	if (!sessions)
		return;
	for (int k = 0; k < 5; k++) {
		metrics_family(b, fam[k].name, fam[k].type, fam[k].help);
		for (struct bfd_session *s = sessions; s; s = s->next) {
			unsigned long long v = k == 0 ? (unsigned long long)(s->f.state == BFD_S_UP) :
					       k == 1 ? (unsigned long long)s->rx_pkts :
					       k == 2 ? (unsigned long long)s->tx_pkts :
					       k == 3 ? (unsigned long long)s->up_events : (unsigned long long)s->down_events;
			mbuf_printf(b, "%s{peer=\"%s\"} %llu\n", fam[k].name, ip_ntop(s->addr, a), v);
		}
	}
}

static void bfd_class_init(void)
{
	cmd_register(CMD_SHOW_BFD, cmd_show_bfd);
	metrics_register(bfd_metrics);
}

struct proto_class proto_bfd = {
	.name = "bfd",
	.label = "BFD",
	.config_size = sizeof(struct bfd_config),
	.proto_size = sizeof(struct bfd_proto),
	.max_instances = 1,
	.class_init = bfd_class_init,
	.copy_config = bfd_copy_config,
	.compare = bfd_compare,
	.dump_config = bfd_dump_config,
	.start = bfd_start,
	.shutdown = bfd_shutdown,
	.reconfigure = bfd_reconfigure,
	.get_info = bfd_get_info,
};
