/*
 * libFuzzer harness over the layer-2 received-frame parser
 * (proto/l2/packet.c: l2_pkt_parse), the only code that reads frames from
 * the segment.  What it accepts is answered as the daemon would, so the
 * builders run on fuzzed input too.
 */
#include <stddef.h>
#include <stdint.h>

#include "proto/l2/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	uint8_t out[L2_FRAME_MAX];
	struct l2_pkt p;
	const char *err = NULL;

	for (unsigned flags = 0; flags <= L2_PARSE_NO_CSUM; flags++) {
		if (l2_pkt_parse(data, size, flags, &p, &err) < 0) {
			if (!err)
				__builtin_trap();	/* a failure always says why */
			continue;
		}
		if (p.kind == L2_PKT_ARP_REQUEST)
			l2_build_arp_reply(out, mac, p.target, &p);
		else
			l2_build_na(out, mac, p.target, p.target, p.sender_ip,
				    p.has_sender_mac ? p.sender_mac : p.eth_src, 1);
	}
	return 0;
}
