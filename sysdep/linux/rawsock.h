/*
 * metalbird -- AF_PACKET sockets for layer 2 (Linux)
 */
#ifndef MB_RAWSOCK_H
#define MB_RAWSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Flags of a received frame (rawsock_recv). */
#define RAWSOCK_OUTGOING	0x1	/* sent by this host: not a question for us */
#define RAWSOCK_CSUM_UNREADY	0x2	/* the L4 checksum is left to the device */
#define RAWSOCK_VLAN		0x4	/* came with an 802.1Q tag (stripped by the device) */

/* A packet socket on interface ifindex that receives only ARP requests and
 * ICMPv6 Neighbor Solicitations (a classic BPF filter in the kernel), non
 * blocking.  Returns the fd, or -1 with err. */
int rawsock_open(int ifindex, char *err, size_t errlen);
/* Join (add) or leave a link-layer multicast group on the socket's
 * interface: what the solicited-node group of an IPv6 address needs. */
int rawsock_membership(int fd, int ifindex, const uint8_t mac[6], int add, char *err, size_t errlen);
/* One frame into buf: its length, 0 when there is none, -1 on error. */
ssize_t rawsock_recv(int fd, uint8_t *buf, size_t len, unsigned *flags);
/* Send one whole Ethernet frame (header included) out of ifindex. */
int rawsock_send(int fd, int ifindex, const uint8_t *frame, size_t len, char *err, size_t errlen);
void rawsock_close(int fd);

#endif
