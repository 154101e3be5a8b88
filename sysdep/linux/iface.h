/*
 * metalbird -- the node's network interfaces (Linux)
 */
#ifndef MB_IFACE_H
#define MB_IFACE_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "nest/ip.h"

#define IFACE_MAX_ADDRS 16

struct iface_info {
	int index;			/* ifindex */
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	int has_mac;			/* an Ethernet (6-octet) link-layer address */
	int up;				/* IFF_UP and IFF_RUNNING */
	int loopback;			/* IFF_LOOPBACK */
	ip_addr ll6;			/* an IPv6 link-local address */
	int has_ll6;
	ip_addr addrs[IFACE_MAX_ADDRS];	/* its IPv4 and global IPv6 addresses */
	int naddrs;
};

/* Every interface of the node, sorted by name, in a malloc'd array (free()
 * it).  Returns the count, or -1 with err. */
int iface_list(struct iface_info **out, char *err, size_t errlen);
/* Find by name in a list from iface_list(); NULL when absent. */
const struct iface_info *iface_find(const struct iface_info *l, int n, const char *name);
/* "02:00:00:00:00:01" into buf (18 bytes) */
char *iface_mac_text(const uint8_t mac[6], char *buf);

#endif
