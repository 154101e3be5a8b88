/*
 * metalbird -- BGP messages other than UPDATE
 *
 * Framing (the 19-octet header), OPEN with its capabilities, KEEPALIVE,
 * NOTIFICATION with the names of every code and subcode, ROUTE-REFRESH with
 * the subtypes of RFC 7313, and the negotiation that turns two OPENs into
 * the parameters of a session.  The session engine (session.c) drives these
 * codecs; they never see a socket, so the unit tests and the fuzzer call
 * them on plain buffers.
 */
#include "proto/bgp/packets.h"

#include <stdarg.h>
#include <stdio.h>

void bgp_err_set(struct bgp_err *e, int code, int subcode, const void *data, size_t len,
		 const char *fmt, ...)
{
	va_list ap;

	e->code = (uint8_t)code;
	e->subcode = (uint8_t)subcode;
	if (len > BGP_ERR_DATA_MAX)
		len = BGP_ERR_DATA_MAX;
	e->datalen = (uint16_t)len;
	if (len)
		memcpy(e->data, data, len);
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

/* ---- names ------------------------------------------------------------------- */

/* RFC 4271 4.5, RFC 7313 5. */
static const char *const bgp_err_names[] = {
	[1] = "Message header error",
	[2] = "OPEN message error",
	[3] = "UPDATE message error",
	[4] = "Hold timer expired",
	[5] = "Finite state machine error",
	[6] = "Cease",
	[7] = "ROUTE-REFRESH message error",
};

/* RFC 4271 6.1. */
static const char *const bgp_hdr_sub[] = {
	[1] = "Connection not synchronized",
	[2] = "Bad message length",
	[3] = "Bad message type",
};

/* RFC 4271 6.2, RFC 5492 (7), RFC 9234 (11). */
static const char *const bgp_open_sub[] = {
	[1] = "Unsupported version number",
	[2] = "Bad peer AS",
	[3] = "Bad BGP identifier",
	[4] = "Unsupported optional parameter",
	[5] = "Authentication failure (deprecated)",
	[6] = "Unacceptable hold time",
	[7] = "Unsupported capability",
	[8] = "Deprecated subcode 8",
	[9] = "Deprecated subcode 9",
	[10] = "Deprecated subcode 10",
	[11] = "Role mismatch",
};

/* RFC 4271 6.3. */
static const char *const bgp_update_sub[] = {
	[1] = "Malformed attribute list",
	[2] = "Unrecognized well-known attribute",
	[3] = "Missing well-known attribute",
	[4] = "Attribute flags error",
	[5] = "Attribute length error",
	[6] = "Invalid ORIGIN attribute",
	[7] = "AS routing loop (deprecated)",
	[8] = "Invalid NEXT_HOP attribute",
	[9] = "Optional attribute error",
	[10] = "Invalid network field",
	[11] = "Malformed AS_PATH",
};

/* RFC 6608. */
static const char *const bgp_fsm_sub[] = {
	[1] = "Unexpected message in OpenSent state",
	[2] = "Unexpected message in OpenConfirm state",
	[3] = "Unexpected message in Established state",
};

/* RFC 4486, RFC 8538 (9), RFC 9384 (10). */
static const char *const bgp_cease_sub[] = {
	[1] = "Maximum number of prefixes reached",
	[2] = "Administrative shutdown",
	[3] = "Peer de-configured",
	[4] = "Administrative reset",
	[5] = "Connection rejected",
	[6] = "Other configuration change",
	[7] = "Connection collision resolution",
	[8] = "Out of resources",
	[9] = "Hard reset",
	[10] = "BFD down",
};

/* RFC 7313 5. */
static const char *const bgp_refresh_sub[] = {
	[1] = "Invalid message length",
};

#define NAMES(a) (sizeof(a) / sizeof((a)[0]))

const char *bgp_err_name(int code)
{
	if (code > 0 && (size_t)code < NAMES(bgp_err_names) && bgp_err_names[code])
		return bgp_err_names[code];
	return "Unknown error";
}

const char *bgp_suberr_name(int code, int subcode)
{
	const char *const *t = NULL;
	size_t n = 0;

	switch (code) {
	case BGP_ERR_HEADER: t = bgp_hdr_sub; n = NAMES(bgp_hdr_sub); break;
	case BGP_ERR_OPEN: t = bgp_open_sub; n = NAMES(bgp_open_sub); break;
	case BGP_ERR_UPDATE: t = bgp_update_sub; n = NAMES(bgp_update_sub); break;
	case BGP_ERR_FSM: t = bgp_fsm_sub; n = NAMES(bgp_fsm_sub); break;
	case BGP_ERR_CEASE: t = bgp_cease_sub; n = NAMES(bgp_cease_sub); break;
	case BGP_ERR_REFRESH: t = bgp_refresh_sub; n = NAMES(bgp_refresh_sub); break;
	}
	if (subcode == 0)
		return "Unspecific";
	if (t && subcode > 0 && (size_t)subcode < n && t[subcode])
		return t[subcode];
	return "Unknown subcode";
}

const char *bgp_msg_name(int type)
{
	switch (type) {
	case BGP_MSG_OPEN: return "OPEN";
	case BGP_MSG_UPDATE: return "UPDATE";
	case BGP_MSG_NOTIFICATION: return "NOTIFICATION";
	case BGP_MSG_KEEPALIVE: return "KEEPALIVE";
	case BGP_MSG_REFRESH: return "ROUTE-REFRESH";
	}
	return "unknown";
}

/* ---- framing ------------------------------------------------------------------ */

/*
 * RFC 4271 6.1: the marker must be all ones (else Connection Not
 * Synchronized); a length below 19, above 4096, or below the minimum of the
 * message's type (exactly 19 for KEEPALIVE) is Bad Message Length with the
 * length field as data; an unknown type is Bad Message Type with the type.
 */
int bgp_hdr_check(const uint8_t *buf, size_t len, uint16_t *msglen, uint8_t *type,
		  struct bgp_err *e)
{
	struct bgp_rd r = bgp_rd_make(buf, len);
	uint8_t marker[16];
	size_t min;

	if (len < BGP_HDR_LEN)
		return 0;
	bgp_getn(&r, marker, sizeof(marker));
	uint16_t l = bgp_get16(&r);
	uint8_t t = bgp_get8(&r);
	for (size_t i = 0; i < sizeof(marker); i++)
		if (marker[i] != 0xff) {
			bgp_err_set(e, BGP_ERR_HEADER, BGP_HDR_NOT_SYNC, NULL, 0,
				    "bad marker");
			return -1;
		}
	switch (t) {
	case BGP_MSG_OPEN: min = 29; break;
	case BGP_MSG_UPDATE: min = 23; break;
	case BGP_MSG_NOTIFICATION: min = 21; break;
	case BGP_MSG_KEEPALIVE: min = 19; break;
	case BGP_MSG_REFRESH: min = 23; break;
	default:
		bgp_err_set(e, BGP_ERR_HEADER, BGP_HDR_BAD_TYPE, &t, 1,
			    "unknown message type %u", t);
		return -1;
	}
	if (l < min || l > BGP_MAX_LEN || (t == BGP_MSG_KEEPALIVE && l != 19)) {
		uint8_t d[2] = { (uint8_t)(l >> 8), (uint8_t)l };
		bgp_err_set(e, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, d, 2,
			    "bad length %u of %s", l, bgp_msg_name(t));
		return -1;
	}
	*msglen = l;
	*type = t;
	return 1;
}

void bgp_hdr_put(struct bgp_wr *w, uint16_t msglen, uint8_t type)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	bgp_putn(w, marker, sizeof(marker));
	bgp_put16(w, msglen);
	bgp_put8(w, type);
}

int bgp_fam_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IP4)
		return BGP_FAM_IP4;
	if (afi == BGP_AFI_IP6)
		return BGP_FAM_IP6;
	return -1;
}

static const uint16_t bgp_fam_afi[BGP_FAM_N] = { BGP_AFI_IP4, BGP_AFI_IP6 };

/* ---- OPEN -------------------------------------------------------------------- */

void bgp_open_init(struct bgp_open *o, uint32_t asn, uint16_t hold, uint32_t id)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	/* RFC 6793 4.1: a 4-octet ASN goes in the capability; My AS says AS_TRANS. */
	o->my_as = asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn;
	o->hold = hold;
	o->id = id;
	o->caps.caps_seen = 1;
	o->caps.mp_seen = 1;
	o->caps.mp[BGP_FAM_IP4] = 1;
	o->caps.mp[BGP_FAM_IP6] = 1;
	o->caps.route_refresh = 1;
	o->caps.as4 = 1;
	o->caps.as4_asn = asn;
}

static void bgp_caps_put(struct bgp_wr *w, const struct bgp_caps *c)
{
	for (int f = 0; f < BGP_FAM_N; f++)
		if (c->mp[f]) {
			/* RFC 4760 8: AFI, reserved, SAFI. */
			bgp_put8(w, BGP_CAP_MP);
			bgp_put8(w, 4);
			bgp_put16(w, bgp_fam_afi[f]);
			bgp_put8(w, 0);
			bgp_put8(w, BGP_SAFI_UNICAST);
		}
	if (c->route_refresh) {
		bgp_put8(w, BGP_CAP_RR);
		bgp_put8(w, 0);
	}
	if (c->enhanced_rr) {
		bgp_put8(w, BGP_CAP_ERR);
		bgp_put8(w, 0);
	}
	if (c->ext_nh) {
		/* RFC 8950 3: triples of NLRI AFI (2 octets), NLRI SAFI (2
		 * octets, unlike the MP capability) and Nexthop AFI; ours is
		 * IPv4 unicast with IPv6 next hops. */
		bgp_put8(w, BGP_CAP_EXT_NH);
		bgp_put8(w, 6);
		bgp_put16(w, BGP_AFI_IP4);
		bgp_put16(w, BGP_SAFI_UNICAST);
		bgp_put16(w, BGP_AFI_IP6);
	}
	if (c->gr) {
		/* RFC 4724 3: flags (R 0x8, N 0x4 of RFC 8538) and 12 bits of
		 * time, then AFI, SAFI, flags (F 0x80) per family. */
		int n = 0;
		for (int f = 0; f < BGP_FAM_N; f++)
			n += c->gr_af[f];
		bgp_put8(w, BGP_CAP_GR);
		bgp_put8(w, (uint8_t)(2 + 4 * n));
		bgp_put16(w, (uint16_t)((c->gr_restart ? 0x8000 : 0) |
					(c->gr_notification ? 0x4000 : 0) |
					(c->gr_time & 0x0fff)));
		for (int f = 0; f < BGP_FAM_N; f++)
			if (c->gr_af[f]) {
				bgp_put16(w, bgp_fam_afi[f]);
				bgp_put8(w, BGP_SAFI_UNICAST);
				bgp_put8(w, c->gr_fwd[f] ? 0x80 : 0);
			}
	}
	if (c->as4) {
		bgp_put8(w, BGP_CAP_AS4);
		bgp_put8(w, 4);
		bgp_put32(w, c->as4_asn);
	}
	/* Raw capabilities, already in code/length/value form. */
	bgp_putn(w, c->raw, c->raw_len);
}

size_t bgp_open_encode(const struct bgp_open *o, uint8_t *buf, size_t cap)
{
	struct bgp_wr w = bgp_wr_make(buf, cap < BGP_MAX_LEN ? cap : BGP_MAX_LEN);

	bgp_hdr_put(&w, 0, BGP_MSG_OPEN);
	bgp_put8(&w, o->version);
	bgp_put16(&w, o->my_as);
	bgp_put16(&w, o->hold);
	bgp_put32(&w, o->id);
	size_t optlen_at = w.len;
	bgp_put8(&w, 0);
	if (o->caps.caps_seen) {
		bgp_put8(&w, 2);	/* Capabilities optional parameter, RFC 5492 */
		size_t plen_at = w.len;
		bgp_put8(&w, 0);
		bgp_caps_put(&w, &o->caps);
		size_t plen = w.len - plen_at - 1;
		if (w.err || plen > 255 || w.len - optlen_at - 1 > 255)
			return 0;	/* we never need RFC 9072 on our side */
		w.buf[plen_at] = (uint8_t)plen;
		w.buf[optlen_at] = (uint8_t)(w.len - optlen_at - 1);
	}
	if (w.err)
		return 0;
	bgp_patch16(&w, 16, (uint16_t)w.len);
	return w.len;
}

static int bgp_cap_raw_add(struct bgp_caps *c, uint8_t code, struct bgp_rd *v)
{
	/* Kept for display only; drop what does not fit rather than fail. */
	if (c->raw_len + 2 + v->len > BGP_CAP_RAW_MAX)
		return 0;
	c->raw[c->raw_len++] = code;
	c->raw[c->raw_len++] = (uint8_t)v->len;
	memcpy(c->raw + c->raw_len, v->p, v->len);
	c->raw_len += (uint16_t)v->len;
	return 0;
}

/* RFC 5492 4: a sequence of (code, length, value) triples. */
static int bgp_caps_decode(struct bgp_rd *r, struct bgp_caps *c, struct bgp_err *e)
{
	c->caps_seen = 1;
	while (r->len && !r->err) {
		uint8_t code = bgp_get8(r);
		uint8_t len = bgp_get8(r);
		struct bgp_rd v = bgp_sub(r, len);
		if (r->err)
			break;
		switch (code) {
		case BGP_CAP_MP: {
			if (len != 4)
				goto bad;
			uint16_t afi = bgp_get16(&v);
			bgp_get8(&v);
			uint8_t safi = bgp_get8(&v);
			int f = bgp_fam_of(afi, safi);
			c->mp_seen = 1;
			if (f >= 0)
				c->mp[f] = 1;
			else
				c->mp_other = 1;
			break;
		}
		case BGP_CAP_RR:
			c->route_refresh = 1;
			break;
		case BGP_CAP_ERR:
			c->enhanced_rr = 1;
			break;
		case BGP_CAP_EXT_NH:
			/* RFC 8950 3: a list of 6-octet triples (BIRD refuses
			 * other lengths too); only <1, 1, 2> is ours to use,
			 * the rest (VPN families, RFC 8950 does not define
			 * IPv6 NLRI with IPv4 next hops here) is ignored. */
			if (len == 0 || len % 6)
				goto bad;
			while (v.len >= 6) {
				uint16_t afi = bgp_get16(&v);
				uint16_t safi = bgp_get16(&v);
				uint16_t nh_afi = bgp_get16(&v);
				if (afi == BGP_AFI_IP4 && safi == BGP_SAFI_UNICAST && nh_afi == BGP_AFI_IP6)
					c->ext_nh = 1;
			}
			break;
		case BGP_CAP_AS4:
			if (len != 4)
				goto bad;
			c->as4 = 1;
			c->as4_asn = bgp_get32(&v);
			break;
		case BGP_CAP_GR: {
			if (len < 2 || (len - 2) % 4)
				goto bad;
			uint16_t fl = bgp_get16(&v);
			c->gr = 1;
			c->gr_restart = !!(fl & 0x8000);
			c->gr_notification = !!(fl & 0x4000);
			c->gr_time = fl & 0x0fff;
			while (v.len >= 4) {
				uint16_t afi = bgp_get16(&v);
				uint8_t safi = bgp_get8(&v);
				uint8_t ff = bgp_get8(&v);
				int f = bgp_fam_of(afi, safi);
				if (f >= 0) {
					c->gr_af[f] = 1;
					c->gr_fwd[f] = !!(ff & 0x80);
				}
			}
			break;
		}
		default:
			bgp_cap_raw_add(c, code, &v);
			break;
		}
		continue;
bad:
		bgp_err_set(e, BGP_ERR_OPEN, 0, NULL, 0,
			    "malformed capability %u (length %u)", code, len);
		return -1;
	}
	if (r->err) {
		bgp_err_set(e, BGP_ERR_OPEN, 0, NULL, 0, "truncated capability");
		return -1;
	}
	return 0;
}

int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *e)
{
	struct bgp_rd r = bgp_rd_make(body, len);
	int ext = 0;

	memset(o, 0, sizeof(*o));
	o->version = bgp_get8(&r);
	o->my_as = bgp_get16(&r);
	o->hold = bgp_get16(&r);
	o->id = bgp_get32(&r);
	size_t optlen = bgp_get8(&r);
	if (r.err) {
		bgp_err_set(e, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, NULL, 0, "OPEN too short");
		return -1;
	}
	/* RFC 4271 6.2: data is the largest version we support. */
	if (o->version != 4) {
		uint8_t d[2] = { 0, 4 };
		bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_VERSION, d, 2,
			    "unsupported version %u", o->version);
		return -1;
	}
	/*
	 * RFC 9072 2: a Non-Extended Optional Parameters Length of 255 followed
	 * by a Parameter Type of 255 announces the extended format: a 2-octet
	 * length, and parameters with 2-octet lengths.
	 */
	if (optlen == 255 && bgp_peek8(&r) == 255) {
		bgp_get8(&r);
		optlen = bgp_get16(&r);
		ext = 1;
	}
	if (r.err || optlen != r.len) {
		bgp_err_set(e, BGP_ERR_OPEN, 0, NULL, 0,
			    "optional parameters length %zu, %zu octets follow", optlen, r.len);
		return -1;
	}
	while (r.len && !r.err) {
		uint8_t type = bgp_get8(&r);
		size_t plen = ext ? bgp_get16(&r) : bgp_get8(&r);
		struct bgp_rd p = bgp_sub(&r, plen);
		if (r.err)
			break;
		if (type != 2) {
			/* RFC 4271 6.2: Unsupported Optional Parameter. */
			bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_PARAM, NULL, 0,
				    "unsupported optional parameter %u", type);
			return -1;
		}
		if (bgp_caps_decode(&p, &o->caps, e) < 0)
			return -1;
	}
	if (r.err) {
		bgp_err_set(e, BGP_ERR_OPEN, 0, NULL, 0, "truncated optional parameter");
		return -1;
	}
	return 0;
}

void bgp_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strnlen(buf, len);
	va_list ap;

	if (at + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

void bgp_caps_format(const struct bgp_caps *c, char *buf, size_t len)
{
	static const char *const fam[BGP_FAM_N] = { "ipv4", "ipv6" };

	if (!len)
		return;
	buf[0] = 0;
	for (int f = 0; f < BGP_FAM_N; f++)
		if (c->mp[f])
			bgp_cat(buf, len, "%smultiprotocol %s", buf[0] ? ", " : "", fam[f]);
	if (c->route_refresh)
		bgp_cat(buf, len, "%sroute refresh", buf[0] ? ", " : "");
	if (c->enhanced_rr)
		bgp_cat(buf, len, "%senhanced route refresh", buf[0] ? ", " : "");
	if (c->ext_nh)
		bgp_cat(buf, len, "%sextended next hop ipv4", buf[0] ? ", " : "");
	if (c->as4)
		bgp_cat(buf, len, "%s4-octet AS %u", buf[0] ? ", " : "", c->as4_asn);
	if (c->gr) {
		bgp_cat(buf, len, "%sgraceful restart (time %u%s%s", buf[0] ? ", " : "",
			c->gr_time, c->gr_restart ? ", restarted" : "",
			c->gr_notification ? ", notification" : "");
		for (int f = 0; f < BGP_FAM_N; f++)
			if (c->gr_af[f])
				bgp_cat(buf, len, ", %s%s", fam[f], c->gr_fwd[f] ? " forwarding" : "");
		bgp_cat(buf, len, ")");
	}
	struct bgp_rd r = bgp_rd_make(c->raw, c->raw_len);
	while (r.len >= 2) {
		uint8_t code = bgp_get8(&r);
		uint8_t l = bgp_get8(&r);
		if (bgp_getn(&r, NULL, l) < 0)
			break;
		bgp_cat(buf, len, "%scapability %u (%u octets)", buf[0] ? ", " : "", code, l);
	}
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH -------------------------------- */

size_t bgp_keepalive_encode(uint8_t *buf, size_t cap)
{
	struct bgp_wr w = bgp_wr_make(buf, cap);
	bgp_hdr_put(&w, BGP_HDR_LEN, BGP_MSG_KEEPALIVE);
	return w.err ? 0 : w.len;
}

size_t bgp_notification_encode(int code, int subcode, const void *data, size_t len,
			       uint8_t *buf, size_t cap)
{
	struct bgp_wr w = bgp_wr_make(buf, cap < BGP_MAX_LEN ? cap : BGP_MAX_LEN);

	if (len > BGP_MAX_LEN - 21)
		len = BGP_MAX_LEN - 21;
	bgp_hdr_put(&w, (uint16_t)(21 + len), BGP_MSG_NOTIFICATION);
	bgp_put8(&w, (uint8_t)code);
	bgp_put8(&w, (uint8_t)subcode);
	bgp_putn(&w, data, len);
	return w.err ? 0 : w.len;
}

/*
 * RFC 9003 2: for Administrative Shutdown and Administrative Reset the data
 * may be a Shutdown Communication: one length octet and up to 255 octets of
 * UTF-8.  We cut at 255 octets, never inside a UTF-8 sequence.
 */
size_t bgp_cease_encode(int subcode, const char *text, uint8_t *buf, size_t cap)
{
	uint8_t d[256];
	size_t n = text ? strlen(text) : 0;

	if (!n || (subcode != BGP_CEASE_ADMIN_SHUTDOWN && subcode != BGP_CEASE_ADMIN_RESET))
		return bgp_notification_encode(BGP_ERR_CEASE, subcode, NULL, 0, buf, cap);
	if (n > 255) {
		n = 255;
		while (n && ((uint8_t)text[n] & 0xc0) == 0x80)
			n--;
	}
	d[0] = (uint8_t)n;
	memcpy(d + 1, text, n);
	return bgp_notification_encode(BGP_ERR_CEASE, subcode, d, n + 1, buf, cap);
}

int bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_notification *n,
			    struct bgp_err *e)
{
	struct bgp_rd r = bgp_rd_make(body, len);

	memset(n, 0, sizeof(*n));
	n->code = bgp_get8(&r);
	n->subcode = bgp_get8(&r);
	if (r.err) {
		bgp_err_set(e, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, NULL, 0, "NOTIFICATION too short");
		return -1;
	}
	n->data = r.p;
	n->datalen = (uint16_t)r.len;
	if (n->code == BGP_ERR_CEASE && r.len &&
	    (n->subcode == BGP_CEASE_ADMIN_SHUTDOWN || n->subcode == BGP_CEASE_ADMIN_RESET)) {
		/* RFC 9003 2: a length that overruns the data means no
		 * communication; printable characters only, for the log. */
		struct bgp_rd s = r;
		uint8_t text[255];
		uint8_t l = bgp_get8(&s);
		if (bgp_getn(&s, text, l) == 0) {
			size_t i;
			for (i = 0; i < l && i + 1 < sizeof(n->shutdown_text); i++)
				n->shutdown_text[i] = (text[i] < 0x20 || text[i] == 0x7f) ? '?' : (char)text[i];
			n->shutdown_text[i] = 0;
		}
	}
	return 0;
}

void bgp_notification_format(const struct bgp_notification *n, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = 0;
	bgp_cat(buf, len, "%s", bgp_err_name(n->code));
	if (n->subcode || n->code != BGP_ERR_HOLD)
		bgp_cat(buf, len, " / %s", bgp_suberr_name(n->code, n->subcode));
	if (n->code == 0 || n->code > BGP_ERR_REFRESH)
		bgp_cat(buf, len, " (%u/%u)", n->code, n->subcode);
	if (n->shutdown_text[0])
		bgp_cat(buf, len, ": \"%s\"", n->shutdown_text);
}

size_t bgp_refresh_encode(const struct bgp_refresh *rr, uint8_t *buf, size_t cap)
{
	struct bgp_wr w = bgp_wr_make(buf, cap);
	bgp_hdr_put(&w, 23, BGP_MSG_REFRESH);
	bgp_put16(&w, rr->afi);
	bgp_put8(&w, rr->subtype);
	bgp_put8(&w, rr->safi);
	return w.err ? 0 : w.len;
}

int bgp_refresh_decode(const uint8_t *body, size_t len, struct bgp_refresh *rr, struct bgp_err *e)
{
	struct bgp_rd r = bgp_rd_make(body, len);

	memset(rr, 0, sizeof(*rr));
	/*
	 * RFC 7313 5: a ROUTE-REFRESH whose length, without the header, is not 4
	 * gets ROUTE-REFRESH Message Error / Invalid Message Length with the
	 * whole message as data (we can only give its body here).
	 */
	if (len != 4) {
		bgp_err_set(e, BGP_ERR_REFRESH, 1, body, len, "ROUTE-REFRESH of length %zu", len + 19);
		return -1;
	}
	rr->afi = bgp_get16(&r);
	rr->subtype = bgp_get8(&r);
	rr->safi = bgp_get8(&r);
	return 0;
}

/* ---- negotiation -------------------------------------------------------- */

int bgp_open_negotiate(const struct bgp_neg_params *p, const struct bgp_open *ours,
		       const struct bgp_open *peer, struct bgp_neg *n, struct bgp_err *e)
{
	memset(n, 0, sizeof(*n));
	e->code = 0;

	/* RFC 4271 6.2: "An implementation MUST reject Hold Time values of one
	 * or two seconds." */
	if (peer->hold == 1 || peer->hold == 2) {
		uint8_t d[2] = { 0, (uint8_t)peer->hold };
		bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD, d, 2,
			    "unacceptable hold time %u", peer->hold);
		return -1;
	}

	/*
	 * RFC 6793 4.2: a NEW speaker takes the peer's ASN from the AS4
	 * capability.  AS_TRANS itself is never a valid ASN of a speaker.
	 */
	n->peer_as = bgp_open_asn(peer);
	if (peer->caps.as4 && (n->peer_as == BGP_AS_TRANS || n->peer_as == 0)) {
		bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_AS, NULL, 0,
			    "peer claims AS %u in its 4-octet AS capability", n->peer_as);
		return -1;
	}
	if (p->peer_as && n->peer_as != p->peer_as) {
		uint8_t d[2] = { (uint8_t)(peer->my_as >> 8), (uint8_t)peer->my_as };
		bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_AS, d, 2,
			    "peer AS %u, expected %u", n->peer_as, p->peer_as);
		return -1;
	}
	n->ibgp = n->peer_as == p->local_as;

	/*
	 * RFC 6286 2.2: the identifier is non-zero, and within one AS unique:
	 * "If the BGP Identifier field of the OPEN message is zero, or if it is
	 * the same as the BGP Identifier of the local BGP speaker and the
	 * message is from an internal peer, then the Error Subcode is set to
	 * Bad BGP Identifier."
	 */
	if (peer->id == 0 || (n->ibgp && peer->id == ours->id)) {
		uint8_t d[4] = { (uint8_t)(peer->id >> 24), (uint8_t)(peer->id >> 16),
				 (uint8_t)(peer->id >> 8), (uint8_t)peer->id };
		bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_ID, d, 4,
			    "bad BGP identifier %u.%u.%u.%u", d[0], d[1], d[2], d[3]);
		return -1;
	}
	n->peer_id = peer->id;

	/* RFC 4271 4.2: the smaller hold time; 0 means no keepalives at all. */
	n->hold = ours->hold < peer->hold ? ours->hold : peer->hold;
	if (n->hold == 0)
		n->keepalive = 0;
	else if (p->keepalive && p->keepalive <= n->hold / 3)
		n->keepalive = p->keepalive;
	else
		n->keepalive = n->hold / 3 ? n->hold / 3 : 1;

	n->as4 = ours->caps.as4 && peer->caps.as4;
	for (int f = 0; f < BGP_FAM_N; f++) {
		/* RFC 4760 8: without any MP capability, IPv4 unicast is implied. */
		int o = ours->caps.mp_seen ? ours->caps.mp[f] : f == BGP_FAM_IP4;
		int q = peer->caps.mp_seen ? peer->caps.mp[f] : f == BGP_FAM_IP4;
		n->fam[f] = o && q;
		if (o && !q)
			bgp_cat(n->missing, sizeof(n->missing), "%s%s", n->missing[0] ? ", " : "",
				f == BGP_FAM_IP4 ? "ipv4" : "ipv6");
	}
	n->route_refresh = ours->caps.route_refresh && peer->caps.route_refresh;
	if (ours->caps.route_refresh && !peer->caps.route_refresh)
		bgp_cat(n->missing, sizeof(n->missing), "%sroute refresh", n->missing[0] ? ", " : "");
	if (ours->caps.as4 && !peer->caps.as4)
		bgp_cat(n->missing, sizeof(n->missing), "%s4-octet AS", n->missing[0] ? ", " : "");
	n->enhanced_rr = ours->caps.enhanced_rr && peer->caps.enhanced_rr;
	/* RFC 8950 4: IPv4 NLRI go with an IPv6 next hop only to a peer that
	 * advertised the capability; we use it only where we offered it too
	 * (as BIRD does), which also says we take such routes from it. */
	n->ext_nh = ours->caps.ext_nh && peer->caps.ext_nh && n->fam[BGP_FAM_IP4];
	n->peer_gr = peer->caps.gr;
	n->peer_gr_restart = peer->caps.gr_restart;
	n->peer_gr_time = peer->caps.gr_time;

	/*
	 * RFC 5492 3: a speaker that requires a capability the peer did not
	 * advertise sends Unsupported Capability, "the Data field ... contains
	 * the list of capabilities that cause the speaker to send the message",
	 * each as code, length and value.  By default we require nothing and
	 * only report what is missing (n->missing).
	 */
	struct bgp_wr w = bgp_wr_make(e->data, sizeof(e->data));
	for (int f = 0; f < BGP_FAM_N; f++)
		if (p->require_fam[f] && !n->fam[f]) {
			bgp_put8(&w, BGP_CAP_MP);
			bgp_put8(&w, 4);
			bgp_put16(&w, bgp_fam_afi[f]);
			bgp_put8(&w, 0);
			bgp_put8(&w, BGP_SAFI_UNICAST);
		}
	if (p->require_rr && !peer->caps.route_refresh) {
		bgp_put8(&w, BGP_CAP_RR);
		bgp_put8(&w, 0);
	}
	if (p->require_as4 && !peer->caps.as4) {
		bgp_put8(&w, BGP_CAP_AS4);
		bgp_put8(&w, 4);
		bgp_put32(&w, p->local_as);
	}
	if (w.len) {
		uint8_t d[BGP_ERR_DATA_MAX];
		memcpy(d, e->data, w.len);
		bgp_err_set(e, BGP_ERR_OPEN, BGP_OPEN_BAD_CAP, d, w.len,
			    "neighbor lacks required capabilities: %s", n->missing);
		return -1;
	}
	return 0;
}
