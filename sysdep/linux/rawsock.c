/*
 * metalbird -- AF_PACKET sockets for layer 2 (Linux)
 *
 * One packet socket per interface that protocol l2 serves.  A classic BPF
 * program lets only ARP requests and ICMPv6 Neighbor Solicitations through,
 * so the daemon is not woken for the rest of the segment's traffic; whether
 * the target is an address we own is decided in user space (the set
 * changes too often to recompile a filter).  The filter is attached before
 * the socket is bound, so that no unfiltered frame is ever queued.
 *
 * Solicited-node multicast groups are joined with PACKET_ADD_MEMBERSHIP on
 * the multicast MAC: the interface then passes those frames up, which is
 * all an AF_PACKET listener needs (no IPv6 address is configured).  The
 * kernel counts memberships per socket, so joining twice needs leaving
 * twice.
 */
#include "sysdep/linux/rawsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/*
 * ldh [12]; ARP (0x0806) with op [20] == 1 (request) -> accept;
 * IPv6 (0x86dd) with next header [20] == 58 (ICMPv6) and type [54] == 135
 * (NS) -> accept; everything else -> drop.  NS with extension headers are
 * not seen: senders of NS do not use them.
 */
static struct sock_filter rawsock_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),			/* 0 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 2),	/* 1: -> 2 / 4 */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),			/* 2 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 6),		/* 3: -> 9 / 10 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),	/* 4: -> 5 / 10 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),			/* 5 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),		/* 6: -> 7 / 10 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),			/* 7 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 0, 1),		/* 8: -> 9 / 10 */
	BPF_STMT(BPF_RET | BPF_K, 0x40000),			/* 9: accept */
	BPF_STMT(BPF_RET | BPF_K, 0),				/* 10: drop */
};

int rawsock_open(int ifindex, char *err, size_t errlen)
{
	struct sock_fprog prog = { sizeof rawsock_bpf / sizeof rawsock_bpf[0], rawsock_bpf };
	int one = 1;

	/* protocol 0: nothing is received until bind() names one */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "packet socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) {
		snprintf(err, errlen, "attaching the ARP/NS filter: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/* both are optional: without them we check in user space */
	setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one);
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);

	struct sockaddr_ll sll = { 0 };
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		snprintf(err, errlen, "binding the packet socket to interface %d: %s", ifindex, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int rawsock_membership(int fd, int ifindex, const uint8_t mac[6], int add, char *err, size_t errlen)
{
	struct packet_mreq mr = { 0 };

	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_MULTICAST;
	mr.mr_alen = 6;
	memcpy(mr.mr_address, mac, 6);
	if (setsockopt(fd, SOL_PACKET, add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mr, sizeof mr) < 0) {
		snprintf(err, errlen, "%s multicast %02x:%02x:%02x:%02x:%02x:%02x: %s", add ? "joining" : "leaving",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], strerror(errno));
		return -1;
	}
	return 0;
}

ssize_t rawsock_recv(int fd, uint8_t *buf, size_t len, unsigned *flags)
{
	struct sockaddr_ll from;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = { buf, len };
	struct msghdr m = { 0 };

	m.msg_name = &from;
	m.msg_namelen = sizeof from;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = &ctl;
	m.msg_controllen = sizeof ctl;
	*flags = 0;
	ssize_t n = recvmsg(fd, &m, MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	if ((size_t)n > len)
		n = (ssize_t)len;	/* truncated: the parser sees what fits */
	if (from.sll_pkttype == PACKET_OUTGOING)
		*flags |= RAWSOCK_OUTGOING;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(c), sizeof aux);
			if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
				*flags |= RAWSOCK_CSUM_UNREADY;
			/* a tag the device stripped: the frame belongs to a VLAN
			 * interface, and an untagged answer would go astray */
			if (aux.tp_status & TP_STATUS_VLAN_VALID)
				*flags |= RAWSOCK_VLAN;
		}
	return n;
}

int rawsock_send(int fd, int ifindex, const uint8_t *frame, size_t len, char *err, size_t errlen)
{
	struct sockaddr_ll to = { 0 };

	if (len < 14) {
		snprintf(err, errlen, "frame too short");
		return -1;
	}
	to.sll_family = AF_PACKET;
	to.sll_ifindex = ifindex;
	to.sll_halen = 6;
	memcpy(to.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
		snprintf(err, errlen, "send on interface %d: %s", ifindex, strerror(errno));
		return -1;
	}
	return 0;
}

void rawsock_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
