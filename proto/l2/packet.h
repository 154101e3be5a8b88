/*
 * metalbird -- layer-2 wire formats: ARP and IPv6 Neighbor Discovery
 */
#ifndef MB_L2_PACKET_H
#define MB_L2_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"

#define L2_ETH_HLEN 14
#define L2_ARP_LEN 28
#define L2_FRAME_MAX 128		/* the largest frame we build */

#define L2_ETHERTYPE_ARP 0x0806
#define L2_ETHERTYPE_IP6 0x86dd
#define L2_ICMP6_NS 135
#define L2_ICMP6_NA 136

/* What a received frame asks for. */
enum l2_pkt_kind { L2_PKT_ARP_REQUEST, L2_PKT_NS };

struct l2_pkt {
	enum l2_pkt_kind kind;
	uint8_t eth_src[6];		/* the frame's source MAC */
	uint8_t sender_mac[6];		/* ARP sender / NS source link-layer option */
	int has_sender_mac;		/* NS: the option was present */
	ip_addr sender_ip;		/* ARP sender IP / IPv6 source (:: for DAD) */
	ip_addr target;			/* the address asked for */
};

/* Decode a frame (Ethernet header first): 0 and *out for an ARP request or
 * a Neighbor Solicitation that is well formed, or -1 with the reason in
 * err (static text). */
#define L2_PARSE_NO_CSUM 0x1	/* the checksum is not filled in yet: skip it */
int l2_pkt_parse(const uint8_t *buf, size_t len, unsigned flags, struct l2_pkt *out, const char **err);

/*
 * Builders write one Ethernet frame into buf (L2_FRAME_MAX bytes) and
 * return its length.
 */
/* ARP reply telling asker that ip is at mac (RFC 826). */
size_t l2_build_arp_reply(uint8_t *buf, const uint8_t mac[6], ip_addr ip, const struct l2_pkt *asker);
/* Gratuitous ARP, request form (RFC 5227 section 3): sender = target = ip. */
size_t l2_build_garp(uint8_t *buf, const uint8_t mac[6], ip_addr ip);
/* Neighbor Advertisement for target with our link-layer address (RFC 4861
 * section 4.4), from src to dst (dst_mac on the wire); solicited sets S. */
size_t l2_build_na(uint8_t *buf, const uint8_t mac[6], ip_addr src, ip_addr target, ip_addr dst,
		   const uint8_t dst_mac[6], int solicited);
/* Unsolicited NA to all-nodes ff02::1 with the Override flag. */
size_t l2_build_unsolicited_na(uint8_t *buf, const uint8_t mac[6], ip_addr src, ip_addr target);

/* The solicited-node multicast MAC of an IPv6 address (33:33:ff + low 24 bits). */
void l2_solicited_mac(ip_addr a, uint8_t out[6]);

/* ICMPv6 checksum with the RFC 8200 section 8.1 pseudo-header. */
uint16_t l2_icmp6_csum(ip_addr src, ip_addr dst, const uint8_t *icmp, size_t len);

#endif
