/*
 * metalbird -- between ip_addr and the socket API's addresses
 *
 * One place for the conversion that every socket user needs.  An IPv4
 * address given for an IPv6 socket becomes its v4-mapped form.
 */
#ifndef MB_SOCKADDR_H
#define MB_SOCKADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "nest/ip.h"

/* Fill ss for a with port; family AF_INET/AF_INET6, or 0 for a's own. */
static inline socklen_t sa_from_ip(ip_addr a, int family, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (!family)
		family = ip_is4(a) ? AF_INET : AF_INET6;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(ip4_get(a));
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	/* ip_addr keeps IPv4 v4-mapped already: the bytes are the mapped form */
	uint8_t b[16];
	if (ip_is4(a)) {
		memset(b, 0, 10);
		b[10] = b[11] = 0xff;
		uint32_t v = htonl(ip4_get(a));
		memcpy(b + 12, &v, 4);
	} else
		ip_to_bytes(a, b);
	memcpy(sin6->sin6_addr.s6_addr, b, 16);
	return sizeof *sin6;
}

/* The address (and port) in ss; a v4-mapped IPv6 address reads as IPv4. */
static inline ip_addr ip_from_sa(const struct sockaddr_storage *ss, uint16_t *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		if (port)
			*port = ntohs(sin->sin_port);
		return ip4_make(ntohl(sin->sin_addr.s_addr));
	}
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	if (port)
		*port = ntohs(sin6->sin6_port);
	return ip_from_bytes(AF_IP6, sin6->sin6_addr.s6_addr);
}

#endif
