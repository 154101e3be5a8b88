/*
 * metalbird -- the node's network interfaces (Linux)
 *
 * A snapshot of the interfaces: name, index, MAC, up/down, addresses, from
 * getifaddrs(3) (netlink underneath; AF_PACKET entries carry the link
 * layer, AF_INET/AF_INET6 entries the addresses).  Users take a snapshot at
 * start and again periodically, and compare: interfaces that come and go
 * are followed that way, as MetalLB does (it rescans every 10 s), without a
 * netlink listener of our own.
 */
#include "sysdep/linux/iface.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static struct iface_info *get(struct iface_info **l, int *n, int *size, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*l)[i].name, name))
			return &(*l)[i];
	if (*n == *size) {
		int ns = *size ? *size * 2 : 16;
		struct iface_info *nl = realloc(*l, sizeof **l * (size_t)ns);
		if (!nl)
			return NULL;
		*l = nl;
		*size = ns;
	}
	struct iface_info *f = &(*l)[(*n)++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	f->index = (int)if_nametoindex(name);
	return f;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct iface_info *)a)->name, ((const struct iface_info *)b)->name);
}

int iface_list(struct iface_info **out, char *err, size_t errlen)
{
	struct ifaddrs *ifa;
	struct iface_info *l = NULL;
	int n = 0, size = 0;

	if (getifaddrs(&ifa) < 0) {
		snprintf(err, errlen, "listing interfaces: %s", strerror(errno));
		return -1;
	}
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_name)
			continue;
		struct iface_info *f = get(&l, &n, &size, i->ifa_name);
		if (!f) {
			snprintf(err, errlen, "out of memory");
			freeifaddrs(ifa);
			free(l);
			return -1;
		}
		f->up = (i->ifa_flags & IFF_UP) && (i->ifa_flags & IFF_RUNNING);
		f->loopback = !!(i->ifa_flags & IFF_LOOPBACK);
		if (!i->ifa_addr)
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_PACKET) {
			const struct sockaddr_ll *ll = (const void *)i->ifa_addr;
			f->index = ll->sll_ifindex;
			if (ll->sll_halen == 6) {
				memcpy(f->mac, ll->sll_addr, 6);
				f->has_mac = 1;
			}
		} else if (fam == AF_INET && f->naddrs < IFACE_MAX_ADDRS) {
			const struct sockaddr_in *s4 = (const void *)i->ifa_addr;
			f->addrs[f->naddrs++] = ip_from_bytes(AF_IP4, (const uint8_t *)&s4->sin_addr);
		} else if (fam == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)i->ifa_addr;
			const uint8_t *b = s6->sin6_addr.s6_addr;
			ip_addr a = ip_from_bytes(AF_IP6, b);
			if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
				if (!f->has_ll6) {
					f->ll6 = a;
					f->has_ll6 = 1;
				}
			} else if (f->naddrs < IFACE_MAX_ADDRS)
				f->addrs[f->naddrs++] = a;
		}
	}
	freeifaddrs(ifa);
	if (n)
		qsort(l, (size_t)n, sizeof *l, by_name);
	*out = l;
	return n;
}

const struct iface_info *iface_find(const struct iface_info *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return &l[i];
	return NULL;
}

char *iface_mac_text(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
