/*
 * metalbird -- Linux TCP socket options for BGP
 */
#ifndef MB_TCP_H
#define MB_TCP_H

#include <stddef.h>

#include "nest/ip.h"
#include "sysdep/unix/loop.h"

/* Apply bind address/port, SO_BINDTODEVICE, TTL, GTSM (IP_MINTTL) and the
 * TCP-MD5 key for peer from o to a fresh socket of the given family. */
int tcp_setopts(int fd, int family, const struct sk_tcp_opts *o, ip_addr peer, char *err, size_t errlen);
/* Set (key != NULL) or remove (key == NULL) the RFC 2385 key for one peer. */
int tcp_md5_set(int fd, int family, ip_addr peer, const char *key, char *err, size_t errlen);

#endif
