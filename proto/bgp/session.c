/*
 * metalbird -- one BGP session: the RFC 4271 section 8 state machine
 *
 * The session keeps at most two connections: the one it opened (when not
 * passive) and the one the neighbor opened, handed over by the glue with
 * bgp_session_accept().  Each connection runs its own OpenSent /
 * OpenConfirm / Established part of the FSM with its own Hold and
 * Keepalive timers; the session state shown to the user is the most
 * advanced of the two, or Idle / Connect / Active when there is none.
 * Collision detection (RFC 4271 6.8) keeps one connection once both sides'
 * identifiers are known.  After an error the session waits in Idle for a
 * backoff that doubles with each consecutive failure, up to a bound, then
 * goes Active again.
 *
 * Input is framed from the socket buffer and decoded by packets.c and
 * update.c; output is written whole-message into the socket's queue, and
 * the glue is told through tx_space() when that queue has drained, so a
 * slow reader never blocks the daemon.
 */
#include "proto/bgp/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sysdep/linux/tcp.h"
#include "sysdep/unix/loop.h"

/* RFC 4271 8: "a large value" for the hold timer before OPEN arrives:
 * "it is suggested that this time be 4 minutes". */
#define BGP_OPEN_HOLD 240

enum conn_state { C_CONNECT, C_OPENSENT, C_OPENCONFIRM, C_ESTABLISHED };

struct bgp_conn {
	struct bgp_session *s;		/* owner */
	struct sk *sk;			/* the TCP connection */
	enum conn_state st;		/* its own part of the FSM */
	uint8_t outgoing;		/* we opened it */
	struct timer *hold_t;		/* Hold timer */
	struct timer *ka_t;		/* Keepalive timer */
	struct bgp_open peer;		/* the neighbor's OPEN, from OpenConfirm on */
	struct bgp_neg neg;		/* negotiated, from OpenConfirm on */
};

struct bgp_session {
	struct bgp_session_config cf;	/* copy of the configuration */
	char *password;			/* owned copies of cf strings */
	char *iface;
	const struct bgp_session_ops *ops; /* upcalls */
	void *data;			/* their argument */
	uint8_t admin_up;		/* started and not stopped */
	uint8_t in_backoff;		/* waiting in Idle after an error */
	enum bgp_state shown;		/* last state reported through state_changed */
	struct bgp_conn *conn[2];	/* [0] outgoing, [1] incoming */
	struct bgp_conn *est;		/* the established connection, or NULL */
	struct timer *retry_t;		/* ConnectRetry timer */
	struct timer *idle_t;		/* end of the error backoff */
	unsigned errors;		/* consecutive failures, for the backoff */
	double est_since;		/* when it became Established */
	struct bgp_open ours;		/* our OPEN */
	struct bgp_update *upd;		/* decode buffer (large) */
	char last_error[300];		/* for show protocols */
};

static void conn_close(struct bgp_conn *c, const char *why, const struct bgp_down_info *info);

const char *bgp_state_name(enum bgp_state st)
{
	static const char *const n[] = { "Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
					 "Established" };
	return (unsigned)st < 6 ? n[st] : "?";
}

static void slog(struct bgp_session *s, int remote, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void slog(struct bgp_session *s, int remote, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!s->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->ops->log(s, s->data, remote, msg);
}

enum bgp_state bgp_session_state(const struct bgp_session *s)
{
	enum bgp_state best = BGP_S_IDLE;

	if (s->admin_up && !s->in_backoff)
		best = BGP_S_ACTIVE;
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *c = s->conn[i];
		if (!c)
			continue;
		enum bgp_state st = c->st == C_CONNECT ? BGP_S_CONNECT :
				    c->st == C_OPENSENT ? BGP_S_OPENSENT :
				    c->st == C_OPENCONFIRM ? BGP_S_OPENCONFIRM : BGP_S_ESTABLISHED;
		/* Connect ranks below Active in the list but is more advanced. */
		if (st > best || (st == BGP_S_CONNECT && best == BGP_S_ACTIVE))
			best = st;
	}
	return best;
}

static void state_update(struct bgp_session *s)
{
	enum bgp_state st = bgp_session_state(s);
	if (st == s->shown)
		return;
	s->shown = st;
	slog(s, 0, "state %s", bgp_state_name(st));
	if (s->ops->state_changed)
		s->ops->state_changed(s, s->data, st);
}

/* ---- sending ------------------------------------------------------------ */

static int conn_write(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	if (!len || sk_write(c->sk, msg, len) < 0)
		return -1;
	/* RFC 4271 4.4: a KEEPALIVE is due only when nothing else was sent. */
	if (c->st >= C_OPENCONFIRM && c->neg.keepalive)
		tm_start(c->ka_t, c->neg.keepalive);
	return 0;
}

static void send_keepalive(struct bgp_conn *c)
{
	uint8_t b[BGP_HDR_LEN];
	conn_write(c, b, bgp_keepalive_encode(b, sizeof(b)));
}

static void send_notification(struct bgp_conn *c, int code, int subcode, const void *data,
			      size_t len, struct bgp_down_info *info)
{
	uint8_t b[BGP_MAX_LEN];
	struct bgp_notification n;
	struct bgp_err e;

	size_t l = bgp_notification_encode(code, subcode, data, len, b, sizeof(b));
	conn_write(c, b, l);
	info->notif_sent = 1;
	info->code = (uint8_t)code;
	info->subcode = (uint8_t)subcode;
	if (l && bgp_notification_decode(b + BGP_HDR_LEN, l - BGP_HDR_LEN, &n, &e) == 0)
		bgp_notification_format(&n, info->text, sizeof(info->text));
}

/* Send the NOTIFICATION that err describes and close the connection. */
static void conn_fail(struct bgp_conn *c, const struct bgp_err *err)
{
	struct bgp_down_info info = { 0 };

	slog(c->s, 1, "%s", err->text);
	if (err->code)
		send_notification(c, err->code, err->subcode, err->data, err->datalen, &info);
	conn_close(c, err->text, &info);
}

static void send_open(struct bgp_conn *c)
{
	uint8_t b[BGP_MAX_LEN];
	conn_write(c, b, bgp_open_encode(&c->s->ours, b, sizeof(b)));
}

/* ---- timers ---------------------------------------------------------------- */

static void hold_expired(void *data)
{
	struct bgp_conn *c = data;
	struct bgp_err e;

	/* RFC 4271 6.5: Hold Timer Expired, no subcode. */
	bgp_err_set(&e, BGP_ERR_HOLD, 0, NULL, 0, "hold timer expired");
	conn_fail(c, &e);
}

static void ka_expired(void *data)
{
	struct bgp_conn *c = data;

	if (c->st >= C_OPENCONFIRM)
		send_keepalive(c);	/* re-arms ka_t */
}

static double backoff(struct bgp_session *s)
{
	double lo = s->cf.error_wait_min ? s->cf.error_wait_min : 5;
	double hi = s->cf.error_wait_max ? s->cf.error_wait_max : 300;
	double w = lo;
	for (unsigned i = 1; i < s->errors && w < hi; i++)
		w *= 2;
	return w < hi ? w : hi;
}

static void try_connect(struct bgp_session *s);

static void retry_expired(void *data)
{
	struct bgp_session *s = data;

	/* RFC 4271 8.2.2: ConnectRetryTimer_Expires: try again. */
	if (s->admin_up && !s->in_backoff && !s->est)
		try_connect(s);
}

static void idle_expired(void *data)
{
	struct bgp_session *s = data;

	s->in_backoff = 0;
	if (s->admin_up && !s->cf.passive)
		try_connect(s);
	state_update(s);
}

/* ---- connections ------------------------------------------------------------- */

static void sk_rx(struct sk *sk, void *data);
static void sk_tx_empty(struct sk *sk, void *data);
static void sk_connected(struct sk *sk, void *data);
static void sk_error(struct sk *sk, void *data, int err, const char *msg);

static const struct sk_ops bgp_sk_ops = {
	.rx = sk_rx,
	.tx_empty = sk_tx_empty,
	.connected = sk_connected,
	.error = sk_error,
};

static struct bgp_conn *conn_new(struct bgp_session *s, int outgoing)
{
	struct bgp_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->s = s;
	c->outgoing = (uint8_t)outgoing;
	c->hold_t = tm_new(hold_expired, c);
	c->ka_t = tm_new(ka_expired, c);
	s->conn[outgoing ? 0 : 1] = c;
	return c;
}

/* Drop a connection without any upcall. */
static void conn_free(struct bgp_conn *c, int flush)
{
	struct bgp_session *s = c->s;

	if (s->conn[0] == c)
		s->conn[0] = NULL;
	if (s->conn[1] == c)
		s->conn[1] = NULL;
	if (s->est == c)
		s->est = NULL;
	tm_free(c->hold_t);
	tm_free(c->ka_t);
	if (c->sk) {
		/* Let a NOTIFICATION go out, but do not keep a backlog of
		 * UPDATEs alive for a neighbor that stopped reading. */
		if (flush && sk_outq(c->sk) <= 4 * BGP_MAX_LEN)
			sk_close_after_flush(c->sk);
		else
			sk_close(c->sk);
	}
	free(c);
}

/*
 * Close one connection after an error or a NOTIFICATION.  When it was the
 * established one, or the last one, the session as a whole failed: tell the
 * glue, and wait in Idle for the backoff (RFC 4271 8.1.1, the optional
 * DampPeerOscillations behaviour, bounded).
 */
static void conn_close(struct bgp_conn *c, const char *why, const struct bgp_down_info *info)
{
	struct bgp_session *s = c->s;
	int was_est = s->est == c;
	int last = !s->conn[0] || !s->conn[1];

	conn_free(c, 1);
	snprintf(s->last_error, sizeof(s->last_error), "%s", why);
	if (!was_est && !last) {
		state_update(s);
		return;
	}
	if (was_est && now_mono() - s->est_since > backoff(s) * 2)
		s->errors = 0;
	s->errors++;
	/* Also drop the other connection of a failed session. */
	for (int i = 0; i < 2; i++)
		if (s->conn[i] && was_est)
			conn_free(s->conn[i], 0);
	if (!s->conn[0] && !s->conn[1] && s->admin_up) {
		s->in_backoff = 1;
		tm_stop(s->retry_t);
		tm_start(s->idle_t, backoff(s));
		slog(s, 0, "waiting %.0f s before reconnecting", backoff(s));
	}
	state_update(s);
	if (was_est && s->ops->down) {
		struct bgp_down_info none = { 0 };
		s->ops->down(s, s->data, why, info ? info : &none);
	}
}

static struct sk_tcp_opts tcp_opts(const struct bgp_session *s)
{
	struct sk_tcp_opts o = { 0 };
	int ibgp = s->cf.local_as == s->cf.remote_as;

	o.local = s->cf.local;
	o.has_local = s->cf.has_local;
	o.local_port = s->cf.local_port;
	o.iface = s->iface;
	o.password = s->password;
	/* RFC 5082 3: send with TTL 255 and accept only 255 - (hops - 1). */
	if (s->cf.gtsm) {
		int hops = s->cf.multihop ? s->cf.multihop : 1;
		o.ttl = 255;
		o.min_ttl = 256 - hops;
	} else {
		o.ttl = s->cf.multihop ? s->cf.multihop : ibgp ? 64 : 1;
	}
	return o;
}

static void try_connect(struct bgp_session *s)
{
	char err[160];

	if (s->cf.passive)
		return;
	tm_start(s->retry_t, s->cf.connect_retry ? s->cf.connect_retry : 5);
	/* RFC 4271 8.2.2, Connect state, ConnectRetryTimer_Expires: drop the
	 * TCP connection still being set up and initiate a new one. */
	if (s->conn[0] && s->conn[0]->st == C_CONNECT)
		conn_free(s->conn[0], 0);
	if (s->conn[0])
		return;
	struct bgp_conn *c = conn_new(s, 1);
	if (!c)
		return;
	struct sk_tcp_opts o = tcp_opts(s);
	c->sk = sk_tcp_connect(s->cf.remote, s->cf.remote_port ? s->cf.remote_port : BGP_PORT, &o,
			       &bgp_sk_ops, c, err, sizeof(err));
	if (!c->sk) {
		slog(s, 0, "connect: %s", err);
		snprintf(s->last_error, sizeof(s->last_error), "%s", err);
		conn_free(c, 0);
		return;
	}
	c->st = C_CONNECT;
	state_update(s);
}

static void sk_connected(struct sk *sk, void *data)
{
	struct bgp_conn *c = data;

	/* RFC 4271 8.2.2, Connect state, TCP connection confirmed: send OPEN,
	 * set the hold timer to a large value, go OpenSent. */
	c->st = C_OPENSENT;
	send_open(c);
	tm_start(c->hold_t, BGP_OPEN_HOLD);
	state_update(c->s);
}

static void sk_error(struct sk *sk, void *data, int err, const char *msg)
{
	struct bgp_conn *c = data;
	char why[200];

	if (c->st == C_CONNECT) {
		/* A failed connect: ConnectRetry will try again, not an error
		 * of the session. */
		struct bgp_session *s = c->s;
		slog(s, 0, "connect: %s", msg);
		snprintf(s->last_error, sizeof(s->last_error), "connect: %s", msg);
		conn_free(c, 0);
		state_update(s);
		return;
	}
	snprintf(why, sizeof(why), "connection %s", err ? msg : "closed by the neighbor");
	slog(c->s, 1, "%s", why);
	conn_close(c, why, NULL);
}

static void sk_tx_empty(struct sk *sk, void *data)
{
	struct bgp_conn *c = data;

	if (c->s->est == c && c->s->ops->tx_space)
		c->s->ops->tx_space(c->s, c->s->data);
}

/* ---- receiving ------------------------------------------------------------ */

/*
 * RFC 4271 6.8 and RFC 6286 2.3: with two connections whose identifiers
 * are known, the one opened by the speaker with the higher BGP identifier
 * survives (with equal identifiers, the higher AS number).  Returns the
 * connection to close.
 */
static struct bgp_conn *collision_loser(struct bgp_session *s, uint32_t peer_id, uint32_t peer_as)
{
	int keep_incoming;

	if (s->cf.router_id != peer_id)
		keep_incoming = s->cf.router_id < peer_id;
	else
		keep_incoming = s->cf.local_as < peer_as;
	return keep_incoming ? s->conn[0] : s->conn[1];
}

static void close_collision(struct bgp_conn *loser)
{
	struct bgp_down_info info = { 0 };

	slog(loser->s, 0, "connection collision: closing the %s connection",
	     loser->outgoing ? "outgoing" : "incoming");
	send_notification(loser, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0, &info);
	conn_close(loser, "connection collision", &info);
}

/* Returns -1 when c was closed. */
static int rx_open(struct bgp_conn *c, const uint8_t *b, size_t len)
{
	struct bgp_session *s = c->s;
	struct bgp_err e;
	struct bgp_neg_params p = { .local_as = s->cf.local_as, .peer_as = s->cf.remote_as,
				    .keepalive = s->cf.keepalive, .require_rr = s->cf.require_rr,
				    .require_as4 = s->cf.require_as4 };

	for (int f = 0; f < BGP_FAM_N; f++)
		p.require_fam[f] = s->cf.require_fam[f];

	if (bgp_open_decode(b, len, &c->peer, &e) < 0 ||
	    bgp_open_negotiate(&p, &s->ours, &c->peer, &c->neg, &e) < 0) {
		conn_fail(c, &e);
		return -1;
	}
	struct bgp_conn *other = s->conn[c->outgoing ? 1 : 0];
	if (other && (other->st == C_OPENCONFIRM || other->st == C_ESTABLISHED)) {
		/* RFC 4271 6.8: "collision with existing BGP connection that is
		 * in the Established state causes closing of the newly created
		 * connection." */
		struct bgp_conn *loser = other->st == C_ESTABLISHED ? c :
					 collision_loser(s, c->neg.peer_id, c->neg.peer_as);
		close_collision(loser);
		if (loser == c)
			return -1;
	}
	if (c->neg.missing[0])
		slog(s, 0, "neighbor lacks: %s", c->neg.missing);
	c->st = C_OPENCONFIRM;
	send_keepalive(c);
	/* RFC 4271 8.2.2, OpenSent, OPEN received: "sets the HoldTimer
	 * according to the negotiated value"; 0 means no timers at all. */
	if (c->neg.hold)
		tm_start(c->hold_t, c->neg.hold);
	else
		tm_stop(c->hold_t);
	state_update(s);
	return 0;
}

static void go_established(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;
	struct bgp_conn *other = s->conn[c->outgoing ? 1 : 0];

	/* RFC 4271 6.8: collision resolution is between connections that
	 * have an OPEN; one still connecting is just dropped (closing it with
	 * a flush would leave its connect callback pointing at freed memory) */
	if (other && other->st == C_CONNECT)
		conn_free(other, 0);
	else if (other)
		close_collision(other);
	c->st = C_ESTABLISHED;
	s->est = c;
	s->est_since = now_mono();
	s->last_error[0] = 0;
	tm_stop(s->retry_t);
	slog(s, 0, "established: AS %u, identifier %u.%u.%u.%u, hold %u, keepalive %u",
	     c->neg.peer_as, c->neg.peer_id >> 24, (c->neg.peer_id >> 16) & 0xff,
	     (c->neg.peer_id >> 8) & 0xff, c->neg.peer_id & 0xff, c->neg.hold, c->neg.keepalive);
	state_update(s);
	if (s->ops->established)
		s->ops->established(s, s->data);
}

static void rx_notification(struct bgp_conn *c, const uint8_t *b, size_t len)
{
	struct bgp_down_info info = { 0 };
	struct bgp_notification n;
	struct bgp_err e;
	char why[360];

	if (bgp_notification_decode(b, len, &n, &e) < 0) {
		snprintf(info.text, sizeof(info.text), "malformed NOTIFICATION");
	} else {
		info.notif_received = 1;
		info.code = n.code;
		info.subcode = n.subcode;
		bgp_notification_format(&n, info.text, sizeof(info.text));
	}
	snprintf(why, sizeof(why), "Received: %s", info.text);
	slog(c->s, 1, "%s", why);
	conn_close(c, why, &info);
}

static int fsm_error(struct bgp_conn *c, uint8_t type)
{
	struct bgp_err e;
	/* RFC 6608 subcodes name the state the unexpected message came in. */
	int sub = c->st == C_OPENSENT ? 1 : c->st == C_OPENCONFIRM ? 2 : 3;

	bgp_err_set(&e, BGP_ERR_FSM, sub, NULL, 0, "unexpected %s in %s", bgp_msg_name(type),
		    bgp_state_name(c->st == C_OPENSENT ? BGP_S_OPENSENT :
				   c->st == C_OPENCONFIRM ? BGP_S_OPENCONFIRM : BGP_S_ESTABLISHED));
	conn_fail(c, &e);
	return -1;
}

static int rx_update(struct bgp_conn *c, const uint8_t *b, size_t len)
{
	struct bgp_session *s = c->s;
	struct bgp_attr_ctx ctx = { .as4 = c->neg.as4, .ibgp = c->neg.ibgp };

	bgp_update_decode(b, len, &ctx, c->neg.fam, s->upd);
	if (s->upd->action == BGP_7606_RESET) {
		conn_fail(c, &s->upd->err);
		return -1;
	}
	if (s->upd->action == BGP_7606_WITHDRAW)
		slog(s, 1, "UPDATE treated as withdraw: %s", s->upd->reason);
	if (s->ops->update_received)
		s->ops->update_received(s, s->data, s->upd);
	return s->est == c ? 0 : -1;
}

/* One whole message; returns -1 when c was closed. */
static int rx_msg(struct bgp_conn *c, uint8_t type, const uint8_t *b, size_t len)
{
	struct bgp_err e;

	if (type == BGP_MSG_NOTIFICATION) {
		rx_notification(c, b, len);
		return -1;
	}
	switch (c->st) {
	case C_OPENSENT:
		if (type != BGP_MSG_OPEN)
			return fsm_error(c, type);
		return rx_open(c, b, len);
	case C_OPENCONFIRM:
		if (type != BGP_MSG_KEEPALIVE)
			return fsm_error(c, type);
		if (c->neg.hold)
			tm_start(c->hold_t, c->neg.hold);
		go_established(c);
		return c->s->est == c ? 0 : -1;
	case C_ESTABLISHED:
		/* RFC 4271 8.2.2: KEEPALIVE and UPDATE restart the hold timer. */
		if (c->neg.hold)
			tm_start(c->hold_t, c->neg.hold);
		switch (type) {
		case BGP_MSG_KEEPALIVE:
			return 0;
		case BGP_MSG_UPDATE:
			return rx_update(c, b, len);
		case BGP_MSG_REFRESH: {
			struct bgp_refresh r;
			if (bgp_refresh_decode(b, len, &r, &e) < 0) {
				conn_fail(c, &e);
				return -1;
			}
			/* RFC 2918 4: a family not negotiated is ignored. */
			int f = bgp_fam_of(r.afi, r.safi);
			if (f >= 0 && c->neg.fam[f] && c->s->ops->refresh_requested)
				c->s->ops->refresh_requested(c->s, c->s->data, f, r.subtype);
			return c->s->est == c ? 0 : -1;
		}
		default:
			return fsm_error(c, type);
		}
	case C_CONNECT:
		break;
	}
	return 0;
}

static void sk_rx(struct sk *sk, void *data)
{
	struct bgp_conn *c = data;

	for (;;) {
		struct bgp_err e;
		uint16_t len;
		uint8_t type;
		const uint8_t *h = sk_peek(sk, BGP_HDR_LEN);
		if (!h)
			return;
		int rc = bgp_hdr_check(h, BGP_HDR_LEN, &len, &type, &e);
		if (rc < 0) {
			conn_fail(c, &e);
			return;
		}
		const uint8_t *m = sk_peek(sk, len);
		if (!m)
			return;
		/* Copy out: handlers may write to the socket, and the input
		 * buffer is only valid until the next socket call. */
		uint8_t msg[BGP_MAX_LEN];
		memcpy(msg, m, len);
		sk_drain(sk, len);
		if (rx_msg(c, type, msg + BGP_HDR_LEN, len - BGP_HDR_LEN) < 0)
			return;
	}
}

/* ---- the public face ------------------------------------------------------ */

struct bgp_session *bgp_session_new(const struct bgp_session_config *cf,
				    const struct bgp_session_ops *ops, void *data)
{
	struct bgp_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cf = *cf;
	s->password = cf->password ? strdup(cf->password) : NULL;
	s->iface = cf->iface ? strdup(cf->iface) : NULL;
	s->cf.password = s->password;
	s->cf.iface = s->iface;
	s->ops = ops;
	s->data = data;
	s->upd = malloc(sizeof(*s->upd));
	s->retry_t = tm_new(retry_expired, s);
	s->idle_t = tm_new(idle_expired, s);
	if (!s->upd || !s->retry_t || !s->idle_t) {
		bgp_session_free(s);
		return NULL;
	}
	bgp_open_init(&s->ours, cf->local_as, cf->hold, cf->router_id);
	if (cf->fam[0] || cf->fam[1]) {
		s->ours.caps.mp[BGP_FAM_IP4] = cf->fam[BGP_FAM_IP4];
		s->ours.caps.mp[BGP_FAM_IP6] = cf->fam[BGP_FAM_IP6];
	}
	s->ours.caps.enhanced_rr = cf->enhanced_rr;
	s->ours.caps.ext_nh = cf->ext_nh;
	if (cf->gr) {
		s->ours.caps.gr = 1;
		s->ours.caps.gr_time = cf->gr_time;
		s->ours.caps.gr_restart = cf->gr_restarting;
		s->ours.caps.gr_notification = cf->gr_notification;
		/* RFC 4724 3: the F bit says the forwarding state of the
		 * family survived the restart (the kernel's, which it does) */
		for (int f = 0; f < BGP_FAM_N; f++) {
			s->ours.caps.gr_af[f] = s->ours.caps.mp[f];
			s->ours.caps.gr_fwd[f] = cf->gr_restarting && s->ours.caps.mp[f];
		}
	}
	return s;
}

void bgp_session_free(struct bgp_session *s)
{
	if (!s)
		return;
	for (int i = 0; i < 2; i++)
		if (s->conn[i])
			conn_free(s->conn[i], 0);
	tm_free(s->retry_t);
	tm_free(s->idle_t);
	free(s->upd);
	free(s->password);
	free(s->iface);
	free(s);
}

void bgp_session_start(struct bgp_session *s)
{
	if (s->admin_up)
		return;
	s->admin_up = 1;
	s->in_backoff = 0;
	s->errors = 0;
	/* RFC 4271 8.2.2, Idle, ManualStart: connect out (or, passive, wait
	 * in Active for the neighbor). */
	if (!s->cf.passive)
		try_connect(s);
	state_update(s);
}

void bgp_session_stop(struct bgp_session *s, int subcode, const char *text)
{
	struct bgp_down_info info = { 0 };
	int was_est = s->est != NULL;
	int hard = (subcode & BGP_STOP_HARD) && s->est && s->ours.caps.gr_notification &&
		   s->est->peer.caps.gr_notification;

	subcode &= 0xff;
	s->admin_up = 0;
	s->in_backoff = 0;
	tm_stop(s->retry_t);
	tm_stop(s->idle_t);
	for (int i = 0; i < 2; i++) {
		struct bgp_conn *c = s->conn[i];
		if (!c)
			continue;
		if (c->st >= C_OPENSENT) {
			/* RFC 4486 / RFC 9003: Cease with the operator's text. */
			uint8_t b[BGP_MAX_LEN];
			struct bgp_notification n;
			struct bgp_err e;
			size_t l;
			if (hard && c == s->est) {
				/* RFC 8538 3: Cease/Hard Reset, its data the
				 * error code and subcode of the NOTIFICATION
				 * it encapsulates */
				uint8_t d[2] = { BGP_ERR_CEASE, (uint8_t)subcode };
				l = bgp_notification_encode(BGP_ERR_CEASE, BGP_CEASE_HARD_RESET, d, 2, b, sizeof(b));
			} else
				l = bgp_cease_encode(subcode, text, b, sizeof(b));
			conn_write(c, b, l);
			if (c == s->est) {
				info.notif_sent = 1;
				info.code = BGP_ERR_CEASE;
				info.subcode = (uint8_t)(hard ? BGP_CEASE_HARD_RESET : subcode);
				if (l && bgp_notification_decode(b + BGP_HDR_LEN, l - BGP_HDR_LEN, &n, &e) == 0)
					bgp_notification_format(&n, info.text, sizeof(info.text));
			}
		}
		conn_free(c, 1);
	}
	snprintf(s->last_error, sizeof(s->last_error), "stopped");
	state_update(s);
	if (was_est && s->ops->down)
		s->ops->down(s, s->data, "administratively stopped", &info);
}

/*
 * RFC 4486 4: "If a BGP speaker decides to disallow a BGP connection (e.g.,
 * the peer is not configured locally) after the speaker accepts a transport
 * protocol connection, then the BGP speaker SHOULD send a NOTIFICATION
 * message with the Error Code Cease and the Error Subcode 'Connection
 * Rejected'."  The connection is fresh, so its send buffer is empty and the
 * 21 octets go out without blocking.  We then send our FIN behind them and
 * read away what the neighbor sent meanwhile (its OPEN, usually): closing a
 * socket with unread input makes the kernel answer with a reset, which may
 * overtake the NOTIFICATION at the neighbor.  Input that arrives after the
 * close still draws a reset, but by then the NOTIFICATION and our FIN are
 * on the way in front of it.  ttl (when not 0) is the session's outgoing
 * TTL: a neighbor with GTSM drops anything below 255 - (hops - 1), our
 * NOTIFICATION and FIN included, and would wait in OpenSent for minutes.
 */
void bgp_conn_reject(int fd, int ttl)
{
	uint8_t b[BGP_HDR_LEN + 2];
	size_t l = bgp_notification_encode(BGP_ERR_CEASE, BGP_CEASE_REJECTED, NULL, 0, b, sizeof(b));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (ttl > 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
	}
	if (l)
		(void)send(fd, b, l, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16; i++) {
		uint8_t junk[BGP_MAX_LEN];
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
			break;
	}
	close(fd);
}

void bgp_session_accept(struct bgp_session *s, int fd)
{
	/*
	 * RFC 4724 4.2: a neighbor that can restart gracefully keeps its
	 * forwarding state across a restart, and we keep its routes as stale
	 * meanwhile.  When it connects again while its session is still
	 * Established here, it restarted without our seeing the old
	 * connection go (its FIN or reset lost, or not sent): as BIRD does,
	 * take that as its restart: the old connection goes without a
	 * NOTIFICATION (so the glue keeps the routes as stale), and the new
	 * one is accepted instead of rejected.
	 */
	const struct bgp_caps *pc = s->est ? &s->est->peer.caps : NULL;
	/* Only a neighbor that lists a family in its capability can restart
	 * gracefully; one that is merely aware (BIRD's default) may just have
	 * had its own connection in flight when ours became Established. */
	if (s->admin_up && s->est && s->cf.gr && pc->gr && (pc->gr_af[0] || pc->gr_af[1])) {
		slog(s, 1, "new connection from the neighbor while Established: taken as its graceful restart");
		conn_close(s->est, "neighbor restarted (new connection while Established)", NULL);
		/* no backoff: the neighbor is back already */
		s->in_backoff = 0;
		tm_stop(s->idle_t);
		if (!s->cf.passive)
			tm_start(s->retry_t, s->cf.connect_retry ? s->cf.connect_retry : 5);
	}
	/* RFC 4271 8.2.2: in Idle, incoming connections are refused.  And 6.8:
	 * with an Established connection, a new one is closed.  We decide
	 * before any OPEN arrives, so this is no collision (which would need
	 * the neighbor's identifier, RFC 4271 6.8) but a rejection:
	 * Cease / Connection Rejected (RFC 4486 4). */
	if (!s->admin_up || s->in_backoff || s->est) {
		slog(s, 0, "incoming connection rejected (%s)",
		     !s->admin_up ? "stopped" : s->in_backoff ? "waiting after an error" :
		     "already established");
		bgp_conn_reject(fd, tcp_opts(s).ttl);
		return;
	}
	/* A second incoming connection means the neighbor gave up on the
	 * first one (it restarted, or the first is half-open): replace it. */
	if (s->conn[1])
		conn_free(s->conn[1], 0);
	/*
	 * The outgoing TTL (and GTSM's minimum) of an accepted connection are
	 * ours to set; binding and the TCP-MD5 key belong to the listener.
	 *
	 * RFC 5082 3 with `ttl security on`, as BIRD does it: once accept()
	 * gave us the connection and its address named the neighbor, every
	 * later segment must arrive with a TTL (hop limit) of at least
	 * 256 - hops (IP_MINTTL / IPV6_MINHOPCOUNT), and ours leave with 255.
	 * What that protects: from here on, a sender further away than the
	 * configured hops cannot take part in the session: its OPEN may have
	 * come in (we then get as far as OpenConfirm), but its KEEPALIVE
	 * never does, so the connection never reaches Established here and
	 * dies with the hold timer (the sender, which does get our segments,
	 * may think it Established until then); forged resets and data from
	 * afar are dropped for the life of the session.  What it
	 * does not: the listener is shared by all peers and has no minimum,
	 * so the SYN and the handshake were accepted from any distance (a
	 * flood of them from afar still fills the accept queue), and whatever
	 * arrived before this call (usually the neighbor's OPEN) sits in the
	 * receive buffer unchecked.  Nothing protects against a sender on the
	 * neighbor's own link, which can always send with TTL 255 (RFC 5082 5).
	 */
	struct sk_tcp_opts o = tcp_opts(s);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char err[160];
	o.has_local = 0;
	o.local_port = 0;
	o.iface = NULL;
	o.password = NULL;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    tcp_setopts(fd, ss.ss_family, &o, s->cf.remote, err, sizeof(err)) < 0) {
		slog(s, 0, "incoming connection: cannot set TTL options");
		close(fd);
		return;
	}
	struct bgp_conn *c = conn_new(s, 0);
	if (!c) {
		close(fd);
		return;
	}
	c->sk = sk_from_fd(fd, &bgp_sk_ops, c);
	if (!c->sk) {
		conn_free(c, 0);
		return;
	}
	c->st = C_OPENSENT;
	send_open(c);
	tm_start(c->hold_t, BGP_OPEN_HOLD);
	state_update(s);
}

const struct bgp_neg *bgp_session_neg(const struct bgp_session *s)
{
	return s->est ? &s->est->neg : NULL;
}

const struct bgp_open *bgp_session_peer_open(const struct bgp_session *s)
{
	return s->est ? &s->est->peer : NULL;
}

struct bgp_attr_ctx bgp_session_attr_ctx(const struct bgp_session *s)
{
	struct bgp_attr_ctx c = { 0 };
	if (s->est) {
		c.as4 = s->est->neg.as4;
		c.ibgp = s->est->neg.ibgp;
	}
	return c;
}

int bgp_session_local_addr(const struct bgp_session *s, ip_addr *a)
{
	if (!s->est)
		return -1;
	return sk_addrs(s->est->sk, a, NULL, NULL, NULL);
}

const char *bgp_session_last_error(const struct bgp_session *s)
{
	return s->last_error;
}

int bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len)
{
	if (!s->est)
		return -1;
	return conn_write(s->est, msg, len);
}

size_t bgp_session_outq(const struct bgp_session *s)
{
	return s->est ? sk_outq(s->est->sk) : 0;
}

int bgp_session_send_refresh(struct bgp_session *s, int fam, int subtype)
{
	static const uint16_t afi[BGP_FAM_N] = { BGP_AFI_IP4, BGP_AFI_IP6 };
	struct bgp_refresh r = { afi[fam], (uint8_t)subtype, BGP_SAFI_UNICAST };
	uint8_t b[32];

	if (!s->est || !s->est->neg.route_refresh || !s->est->neg.fam[fam])
		return -1;
	return bgp_session_send(s, b, bgp_refresh_encode(&r, b, sizeof(b)));
}
