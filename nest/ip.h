/*
 * metalbird -- IP addresses and prefixes
 *
 * One address type for both families: an IPv4 address is kept as an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d), so that tables, sets and the
 * wire codecs handle both families with one code path.  Words are in host
 * byte order, most significant first, so that comparison is word-wise.
 * A prefix (net_addr) carries its family explicitly, so that ::ffff:0:0/96
 * and 0.0.0.0/0 remain different things.
 */
#ifndef MB_IP_H
#define MB_IP_H

#include <stdint.h>
#include <stddef.h>

#define AF_IP4 4
#define AF_IP6 6

typedef struct ip_addr {
	uint32_t w[4];		/* host order, w[0] most significant */
} ip_addr;

typedef struct net_addr {
	ip_addr ip;		/* network address, host bits cleared */
	uint8_t af;		/* AF_IP4 or AF_IP6 */
	uint8_t len;		/* prefix length in the family's own bits */
} net_addr;

#define IP_STRLEN 48
#define NET_STRLEN 56

static inline ip_addr ip4_make(uint32_t a)
{
	ip_addr r = { { 0, 0, 0xffff, a } };
	return r;
}

static inline int ip_is4(ip_addr a)
{
	return a.w[0] == 0 && a.w[1] == 0 && a.w[2] == 0xffff;
}

static inline int ip_af(ip_addr a) { return ip_is4(a) ? AF_IP4 : AF_IP6; }
static inline uint32_t ip4_get(ip_addr a) { return a.w[3]; }
static inline int ip_equal(ip_addr a, ip_addr b)
{
	return a.w[0] == b.w[0] && a.w[1] == b.w[1] && a.w[2] == b.w[2] && a.w[3] == b.w[3];
}
static inline int ip_is_zero(ip_addr a)
{
	return !(a.w[0] | a.w[1] | a.w[2] | a.w[3]);
}

/* Maximum prefix length of a family. */
static inline int af_maxlen(int af) { return af == AF_IP4 ? 32 : 128; }

int ip_cmp(ip_addr a, ip_addr b);
/* Parse a textual address; returns AF_IP4, AF_IP6 or 0 on error. */
int ip_pton(const char *s, ip_addr *out);
/* Format into buf (at least IP_STRLEN bytes); returns buf. */
char *ip_ntop(ip_addr a, char *buf);
/* Bit i (0 = most significant) of the address in its family's own numbering. */
int ip_bit(ip_addr a, int af, int i);
/* Address with all bits after the first len (family numbering) cleared. */
ip_addr ip_mask(ip_addr a, int af, int len);
/* a + n (n may be negative), wrapping inside the family; *ovf set on wrap. */
ip_addr ip_add(ip_addr a, int64_t n, int *ovf);
/* b - a as a 64-bit count, saturating at INT64_MAX. */
int64_t ip_diff(ip_addr a, ip_addr b);
/* Raw bytes in network order: 4 for IPv4, 16 for IPv6. */
void ip_to_bytes(ip_addr a, uint8_t *out);
ip_addr ip_from_bytes(int af, const uint8_t *in);

/* "203.0.113.0/24" -> net; returns 0 ok, -1 syntax, -2 host bits set. */
int net_pton(const char *s, net_addr *out);
char *net_ntop(const net_addr *n, char *buf);
net_addr net_make(ip_addr ip, int af, int len);
int net_equal(const net_addr *a, const net_addr *b);
int net_cmp(const net_addr *a, const net_addr *b);
/* Does prefix a contain (or equal) prefix b? */
int net_contains(const net_addr *a, const net_addr *b);
int net_contains_ip(const net_addr *n, ip_addr a);
/* Last address of the prefix. */
ip_addr net_last(const net_addr *n);

#endif
