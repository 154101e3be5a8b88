/*
 * libFuzzer harness over the BGP message decoders: the input is a byte
 * stream as read from a TCP session; it is framed with bgp_hdr_check() and
 * each message handed to its decoder (OPEN with the negotiation, UPDATE on
 * a 4-octet and a 2-octet session, NOTIFICATION, ROUTE-REFRESH).  Decoded
 * UPDATEs are formatted and re-encoded, so the encoders see odd input too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/bgp/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bgp_update upd;
static struct bgp_builder bld;
static char text[16384];
static uint8_t out[BGP_MAX_LEN];

static void fuzz_update(const uint8_t *body, size_t len, const struct bgp_attr_ctx *c)
{
	static const uint8_t fam[BGP_FAM_N] = { 1, 1 };
	char err[64];

	bgp_update_decode(body, len, c, fam, &upd);
	if (upd.action == BGP_7606_RESET)
		return;
	bgp_attrs_format(&upd.attrs, text, sizeof(text));
	if (upd.nannounced && bgp_builder_init(&bld, BGP_FAM_IP4, &upd.attrs, c, err, sizeof(err)) == 0) {
		size_t at = 0, used;
		/* Only the IPv4 prefixes, which come first or alone. */
		while (at < upd.nannounced && upd.announced[at].af == AF_IP4 &&
		       bgp_build_reach(&bld, upd.announced + at, upd.nannounced - at, &used, out,
				       sizeof(out)))
			at += used;
	}
	size_t at = 0, used;
	while (at < upd.nwithdrawn && bgp_build_withdraw(upd.withdrawn[at].af == AF_IP4 ?
							 BGP_FAM_IP4 : BGP_FAM_IP6,
							 upd.withdrawn + at, upd.nwithdrawn - at,
							 &used, out, sizeof(out)))
		at += used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bgp_attr_ctx new_ebgp = { .as4 = 1, .ibgp = 0 };
	static const struct bgp_attr_ctx old_ibgp = { .as4 = 0, .ibgp = 1 };
	struct bgp_err e;
	size_t at = 0;

	while (at < size) {
		uint16_t len;
		uint8_t type;
		if (bgp_hdr_check(data + at, size - at, &len, &type, &e) != 1 || len > size - at)
			break;
		const uint8_t *body = data + at + BGP_HDR_LEN;
		size_t blen = len - BGP_HDR_LEN;
		switch (type) {
		case BGP_MSG_OPEN: {
			struct bgp_open ours, peer;
			struct bgp_neg n;
			struct bgp_neg_params p = { .local_as = 65001, .peer_as = 0 };
			if (bgp_open_decode(body, blen, &peer, &e) == 0) {
				bgp_caps_format(&peer.caps, text, sizeof(text));
				bgp_open_init(&ours, 65001, 90, 1);
				bgp_open_negotiate(&p, &ours, &peer, &n, &e);
				bgp_open_encode(&peer, out, sizeof(out));
			}
			break;
		}
		case BGP_MSG_UPDATE:
			fuzz_update(body, blen, &new_ebgp);
			fuzz_update(body, blen, &old_ibgp);
			break;
		case BGP_MSG_NOTIFICATION: {
			struct bgp_notification n;
			if (bgp_notification_decode(body, blen, &n, &e) == 0)
				bgp_notification_format(&n, text, sizeof(text));
			break;
		}
		case BGP_MSG_REFRESH: {
			struct bgp_refresh r;
			bgp_refresh_decode(body, blen, &r, &e);
			break;
		}
		}
		at += len;
	}
	return 0;
}
