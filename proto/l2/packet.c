/*
 * metalbird -- layer-2 wire formats
 *
 * Decoding of the two questions a layer-2 announcer answers (an ARP request
 * and an IPv6 Neighbor Solicitation) and building of the answers (ARP
 * reply, Neighbor Advertisement) and of the takeover notices (gratuitous ARP,
 * unsolicited NA).  Pure functions over buffers: the raw sockets are in
 * sysdep/linux/rawsock.c, and the fuzzer drives l2_pkt_parse() directly.
 * Received bytes are read only through the bounds-checked reader below.
 */
#include "proto/l2/packet.h"

#include <string.h>

/* --- a bounds-checked reader ------------------------------------------------ */

struct rd {
	const uint8_t *p;
	size_t len, off;
	int bad;			/* read past the end */
};

static const uint8_t *rd_take(struct rd *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

static unsigned rd_u8(struct rd *r)
{
	const uint8_t *q = rd_take(r, 1);
	return q ? q[0] : 0;
}

static unsigned rd_u16(struct rd *r)
{
	const uint8_t *q = rd_take(r, 2);
	return q ? (unsigned)(q[0] << 8 | q[1]) : 0;
}

static void rd_bytes(struct rd *r, void *out, size_t n)
{
	const uint8_t *q = rd_take(r, n);
	if (q)
		memcpy(out, q, n);
	else
		memset(out, 0, n);
}

static size_t rd_left(const struct rd *r)
{
	return r->bad ? 0 : r->len - r->off;
}

/* --- parsing ------------------------------------------------------------------ */

/* RFC 826: htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4, op 1. */
static int parse_arp(struct rd *r, struct l2_pkt *out, const char **err)
{
	uint8_t sip[4], tip[4], tha[6];

	if (rd_u16(r) != 1 || rd_u16(r) != 0x0800 || rd_u8(r) != 6 || rd_u8(r) != 4) {
		*err = r->bad ? "short ARP packet" : "not Ethernet/IPv4 ARP";
		return -1;
	}
	if (rd_u16(r) != 1) {
		*err = r->bad ? "short ARP packet" : "not an ARP request";
		return -1;
	}
	rd_bytes(r, out->sender_mac, 6);
	rd_bytes(r, sip, 4);
	rd_bytes(r, tha, 6);
	rd_bytes(r, tip, 4);
	if (r->bad) {
		*err = "short ARP packet";
		return -1;
	}
	out->kind = L2_PKT_ARP_REQUEST;
	out->has_sender_mac = 1;
	out->sender_ip = ip_from_bytes(AF_IP4, sip);
	out->target = ip_from_bytes(AF_IP4, tip);
	return 0;
}

/*
 * RFC 4861 section 7.1.1: a node MUST silently discard a Neighbor
 * Solicitation whose IP Hop Limit is not 255, whose ICMP code is not 0,
 * whose ICMP length is less than 24 octets, whose target is a multicast
 * address, whose options have a zero length, or that comes from the
 * unspecified address with a source link-layer address option.
 * No kernel checks the checksum of what AF_PACKET hands us, so we do,
 * unless the frame came from this host with its checksum left to the
 * device (L2_PARSE_NO_CSUM: veth frames marked CHECKSUM_PARTIAL).
 */
static int parse_ns(struct rd *r, unsigned flags, struct l2_pkt *out, const char **err)
{
	uint8_t src[16], dst[16], tgt[16];

	unsigned vtc = rd_u8(r);
	rd_take(r, 3);
	unsigned plen = rd_u16(r);
	unsigned nh = rd_u8(r);
	unsigned hlim = rd_u8(r);
	rd_bytes(r, src, 16);
	rd_bytes(r, dst, 16);
	if (r->bad) {
		*err = "short IPv6 header";
		return -1;
	}
	if (vtc >> 4 != 6) {
		*err = "not IPv6";
		return -1;
	}
	if (nh != 58) {
		*err = "not ICMPv6 (or extension headers)";
		return -1;
	}
	if (plen > rd_left(r)) {
		*err = "IPv6 payload length beyond the frame";
		return -1;
	}
	if (hlim != 255) {
		*err = "NS hop limit is not 255";
		return -1;
	}
	if (plen < 24) {
		*err = "NS shorter than 24 octets";
		return -1;
	}
	const uint8_t *icmp = r->p + r->off;
	struct rd m = { icmp, plen, 0, 0 };
	unsigned type = rd_u8(&m), code = rd_u8(&m);
	rd_u16(&m);
	rd_take(&m, 4);
	rd_bytes(&m, tgt, 16);
	if (type != L2_ICMP6_NS || code != 0) {
		*err = "not a Neighbor Solicitation";
		return -1;
	}
	ip_addr s = ip_from_bytes(AF_IP6, src), d = ip_from_bytes(AF_IP6, dst);
	if (!(flags & L2_PARSE_NO_CSUM) && l2_icmp6_csum(s, d, icmp, plen) != 0) {
		*err = "bad ICMPv6 checksum";
		return -1;
	}
	if (tgt[0] == 0xff) {
		*err = "multicast NS target";
		return -1;
	}
	out->has_sender_mac = 0;
	while (rd_left(&m) > 0) {
		unsigned otype = rd_u8(&m), olen = rd_u8(&m);
		if (m.bad || olen == 0) {
			*err = "bad NS option length";
			return -1;
		}
		const uint8_t *body = rd_take(&m, (size_t)olen * 8 - 2);
		if (!body) {
			*err = "NS option beyond the packet";
			return -1;
		}
		/* RFC 4861 section 4.6.1: Source Link-Layer Address, 6 octets on Ethernet */
		if (otype == 1 && olen == 1) {
			memcpy(out->sender_mac, body, 6);
			out->has_sender_mac = 1;
		}
	}
	int unspec = 1;
	for (int i = 0; i < 16; i++)
		unspec &= src[i] == 0;
	if (unspec && out->has_sender_mac) {
		*err = "NS from :: with a source link-layer option";
		return -1;
	}
	out->kind = L2_PKT_NS;
	out->sender_ip = s;
	out->target = ip_from_bytes(AF_IP6, tgt);
	return 0;
}

int l2_pkt_parse(const uint8_t *buf, size_t len, unsigned flags, struct l2_pkt *out, const char **err)
{
	struct rd r = { buf, len, 0, 0 };
	uint8_t dst[6];

	memset(out, 0, sizeof *out);
	rd_bytes(&r, dst, 6);
	rd_bytes(&r, out->eth_src, 6);
	unsigned type = rd_u16(&r);
	if (r.bad) {
		*err = "short Ethernet frame";
		return -1;
	}
	if (type == L2_ETHERTYPE_ARP)
		return parse_arp(&r, out, err);
	if (type == L2_ETHERTYPE_IP6)
		return parse_ns(&r, flags, out, err);
	*err = "neither ARP nor IPv6";
	return -1;
}

/* --- building ----------------------------------------------------------------- */

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint8_t *put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], unsigned type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	return put16(p + 12, type);
}

static size_t put_arp(uint8_t *buf, const uint8_t eth_dst[6], unsigned op, const uint8_t sha[6], ip_addr sip,
		      const uint8_t tha[6], ip_addr tip)
{
	uint8_t *p = put_eth(buf, eth_dst, sha, L2_ETHERTYPE_ARP);
	p = put16(p, 1);
	p = put16(p, 0x0800);
	*p++ = 6;
	*p++ = 4;
	p = put16(p, op);
	memcpy(p, sha, 6);
	ip_to_bytes(sip, p + 6);
	memcpy(p + 10, tha, 6);
	ip_to_bytes(tip, p + 16);
	p += 20;
	/* pad to the Ethernet minimum of 60 octets (without FCS) */
	size_t n = (size_t)(p - buf);
	if (n < 60) {
		memset(p, 0, 60 - n);
		n = 60;
	}
	return n;
}

size_t l2_build_arp_reply(uint8_t *buf, const uint8_t mac[6], ip_addr ip, const struct l2_pkt *asker)
{
	return put_arp(buf, asker->eth_src, 2, mac, ip, asker->sender_mac, asker->sender_ip);
}

size_t l2_build_garp(uint8_t *buf, const uint8_t mac[6], ip_addr ip)
{
	static const uint8_t zero[6];
	return put_arp(buf, mac_bcast, 1, mac, ip, zero, ip);
}

uint16_t l2_icmp6_csum(ip_addr src, ip_addr dst, const uint8_t *icmp, size_t len)
{
	uint8_t ps[40];
	uint32_t sum = 0;

	/* RFC 8200 section 8.1: source, destination, upper-layer length (32
	 * bits), three zero octets and the next header */
	ip_to_bytes(src, ps);
	ip_to_bytes(dst, ps + 16);
	ps[32] = (uint8_t)(len >> 24);
	ps[33] = (uint8_t)(len >> 16);
	ps[34] = (uint8_t)(len >> 8);
	ps[35] = (uint8_t)len;
	ps[36] = ps[37] = ps[38] = 0;
	ps[39] = 58;
	for (size_t i = 0; i < sizeof ps; i += 2)
		sum += (uint32_t)(ps[i] << 8 | ps[i + 1]);
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(icmp[i] << 8 | icmp[i + 1]);
	if (len & 1)
		sum += (uint32_t)icmp[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t l2_build_na(uint8_t *buf, const uint8_t mac[6], ip_addr src, ip_addr target, ip_addr dst,
		   const uint8_t dst_mac[6], int solicited)
{
	uint8_t *p = put_eth(buf, dst_mac, mac, L2_ETHERTYPE_IP6);
	uint8_t *ip6 = p, *icmp = p + 40;
	const size_t plen = 32;		/* NA 24 + target link-layer option 8 */

	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	put16(ip6 + 4, plen);
	ip6[6] = 58;
	ip6[7] = 255;			/* RFC 4861 section 7.1.2: receivers demand 255 */
	ip_to_bytes(src, ip6 + 8);
	ip_to_bytes(dst, ip6 + 24);

	/* RFC 4861 section 4.4: type, code, checksum, R|S|O flags, target,
	 * then the Target Link-Layer Address option (section 4.6.1) */
	memset(icmp, 0, plen);
	icmp[0] = L2_ICMP6_NA;
	icmp[4] = (uint8_t)((solicited ? 0x40 : 0) | 0x20);	/* S, O */
	ip_to_bytes(target, icmp + 8);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	put16(icmp + 2, l2_icmp6_csum(src, dst, icmp, plen));
	return L2_ETH_HLEN + 40 + plen;
}

size_t l2_build_unsolicited_na(uint8_t *buf, const uint8_t mac[6], ip_addr src, ip_addr target)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	ip_addr all;
	ip_pton("ff02::1", &all);
	/* RFC 4861 section 7.2.6: unsolicited NAs go to all-nodes, S clear, O set */
	return l2_build_na(buf, mac, src, target, all, all_nodes_mac, 0);
}

void l2_solicited_mac(ip_addr a, uint8_t out[6])
{
	uint8_t b[16];
	ip_to_bytes(a, b);
	/* RFC 4291 section 2.7.1 (ff02::1:ffXX:XXXX) mapped by RFC 2464 section 7 */
	out[0] = 0x33;
	out[1] = 0x33;
	out[2] = 0xff;
	out[3] = b[13];
	out[4] = b[14];
	out[5] = b[15];
}
