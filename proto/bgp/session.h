/*
 * metalbird -- one BGP session: the RFC 4271 section 8 state machine
 *
 * A session owns up to two TCP connections to its neighbor (one it opened,
 * one it accepted) until collision detection keeps one (RFC 4271 6.8).  It
 * speaks through sysdep/unix/loop.h only, decodes with packets.c and
 * update.c, and reports to its owner (the protocol glue) through struct
 * bgp_session_ops.  The glue owns the listening socket and hands accepted
 * connections over with bgp_session_accept().
 */
#ifndef MB_BGP_SESSION_H
#define MB_BGP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"
#include "proto/bgp/packets.h"
#include "proto/bgp/update.h"

enum bgp_state {
	BGP_S_IDLE,
	BGP_S_CONNECT,
	BGP_S_ACTIVE,
	BGP_S_OPENSENT,
	BGP_S_OPENCONFIRM,
	BGP_S_ESTABLISHED,
};

const char *bgp_state_name(enum bgp_state st);

struct bgp_session_config {
	ip_addr remote;			/* neighbor address */
	uint16_t remote_port;		/* its port, 0 = 179 */
	ip_addr local;			/* source address when has_local */
	uint8_t has_local;		/* bind to local */
	uint16_t local_port;		/* source port, 0 = any */
	const char *iface;		/* SO_BINDTODEVICE, or NULL */
	const char *password;		/* TCP-MD5 (RFC 2385), or NULL */
	uint32_t local_as;		/* our ASN */
	uint32_t remote_as;		/* the neighbor's ASN (0: any) */
	uint32_t router_id;		/* our BGP identifier */
	uint16_t hold;			/* proposed hold time, 0 or 3..65535 */
	uint16_t keepalive;		/* 0: hold / 3 */
	uint16_t connect_retry;		/* seconds between outgoing attempts, 0 = 5 */
	uint16_t error_wait_min;	/* first backoff after an error, 0 = 5 s */
	uint16_t error_wait_max;	/* bound of the backoff, 0 = 300 s */
	uint8_t passive;		/* never connect out */
	uint8_t multihop;		/* TTL for eBGP; 0 = direct (TTL 1; iBGP 64) */
	uint8_t gtsm;			/* RFC 5082 TTL security */
	uint8_t fam[BGP_FAM_N];		/* families to offer (all 0: IPv4 and IPv6) */
	uint8_t require_fam[BGP_FAM_N];	/* refuse a neighbor without it (2/7) */
	uint8_t require_rr;		/* refuse a neighbor without route refresh */
	uint8_t require_as4;		/* refuse a neighbor without 4-octet ASNs */
	uint8_t enhanced_rr;		/* offer RFC 7313 */
	uint8_t ext_nh;			/* offer RFC 8950 (IPv4 routes, IPv6 next hops) */
	uint8_t gr;			/* offer graceful restart (RFC 4724) */
	uint16_t gr_time;		/* its restart time */
	uint8_t gr_restarting;		/* set the R bit (we restarted) and F per family */
	uint8_t gr_notification;	/* set the N bit (RFC 8538) */
};

/* Why a session went down. */
struct bgp_down_info {
	uint8_t notif_sent;		/* we sent a NOTIFICATION */
	uint8_t notif_received;		/* the neighbor sent one */
	uint8_t code;			/* its code */
	uint8_t subcode;		/* its subcode */
	char text[300];			/* decoded: "Cease / Administrative shutdown: \"x\"" */
};

struct bgp_session;

/* Upcalls.  None of them may free the session (schedule that instead). */
struct bgp_session_ops {
	void (*established)(struct bgp_session *s, void *data);
	void (*down)(struct bgp_session *s, void *data, const char *reason,
		     const struct bgp_down_info *info);
	void (*update_received)(struct bgp_session *s, void *data, const struct bgp_update *u);
	void (*tx_space)(struct bgp_session *s, void *data);	/* out-queue drained */
	void (*refresh_requested)(struct bgp_session *s, void *data, int fam, int subtype);
	/* Optional: remote = 1 for a fault of the neighbor, 0 for ours/events. */
	void (*log)(struct bgp_session *s, void *data, int remote, const char *msg);
	void (*state_changed)(struct bgp_session *s, void *data, enum bgp_state st); /* optional */
};

/* Above this many queued octets the glue should stop producing UPDATEs. */
#define BGP_OUTQ_HIGH (256 * 1024)

struct bgp_session *bgp_session_new(const struct bgp_session_config *cf,
				    const struct bgp_session_ops *ops, void *data);
void bgp_session_free(struct bgp_session *s);
void bgp_session_start(struct bgp_session *s);
/* Send Cease/subcode (RFC 9003 text for 2 and 4) and go Idle.  With
 * BGP_STOP_HARD or'ed in, and the N bit exchanged (RFC 8538), the Cease is
 * wrapped in a Hard Reset: the neighbor must not keep our routes. */
#define BGP_STOP_HARD 0x100
void bgp_session_stop(struct bgp_session *s, int subcode, const char *text);
/* An accepted TCP connection from the neighbor; the session takes the fd. */
void bgp_session_accept(struct bgp_session *s, int fd);
/* Refuse an accepted connection: Cease / Connection Rejected (RFC 4486),
 * then close.  Takes the fd; ttl > 0 sets the outgoing TTL first. */
void bgp_conn_reject(int fd, int ttl);

enum bgp_state bgp_session_state(const struct bgp_session *s);
/* After Established: the negotiated parameters, NULL before. */
const struct bgp_neg *bgp_session_neg(const struct bgp_session *s);
const struct bgp_open *bgp_session_peer_open(const struct bgp_session *s);
/* The attribute context of the established session (AS4, iBGP). */
struct bgp_attr_ctx bgp_session_attr_ctx(const struct bgp_session *s);
/* Local address of the established connection (for next hop self). */
int bgp_session_local_addr(const struct bgp_session *s, ip_addr *a);
const char *bgp_session_last_error(const struct bgp_session *s);

/* Established only: queue a complete UPDATE (or other) message; -1 if not
 * established.  Check bgp_session_outq() against BGP_OUTQ_HIGH first. */
int bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len);
size_t bgp_session_outq(const struct bgp_session *s);
int bgp_session_send_refresh(struct bgp_session *s, int fam, int subtype);

#endif
