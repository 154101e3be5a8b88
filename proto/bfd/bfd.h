/*
 * metalbird -- protocol bfd: configuration and the session request API
 *
 * Other protocols (BGP with `bfd on`) ask for a BFD session to a neighbor
 * with bfd_request_session() and are told of its state through a hook.
 * Requests live independently of protocol bfd: one made while no protocol
 * bfd runs waits, and is served when one starts.  Several requests for one
 * neighbor share one session.
 */
#ifndef MB_BFD_H
#define MB_BFD_H

#include "nest/ip.h"
#include "nest/protocol.h"

/* Per-interface options: `interface "PATTERN" { interval N ms; ... };` */
struct bfd_iface_config {
	struct bfd_iface_config *next;
	const char *pattern;		/* shell pattern of interface names */
	uint32_t min_rx;		/* required min RX, microseconds */
	uint32_t min_tx;		/* desired min TX, microseconds */
	unsigned mult;			/* detect multiplier */
	int auth_simple;		/* `authentication simple` (RFC 5880 6.7.2) */
	const char *password;		/* its password, key id 1 (as BIRD's first) */
};

struct bfd_config {
	struct proto_config c;
	struct bfd_iface_config *ifaces;	/* in config order: the first match wins */
	struct bfd_iface_config *cur;		/* being parsed */
};

extern struct proto_class proto_bfd;

/* Defaults (BIRD's and FRR's): 300 ms both ways, multiplier 3. */
#define BFD_DEFAULT_INTERVAL 300000u
#define BFD_DEFAULT_MULT 3

/* Grammar helpers */
void bfd_config_iface_start(struct bfd_config *c, const char *pattern);
void bfd_config_iface_end(struct bfd_config *c, const struct cf_loc *loc);

/*
 * The hook gets the session's RFC 5880 state (BFD_S_* of packets.h) and,
 * for Down, the diagnostic in words.  It may call bfd_request_free() on its
 * own request.
 */
typedef void (*bfd_hook)(void *data, int state, const char *diag);
struct bfd_request;

/* A session to addr (from local when it is not the zero address; over
 * iface when not NULL).  Never NULL. */
struct bfd_request *bfd_request_session(ip_addr addr, ip_addr local, const char *iface, bfd_hook hook,
					void *data);
void bfd_request_free(struct bfd_request *r);
int bfd_request_state(const struct bfd_request *r);	/* BFD_S_*; Down while not served */

#endif
