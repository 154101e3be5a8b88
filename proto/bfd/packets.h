/*
 * metalbird -- BFD control packets (RFC 5880 section 4.1)
 *
 * The wire codec only: decoding applies the checks of RFC 5880 6.8.6 that
 * need no session (version, length, detect multiplier, multipoint bit,
 * discriminator, authentication), so that the parser is a pure function
 * the fuzzer and the unit tests drive directly.
 */
#ifndef MB_BFD_PACKETS_H
#define MB_BFD_PACKETS_H

#include <stddef.h>
#include <stdint.h>

#define BFD_CONTROL_PORT 3784		/* RFC 5881 4: single hop control packets */
#define BFD_SRC_PORT_MIN 49152		/* RFC 5881 4: source port range */
#define BFD_SRC_PORT_MAX 65535
#define BFD_TTL 255			/* RFC 5881 5: sent and required */
#define BFD_VERSION 1
#define BFD_PKT_LEN 24			/* the mandatory section */
#define BFD_PKT_MAX 64			/* with room for an authentication section */
#define BFD_AUTH_SIMPLE 1		/* Simple Password, RFC 5880 4.2 */
#define BFD_PASSWORD_MAX 16

/* bfd.SessionState, RFC 5880 4.1 */
enum bfd_state { BFD_S_ADMIN_DOWN = 0, BFD_S_DOWN = 1, BFD_S_INIT = 2, BFD_S_UP = 3 };

/* Diagnostic codes, RFC 5880 4.1 */
enum bfd_diag {
	BFD_D_NONE = 0,
	BFD_D_DETECT_EXPIRED = 1,	/* Control Detection Time Expired */
	BFD_D_ECHO_FAILED = 2,
	BFD_D_NEIGHBOR_DOWN = 3,	/* Neighbor Signaled Session Down */
	BFD_D_FWD_RESET = 4,
	BFD_D_PATH_DOWN = 5,
	BFD_D_CONCAT_DOWN = 6,
	BFD_D_ADMIN_DOWN = 7,
	BFD_D_REV_CONCAT_DOWN = 8,
};

/* Flags of the second octet, below the two state bits. */
#define BFD_F_POLL	0x20
#define BFD_F_FINAL	0x10
#define BFD_F_CPI	0x08	/* control plane independent */
#define BFD_F_AUTH	0x04
#define BFD_F_DEMAND	0x02
#define BFD_F_MULTI	0x01	/* multipoint, reserved: must be zero */

struct bfd_pkt {
	uint8_t vers;
	uint8_t diag;
	uint8_t state;
	uint8_t flags;
	uint8_t mult;			/* Detect Mult */
	uint8_t length;
	uint32_t my_disc;
	uint32_t your_disc;
	uint32_t des_min_tx;		/* Desired Min TX Interval, microseconds */
	uint32_t req_min_rx;		/* Required Min RX Interval, microseconds */
	uint32_t req_min_echo_rx;	/* Required Min Echo RX Interval */
	/* the authentication section, when the A bit is set */
	uint8_t auth_type;		/* BFD_AUTH_SIMPLE, the only one decoded */
	uint8_t auth_key_id;
	uint8_t pw_len;			/* 1-16 */
	uint8_t password[BFD_PASSWORD_MAX];
};

/* 0 with p filled, or -1 with *why saying why the packet is discarded.
 * An authentication section is decoded (Simple Password only); whether it
 * is the one the session wants is for the session to check. */
int bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p, const char **why);
/* Write p (vers, length and the A bit are set here: with auth_type
 * BFD_AUTH_SIMPLE a Simple Password section follows the 24 octets);
 * returns the length, 0 if len is short. */
size_t bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t len);

const char *bfd_state_name(int state);		/* "AdminDown", "Down", "Init", "Up" */
const char *bfd_diag_name(int diag);		/* "Control detection time expired", ... */

#endif
