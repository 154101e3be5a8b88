/*
 * metalbird -- Linux TCP socket options for BGP
 *
 * TCP-MD5 (RFC 2385) through TCP_MD5SIG: the key is per peer address and
 * must be on both the connecting socket and the listening one.  GTSM
 * (RFC 5082) sends with TTL 255 and drops what arrives with less than
 * 255 - (hops - 1) through IP_MINTTL / IPV6_MINHOPCOUNT: on a connection we
 * open before connect(), on one we accept right after accept() (the
 * listener is shared by all peers; bgp_session_accept() in
 * proto/bgp/session.c says what that leaves unprotected).
 */
#include "sysdep/linux/tcp.h"
#include "sysdep/unix/sockaddr.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif

int tcp_md5_set(int fd, int family, ip_addr peer, const char *key, char *err, size_t errlen)
{
	struct tcp_md5sig md5;

	memset(&md5, 0, sizeof md5);
	sa_from_ip(peer, family, 0, (struct sockaddr_storage *)&md5.tcpm_addr);
	if (key) {
		size_t n = strlen(key);
		if (n > TCP_MD5SIG_MAXKEYLEN) {
			snprintf(err, errlen, "TCP-MD5 password longer than %d bytes", TCP_MD5SIG_MAXKEYLEN);
			return -1;
		}
		md5.tcpm_keylen = (uint16_t)n;
		memcpy(md5.tcpm_key, key, n);
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof md5) < 0) {
		if (!key && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "TCP-MD5: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int tcp_setopts(int fd, int family, const struct sk_tcp_opts *o, ip_addr peer, char *err, size_t errlen)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (o->iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->iface, (socklen_t)strlen(o->iface)) < 0) {
		snprintf(err, errlen, "cannot bind to interface %s: %s", o->iface, strerror(errno));
		return -1;
	}
	if (o->has_local || o->local_port) {
		struct sockaddr_storage ss;
		ip_addr any = family == AF_INET ? ip4_make(0) : (ip_addr){ { 0, 0, 0, 0 } };
		socklen_t len = sa_from_ip(o->has_local ? o->local : any, family, o->local_port, &ss);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
			char a[IP_STRLEN];
			snprintf(err, errlen, "cannot bind to %s: %s", ip_ntop(o->local, a), strerror(errno));
			return -1;
		}
	}
	if (o->ttl > 0) {
		int ttl = o->ttl;
		if (family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
	}
	if (o->min_ttl > 0) {
		int m = o->min_ttl;
		int r = family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_MINTTL, &m, sizeof m)
					  : setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &m, sizeof m);
		if (r < 0) {
			snprintf(err, errlen, "GTSM (minimum TTL): %s", strerror(errno));
			return -1;
		}
	}
	if (o->password && tcp_md5_set(fd, family, peer, o->password, err, errlen) < 0)
		return -1;
	return 0;
}
