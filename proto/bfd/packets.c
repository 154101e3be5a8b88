/*
 * metalbird -- BFD control packets: decode and encode (RFC 5880 4.1, 6.8.6)
 *
 * Input is read through bfd_get8/bfd_get32, which never read past the
 * length they are given.
 */
#include "proto/bfd/packets.h"

#include <string.h>

static int bfd_get8(const uint8_t *b, size_t len, size_t off, uint8_t *v)
{
	if (off >= len)
		return -1;
	*v = b[off];
	return 0;
}

static int bfd_get32(const uint8_t *b, size_t len, size_t off, uint32_t *v)
{
	if (off > len || len - off < 4)
		return -1;
	*v = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 | (uint32_t)b[off + 2] << 8 | b[off + 3];
	return 0;
}

static void bfd_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

int bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p, const char **why)
{
	uint8_t b0, b1;

	memset(p, 0, sizeof *p);
	if (len < BFD_PKT_LEN) {
		*why = "shorter than 24 octets";
		return -1;
	}
	if (bfd_get8(buf, len, 0, &b0) || bfd_get8(buf, len, 1, &b1) || bfd_get8(buf, len, 2, &p->mult) ||
	    bfd_get8(buf, len, 3, &p->length) || bfd_get32(buf, len, 4, &p->my_disc) ||
	    bfd_get32(buf, len, 8, &p->your_disc) || bfd_get32(buf, len, 12, &p->des_min_tx) ||
	    bfd_get32(buf, len, 16, &p->req_min_rx) || bfd_get32(buf, len, 20, &p->req_min_echo_rx)) {
		*why = "truncated";
		return -1;
	}
	p->vers = b0 >> 5;
	p->diag = b0 & 0x1f;
	p->state = b1 >> 6;
	p->flags = b1 & 0x3f;

	/* RFC 5880 6.8.6: the checks that need no session */
	if (p->vers != BFD_VERSION) {
		*why = "version is not 1";
		return -1;
	}
	if (p->length < ((p->flags & BFD_F_AUTH) ? 26 : BFD_PKT_LEN)) {
		*why = "length field too small";
		return -1;
	}
	if (p->length > len) {
		*why = "length field larger than the payload";
		return -1;
	}
	if (!p->mult) {
		*why = "detect multiplier is zero";
		return -1;
	}
	if (p->flags & BFD_F_MULTI) {
		*why = "multipoint bit set";
		return -1;
	}
	if (!p->my_disc) {
		*why = "my discriminator is zero";
		return -1;
	}
	if (p->flags & BFD_F_AUTH) {
		uint8_t al;
		if (bfd_get8(buf, p->length, 24, &p->auth_type) || bfd_get8(buf, p->length, 25, &al)) {
			*why = "truncated authentication section";
			return -1;
		}
		if ((size_t)24 + al > p->length) {
			*why = "authentication section longer than the packet";
			return -1;
		}
		if (p->auth_type != BFD_AUTH_SIMPLE) {
			*why = "authentication type not supported (only simple password)";
			return -1;
		}
		/* RFC 5880 4.2: Auth Len is the password length plus three,
		 * and the password 1 to 16 octets */
		if (al < 4 || al > 3 + BFD_PASSWORD_MAX) {
			*why = "bad simple password length";
			return -1;
		}
		if (bfd_get8(buf, p->length, 26, &p->auth_key_id)) {
			*why = "truncated authentication section";
			return -1;
		}
		p->pw_len = (uint8_t)(al - 3);
		for (uint8_t i = 0; i < p->pw_len; i++)
			if (bfd_get8(buf, p->length, (size_t)27 + i, &p->password[i])) {
				*why = "truncated authentication section";
				return -1;
			}
	}
	/* RFC 5880 6.5: Poll and Final never together */
	if ((p->flags & BFD_F_POLL) && (p->flags & BFD_F_FINAL)) {
		*why = "poll and final bits both set";
		return -1;
	}
	return 0;
}

size_t bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t len)
{
	int auth = p->auth_type == BFD_AUTH_SIMPLE && p->pw_len >= 1 && p->pw_len <= BFD_PASSWORD_MAX;
	size_t total = BFD_PKT_LEN + (auth ? 3u + p->pw_len : 0u);

	if (len < total)
		return 0;
	buf[0] = (uint8_t)(BFD_VERSION << 5 | (p->diag & 0x1f));
	buf[1] = (uint8_t)((p->state & 3) << 6 | (p->flags & 0x3a) | (auth ? BFD_F_AUTH : 0));
	buf[2] = p->mult;
	buf[3] = (uint8_t)total;
	bfd_put32(buf + 4, p->my_disc);
	bfd_put32(buf + 8, p->your_disc);
	bfd_put32(buf + 12, p->des_min_tx);
	bfd_put32(buf + 16, p->req_min_rx);
	bfd_put32(buf + 20, p->req_min_echo_rx);
	if (auth) {
		/* RFC 5880 4.2: type, length, key id, the password */
		buf[24] = BFD_AUTH_SIMPLE;
		buf[25] = (uint8_t)(3 + p->pw_len);
		buf[26] = p->auth_key_id;
		memcpy(buf + 27, p->password, p->pw_len);
	}
	return total;
}

const char *bfd_state_name(int state)
{
	static const char *const n[] = { "AdminDown", "Down", "Init", "Up" };
	return state >= 0 && state < 4 ? n[state] : "?";
}

const char *bfd_diag_name(int diag)
{
	static const char *const n[] = {
		"No diagnostic",
		"Control detection time expired",
		"Echo function failed",
		"Neighbor signaled session down",
		"Forwarding plane reset",
		"Path down",
		"Concatenated path down",
		"Administratively down",
		"Reverse concatenated path down",
	};
	return diag >= 0 && diag < 9 ? n[diag] : "Unknown diagnostic";
}
