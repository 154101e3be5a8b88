/*
 * metalbird -- BGP messages: framing, OPEN, capabilities, KEEPALIVE,
 * NOTIFICATION, ROUTE-REFRESH, and the OPEN negotiation.
 *
 * Pure codecs: they take byte buffers and return values; no sockets, no
 * timers, no allocation.  Every read of peer input goes through struct
 * bgp_rd, every write through struct bgp_wr, both bounds-checked with a
 * sticky error flag so that a codec checks once at the end instead of after
 * every field.
 */
#ifndef MB_BGP_PACKETS_H
#define MB_BGP_PACKETS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nest/ip.h"

/* RFC 4271 4.1: the header is 19 octets, a message at most 4096. */
#define BGP_HDR_LEN 19
#define BGP_MAX_LEN 4096
#define BGP_PORT 179

#define BGP_MSG_OPEN 1
#define BGP_MSG_UPDATE 2
#define BGP_MSG_NOTIFICATION 3
#define BGP_MSG_KEEPALIVE 4
#define BGP_MSG_REFRESH 5		/* RFC 2918 */

#define BGP_AS_TRANS 23456		/* RFC 6793 */

#define BGP_AFI_IP4 1
#define BGP_AFI_IP6 2
#define BGP_SAFI_UNICAST 1

/* Capability codes (IANA registry). */
#define BGP_CAP_MP 1			/* RFC 4760 */
#define BGP_CAP_RR 2			/* RFC 2918 */
#define BGP_CAP_EXT_NH 5		/* RFC 8950 */
#define BGP_CAP_GR 64			/* RFC 4724 */
#define BGP_CAP_AS4 65			/* RFC 6793 */
#define BGP_CAP_ERR 70			/* RFC 7313 */

/* NOTIFICATION error codes, RFC 4271 4.5, and the subcodes we send. */
#define BGP_ERR_HEADER 1
#define BGP_ERR_OPEN 2
#define BGP_ERR_UPDATE 3
#define BGP_ERR_HOLD 4
#define BGP_ERR_FSM 5
#define BGP_ERR_CEASE 6
#define BGP_ERR_REFRESH 7		/* RFC 7313 */

#define BGP_HDR_NOT_SYNC 1
#define BGP_HDR_BAD_LEN 2
#define BGP_HDR_BAD_TYPE 3

#define BGP_OPEN_BAD_VERSION 1
#define BGP_OPEN_BAD_AS 2
#define BGP_OPEN_BAD_ID 3
#define BGP_OPEN_BAD_PARAM 4
#define BGP_OPEN_BAD_HOLD 6
#define BGP_OPEN_BAD_CAP 7		/* RFC 5492 */

#define BGP_UPD_MALFORMED_ATTRS 1
#define BGP_UPD_UNKNOWN_WELLKNOWN 2
#define BGP_UPD_MISSING_WELLKNOWN 3
#define BGP_UPD_ATTR_FLAGS 4
#define BGP_UPD_ATTR_LEN 5
#define BGP_UPD_BAD_ORIGIN 6
#define BGP_UPD_BAD_NEXT_HOP 8
#define BGP_UPD_OPT_ATTR 9
#define BGP_UPD_BAD_NETWORK 10
#define BGP_UPD_BAD_AS_PATH 11

#define BGP_CEASE_MAX_PREFIXES 1	/* RFC 4486 */
#define BGP_CEASE_ADMIN_SHUTDOWN 2
#define BGP_CEASE_PEER_DECONF 3
#define BGP_CEASE_ADMIN_RESET 4
#define BGP_CEASE_REJECTED 5
#define BGP_CEASE_CONFIG_CHANGE 6
#define BGP_CEASE_COLLISION 7
#define BGP_CEASE_RESOURCES 8
#define BGP_CEASE_HARD_RESET 9		/* RFC 8538 */

/* ---- bounds-checked reader and writer ---------------------------------- */

struct bgp_rd {
	const uint8_t *p;	/* next unread octet */
	size_t len;		/* octets left */
	int err;		/* set by any read past the end; sticky */
};

static inline struct bgp_rd bgp_rd_make(const uint8_t *p, size_t len)
{
	struct bgp_rd r = { p, len, 0 };
	return r;
}

static inline int bgp_rd_ok(const struct bgp_rd *r, size_t n)
{
	return !r->err && r->len >= n;
}

static inline uint8_t bgp_get8(struct bgp_rd *r)
{
	if (!bgp_rd_ok(r, 1)) {
		r->err = 1;
		return 0;
	}
	uint8_t v = r->p[0];
	r->p++, r->len--;
	return v;
}

static inline uint16_t bgp_get16(struct bgp_rd *r)
{
	if (!bgp_rd_ok(r, 2)) {
		r->err = 1;
		return 0;
	}
	uint16_t v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2, r->len -= 2;
	return v;
}

static inline uint32_t bgp_get32(struct bgp_rd *r)
{
	if (!bgp_rd_ok(r, 4)) {
		r->err = 1;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
		     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4, r->len -= 4;
	return v;
}

/* The next octet without consuming it; -1 at the end. */
static inline int bgp_peek8(const struct bgp_rd *r)
{
	return bgp_rd_ok(r, 1) ? r->p[0] : -1;
}

/* Copy n octets out (out may be NULL to skip). */
static inline int bgp_getn(struct bgp_rd *r, void *out, size_t n)
{
	if (!bgp_rd_ok(r, n)) {
		r->err = 1;
		return -1;
	}
	if (out && n)
		memcpy(out, r->p, n);
	r->p += n, r->len -= n;
	return 0;
}

/* Split off the next n octets as a reader of their own. */
static inline struct bgp_rd bgp_sub(struct bgp_rd *r, size_t n)
{
	struct bgp_rd s = { NULL, 0, 1 };
	if (!bgp_rd_ok(r, n)) {
		r->err = 1;
		return s;
	}
	s.p = r->p, s.len = n, s.err = 0;
	r->p += n, r->len -= n;
	return s;
}

struct bgp_wr {
	uint8_t *buf;		/* start of output */
	size_t len;		/* octets written */
	size_t cap;		/* size of buf */
	int err;		/* set when a write did not fit; sticky */
};

static inline struct bgp_wr bgp_wr_make(uint8_t *buf, size_t cap)
{
	struct bgp_wr w = { buf, 0, cap, 0 };
	return w;
}

static inline int bgp_wr_room(struct bgp_wr *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = 1;
		return 0;
	}
	return 1;
}

static inline void bgp_put8(struct bgp_wr *w, uint8_t v)
{
	if (bgp_wr_room(w, 1))
		w->buf[w->len++] = v;
}

static inline void bgp_put16(struct bgp_wr *w, uint16_t v)
{
	if (bgp_wr_room(w, 2)) {
		w->buf[w->len++] = (uint8_t)(v >> 8);
		w->buf[w->len++] = (uint8_t)v;
	}
}

static inline void bgp_put32(struct bgp_wr *w, uint32_t v)
{
	if (bgp_wr_room(w, 4)) {
		w->buf[w->len++] = (uint8_t)(v >> 24);
		w->buf[w->len++] = (uint8_t)(v >> 16);
		w->buf[w->len++] = (uint8_t)(v >> 8);
		w->buf[w->len++] = (uint8_t)v;
	}
}

static inline void bgp_putn(struct bgp_wr *w, const void *p, size_t n)
{
	if (n && bgp_wr_room(w, n)) {
		memcpy(w->buf + w->len, p, n);
		w->len += n;
	}
}

/* Overwrite a 16-bit field written earlier at offset at. */
static inline void bgp_patch16(struct bgp_wr *w, size_t at, uint16_t v)
{
	if (!w->err && at + 2 <= w->len) {
		w->buf[at] = (uint8_t)(v >> 8);
		w->buf[at + 1] = (uint8_t)v;
	}
}

/* ---- errors ---------------------------------------------------------------- */

#define BGP_ERR_DATA_MAX 256

/* What went wrong, and the NOTIFICATION that says so (code 0: none to send). */
struct bgp_err {
	uint8_t code;		/* NOTIFICATION error code, 0 if no NOTIFICATION */
	uint8_t subcode;	/* NOTIFICATION error subcode */
	uint16_t datalen;	/* octets of data */
	uint8_t data[BGP_ERR_DATA_MAX]; /* NOTIFICATION data */
	char text[160];		/* for the log: what was wrong, in words */
};

void bgp_err_set(struct bgp_err *e, int code, int subcode, const void *data, size_t len,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Names of codes and subcodes (never NULL; "Unknown" for unassigned ones). */
const char *bgp_err_name(int code);
const char *bgp_suberr_name(int code, int subcode);

/* ---- framing ------------------------------------------------------------------ */

/*
 * Check the header at the start of buf (len octets available).  Returns 0
 * when fewer than 19 octets are there, 1 with *msglen and *type set when the
 * header is valid (the message may still be incomplete: compare *msglen with
 * len), -1 with e filled when it is not.
 */
int bgp_hdr_check(const uint8_t *buf, size_t len, uint16_t *msglen, uint8_t *type,
		  struct bgp_err *e);
/* Write a header for a message of total length msglen. */
void bgp_hdr_put(struct bgp_wr *w, uint16_t msglen, uint8_t type);
const char *bgp_msg_name(int type);

/* ---- OPEN and capabilities ------------------------------------------------- */

#define BGP_CAP_RAW_MAX 512

/* Family index used throughout proto/bgp: 0 = IPv4 unicast, 1 = IPv6 unicast. */
#define BGP_FAM_IP4 0
#define BGP_FAM_IP6 1
#define BGP_FAM_N 2

struct bgp_caps {
	uint8_t caps_seen;		/* a Capabilities parameter was present */
	uint8_t mp_seen;		/* any MP capability (else IPv4 unicast implied, RFC 4760 8) */
	uint8_t mp[BGP_FAM_N];		/* MP capability for IPv4 / IPv6 unicast */
	uint8_t route_refresh;		/* RFC 2918 */
	uint8_t enhanced_rr;		/* RFC 7313 */
	uint8_t ext_nh;			/* RFC 8950: IPv4 unicast NLRI with an IPv6 next hop */
	uint8_t as4;			/* RFC 6793 */
	uint32_t as4_asn;		/* the 4-octet ASN it carries */
	uint8_t gr;			/* RFC 4724 capability present */
	uint8_t gr_restart;		/* R bit: the sender has restarted */
	uint8_t gr_notification;	/* N bit, RFC 8538 */
	uint16_t gr_time;		/* restart time, 12 bits, seconds */
	uint8_t gr_af[BGP_FAM_N];	/* family listed in the GR capability */
	uint8_t gr_fwd[BGP_FAM_N];	/* its F bit: forwarding state preserved */
	uint16_t raw_len;		/* octets in raw */
	uint8_t raw[BGP_CAP_RAW_MAX];	/* unknown capabilities: code, len, value... */
	uint8_t mp_other;		/* MP capabilities for families we do not handle */
};

struct bgp_open {
	uint8_t version;		/* 4 */
	uint16_t my_as;			/* 2-octet field (AS_TRANS for 4-octet ASNs) */
	uint16_t hold;			/* proposed hold time, seconds */
	uint32_t id;			/* BGP identifier */
	struct bgp_caps caps;		/* capabilities advertised */
};

/* The peer's ASN: the AS4 capability when present, else My AS. */
static inline uint32_t bgp_open_asn(const struct bgp_open *o)
{
	return o->caps.as4 ? o->caps.as4_asn : o->my_as;
}

/* Fill an OPEN for our side: my_as from asn (AS_TRANS when it needs 4 octets). */
void bgp_open_init(struct bgp_open *o, uint32_t asn, uint16_t hold, uint32_t id);
/* Encode a whole OPEN message (header included); returns length or 0. */
size_t bgp_open_encode(const struct bgp_open *o, uint8_t *buf, size_t cap);
/* Decode the body (after the header) of an OPEN; 0 ok, -1 with e set. */
int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *e);
/* Append a display form of the capabilities ("4-octet AS 65001, ...") to buf. */
void bgp_caps_format(const struct bgp_caps *c, char *buf, size_t len);

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH -------------------------------- */

size_t bgp_keepalive_encode(uint8_t *buf, size_t cap);

struct bgp_notification {
	uint8_t code;			/* error code */
	uint8_t subcode;		/* error subcode */
	uint16_t datalen;		/* octets of data */
	const uint8_t *data;		/* points into the decoded message */
	char shutdown_text[256];	/* RFC 9003 communication, sanitised, or "" */
};

size_t bgp_notification_encode(int code, int subcode, const void *data, size_t len,
			       uint8_t *buf, size_t cap);
/* Cease with an RFC 9003 shutdown communication (subcode 2 or 4). */
size_t bgp_cease_encode(int subcode, const char *text, uint8_t *buf, size_t cap);
int bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_notification *n,
			    struct bgp_err *e);
/* "Cease / Administrative shutdown: \"maintenance\"" */
void bgp_notification_format(const struct bgp_notification *n, char *buf, size_t len);

/* RFC 7313 message subtypes. */
#define BGP_RR_NORMAL 0
#define BGP_RR_BORR 1
#define BGP_RR_EORR 2

struct bgp_refresh {
	uint16_t afi;			/* address family */
	uint8_t subtype;		/* RFC 7313: 0 request, 1 BoRR, 2 EoRR */
	uint8_t safi;			/* subsequent address family */
};

size_t bgp_refresh_encode(const struct bgp_refresh *r, uint8_t *buf, size_t cap);
int bgp_refresh_decode(const uint8_t *body, size_t len, struct bgp_refresh *r, struct bgp_err *e);

/* Map AFI/SAFI to a family index, -1 if we do not handle it. */
int bgp_fam_of(uint16_t afi, uint8_t safi);

/* ---- OPEN negotiation ------------------------------------------------------ */

/* What we expect of the peer, beside our own OPEN. */
struct bgp_neg_params {
	uint32_t local_as;		/* our ASN */
	uint32_t peer_as;		/* expected peer ASN (0: any) */
	uint16_t keepalive;		/* configured keepalive, 0: hold/3 */
	uint8_t require_fam[BGP_FAM_N];	/* refuse a peer without this family (2/7) */
	uint8_t require_rr;		/* refuse a peer without route refresh (2/7) */
	uint8_t require_as4;		/* refuse a peer without 4-octet ASNs (2/7) */
};

/* The session, as both OPENs decide it. */
struct bgp_neg {
	uint32_t peer_as;		/* the peer's ASN */
	uint32_t peer_id;		/* its BGP identifier */
	uint16_t hold;			/* negotiated hold time, 0 = none */
	uint16_t keepalive;		/* keepalive interval, 0 = none */
	uint8_t as4;			/* both sides speak 4-octet ASNs */
	uint8_t ibgp;			/* same AS */
	uint8_t fam[BGP_FAM_N];		/* families both sides announced */
	uint8_t route_refresh;		/* both support route refresh */
	uint8_t enhanced_rr;		/* both support enhanced route refresh */
	uint8_t ext_nh;			/* both offered RFC 8950 for IPv4 unicast */
	uint8_t peer_gr;		/* the peer advertised graceful restart */
	uint8_t peer_gr_restart;	/* ... with the R bit */
	uint16_t peer_gr_time;		/* ... and this restart time */
	char missing[128];		/* what the peer lacks, for display ("" if nothing) */
};

/* 0 ok with n filled, -1 with e set to the NOTIFICATION to send. */
int bgp_open_negotiate(const struct bgp_neg_params *p, const struct bgp_open *ours,
		       const struct bgp_open *peer, struct bgp_neg *n, struct bgp_err *e);

/* Append printf-style to a NUL-terminated text buffer, never past len. */
void bgp_cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
