/*
 * metalbird -- libFuzzer harness: BFD control packets
 *
 * Any bytes go through bfd_pkt_decode(); a packet it accepts is fed to a
 * state machine (which must keep its invariants) and encoded again, and
 * the encoding must decode to the same fields.
 */
#include "proto/bfd/fsm.h"
#include "proto/bfd/packets.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bfd_fsm f;
	static int init;
	struct bfd_pkt p, q;
	const char *why;
	uint8_t buf[BFD_PKT_MAX];

	if (!init) {
		bfd_fsm_init(&f, 0x1234, 300000, 300000, 3);
		init = 1;
	}
	if (bfd_pkt_decode(data, size, &p, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	if (p.vers != 1 || !p.mult || !p.my_disc || p.length < BFD_PKT_LEN || p.length > size)
		abort();
	/* the codec round-trips what it accepted */
	size_t n = bfd_pkt_encode(&p, buf, sizeof buf);
	if (n != (p.flags & BFD_F_AUTH ? BFD_PKT_LEN + 3u + p.pw_len : BFD_PKT_LEN) || n > p.length ||
	    bfd_pkt_decode(buf, n, &q, &why) < 0)
		abort();
	if (q.auth_type != p.auth_type || q.auth_key_id != p.auth_key_id || q.pw_len != p.pw_len ||
	    memcmp(q.password, p.password, p.pw_len))
		abort();
	if (q.state != p.state || q.diag != p.diag || q.my_disc != p.my_disc || q.your_disc != p.your_disc ||
	    q.des_min_tx != p.des_min_tx || q.req_min_rx != p.req_min_rx || q.mult != p.mult ||
	    (q.flags & 0x3e) != (p.flags & 0x3e))
		abort();
	/* the state machine stays in range whatever the packet says */
	int ev = bfd_fsm_rx(&f, &p);
	if (f.state > BFD_S_UP || (ev & ~0x1f))
		abort();
	if (f.state != BFD_S_UP && f.des_min_tx < BFD_SLOW_TX)
		abort();
	if (size & 1)
		bfd_fsm_timeout(&f);
	(void)bfd_fsm_detect_time(&f);
	(void)bfd_fsm_tx_interval(&f);
	bfd_fsm_build(&f, (int)(size & 2), &q);
	if ((q.flags & BFD_F_POLL) && (q.flags & BFD_F_FINAL))
		abort();
	return 0;
}
