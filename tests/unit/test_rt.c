/*
 * Unit tests of the route table and channels: the trie against a brute-force
 * model (longest match, exact find, ordered walks over random prefixes),
 * and sequences of add / replace / withdraw with exactly what each channel
 * is told, in which batches, after refeeds and resends.
 *
 * The event loop and the filter engine are replaced here by small stand-ins:
 * deferred events run when the test says so (run_defers), and filters are
 * ACCEPT, REJECT, or a C function standing for filter code.  The table and
 * channel code under test is the real one.
 */
#include "nest/channel.h"
#include "nest/filter/filter.h"
#include "nest/rt-table.h"
#include "sysdep/unix/loop.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- stand-ins for the loop -------------------------------------------------------- */

struct defer {
	defer_fn fn;
	void *data;
	int scheduled;
	struct defer *next;
};
static struct defer *defers;

struct defer *defer_new(defer_fn fn, void *data)
{
	struct defer *d = calloc(1, sizeof *d);
	d->fn = fn;
	d->data = data;
	d->next = defers;
	defers = d;
	return d;
}
void defer_schedule(struct defer *d) { d->scheduled = 1; }
void defer_cancel(struct defer *d) { d->scheduled = 0; }
void defer_free(struct defer *d)
{
	for (struct defer **pp = &defers; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	free(d);
}
double now_real(void) { return 1e9; }

/* Run deferred events until none is scheduled; returns the rounds run. */
static int run_defers(void)
{
	int rounds = 0, any;
	do {
		any = 0;
		for (struct defer *d = defers; d; d = d->next)
			if (d->scheduled) {
				d->scheduled = 0;
				d->fn(d->data);
				any = 1;
			}
		rounds += any;
	} while (any && rounds < 100000);
	return rounds;
}

/* --- stand-ins for the filter engine ----------------------------------------------- */

const struct filter filter_accept = { "all", FILTER_KIND_ACCEPT, NULL, { 0 } };
const struct filter filter_reject = { "none", FILTER_KIND_REJECT, NULL, { 0 } };
static int filter_runs;

typedef int (*test_filter_fn)(const net_addr *n, struct rta *tmp);

int filter_same(const struct filter *a, const struct filter *b)
{
	return a == b || (a && b && a->kind == b->kind && a->code == b->code);
}

enum filter_result f_run(const struct filter *f, const net_addr *net, const char *proto, struct rta *a,
			 struct rta **out)
{
	filter_runs++;
	if (!f || f->kind == FILTER_KIND_REJECT)
		return F_REJECT;
	if (f->kind == FILTER_KIND_ACCEPT) {
		*out = rta_clone(a);
		return F_ACCEPT;
	}
	struct rta tmp;
	rta_copy_tmp(&tmp, a);
	if (!((test_filter_fn)f->code)(net, &tmp))
		return F_REJECT;
	*out = rta_lookup(&tmp);
	return F_ACCEPT;
}

/* "filter { if net ~ 100.64.0.0/16 then { bgp_local_pref = 200; accept; } reject; }" */
static int only_lab(const net_addr *n, struct rta *t)
{
	net_addr lab;
	net_pton("100.64.0.0/16", &lab);
	if (!net_contains(&lab, n))
		return 0;
	t->set |= RTA_LOCAL_PREF;
	t->bgp_local_pref = 200;
	return 1;
}
static const struct filter filter_lab = { "lab", FILTER_KIND_CODE, (void *)only_lab, { 0 } };

/* "filter { bgp_local_pref = 300; accept; }" */
static int pref300(const net_addr *n, struct rta *t)
{
	t->set |= RTA_LOCAL_PREF;
	t->bgp_local_pref = 300;
	return 1;
}
static const struct filter filter_pref300 = { "pref300", FILTER_KIND_CODE, (void *)pref300, { 0 } };

/* --- a recording protocol ------------------------------------------------------------ */

#define LOG_MAX 64
struct rec {
	struct proto p;
	struct proto_config cf;
	int begins, ends, in_batch, feed_done, outside_batch;
	long announces, withdraws;
	char log[LOG_MAX][96];	/* the first LOG_MAX notifications */
	int nlog;
};

static void rec_begin(struct channel *ch)
{
	struct rec *r = ch->data;
	r->begins++;
	r->in_batch = 1;
}
static void rec_end(struct channel *ch)
{
	struct rec *r = ch->data;
	r->ends++;
	r->in_batch = 0;
}
static void rec_notify(struct channel *ch, const net_addr *n, struct rta *new, struct rta *old)
{
	struct rec *r = ch->data;
	char b[NET_STRLEN];
	if (!r->in_batch)
		r->outside_batch++;
	if (new)
		r->announces++;
	else
		r->withdraws++;
	if (r->nlog < LOG_MAX) {
		if (new && (new->set & RTA_LOCAL_PREF))
			snprintf(r->log[r->nlog++], 96, "A %s lp%u", net_ntop(n, b), new->bgp_local_pref);
		else
			snprintf(r->log[r->nlog++], 96, "%c %s", new ? 'A' : 'W', net_ntop(n, b));
	}
}
static void rec_feed_done(struct channel *ch)
{
	struct rec *r = ch->data;
	r->feed_done++;
}
static const struct channel_ops rec_ops = {
	.begin = rec_begin, .notify = rec_notify, .end = rec_end, .feed_done = rec_feed_done,
};

static void rec_reset(struct rec *r)
{
	r->begins = r->ends = r->feed_done = r->outside_batch = 0;
	r->announces = r->withdraws = 0;
	r->nlog = 0;
}

static struct rec *recs[16];
static int nrecs;

static void rec_free_all(void)
{
	while (nrecs)
		free(recs[--nrecs]);
}

static struct rec *rec_new(const char *name, const struct filter *f)
{
	struct rec *r = calloc(1, sizeof *r);
	ck_assert_int_lt(nrecs, 16);
	recs[nrecs++] = r;
	r->cf.name = name;
	r->cf.out_filter = f;
	r->p.cf = &r->cf;
	r->p.name = name;
	return r;
}

static struct proto *src_new(const char *name)
{
	struct rec *r = rec_new(name, FILTER_REJECT);
	return &r->p;
}

static net_addr N(const char *s)
{
	net_addr n;
	ck_assert_msg(net_pton(s, &n) == 0, "bad prefix %s", s);
	return n;
}

static struct rta *lp(uint32_t v)
{
	struct rta t;
	rta_copy_tmp(&t, rta_empty());
	t.set |= RTA_LOCAL_PREF;
	t.bgp_local_pref = v;
	return rta_lookup(&t);
}

/* Bring the table back to empty between tests (Check may run them in one
 * process). */
static void drain(struct proto **ps, int n)
{
	for (int i = 0; i < n; i++)
		rte_withdraw_all(ps[i]);
	rt_flush();
	run_defers();
}

/* --- trie ----------------------------------------------------------------------------- */

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static net_addr random_net(int af)
{
	ip_addr ip;
	int len;
	if (af == AF_IP4) {
		/* few top bits vary so that prefixes nest often */
		ip = ip4_make(0x64400000u | (rnd() & 0x000fffffu));
		len = 8 + (int)(rnd() % 25);
	} else {
		ip = (ip_addr){ { 0x20010db8u, rnd() & 0xff, rnd(), rnd() } };
		len = 32 + (int)(rnd() % 97);
	}
	return net_make(ip, af, len);
}

static int model_cmp(const void *a, const void *b)
{
	const net_addr *x = a, *y = b;
	int c = ip_cmp(x->ip, y->ip);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void trie_case(int af, int count)
{
	struct proto *s = src_new("t");
	net_addr *m = calloc((size_t)count, sizeof *m);
	int n = 0;
	struct rta *a = rta_empty();

	for (int i = 0; i < count; i++) {
		net_addr k = random_net(af);
		int dup = 0;
		for (int j = 0; j < n && !dup; j++)
			dup = net_equal(&m[j], &k);
		if (!dup)
			m[n++] = k;
		rte_update(s, &k, a);
	}
	/* withdraw a third */
	for (int i = 0; i < n; i += 3) {
		rte_update(s, &m[i], NULL);
		m[i].len = 255;	/* gone */
	}
	rt_flush();
	int live = 0;
	for (int i = 0; i < n; i++)
		if (m[i].len != 255)
			m[live++] = m[i];
	n = live;
	struct rt_table *t = rt_table_af(af);
	ck_assert_uint_eq(t->nets, (unsigned)n);

	/* exact find */
	for (int i = 0; i < n; i++)
		ck_assert_ptr_nonnull(rt_find(t, &m[i]));

	/* longest match of random addresses against brute force */
	for (int q = 0; q < 3000; q++) {
		net_addr probe = random_net(af);
		int plen = (q & 1) ? af_maxlen(af) : probe.len;
		const net_addr *best = NULL;
		for (int i = 0; i < n; i++)
			if (m[i].len <= plen && net_contains_ip(&m[i], probe.ip) && (!best || m[i].len > best->len))
				best = &m[i];
		struct rt_net *rn = rt_lookup(t, probe.ip, plen);
		if (!best) {
			ck_assert_ptr_null(rn);
			continue;
		}
		ck_assert_ptr_nonnull(rn);
		net_addr got = rt_net_addr(t, rn);
		ck_assert_msg(net_equal(&got, best), "longest match differs");
	}

	/* a full walk is in (address, length) order and complete */
	qsort(m, (size_t)n, sizeof *m, model_cmp);
	struct rt_iter it;
	struct rt_net *rn;
	int k = 0;
	rt_iter_init(&it, t, NULL, NULL);
	while ((rn = rt_iter_next(&it))) {
		net_addr got = rt_net_addr(t, rn);
		ck_assert_int_lt(k, n);
		ck_assert_msg(net_equal(&got, &m[k]), "walk order differs at %d", k);
		k++;
	}
	ck_assert_int_eq(k, n);

	/* a walk that resumes after the trie changed shape (nets added and
	 * removed between its steps) still returns every untouched net once */
	rt_iter_init(&it, t, NULL, NULL);
	k = 0;
	int seen = 0;
	while ((rn = rt_iter_next(&it))) {
		net_addr got = rt_net_addr(t, rn);
		while (k < n && model_cmp(&m[k], &got) < 0)
			k++;
		ck_assert_msg(k < n && net_equal(&m[k], &got), "resumed walk returned a net out of order");
		seen++;
		if (seen % 7 == 0) {
			net_addr extra = random_net(af);
			if (rt_find(t, &extra))
				continue;
			rte_update(s, &extra, a);
			rte_update(s, &extra, NULL);
			rt_flush();	/* frees the node again: shape changes twice */
		}
	}
	ck_assert_int_eq(seen, n);
	drain(&s, 1);
	ck_assert_uint_eq(t->nets, 0);
	ck_assert_ptr_null(t->root);
	free(m);
	rec_free_all();
}

START_TEST(test_trie_v4) { trie_case(AF_IP4, 4000); }
END_TEST

START_TEST(test_trie_v6) { trie_case(AF_IP6, 3000); }
END_TEST

/* Random adds and withdrawals with deliveries in between, so that nets are
 * freed and glue collapses in every order; after each delivery the trie
 * must hold exactly the model's nets, in order. */
static void churn_case(int af)
{
	enum { M = 600 };
	struct proto *s = src_new("churn");
	net_addr pool[M];
	int live[M] = { 0 };
	struct rt_table *t = rt_table_af(af);

	for (int i = 0; i < M; i++) {
		int dup;
		do {
			pool[i] = random_net(af);
			dup = 0;
			for (int j = 0; j < i; j++)
				dup |= net_equal(&pool[j], &pool[i]);
		} while (dup);
	}
	for (int round = 0; round < 60; round++) {
		for (int k = 0; k < 200; k++) {
			int i = (int)(rnd() % M);
			if (rnd() & 1) {
				rte_update(s, &pool[i], rta_empty());
				live[i] = 1;
			} else {
				rte_update(s, &pool[i], NULL);
				live[i] = 0;
			}
		}
		rt_flush();
		net_addr want[M];
		int n = 0;
		for (int i = 0; i < M; i++)
			if (live[i])
				want[n++] = pool[i];
		qsort(want, (size_t)n, sizeof *want, model_cmp);
		ck_assert_uint_eq(t->nets, (unsigned)n);
		struct rt_iter it;
		struct rt_net *rn;
		int k = 0;
		rt_iter_init(&it, t, NULL, NULL);
		while ((rn = rt_iter_next(&it))) {
			net_addr got = rt_net_addr(t, rn);
			ck_assert_int_lt(k, n);
			ck_assert_msg(net_equal(&got, &want[k]), "churn: walk differs at %d", k);
			k++;
		}
		ck_assert_int_eq(k, n);
		for (int i = 0; i < M; i++) {
			struct rt_net *f = rt_find(t, &pool[i]);
			ck_assert_msg(live[i] ? f && f->r.attrs : !f, "churn: find of a %s net", live[i] ? "live" : "dead");
		}
	}
	drain(&s, 1);
	ck_assert_ptr_null(t->root);
	rec_free_all();
}

START_TEST(test_trie_churn_v4) { churn_case(AF_IP4); }
END_TEST

START_TEST(test_trie_churn_v6) { churn_case(AF_IP6); }
END_TEST

START_TEST(test_trie_range)
{
	struct proto *s = src_new("t");
	const char *nets[] = { "100.64.0.0/10", "100.64.1.0/24", "100.64.1.128/25", "100.64.2.0/24",
			       "100.65.0.0/16", "100.128.0.0/16", "203.0.113.0/24" };
	for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
		net_addr n = N(nets[i]);
		rte_update(s, &n, rta_empty());
	}
	/* what `for PREFIX` and `where net ~ P` walk: only inside the range */
	net_addr r = N("100.64.0.0/15"), lo = r;
	ip_addr hi = net_last(&r);
	lo.len = 0;
	struct rt_iter it;
	struct rt_net *rn;
	char got[256] = "", b[NET_STRLEN];
	rt_iter_init(&it, &rt_master4, &lo, &hi);
	while ((rn = rt_iter_next(&it))) {
		net_addr n = rt_net_addr(&rt_master4, rn);
		strcat(got, net_ntop(&n, b));
		strcat(got, " ");
	}
	ck_assert_str_eq(got, "100.64.0.0/10 100.64.1.0/24 100.64.1.128/25 100.64.2.0/24 100.65.0.0/16 ");
	/* longest match */
	ip_addr ip;
	ip_pton("100.64.1.200", &ip);
	rn = rt_lookup(&rt_master4, ip, 32);
	ck_assert_ptr_nonnull(rn);
	ck_assert_uint_eq(rn->n.len, 25);
	ip_pton("100.64.1.2", &ip);
	ck_assert_uint_eq(rt_lookup(&rt_master4, ip, 32)->n.len, 24);
	ip_pton("100.127.0.1", &ip);
	ck_assert_uint_eq(rt_lookup(&rt_master4, ip, 32)->n.len, 10);
	ip_pton("203.0.113.77", &ip);
	ck_assert_uint_eq(rt_lookup(&rt_master4, ip, 32)->n.len, 24);
	ip_pton("198.51.100.1", &ip);
	ck_assert_ptr_null(rt_lookup(&rt_master4, ip, 32));
	drain(&s, 1);
	rec_free_all();
}
END_TEST

/* --- channels --------------------------------------------------------------------------- */

START_TEST(test_channel_sequences)
{
	struct proto *s1 = src_new("s1"), *s2 = src_new("s2");
	struct rec *acc = rec_new("acc", FILTER_ACCEPT), *rej = rec_new("rej", FILTER_REJECT);
	struct rec *lab = rec_new("lab", &filter_lab);
	struct channel *ca = channel_new(&acc->p, &rec_ops, acc);
	struct channel *cr = channel_new(&rej->p, &rec_ops, rej);
	struct channel *cl = channel_new(&lab->p, &rec_ops, lab);
	struct rta *a1 = lp(100), *a2 = lp(150);
	net_addr x = N("100.64.1.0/24"), y = N("203.0.113.0/24");

	channel_up(ca);
	channel_up(cr);
	channel_up(cl);
	run_defers();
	ck_assert_int_eq(acc->feed_done, 1);	/* empty table: a feed of nothing */
	ck_assert_int_eq(acc->announces, 0);

	/* add: ACCEPT is told as is, REJECT nothing, lab with its own rta */
	rte_update(s1, &x, a1);
	rte_update(s1, &y, a1);
	ck_assert_int_eq(acc->announces, 0);	/* batched: not before the loop turn */
	run_defers();
	ck_assert_int_eq(acc->nlog, 2);
	ck_assert_str_eq(acc->log[0], "A 100.64.1.0/24 lp100");
	ck_assert_str_eq(acc->log[1], "A 203.0.113.0/24 lp100");
	ck_assert_int_eq(acc->begins, 1);
	ck_assert_int_eq(acc->ends, 1);
	ck_assert_int_eq(acc->outside_batch, 0);
	ck_assert_int_eq(rej->nlog, 0);
	ck_assert_int_eq(rej->begins, 0);	/* nothing to say: no batch at all */
	ck_assert_int_eq(lab->nlog, 1);
	ck_assert_str_eq(lab->log[0], "A 100.64.1.0/24 lp200");
	ck_assert_uint_eq(ca->st.exported, 2);
	ck_assert_ptr_eq(channel_sent(ca, &x), a1);

	/* replace with the same attributes: nothing */
	rec_reset(acc);
	rec_reset(lab);
	rte_update(s1, &x, a1);
	run_defers();
	ck_assert_int_eq(acc->nlog, 0);

	/* replace with other attributes: ACCEPT told; lab's output is the same
	 * (its filter overwrites local pref), so lab is told nothing */
	rte_update(s1, &x, a2);
	run_defers();
	ck_assert_int_eq(acc->nlog, 1);
	ck_assert_str_eq(acc->log[0], "A 100.64.1.0/24 lp150");
	ck_assert_int_eq(lab->nlog, 0);

	/* a second source for x is not the best: nothing */
	rec_reset(acc);
	rte_update(s2, &x, a1);
	run_defers();
	ck_assert_int_eq(acc->nlog, 0);
	ck_assert_uint_eq(rt_master4.routes, 3);

	/* the best goes: the second becomes best and is announced */
	rte_update(s1, &x, NULL);
	run_defers();
	ck_assert_int_eq(acc->nlog, 1);
	ck_assert_str_eq(acc->log[0], "A 100.64.1.0/24 lp100");
	ck_assert_int_eq(lab->nlog, 0);

	/* the last route goes: withdrawn everywhere it was sent */
	rec_reset(acc);
	rec_reset(lab);
	rte_update(s2, &x, NULL);
	run_defers();
	ck_assert_int_eq(acc->nlog, 1);
	ck_assert_str_eq(acc->log[0], "W 100.64.1.0/24");
	ck_assert_int_eq(lab->nlog, 1);
	ck_assert_str_eq(lab->log[0], "W 100.64.1.0/24");
	ck_assert_int_eq(rej->nlog, 0);
	ck_assert_ptr_null(rt_find(&rt_master4, &x));	/* the net is gone after delivery */

	/* added and withdrawn before the loop turn: nobody hears of it */
	rec_reset(acc);
	rte_update(s1, &x, a1);
	rte_update(s1, &x, NULL);
	run_defers();
	ck_assert_int_eq(acc->nlog, 0);

	/* a source's own route is not exported back to it */
	struct rec *selfp = rec_new("self", FILTER_ACCEPT);
	struct channel *cs = channel_new(&selfp->p, &rec_ops, selfp);
	channel_up(cs);
	run_defers();
	ck_assert_int_eq(selfp->nlog, 1);	/* y from s1 */
	rec_reset(selfp);
	net_addr z = N("198.51.100.0/24");
	rte_update(&selfp->p, &z, a1);
	run_defers();
	ck_assert_int_eq(selfp->nlog, 0);
	rec_reset(acc);
	rte_withdraw_all(&selfp->p);
	run_defers();
	ck_assert_int_eq(acc->nlog, 1);
	ck_assert_str_eq(acc->log[0], "W 198.51.100.0/24");
	channel_free(cs);

	/* a channel that is down is told nothing; up, it gets a full feed */
	channel_down(ca);
	rec_reset(acc);
	rte_update(s1, &x, a1);
	run_defers();
	ck_assert_int_eq(acc->nlog, 0);
	channel_up(ca);
	run_defers();
	ck_assert_int_eq(acc->nlog, 2);
	ck_assert_int_eq(acc->feed_done, 1);
	ck_assert_int_eq(acc->outside_batch, 0);

	struct proto *ps[] = { s1, s2 };
	drain(ps, 2);
	channel_free(ca);
	channel_free(cr);
	channel_free(cl);
	rta_free(a1);
	rta_free(a2);
	rec_free_all();
}
END_TEST

START_TEST(test_channel_refeed)
{
	struct proto *s1 = src_new("s1");
	struct rec *r = rec_new("peer", FILTER_REJECT);
	struct channel *ch = channel_new(&r->p, &rec_ops, r);
	const char *nets[] = { "100.64.0.0/24", "100.64.1.0/24", "100.99.0.0/24", "203.0.113.0/24" };
	for (int i = 0; i < 4; i++) {
		net_addr n = N(nets[i]);
		rte_update(s1, &n, rta_empty());
	}
	channel_up(ch);
	run_defers();
	ck_assert_int_eq(r->nlog, 0);

	/* REJECT -> lab (RC_SOFT): only the two lab routes are announced */
	r->cf.out_filter = &filter_lab;
	channel_proto_reconfigured(&r->p);
	run_defers();
	ck_assert_int_eq(r->nlog, 2);
	ck_assert_str_eq(r->log[0], "A 100.64.0.0/24 lp200");
	ck_assert_str_eq(r->log[1], "A 100.64.1.0/24 lp200");
	ck_assert_int_eq(r->feed_done, 2);	/* the first feed at up, and this one */

	/* the same filter again (a new config's copy): no refeed at all */
	rec_reset(r);
	int runs = filter_runs;
	channel_proto_reconfigured(&r->p);
	run_defers();
	ck_assert_int_eq(r->nlog, 0);
	ck_assert_int_eq(filter_runs, runs);

	/* lab -> ACCEPT: the lab routes change (local pref dropped) and the two
	 * others are new; four notifications, no withdrawal */
	r->cf.out_filter = FILTER_ACCEPT;
	channel_proto_reconfigured(&r->p);
	run_defers();
	ck_assert_int_eq(r->announces, 4);
	ck_assert_int_eq(r->withdraws, 0);

	/* ACCEPT -> pref300 -> lab: from pref300 to lab, the two lab routes
	 * change and the two others are withdrawn */
	r->cf.out_filter = &filter_pref300;
	channel_proto_reconfigured(&r->p);
	run_defers();
	rec_reset(r);
	r->cf.out_filter = &filter_lab;
	channel_proto_reconfigured(&r->p);
	run_defers();
	ck_assert_int_eq(r->announces, 2);
	ck_assert_int_eq(r->withdraws, 2);
	ck_assert_str_eq(r->log[2], "W 100.99.0.0/24");
	ck_assert_str_eq(r->log[3], "W 203.0.113.0/24");

	/* a refeed with nothing changed sends nothing; a resend sends all */
	rec_reset(r);
	channel_refeed(ch);
	run_defers();
	ck_assert_int_eq(r->nlog, 0);
	ck_assert_int_eq(r->feed_done, 1);
	channel_resend(ch);
	run_defers();
	ck_assert_int_eq(r->announces, 2);
	ck_assert_int_eq(r->withdraws, 0);

	/* changes during a refeed are not lost nor doubled */
	rec_reset(r);
	r->cf.out_filter = FILTER_ACCEPT;
	channel_proto_reconfigured(&r->p);
	net_addr extra = N("100.64.7.0/24"), gone = N("203.0.113.0/24");
	rte_update(s1, &extra, rta_empty());
	rte_update(s1, &gone, NULL);
	run_defers();
	/* 100.64.0 and 100.64.1 changed, 100.99 and 100.64.7 new; 203.0.113
	 * was never sent, so its withdrawal is not told */
	ck_assert_int_eq(r->announces, 4);
	ck_assert_int_eq(r->withdraws, 0);
	ck_assert_uint_eq(ch->st.exported, 4);

	/* a restart with a new config: down, the config changes, up: the
	 * full feed runs the new config's filter */
	channel_down(ch);
	struct proto_config newcf = r->cf;
	newcf.out_filter = &filter_pref300;
	r->p.cf = &newcf;
	rec_reset(r);
	channel_up(ch);
	run_defers();
	ck_assert_int_eq(r->announces, 4);
	ck_assert_str_eq(r->log[0], "A 100.64.0.0/24 lp300");
	r->p.cf = &r->cf;

	drain(&s1, 1);
	ck_assert_uint_eq(ch->st.exported, 0);
	channel_free(ch);
	rec_free_all();
}
END_TEST

START_TEST(test_channel_batches)
{
	struct proto *s1 = src_new("s1");
	struct rec *r = rec_new("peer", FILTER_ACCEPT);
	struct channel *ch = channel_new(&r->p, &rec_ops, r);
	const int count = 50000;

	channel_up(ch);
	run_defers();
	rec_reset(r);
	for (int i = 0; i < count; i++) {
		net_addr n = net_make(ip4_make(0x64400000u + (uint32_t)i), AF_IP4, 32);
		rte_update(s1, &n, rta_empty());
	}
	ck_assert_int_eq(r->announces, 0);
	/* one slice per loop turn, each a bounded batch */
	ck_assert_uint_eq(rt_flush_slice(CHANNEL_SLICE), (unsigned)(count - CHANNEL_SLICE));
	ck_assert_int_eq(r->announces, CHANNEL_SLICE);
	ck_assert_int_eq(r->begins, 1);
	run_defers();
	ck_assert_int_eq(r->announces, count);
	ck_assert_int_eq(r->begins, (count + CHANNEL_SLICE - 1) / CHANNEL_SLICE);
	ck_assert_int_eq(r->ends, r->begins);
	ck_assert_int_eq(r->outside_batch, 0);

	/* a resend of 50,000 runs in slices too, and ends with feed_done */
	rec_reset(r);
	channel_resend(ch);
	ck_assert_int_eq(run_defers() >= 3, 1);
	ck_assert_int_eq(r->announces, count);
	ck_assert_int_eq(r->begins, (count + CHANNEL_SLICE - 1) / CHANNEL_SLICE);
	ck_assert_int_eq(r->feed_done, 1);

	rec_reset(r);
	rte_withdraw_all(s1);
	run_defers();
	ck_assert_int_eq(r->withdraws, count);
	ck_assert_uint_eq(rt_master4.nets, 0);
	ck_assert_ptr_null(rt_master4.root);
	channel_free(ch);
	rec_free_all();
}
END_TEST

/* A table loaded before any channel is up queues nothing; changes while a
 * channel's full feed runs reach it once, from the queue or from the feed,
 * and a net withdrawn before the feed reaches it is withdrawn. */
START_TEST(test_channel_feed_overlap)
{
	struct proto *s1 = src_new("s1");
	struct rec *r = rec_new("peer", FILTER_ACCEPT);
	struct channel *ch = channel_new(&r->p, &rec_ops, r);
	const int count = 3 * CHANNEL_SLICE;
	struct rt_iter it;
	struct rt_net *rn;

	/* routes earlier tests left (when not forked: CK_FORK=no) go first */
	for (int i = 0; i < 2; i++) {
		rt_iter_init(&it, i ? &rt_master6 : &rt_master4, NULL, NULL);
		while ((rn = rt_iter_next(&it)))
			rte_withdraw_all(rt_src_proto(rn->r.src));
	}
	rt_flush();
	run_defers();

	for (int i = 0; i < count; i++) {
		net_addr n = net_make(ip4_make(0x64400000u + (uint32_t)i), AF_IP4, 32);
		rte_update(s1, &n, rta_empty());
	}
	ck_assert_uint_eq(rt_flush_slice(CHANNEL_SLICE), 0);
	channel_up(ch);
	/* the feed's first slice, then changes on both sides of it */
	for (struct defer *d = defers; d; d = d->next)
		if (d->scheduled && d->data == ch) {
			d->scheduled = 0;
			d->fn(d->data);
		}
	ck_assert_int_eq(r->announces, CHANNEL_SLICE);
	net_addr behind = net_make(ip4_make(0x64400000u + 5), AF_IP4, 32);
	net_addr ahead = net_make(ip4_make(0x64400000u + CHANNEL_SLICE + 5), AF_IP4, 32);
	net_addr gone = net_make(ip4_make(0x64400000u + 2 * CHANNEL_SLICE + 5), AF_IP4, 32);
	net_addr added = N("203.0.113.0/24"), added6 = N("2001:db8::/32");
	rte_update(s1, &behind, NULL);
	rte_update(s1, &ahead, NULL);
	rte_update(s1, &ahead, rta_empty());
	rte_update(s1, &gone, NULL);
	rte_update(s1, &added, rta_empty());
	rte_update(s1, &added6, rta_empty());
	run_defers();
	/* every net announced exactly once, the one behind the feed withdrawn */
	ck_assert_int_eq(r->announces, count - 1 + 2);
	ck_assert_int_eq(r->withdraws, 1);
	ck_assert_int_eq(r->feed_done, 1);
	/* ... and its filter run once: nets ahead of the feed wait for it */
	ck_assert_uint_eq(ch->st.upd_ignored, 0);
	ck_assert_uint_eq(ch->st.exported, (unsigned)(count - 2 + 2));
	ck_assert_ptr_null(channel_sent(ch, &behind));
	ck_assert_ptr_null(channel_sent(ch, &gone));
	ck_assert_ptr_nonnull(channel_sent(ch, &ahead));
	ck_assert_ptr_nonnull(channel_sent(ch, &added6));

	/* a refeed that has yet to reach a net withdrawn meanwhile withdraws it */
	rec_reset(r);
	channel_refeed(ch);
	rte_update(s1, &ahead, NULL);
	run_defers();
	ck_assert_int_eq(r->announces, 0);
	ck_assert_int_eq(r->withdraws, 1);
	ck_assert_ptr_null(channel_sent(ch, &ahead));

	rec_reset(r);
	rte_withdraw_all(s1);
	run_defers();
	ck_assert_int_eq(r->withdraws, count - 3 + 2);
	ck_assert_ptr_null(rt_master4.root);
	ck_assert_ptr_null(rt_master6.root);
	channel_free(ch);
	rec_free_all();
}
END_TEST

static Suite *rt_suite(void)
{
	Suite *s = suite_create("rt");
	TCase *tc = tcase_create("table");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_trie_v4);
	tcase_add_test(tc, test_trie_v6);
	tcase_add_test(tc, test_trie_churn_v4);
	tcase_add_test(tc, test_trie_churn_v6);
	tcase_add_test(tc, test_trie_range);
	tcase_add_test(tc, test_channel_sequences);
	tcase_add_test(tc, test_channel_refeed);
	tcase_add_test(tc, test_channel_batches);
	tcase_add_test(tc, test_channel_feed_overlap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
