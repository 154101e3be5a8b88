/*
 * metalbird -- IP addresses and prefixes
 *
 * Parsing and formatting go through inet_pton/inet_ntop, which are the
 * reference for what an address literal is; the arithmetic here works on
 * the four host-order words of ip_addr.
 */
#include "nest/ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ip_cmp(ip_addr a, ip_addr b)
{
	for (int i = 0; i < 4; i++)
		if (a.w[i] != b.w[i])
			return a.w[i] < b.w[i] ? -1 : 1;
	return 0;
}

int ip_pton(const char *s, ip_addr *out)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, &a6) != 1)
			return 0;
		*out = ip_from_bytes(AF_IP6, a6.s6_addr);
		return AF_IP6;
	}
	/* inet_pton accepts only dotted quads, which is what we want. */
	if (inet_pton(AF_INET, s, &a4) != 1)
		return 0;
	*out = ip4_make(ntohl(a4.s_addr));
	return AF_IP4;
}

char *ip_ntop(ip_addr a, char *buf)
{
	uint8_t b[16];

	if (ip_is4(a)) {
		ip_to_bytes(a, b);
		inet_ntop(AF_INET, b, buf, IP_STRLEN);
	} else {
		ip_to_bytes(a, b);
		inet_ntop(AF_INET6, b, buf, IP_STRLEN);
	}
	return buf;
}

void ip_to_bytes(ip_addr a, uint8_t *out)
{
	int first = ip_is4(a) ? 3 : 0;

	for (int i = first, j = 0; i < 4; i++) {
		out[j++] = a.w[i] >> 24;
		out[j++] = a.w[i] >> 16;
		out[j++] = a.w[i] >> 8;
		out[j++] = a.w[i];
	}
}

ip_addr ip_from_bytes(int af, const uint8_t *in)
{
	ip_addr r;

	if (af == AF_IP4)
		return ip4_make((uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
				(uint32_t)in[2] << 8 | in[3]);
	for (int i = 0; i < 4; i++)
		r.w[i] = (uint32_t)in[4 * i] << 24 | (uint32_t)in[4 * i + 1] << 16 |
			 (uint32_t)in[4 * i + 2] << 8 | in[4 * i + 3];
	return r;
}

/* Bit position in the 128-bit word array for bit i of the family. */
static int abs_bit(int af, int i)
{
	return af == AF_IP4 ? 96 + i : i;
}

int ip_bit(ip_addr a, int af, int i)
{
	int b = abs_bit(af, i);
	return (a.w[b / 32] >> (31 - b % 32)) & 1;
}

ip_addr ip_mask(ip_addr a, int af, int len)
{
	int keep = abs_bit(af, len);	/* bits [0, keep) stay */

	for (int i = 0; i < 4; i++) {
		int lo = i * 32;
		if (keep >= lo + 32)
			continue;
		if (keep <= lo)
			a.w[i] = (af == AF_IP4 && i < 3) ? a.w[i] : 0;
		else
			a.w[i] &= ~(0xffffffffu >> (keep - lo));
	}
	return a;
}

ip_addr ip_add(ip_addr a, int64_t n, int *ovf)
{
	if (ovf)
		*ovf = 0;
	if (ip_is4(a)) {
		int64_t v = (int64_t)a.w[3] + n;
		if (v < 0 || v > 0xffffffffLL) {
			if (ovf)
				*ovf = 1;
		}
		return ip4_make((uint32_t)v);
	}
	/* 128-bit add of a sign-extended 64-bit value */
	uint64_t lo = (uint64_t)a.w[2] << 32 | a.w[3];
	uint64_t hi = (uint64_t)a.w[0] << 32 | a.w[1];
	uint64_t add = (uint64_t)n;
	uint64_t nlo = lo + add;
	uint64_t carry = nlo < lo;
	uint64_t nhi = hi + (n < 0 ? UINT64_MAX : 0) + carry;
	if (ovf && ((n >= 0 && nhi < hi) || (n < 0 && nhi > hi)))
		*ovf = 1;
	a.w[0] = nhi >> 32;
	a.w[1] = (uint32_t)nhi;
	a.w[2] = nlo >> 32;
	a.w[3] = (uint32_t)nlo;
	return a;
}

static unsigned __int128 ip_to_u128(ip_addr a)
{
	return (unsigned __int128)a.w[0] << 96 | (unsigned __int128)a.w[1] << 64 |
	       (unsigned __int128)a.w[2] << 32 | a.w[3];
}

int64_t ip_diff(ip_addr a, ip_addr b)
{
	unsigned __int128 ua = ip_to_u128(a), ub = ip_to_u128(b);

	if (ub >= ua)
		return ub - ua > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)(ub - ua);
	return ua - ub > (unsigned __int128)INT64_MAX ? INT64_MIN : -(int64_t)(ua - ub);
}

net_addr net_make(ip_addr ip, int af, int len)
{
	net_addr n;

	memset(&n, 0, sizeof n);
	n.ip = ip_mask(ip, af, len);
	n.af = af;
	n.len = len;
	return n;
}

int net_pton(const char *s, net_addr *out)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	ip_addr ip;
	int af;
	char *end;

	if (!slash || (size_t)(slash - s) >= sizeof buf)
		return -1;
	memcpy(buf, s, slash - s);
	buf[slash - s] = 0;
	if (!(af = ip_pton(buf, &ip)))
		return -1;
	if (!slash[1] || slash[1] == '-' || slash[1] == '+')
		return -1;
	long len = strtol(slash + 1, &end, 10);
	if (*end || len < 0 || len > af_maxlen(af))
		return -1;
	*out = net_make(ip, af, (int)len);
	if (!ip_equal(out->ip, ip))
		return -2;
	return 0;
}

char *net_ntop(const net_addr *n, char *buf)
{
	char ip[IP_STRLEN];

	ip_ntop(n->ip, ip);
	snprintf(buf, NET_STRLEN, "%s/%d", ip, n->len);
	return buf;
}

int net_equal(const net_addr *a, const net_addr *b)
{
	return a->af == b->af && a->len == b->len && ip_equal(a->ip, b->ip);
}

int net_cmp(const net_addr *a, const net_addr *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	int c = ip_cmp(a->ip, b->ip);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

int net_contains(const net_addr *a, const net_addr *b)
{
	if (a->af != b->af || a->len > b->len)
		return 0;
	return ip_equal(ip_mask(b->ip, b->af, a->len), a->ip);
}

int net_contains_ip(const net_addr *n, ip_addr a)
{
	if (ip_af(a) != n->af)
		return 0;
	return ip_equal(ip_mask(a, n->af, n->len), n->ip);
}

ip_addr net_last(const net_addr *n)
{
	ip_addr r = n->ip;
	int keep = abs_bit(n->af, n->len);

	for (int i = 0; i < 4; i++) {
		int lo = i * 32;
		if (keep >= lo + 32)
			continue;
		if (keep <= lo)
			r.w[i] = 0xffffffffu;
		else
			r.w[i] |= 0xffffffffu >> (keep - lo);
	}
	return r;
}
