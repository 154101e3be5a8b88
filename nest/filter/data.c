/*
 * metalbird -- filters: values, sets, paths and community lists
 *
 * Sets are built once at config time: int and pair sets are sorted arrays of
 * disjoint ranges searched by bisection; prefix sets are a bit trie in which
 * each node carries two length masks (patterns ending here, patterns below
 * here), so a lookup walks at most prefix-length nodes.  Paths and community
 * lists are the adata blobs of nest/route.h; a filter that changes one
 * writes the new blob into run-time scratch memory, which is reused from run
 * to run (no allocation per route once warm), and rta_lookup() copies what
 * the interned set keeps.
 */
#include "nest/filter/f-inst.h"
#include "nest/mem.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *f_type_name(enum f_type t)
{
	static const char *names[T__MAX] = {
		[T_VOID] = "void", [T_INT] = "int", [T_BOOL] = "bool", [T_STRING] = "string",
		[T_IP] = "ip", [T_PREFIX] = "prefix", [T_PAIR] = "pair", [T_LC] = "lc",
		[T_ORIGIN] = "origin", [T_PATH] = "bgppath", [T_CLIST] = "clist",
		[T_LCLIST] = "lclist", [T_PATH_MASK] = "bgpmask", [T_SET_INT] = "int set",
		[T_SET_PAIR] = "pair set", [T_SET_PREFIX] = "prefix set", [T_SET_LC] = "lc set",
	};
	return t < T__MAX && names[t] ? names[t] : "?";
}

/* --- scratch memory ---------------------------------------------------------- */

struct scratch_chunk {
	struct scratch_chunk *next;
	size_t size, used;
	_Alignas(16) char data[];
};
static struct scratch_chunk *scratch_head, *scratch_cur;

void f_scratch_reset(void)
{
	for (struct scratch_chunk *c = scratch_head; c; c = c->next)
		c->used = 0;
	scratch_cur = scratch_head;
}

void *f_scratch_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	for (struct scratch_chunk *c = scratch_cur; c; c = c->next) {
		if (c->size - c->used >= n) {
			void *p = c->data + c->used;
			c->used += n;
			scratch_cur = c;
			return p;
		}
	}
	size_t size = n > 65536 ? n : 65536;
	struct scratch_chunk *c = xmalloc(sizeof *c + size);
	c->size = size;
	c->used = n;
	c->next = NULL;
	/* append, so that reset walks every chunk */
	struct scratch_chunk **pp = &scratch_head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	scratch_cur = c;
	return c->data;
}

static struct adata *scratch_adata(uint32_t len)
{
	struct adata *a = f_scratch_alloc(sizeof *a + len);
	a->length = len;
	return a;
}

/* --- comparison -------------------------------------------------------------- */

static uint32_t ad_len(const struct adata *a)
{
	return a ? a->length : 0;
}

static int ad_equal(const struct adata *a, const struct adata *b)
{
	uint32_t la = ad_len(a), lb = ad_len(b);
	return la == lb && (!la || !memcmp(a->data, b->data, la));
}

int f_val_equal(const struct f_val *a, const struct f_val *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case T_VOID: return 1;
	case T_INT: case T_ORIGIN: return a->u.i == b->u.i;
	case T_BOOL: return !a->u.b == !b->u.b;
	case T_STRING: return !strcmp(a->u.s, b->u.s);
	case T_IP: return ip_equal(a->u.ip, b->u.ip);
	case T_PREFIX: return net_equal(&a->u.net, &b->u.net);
	case T_PAIR: return a->u.pair == b->u.pair;
	case T_LC: return a->u.lc.a == b->u.lc.a && a->u.lc.b == b->u.lc.b && a->u.lc.c == b->u.lc.c;
	case T_PATH: case T_CLIST: case T_LCLIST: return ad_equal(a->u.ad, b->u.ad);
	case T_PATH_MASK:
		return a->u.pm->n == b->u.pm->n &&
		       !memcmp(a->u.pm->item, b->u.pm->item, sizeof a->u.pm->item[0] * (size_t)a->u.pm->n);
	case T_SET_INT: case T_SET_PAIR:
		return a->u.set->n == b->u.set->n &&
		       !memcmp(a->u.set->r, b->u.set->r, sizeof a->u.set->r[0] * (size_t)a->u.set->n);
	case T_SET_LC:
		return a->u.lcs->n == b->u.lcs->n &&
		       !memcmp(a->u.lcs->p, b->u.lcs->p, sizeof a->u.lcs->p[0] * (size_t)a->u.lcs->n);
	case T_SET_PREFIX:
		if (a->u.trie->n != b->u.trie->n)
			return 0;
		for (int i = 0; i < a->u.trie->n; i++) {
			const struct f_prefix_pat *p = &a->u.trie->pats[i], *q = &b->u.trie->pats[i];
			if (!net_equal(&p->net, &q->net) || p->lo != q->lo || p->hi != q->hi)
				return 0;
		}
		return 1;
	default: return 0;
	}
}

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

int f_val_cmp(const struct f_val *a, const struct f_val *b)
{
	if (a->type != b->type)
		return -2;
	switch (a->type) {
	case T_INT: case T_ORIGIN: return CMP(a->u.i, b->u.i);
	case T_STRING: { int c = strcmp(a->u.s, b->u.s); return CMP(c, 0); }
	case T_IP: { int c = ip_cmp(a->u.ip, b->u.ip); return CMP(c, 0); }
	case T_PAIR: return CMP(a->u.pair, b->u.pair);
	case T_LC:
		if (a->u.lc.a != b->u.lc.a)
			return CMP(a->u.lc.a, b->u.lc.a);
		if (a->u.lc.b != b->u.lc.b)
			return CMP(a->u.lc.b, b->u.lc.b);
		return CMP(a->u.lc.c, b->u.lc.c);
	default: return -2;
	}
}

/* --- int and pair sets ----------------------------------------------------------- */

int f_set_contains(const struct f_set *s, uint64_t v)
{
	int lo = 0, hi = s->n - 1;
	while (lo <= hi) {
		int m = (lo + hi) / 2;
		if (v < s->r[m].lo)
			hi = m - 1;
		else if (v > s->r[m].hi)
			lo = m + 1;
		else
			return 1;
	}
	return 0;
}

static int range_cmp(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;
	return CMP(a[0], b[0]);
}

/* --- prefix trie ----------------------------------------------------------------- */

struct f_trie_node {
	struct f_trie_node *c[2];
	uint64_t own[3];	/* lengths accepted by patterns ending at this node */
	uint64_t sub[3];	/* ... by patterns strictly below it */
};

static void mask_range(uint64_t m[3], int lo, int hi)
{
	for (int i = lo; i <= hi; i++)
		m[i / 64] |= 1ull << (i % 64);
}

static int mask_test(const uint64_t m[3], int i)
{
	return (m[i / 64] >> (i % 64)) & 1;
}

static void trie_add(struct f_trie *t, const struct f_prefix_pat *p)
{
	int fam = p->net.af == AF_IP4 ? 0 : 1;
	struct f_trie_node **np = &t->root[fam];
	uint64_t m[3] = { 0, 0, 0 };

	mask_range(m, p->lo, p->hi);
	for (int d = 0;; d++) {
		if (!*np)
			*np = cf_alloc(sizeof(struct f_trie_node));
		struct f_trie_node *n = *np;
		if (d == p->net.len) {
			for (int i = 0; i < 3; i++)
				n->own[i] |= m[i];
			return;
		}
		for (int i = 0; i < 3; i++)
			n->sub[i] |= m[i];
		np = &n->c[ip_bit(p->net.ip, p->net.af, d)];
	}
}

/* A prefix n matches pattern P/l{lo,hi} when the first min(n.len, l) bits of
 * n and P agree and lo <= n.len <= hi (BIRD's prefix pattern rule). */
int f_trie_match(const struct f_trie *t, const net_addr *n)
{
	const struct f_trie_node *x = t->root[n->af == AF_IP4 ? 0 : 1];

	for (int d = 0; x; d++) {
		if (d == n->len)
			return mask_test(x->own, n->len) || mask_test(x->sub, n->len);
		if (mask_test(x->own, n->len))
			return 1;
		x = x->c[ip_bit(n->ip, n->af, d)];
	}
	return 0;
}

struct f_val f_build_set(struct f_set_item *items, const struct cf_loc *loc)
{
	struct f_val v = { .type = T_VOID };
	enum f_type et = T_VOID;
	int n = 0;

	for (struct f_set_item *it = items; it; it = it->next) {
		enum f_type t = it->kind == SI_RANGE ? it->type : it->kind == SI_PATTERN ? T_PREFIX :
				it->kind == SI_LC ? T_LC : it->val.type;
		if (t != T_INT && t != T_PAIR && t != T_PREFIX && t != T_LC)
			cf_error_at(&it->loc, "a set can hold ints, pairs, large communities or prefixes, not %s",
				    f_type_name(t));
		if (et != T_VOID && t != et)
			cf_error_at(&it->loc, "set mixes %s and %s items", f_type_name(et), f_type_name(t));
		et = t;
		n++;
	}
	if (et == T_LC) {
		struct f_lc_set *s = cf_alloc(sizeof *s + sizeof s->p[0] * (size_t)n);
		for (struct f_set_item *it = items; it; it = it->next) {
			if (it->kind == SI_LC) {
				s->p[s->n].a = it->a;
				s->p[s->n].blo = it->blo;
				s->p[s->n].bhi = it->bhi;
				s->p[s->n].clo = it->clo;
				s->p[s->n].chi = it->chi;
			} else {
				s->p[s->n].a = it->val.u.lc.a;
				s->p[s->n].blo = s->p[s->n].bhi = it->val.u.lc.b;
				s->p[s->n].clo = s->p[s->n].chi = it->val.u.lc.c;
			}
			s->n++;
		}
		v.type = T_SET_LC;
		v.u.lcs = s;
		return v;
	}
	if (et == T_PREFIX) {
		struct f_trie *t = cf_alloc(sizeof *t);
		t->pats = cf_alloc(sizeof(struct f_prefix_pat) * (size_t)n);
		for (struct f_set_item *it = items; it; it = it->next) {
			struct f_prefix_pat *p = &t->pats[t->n++];
			p->net = it->val.u.net;
			if (it->kind == SI_PATTERN) {
				p->lo = (uint8_t)it->lo;
				p->hi = (uint8_t)it->hi;
			} else
				p->lo = p->hi = p->net.len;
			trie_add(t, p);
		}
		v.type = T_SET_PREFIX;
		v.u.trie = t;
		return v;
	}
	uint64_t (*r)[2] = xmalloc(sizeof *r * (size_t)(n ? n : 1));
	int k = 0;
	for (struct f_set_item *it = items; it; it = it->next, k++) {
		if (it->kind == SI_RANGE) {
			r[k][0] = it->lo;
			r[k][1] = it->hi;
		} else
			r[k][0] = r[k][1] = et == T_INT ? it->val.u.i : it->val.u.pair;
	}
	qsort(r, (size_t)n, sizeof *r, range_cmp);
	struct f_set *s = cf_alloc(sizeof *s + sizeof s->r[0] * (size_t)n);
	for (int i = 0; i < n; i++) {
		if (s->n && r[i][0] <= s->r[s->n - 1].hi + 1 && s->r[s->n - 1].hi != UINT64_MAX) {
			if (r[i][1] > s->r[s->n - 1].hi)
				s->r[s->n - 1].hi = r[i][1];
			continue;
		}
		s->r[s->n].lo = r[i][0];
		s->r[s->n].hi = r[i][1];
		s->n++;
	}
	free(r);
	(void)loc;
	v.type = et == T_PAIR ? T_SET_PAIR : T_SET_INT;
	v.u.set = s;
	return v;
}

/* --- AS paths ----------------------------------------------------------------------- */

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Every ASN of the path in order, into scratch memory. */
static uint32_t *path_flatten(const struct adata *path, int *np)
{
	uint32_t len = ad_len(path), n = 0;
	uint32_t *out = f_scratch_alloc(len + 4);

	for (uint32_t o = 0; o + 2 <= len;) {
		unsigned cnt = path->data[o + 1];
		o += 2;
		for (unsigned i = 0; i < cnt && o + 4 <= len; i++, o += 4)
			out[n++] = get32(path->data + o);
	}
	*np = (int)n;
	return out;
}

/* RFC 4271 section 9.1.2.2 a): an AS_SET counts as one, each ASN of an
 * AS_SEQUENCE as one. */
int f_path_len(const struct adata *path)
{
	uint32_t len = ad_len(path);
	int n = 0;

	for (uint32_t o = 0; o + 2 <= len;) {
		unsigned type = path->data[o], cnt = path->data[o + 1];
		n += type == AS_PATH_SET ? 1 : (int)cnt;
		o += 2 + 4 * cnt;
	}
	return n;
}

int f_path_first(const struct adata *path, uint32_t *asn)
{
	if (ad_len(path) < 6 || path->data[0] != AS_PATH_SEQUENCE || !path->data[1])
		return 0;
	*asn = get32(path->data + 2);
	return 1;
}

int f_path_last(const struct adata *path, uint32_t *asn)
{
	uint32_t len = ad_len(path), last_seg = UINT32_MAX;

	for (uint32_t o = 0; o + 2 <= len;) {
		last_seg = o;
		o += 2 + 4 * path->data[o + 1];
	}
	if (last_seg == UINT32_MAX || path->data[last_seg] != AS_PATH_SEQUENCE || !path->data[last_seg + 1])
		return 0;
	unsigned cnt = path->data[last_seg + 1];
	if (last_seg + 2 + 4 * cnt > len)
		return 0;
	*asn = get32(path->data + last_seg + 2 + 4 * (cnt - 1));
	return 1;
}

const struct adata *f_path_prepend(const struct adata *path, uint32_t asn)
{
	uint32_t len = ad_len(path);

	if (len >= 2 && path->data[0] == AS_PATH_SEQUENCE && path->data[1] < 255) {
		struct adata *a = scratch_adata(len + 4);
		a->data[0] = AS_PATH_SEQUENCE;
		a->data[1] = (uint8_t)(path->data[1] + 1);
		memcpy(a->data + 2, &asn, 4);
		memcpy(a->data + 6, path->data + 2, len - 2);
		return a;
	}
	struct adata *a = scratch_adata(len + 6);
	a->data[0] = AS_PATH_SEQUENCE;
	a->data[1] = 1;
	memcpy(a->data + 2, &asn, 4);
	if (len)
		memcpy(a->data + 6, path->data, len);
	return a;
}

struct f_path_mask *f_pm_new(int n)
{
	struct f_path_mask *pm = cf_alloc(sizeof *pm + sizeof pm->item[0] * (size_t)n);
	pm->n = n;
	return pm;
}

/* Does the whole path match the mask?  Dynamic programming over (mask item,
 * path position): '*' takes any run of ASNs, '?' one ASN, a number or range
 * one ASN in it.  AS_SET members are taken in order like a sequence. */
int f_pm_match(const struct f_path_mask *pm, const struct adata *path)
{
	int n;
	uint32_t *asn = path_flatten(path, &n);
	uint8_t *cur = f_scratch_alloc((size_t)n + 1), *nxt = f_scratch_alloc((size_t)n + 1);

	memset(cur, 0, (size_t)n + 1);
	cur[0] = 1;
	for (int i = 0; i < pm->n; i++) {
		memset(nxt, 0, (size_t)n + 1);
		for (int j = 0; j <= n; j++) {
			if (!cur[j])
				continue;
			switch (pm->item[i].kind) {
			case PM_ANY_SEQ:
				for (int k = j; k <= n; k++)
					nxt[k] = 1;
				j = n;
				break;
			case PM_ANY:
				if (j < n)
					nxt[j + 1] = 1;
				break;
			default:
				if (j < n && asn[j] >= pm->item[i].lo && asn[j] <= pm->item[i].hi)
					nxt[j + 1] = 1;
				break;
			}
		}
		uint8_t *t = cur;
		cur = nxt;
		nxt = t;
	}
	return cur[n];
}

/* --- community lists ---------------------------------------------------------------- */

int f_clist_contains(const struct adata *l, uint32_t c)
{
	int lo = 0, hi = (int)(ad_len(l) / 4) - 1;
	while (lo <= hi) {
		int m = (lo + hi) / 2;
		uint32_t v = get32(l->data + 4 * m);
		if (c < v)
			hi = m - 1;
		else if (c > v)
			lo = m + 1;
		else
			return 1;
	}
	return 0;
}

const struct adata *f_clist_add(const struct adata *l, uint32_t c)
{
	uint32_t n = ad_len(l) / 4, i;

	if (f_clist_contains(l, c))
		return l;
	for (i = 0; i < n && get32(l->data + 4 * i) < c; i++)
		;
	struct adata *a = scratch_adata(4 * (n + 1));
	if (i)
		memcpy(a->data, l->data, 4 * i);
	memcpy(a->data + 4 * i, &c, 4);
	if (n > i)
		memcpy(a->data + 4 * (i + 1), l->data + 4 * i, 4 * (n - i));
	return a;
}

static int comm_matches(uint32_t c, const struct f_val *what)
{
	uint64_t p = ((uint64_t)(c >> 16) << 32) | (c & 0xffff);
	if (what->type == T_SET_PAIR)
		return f_set_contains(what->u.set, p);
	return what->u.pair == p;
}

const struct adata *f_clist_del(const struct adata *l, const struct f_val *what)
{
	uint32_t n = ad_len(l) / 4, k = 0;
	int any = 0;

	for (uint32_t i = 0; i < n; i++)
		if (comm_matches(get32(l->data + 4 * i), what))
			any = 1;
	if (!any)
		return l;
	struct adata *a = scratch_adata(4 * n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = get32(l->data + 4 * i);
		if (!comm_matches(c, what))
			memcpy(a->data + 4 * k++, &c, 4);
	}
	a->length = 4 * k;
	return a;
}

static int lc_cmp(const uint8_t *p, const uint32_t c[3])
{
	for (int i = 0; i < 3; i++) {
		uint32_t v = get32(p + 4 * i);
		if (v != c[i])
			return v < c[i] ? -1 : 1;
	}
	return 0;
}

int f_lclist_contains(const struct adata *l, const uint32_t c[3])
{
	uint32_t n = ad_len(l) / 12;
	for (uint32_t i = 0; i < n; i++)
		if (!lc_cmp(l->data + 12 * i, c))
			return 1;
	return 0;
}

int f_lc_set_contains(const struct f_lc_set *s, const uint32_t c[3])
{
	for (int i = 0; i < s->n; i++)
		if (s->p[i].a == c[0] && c[1] >= s->p[i].blo && c[1] <= s->p[i].bhi &&
		    c[2] >= s->p[i].clo && c[2] <= s->p[i].chi)
			return 1;
	return 0;
}

int f_lclist_any_in(const struct adata *l, const struct f_lc_set *s)
{
	uint32_t n = ad_len(l) / 12, c[3];
	for (uint32_t i = 0; i < n; i++) {
		memcpy(c, l->data + 12 * i, 12);
		if (f_lc_set_contains(s, c))
			return 1;
	}
	return 0;
}

const struct adata *f_lclist_del_set(const struct adata *l, const struct f_lc_set *s)
{
	uint32_t n = ad_len(l) / 12, k = 0, c[3];

	if (!f_lclist_any_in(l, s))
		return l;
	struct adata *a = scratch_adata(12 * n);
	for (uint32_t i = 0; i < n; i++) {
		memcpy(c, l->data + 12 * i, 12);
		if (!f_lc_set_contains(s, c))
			memcpy(a->data + 12 * k++, c, 12);
	}
	a->length = 12 * k;
	return a;
}

const struct adata *f_lclist_add(const struct adata *l, const uint32_t c[3])
{
	uint32_t n = ad_len(l) / 12, i;

	if (f_lclist_contains(l, c))
		return l;
	for (i = 0; i < n && lc_cmp(l->data + 12 * i, c) < 0; i++)
		;
	struct adata *a = scratch_adata(12 * (n + 1));
	if (i)
		memcpy(a->data, l->data, 12 * i);
	memcpy(a->data + 12 * i, c, 12);
	if (n > i)
		memcpy(a->data + 12 * (i + 1), l->data + 12 * i, 12 * (n - i));
	return a;
}

const struct adata *f_lclist_del(const struct adata *l, const uint32_t c[3])
{
	uint32_t n = ad_len(l) / 12, k = 0;

	if (!f_lclist_contains(l, c))
		return l;
	struct adata *a = scratch_adata(12 * n);
	for (uint32_t i = 0; i < n; i++)
		if (lc_cmp(l->data + 12 * i, c))
			memcpy(a->data + 12 * k++, l->data + 12 * i, 12);
	a->length = 12 * k;
	return a;
}

/* --- text ------------------------------------------------------------------------------ */

static size_t put(char *buf, size_t len, size_t o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t len, size_t o, const char *fmt, ...)
{
	va_list ap;
	if (o >= len)
		return o;
	va_start(ap, fmt);
	int r = vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
	return r < 0 ? o : o + (size_t)r;
}

static size_t print_pair(char *buf, size_t len, size_t o, uint64_t p)
{
	return put(buf, len, o, "(%u,%u)", (unsigned)(p >> 32), (unsigned)p);
}

void f_val_print(const struct f_val *v, char *buf, size_t len)
{
	char a[NET_STRLEN];
	size_t o = 0;

	if (!len)
		return;
	buf[0] = 0;
	switch (v->type) {
	case T_INT: put(buf, len, 0, "%u", v->u.i); break;
	case T_BOOL: put(buf, len, 0, "%s", v->u.b ? "TRUE" : "FALSE"); break;
	case T_STRING: put(buf, len, 0, "%s", v->u.s); break;
	case T_IP: put(buf, len, 0, "%s", ip_ntop(v->u.ip, a)); break;
	case T_PREFIX: put(buf, len, 0, "%s", net_ntop(&v->u.net, a)); break;
	case T_PAIR: print_pair(buf, len, 0, v->u.pair); break;
	case T_LC: put(buf, len, 0, "(%u, %u, %u)", v->u.lc.a, v->u.lc.b, v->u.lc.c); break;
	case T_ORIGIN:
		put(buf, len, 0, "%s", v->u.i == 0 ? "IGP" : v->u.i == 1 ? "EGP" : "INCOMPLETE");
		break;
	case T_PATH: {
		uint32_t l = ad_len(v->u.ad);
		o = put(buf, len, o, "(path");
		for (uint32_t p = 0; p + 2 <= l;) {
			unsigned type = v->u.ad->data[p], cnt = v->u.ad->data[p + 1];
			p += 2;
			if (type == AS_PATH_SET)
				o = put(buf, len, o, " {");
			for (unsigned i = 0; i < cnt && p + 4 <= l; i++, p += 4)
				o = put(buf, len, o, "%s%u", type == AS_PATH_SET && !i ? "" : " ",
					get32(v->u.ad->data + p));
			if (type == AS_PATH_SET)
				o = put(buf, len, o, "}");
		}
		put(buf, len, o, ")");
		break;
	}
	case T_CLIST: {
		uint32_t n = ad_len(v->u.ad) / 4;
		o = put(buf, len, o, "(clist");
		for (uint32_t i = 0; i < n; i++) {
			uint32_t c = get32(v->u.ad->data + 4 * i);
			o = put(buf, len, o, " ");
			o = print_pair(buf, len, o, ((uint64_t)(c >> 16) << 32) | (c & 0xffff));
		}
		put(buf, len, o, ")");
		break;
	}
	case T_LCLIST: {
		uint32_t n = ad_len(v->u.ad) / 12;
		o = put(buf, len, o, "(lclist");
		for (uint32_t i = 0; i < n; i++)
			o = put(buf, len, o, " (%u, %u, %u)", get32(v->u.ad->data + 12 * i),
				get32(v->u.ad->data + 12 * i + 4), get32(v->u.ad->data + 12 * i + 8));
		put(buf, len, o, ")");
		break;
	}
	case T_PATH_MASK:
		o = put(buf, len, o, "[=");
		for (int i = 0; i < v->u.pm->n; i++) {
			if (v->u.pm->item[i].kind == PM_ANY_SEQ)
				o = put(buf, len, o, " *");
			else if (v->u.pm->item[i].kind == PM_ANY)
				o = put(buf, len, o, " ?");
			else if (v->u.pm->item[i].lo == v->u.pm->item[i].hi)
				o = put(buf, len, o, " %u", v->u.pm->item[i].lo);
			else
				o = put(buf, len, o, " %u..%u", v->u.pm->item[i].lo, v->u.pm->item[i].hi);
		}
		put(buf, len, o, " =]");
		break;
	case T_SET_INT: case T_SET_PAIR:
		o = put(buf, len, o, "[");
		for (int i = 0; i < v->u.set->n; i++) {
			uint64_t lo = v->u.set->r[i].lo, hi = v->u.set->r[i].hi;
			o = put(buf, len, o, "%s", i ? ", " : "");
			if (v->type == T_SET_INT)
				o = lo == hi ? put(buf, len, o, "%u", (unsigned)lo)
					     : put(buf, len, o, "%u..%u", (unsigned)lo, (unsigned)hi);
			else if (lo == hi)
				o = print_pair(buf, len, o, lo);
			else if ((lo >> 32) == (hi >> 32))
				o = put(buf, len, o, "(%u,%u..%u)", (unsigned)(lo >> 32), (unsigned)lo, (unsigned)hi);
			else {
				o = print_pair(buf, len, o, lo);
				o = put(buf, len, o, "..");
				o = print_pair(buf, len, o, hi);
			}
		}
		put(buf, len, o, "]");
		break;
	case T_SET_LC:
		o = put(buf, len, o, "[");
		for (int i = 0; i < v->u.lcs->n; i++) {
			const uint32_t *q = &v->u.lcs->p[i].a;
			o = put(buf, len, o, "%s(%u", i ? ", " : "", q[0]);
			for (int k = 0; k < 2; k++) {
				uint32_t lo = q[1 + 2 * k], hi = q[2 + 2 * k];
				if (lo == 0 && hi == UINT32_MAX)
					o = put(buf, len, o, ", *");
				else if (lo == hi)
					o = put(buf, len, o, ", %u", lo);
				else
					o = put(buf, len, o, ", %u..%u", lo, hi);
			}
			o = put(buf, len, o, ")");
		}
		put(buf, len, o, "]");
		break;
	case T_SET_PREFIX:
		o = put(buf, len, o, "[");
		for (int i = 0; i < v->u.trie->n; i++) {
			const struct f_prefix_pat *p = &v->u.trie->pats[i];
			o = put(buf, len, o, "%s%s", i ? ", " : "", net_ntop(&p->net, a));
			if (p->lo != p->net.len || p->hi != p->net.len)
				o = put(buf, len, o, "{%u,%u}", p->lo, p->hi);
		}
		put(buf, len, o, "]");
		break;
	default: put(buf, len, 0, "(void)"); break;
	}
}

int f_string_match(const char *s, const char *pattern);
/* BIRD's string match: shell wildcards * and ?. */
int f_string_match(const char *s, const char *pattern)
{
	return fnmatch(pattern, s, 0) == 0;
}
