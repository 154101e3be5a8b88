/*
 * Unit tests of layer 2: the election (proto/l2/election.c) and the wire
 * formats (proto/l2/packet.c).
 *
 * Election vectors were computed outside metalbird, with coreutils:
 *   printf '%s' 'node-a#203.0.113.10' | sha256sum   -> 939733108e70...
 *   printf '%s' 'node-b#203.0.113.10' | sha256sum   -> d84adac440a0...
 *   printf '%s' 'node-c#203.0.113.10' | sha256sum   -> 64a599b0338d...
 *   printf '%s' 'node-a#198.51.100.7' | sha256sum   -> 0fe8d8fae33e...
 *   printf '%s' 'node-b#198.51.100.7' | sha256sum   -> a41b3250e21c...
 *   printf '%s' 'node-c#198.51.100.7' | sha256sum   -> fe35eea5a9c0...
 *   printf '%s' 'node-a#2001:db8::10' | sha256sum   -> 5525059d790a...
 *   printf '%s' 'node-b#2001:db8::10' | sha256sum   -> 21d5668f18c0...
 *   printf '%s' 'node-c#2001:db8::10' | sha256sum   -> d30d3eb7a242...
 * and for the text form of IPv6 addresses (RFC 5952, as Go's net.IP prints
 * them: no "::" for a single zero group, the first of equal runs):
 *   printf '%s' 'node-a#2001:db8:0:1:1:1:1:1' | sha256sum -> 9b61bb23c6c4...
 *   printf '%s' 'node-a#2001:db8::1:0:0:1' | sha256sum    -> 714f24695e20...
 * so for 203.0.113.10 the order is c, a, b; for 198.51.100.7 a, b, c; for
 * 2001:db8::10 b, a, c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nest/mem.h"
#include "nest/selector.h"
#include "proto/l2/election.h"
#include "proto/l2/packet.h"

/* --- a small cluster ------------------------------------------------------------ */

static struct k8s_db db;

static struct kv_list *labels(const char *k, const char *v)
{
	struct kv_list *l = kv_list_new(k ? 1 : 0);
	if (k) {
		l->kv[0].key = xstrdup(k);
		l->kv[0].value = xstrdup(v);
	}
	return l;
}

static struct k8s_node *node(const char *name, int ready)
{
	struct k8s_node *n = xzalloc(sizeof *n);
	n->name = xstrdup(name);
	n->ready = ready;
	n->labels = labels(NULL, NULL);
	void *old = k8s_set_put(&db.nodes, n->name, n);
	if (old)
		k8s_node_free(old);
	return n;
}

static struct service *svc(const char *ns, const char *name, const char *addr, enum k8s_policy pol)
{
	struct service *s = svc_new();
	char key[128];
	s->namespace = xstrdup(ns);
	s->name = xstrdup(name);
	snprintf(key, sizeof key, "%s/%s", ns, name);
	s->key = xstrdup(key);
	s->labels = labels(NULL, NULL);
	s->annotations = labels(NULL, NULL);
	s->traffic_policy = pol;
	ck_assert(ip_pton(addr, &s->addrs[0]) != 0);
	s->naddrs = 1;
	k8s_set_put(&db.services, s->key, s);
	return s;
}

/* One slice for Service ns/name with endpoints "node:serving" */
static void slice(const char *ns, const char *name, const char *nodes[], const int serving[], int n)
{
	struct epslice *e = xzalloc(sizeof *e);
	char key[128];
	e->namespace = xstrdup(ns);
	snprintf(key, sizeof key, "%s-abc", name);
	e->name = xstrdup(key);
	snprintf(key, sizeof key, "%s/%s-abc", ns, name);
	e->key = xstrdup(key);
	e->service = xstrdup(name);
	e->eps = xzalloc(sizeof *e->eps * (size_t)(n ? n : 1));
	e->neps = n;
	for (int i = 0; i < n; i++) {
		e->eps[i].node = nodes[i] ? xstrdup(nodes[i]) : NULL;
		e->eps[i].serving = serving[i];
	}
	void *old = k8s_set_put(&db.slices, e->key, e);
	if (old)
		epslice_free(old);
}

static void setup(void)
{
	k8s_db_init(&db);
	node("node-a", 1);
	node("node-b", 1);
	node("node-c", 1);
}

static void teardown(void)
{
	k8s_db_free(&db);	/* frees every object too */
}

static const char *winner(const struct service *s, const struct selector *sel)
{
	const char *w = l2_elect(&db, s, sel);
	return w ? w : "(none)";
}

/* --- election --------------------------------------------------------------------- */

static void hex(const uint8_t *k, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", k[i]);
}

START_TEST(key_matches_sha256sum)
{
	uint8_t k[32];
	char h[65];
	ip_addr a;

	ck_assert(ip_pton("203.0.113.10", &a) != 0);
	ck_assert_int_eq(l2_elect_key("node-a", a, k), 0);
	hex(k, h);
	ck_assert_str_eq(h, "939733108e705e1c953f95ec29eaeffd206635e3ba16b242cd13b2d122424376");
	ck_assert(ip_pton("2001:db8::10", &a) != 0);
	ck_assert_int_eq(l2_elect_key("node-b", a, k), 0);
	hex(k, h);
	ck_assert_str_eq(h, "21d5668f18c03bbe00f394da685dde376e0293fd36d5320ac575f592bd70c06b");
	ck_assert(ip_pton("2001:db8:0:1:1:1:1:1", &a) != 0);
	ck_assert_int_eq(l2_elect_key("node-a", a, k), 0);
	hex(k, h);
	ck_assert_str_eq(h, "9b61bb23c6c4a2ebbca0a6efd696253d10581d5937db6daf61204f86b28342e0");
	ck_assert(ip_pton("2001:0db8:0000:0000:0001:0000:0000:0001", &a) != 0);
	ck_assert_int_eq(l2_elect_key("node-a", a, k), 0);
	hex(k, h);
	ck_assert_str_eq(h, "714f24695e207d7e37431e22e421563eeca9062122196b58a8cb86f321dcbf6f");
}
END_TEST

START_TEST(order_by_hash)
{
	const char *all[] = { "node-a", "node-b", "node-c" };
	const int yes[] = { 1, 1, 1 };
	struct service *s1 = svc("default", "web", "203.0.113.10", K8S_POLICY_CLUSTER);
	struct service *s2 = svc("default", "dns", "198.51.100.7", K8S_POLICY_CLUSTER);
	struct service *s3 = svc("default", "v6", "2001:db8::10", K8S_POLICY_CLUSTER);
	slice("default", "web", all, yes, 1);
	slice("default", "dns", all, yes, 1);
	slice("default", "v6", all, yes, 1);
	ck_assert_str_eq(winner(s1, NULL), "node-c");
	ck_assert_str_eq(winner(s2, NULL), "node-a");
	ck_assert_str_eq(winner(s3, NULL), "node-b");
}
END_TEST

START_TEST(ineligible_nodes_skipped)
{
	const char *eps[] = { "node-a" };
	const int yes[] = { 1 };
	struct service *s = svc("default", "web", "203.0.113.10", K8S_POLICY_CLUSTER);
	slice("default", "web", eps, yes, 1);

	ck_assert_str_eq(winner(s, NULL), "node-c");
	/* c NotReady -> a (next in order c, a, b) */
	node("node-c", 0);
	ck_assert_str_eq(winner(s, NULL), "node-a");
	/* a NetworkUnavailable -> b */
	struct k8s_node *a = node("node-a", 1);
	a->network_unavailable = 1;
	ck_assert_str_eq(winner(s, NULL), "node-b");
	ck_assert_int_eq(l2_node_eligible(&db, s, a, NULL), L2_NET_UNAVAILABLE);
	/* b excluded by label -> nobody */
	struct k8s_node *b = node("node-b", 1);
	kv_list_free(b->labels);
	b->labels = labels(L2_EXCLUDE_LABEL, "");
	ck_assert_str_eq(winner(s, NULL), "(none)");
	/* c back -> c */
	node("node-c", 1);
	ck_assert_str_eq(winner(s, NULL), "node-c");
}
END_TEST

START_TEST(node_selector)
{
	const char *eps[] = { "node-a" };
	const int yes[] = { 1 };
	char err[64];
	int off;
	struct arena *ar = arena_new();
	struct selector *sel = selector_parse(ar, "rack=r1", err, sizeof err, &off);
	ck_assert_ptr_nonnull(sel);
	struct service *s = svc("default", "web", "203.0.113.10", K8S_POLICY_CLUSTER);
	slice("default", "web", eps, yes, 1);

	ck_assert_str_eq(winner(s, sel), "(none)");
	struct k8s_node *b = node("node-b", 1);
	kv_list_free(b->labels);
	b->labels = labels("rack", "r1");
	ck_assert_str_eq(winner(s, sel), "node-b");
	ck_assert_str_eq(winner(s, NULL), "node-c");
	arena_free(ar);
}
END_TEST

START_TEST(local_policy)
{
	const char *eps[] = { "node-b", "node-a", NULL };
	const int serving[] = { 1, 0, 1 };
	struct service *s = svc("prod", "web", "203.0.113.10", K8S_POLICY_LOCAL);

	/* no endpoints at all: nobody, whatever the policy */
	ck_assert_str_eq(winner(s, NULL), "(none)");
	slice("prod", "web", eps, serving, 3);
	/* only b serves (a is not serving): b, though c and a sort first */
	ck_assert_str_eq(winner(s, NULL), "node-b");
	const int both[] = { 1, 1, 0 };
	slice("prod", "web", eps, both, 3);
	ck_assert_str_eq(winner(s, NULL), "node-a");
	/* the same endpoints under Cluster policy: c */
	s->traffic_policy = K8S_POLICY_CLUSTER;
	ck_assert_str_eq(winner(s, NULL), "node-c");
	/* a slice of another namespace's Service of the same name does not count */
	s->traffic_policy = K8S_POLICY_LOCAL;
	const int none[] = { 0, 0, 0 };
	slice("prod", "web", eps, none, 3);
	slice("other", "web", eps, both, 3);
	ck_assert_str_eq(winner(s, NULL), "(none)");
}
END_TEST

START_TEST(first_address_keys_both_families)
{
	const char *eps[] = { "node-a" };
	const int yes[] = { 1 };
	struct service *s = svc("default", "dual", "2001:db8::10", K8S_POLICY_CLUSTER);
	ck_assert(ip_pton("203.0.113.10", &s->addrs[1]) != 0);
	s->naddrs = 2;
	slice("default", "dual", eps, yes, 1);
	/* keyed by 2001:db8::10 (b first), not by 203.0.113.10 (c first) */
	ck_assert_str_eq(winner(s, NULL), "node-b");
	ip_addr a;
	ck_assert(ip_pton("203.0.113.10", &a) != 0);
	ck_assert_ptr_eq(l2_svc_lookup(&db, NULL, NULL, a), s);
	ck_assert_ptr_eq(l2_svc_lookup(&db, "default", "dual", a), s);
	ck_assert_ptr_null(l2_svc_lookup(&db, "default", "nope", a));
	/* without an allocation, status ingress gives the first address */
	s->naddrs = 0;
	ck_assert(ip_pton("198.51.100.7", &s->ingress[0]) != 0);
	s->ningress = 1;
	ck_assert_str_eq(winner(s, NULL), "node-a");
}
END_TEST

/* --- packets ---------------------------------------------------------------------- */

static const uint8_t mac_us[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_them[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* An ARP request as `arping -I eth0 203.0.113.10` sends it, by hand. */
static size_t arp_request(uint8_t *f, const char *sip, const char *tip, unsigned op)
{
	uint8_t b[4];
	memset(f, 0xff, 6);
	memcpy(f + 6, mac_them, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0, f[18] = 6, f[19] = 4, f[20] = 0, f[21] = (uint8_t)op;
	memcpy(f + 22, mac_them, 6);
	ip_addr a;
	ck_assert(ip_pton(sip, &a) != 0);
	ip_to_bytes(a, b);
	memcpy(f + 28, b, 4);
	memset(f + 32, 0, 6);
	ck_assert(ip_pton(tip, &a) != 0);
	ip_to_bytes(a, b);
	memcpy(f + 38, b, 4);
	return 42;
}

START_TEST(arp_request_and_reply)
{
	uint8_t f[L2_FRAME_MAX], r[L2_FRAME_MAX];
	struct l2_pkt p, q;
	const char *err = NULL;
	char a[IP_STRLEN];

	size_t n = arp_request(f, "203.0.113.1", "203.0.113.10", 1);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), 0);
	ck_assert_int_eq(p.kind, L2_PKT_ARP_REQUEST);
	ck_assert_str_eq(ip_ntop(p.target, a), "203.0.113.10");
	ck_assert_str_eq(ip_ntop(p.sender_ip, a), "203.0.113.1");
	ck_assert_mem_eq(p.sender_mac, mac_them, 6);

	size_t m = l2_build_arp_reply(r, mac_us, p.target, &p);
	ck_assert_uint_eq(m, 60);
	ck_assert_mem_eq(r, mac_them, 6);		/* to the asker */
	ck_assert_mem_eq(r + 6, mac_us, 6);
	ck_assert_uint_eq(r[21], 2);			/* op reply */
	ck_assert_mem_eq(r + 22, mac_us, 6);		/* sha: us */
	ck_assert_mem_eq(r + 28, f + 38, 4);		/* spa: the address asked for */
	ck_assert_mem_eq(r + 32, mac_them, 6);
	ck_assert_mem_eq(r + 38, f + 28, 4);
	/* a reply is not a question */
	ck_assert_int_eq(l2_pkt_parse(r, m, 0, &q, &err), -1);
	ck_assert_str_eq(err, "not an ARP request");
	/* every truncation fails cleanly */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(l2_pkt_parse(f, i, 0, &q, &err), -1);
}
END_TEST

START_TEST(garp)
{
	uint8_t f[L2_FRAME_MAX];
	struct l2_pkt p;
	const char *err;
	ip_addr a;
	char s[IP_STRLEN];

	ck_assert(ip_pton("198.51.100.7", &a) != 0);
	size_t n = l2_build_garp(f, mac_us, a);
	ck_assert_uint_eq(n, 60);
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	ck_assert_mem_eq(f, bc, 6);
	/* RFC 5227: a request with sender = target = the address */
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), 0);
	ck_assert_str_eq(ip_ntop(p.sender_ip, s), "198.51.100.7");
	ck_assert_str_eq(ip_ntop(p.target, s), "198.51.100.7");
	ck_assert_mem_eq(p.sender_mac, mac_us, 6);
}
END_TEST

/* A Neighbor Solicitation as ndisc6 sends it, checksum from our function
 * checked against a hand computation below. */
static size_t ns_frame(uint8_t *f, const char *src, const char *tgt, int hlim, int with_opt)
{
	ip_addr s, t, d;
	uint8_t tb[16];
	ck_assert(ip_pton(src, &s) != 0);
	ck_assert(ip_pton(tgt, &t) != 0);
	ip_to_bytes(t, tb);
	char dst[64];
	snprintf(dst, sizeof dst, "ff02::1:ff%02x:%02x%02x", tb[13], tb[14], tb[15]);
	ck_assert(ip_pton(dst, &d) != 0);
	uint8_t mc[6];
	l2_solicited_mac(t, mc);
	memcpy(f, mc, 6);
	memcpy(f + 6, mac_them, 6);
	f[12] = 0x86, f[13] = 0xdd;
	uint8_t *ip6 = f + 14, *icmp = f + 54;
	size_t plen = with_opt ? 32 : 24;
	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	ip6[5] = (uint8_t)plen;
	ip6[6] = 58;
	ip6[7] = (uint8_t)hlim;
	ip_to_bytes(s, ip6 + 8);
	ip_to_bytes(d, ip6 + 24);
	memset(icmp, 0, plen);
	icmp[0] = 135;
	memcpy(icmp + 8, tb, 16);
	if (with_opt) {
		icmp[24] = 1;
		icmp[25] = 1;
		memcpy(icmp + 26, mac_them, 6);
	}
	uint16_t c = l2_icmp6_csum(s, d, icmp, plen);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 54 + plen;
}

START_TEST(icmp6_checksum_known)
{
	/* An NS from 2001:db8::1 for 2001:db8::10: our checksum equals the
	 * one's complement sum written out here by its definition (RFC 1071),
	 * and a packet carrying it sums to zero. */
	ip_addr s, d;
	ck_assert(ip_pton("2001:db8::1", &s) != 0);
	ck_assert(ip_pton("ff02::1:ff00:10", &d) != 0);
	uint8_t icmp[32] = { 135, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
			     1, 1, 2, 0, 0, 0, 0, 2 };
	uint16_t c = l2_icmp6_csum(s, d, icmp, sizeof icmp);
	/* independent: one's complement sum by the textbook definition */
	uint32_t sum = 0;
	uint8_t ps[40] = { 0 };
	ip_to_bytes(s, ps);
	ip_to_bytes(d, ps + 16);
	ps[35] = 32;
	ps[39] = 58;
	for (int i = 0; i < 40; i += 2)
		sum += (uint32_t)(ps[i] * 256 + ps[i + 1]);
	for (int i = 0; i < 32; i += 2)
		sum += (uint32_t)(icmp[i] * 256 + icmp[i + 1]);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(c, (uint16_t)~sum);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	ck_assert_uint_eq(l2_icmp6_csum(s, d, icmp, sizeof icmp), 0);
}
END_TEST

START_TEST(ns_and_na)
{
	uint8_t f[L2_FRAME_MAX], r[L2_FRAME_MAX];
	struct l2_pkt p;
	const char *err = NULL;
	char a[IP_STRLEN];

	size_t n = ns_frame(f, "2001:db8::1", "2001:db8::10", 255, 1);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), 0);
	ck_assert_int_eq(p.kind, L2_PKT_NS);
	ck_assert_str_eq(ip_ntop(p.target, a), "2001:db8::10");
	ck_assert_str_eq(ip_ntop(p.sender_ip, a), "2001:db8::1");
	ck_assert_int_eq(p.has_sender_mac, 1);
	ck_assert_mem_eq(p.sender_mac, mac_them, 6);

	/* a wrong checksum is dropped, unless the kernel says it is not filled in */
	f[56] ^= 1;
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), -1);
	ck_assert_str_eq(err, "bad ICMPv6 checksum");
	ck_assert_int_eq(l2_pkt_parse(f, n, L2_PARSE_NO_CSUM, &p, &err), 0);
	f[56] ^= 1;

	/* RFC 4861 7.1.1 */
	n = ns_frame(f, "2001:db8::1", "2001:db8::10", 64, 1);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), -1);
	ck_assert_str_eq(err, "NS hop limit is not 255");
	n = ns_frame(f, "::", "2001:db8::10", 255, 1);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), -1);
	n = ns_frame(f, "::", "2001:db8::10", 255, 0);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), 0);
	ck_assert_int_eq(p.has_sender_mac, 0);
	n = ns_frame(f, "2001:db8::1", "ff02::1", 255, 0);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), -1);
	n = ns_frame(f, "2001:db8::1", "2001:db8::10", 255, 1);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(l2_pkt_parse(f, i, 0, &p, &err), -1);
	ck_assert_int_eq(l2_pkt_parse(f, n, 0, &p, &err), 0);

	/* the solicited answer: to the asker, S and O set, valid checksum */
	ip_addr src, tgt;
	ck_assert(ip_pton("fe80::1", &src) != 0);
	tgt = p.target;
	size_t m = l2_build_na(r, mac_us, src, tgt, p.sender_ip, p.sender_mac, 1);
	ck_assert_uint_eq(m, 14 + 40 + 32);
	ck_assert_mem_eq(r, mac_them, 6);
	ck_assert_uint_eq(r[14 + 7], 255);
	ck_assert_uint_eq(r[54], 136);
	ck_assert_uint_eq(r[54 + 4], 0x60);
	ck_assert_mem_eq(r + 54 + 26, mac_us, 6);
	ck_assert_uint_eq(l2_icmp6_csum(src, p.sender_ip, r + 54, 32), 0);

	/* unsolicited: to all-nodes, O only */
	m = l2_build_unsolicited_na(r, mac_us, src, tgt);
	static const uint8_t allmac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	ck_assert_mem_eq(r, allmac, 6);
	ck_assert_uint_eq(r[54 + 4], 0x20);
	ip_addr all;
	ck_assert(ip_pton("ff02::1", &all) != 0);
	ck_assert_uint_eq(l2_icmp6_csum(src, all, r + 54, 32), 0);
	/* an NA is not a question */
	ck_assert_int_eq(l2_pkt_parse(r, m, 0, &p, &err), -1);
}
END_TEST

START_TEST(solicited_mac)
{
	ip_addr a;
	uint8_t m[6];
	static const uint8_t want[6] = { 0x33, 0x33, 0xff, 0xab, 0xcd, 0xef };
	ck_assert(ip_pton("2001:db8::12ab:cdef", &a) != 0);
	l2_solicited_mac(a, m);
	ck_assert_mem_eq(m, want, 6);
}
END_TEST

static Suite *l2_suite(void)
{
	Suite *s = suite_create("l2");
	TCase *e = tcase_create("election");
	tcase_add_checked_fixture(e, setup, teardown);
	tcase_add_test(e, key_matches_sha256sum);
	tcase_add_test(e, order_by_hash);
	tcase_add_test(e, ineligible_nodes_skipped);
	tcase_add_test(e, node_selector);
	tcase_add_test(e, local_policy);
	tcase_add_test(e, first_address_keys_both_families);
	suite_add_tcase(s, e);
	TCase *p = tcase_create("packet");
	tcase_add_test(p, arp_request_and_reply);
	tcase_add_test(p, garp);
	tcase_add_test(p, icmp6_checksum_known);
	tcase_add_test(p, ns_and_na);
	tcase_add_test(p, solicited_mac);
	suite_add_tcase(s, p);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(l2_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
