/*
 * metalbird-convert -- reading MetalLB's configuration
 *
 * MetalLB is configured by CRDs (metallb.io: IPAddressPool, BGPPeer,
 * BGPAdvertisement, L2Advertisement, BFDProfile, Community; see
 * shared/METALLB.md) and, before v0.13, by one ConfigMap whose `config` key
 * holds YAML of its own.  Both are read here into one model (convert.h), so
 * that the writer (emit.c) knows only one shape.  The reader goes down each
 * object field by field: a field it knows and the output can carry is
 * stored, one the output cannot carry is stored as a note, and one it does
 * not know is a note too, so that nothing is dropped without a word.  Input
 * whose shape is wrong (a list where a string must be, an address that does
 * not parse) is an error naming FILE:LINE.
 */
#include "conf/convert/convert.h"
#include "conf/convert/cvyaml.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* --- memory: one arena per model ------------------------------------------- */

struct cv_arena {
	struct cv_arena *next;
	max_align_t data[];
};

void *cv_alloc(struct cv_model *m, size_t n)
{
	struct cv_arena *a = calloc(1, sizeof(*a) + n);

	if (!a) {
		fputs("metalbird-convert: out of memory\n", stderr);
		exit(2);
	}
	a->next = m->arena;
	m->arena = a;
	return a->data;
}

char *cv_strdup(struct cv_model *m, const char *s)
{
	size_t n = strlen(s);
	char *d = cv_alloc(m, n + 1);

	memcpy(d, s, n + 1);
	return d;
}

char *cv_printf(struct cv_model *m, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return cv_strdup(m, "");
	char *s = cv_alloc(m, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void cv_push(struct cv_model *m, struct cv_strv *v, const char *s)
{
	if (v->n == v->cap) {
		int cap = v->cap ? v->cap * 2 : 4;
		char **nv = cv_alloc(m, sizeof(char *) * (size_t)cap);
		if (v->n)
			memcpy(nv, v->v, sizeof(char *) * (size_t)v->n);
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = cv_strdup(m, s);
}

int cv_has(const struct cv_strv *v, const char *s)
{
	for (int i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

struct cv_model *cv_model_new(void)
{
	struct cv_model *m = calloc(1, sizeof(*m));

	if (!m) {
		fputs("metalbird-convert: out of memory\n", stderr);
		exit(2);
	}
	return m;
}

void cv_model_free(struct cv_model *m)
{
	if (!m)
		return;
	for (struct cv_arena *a = m->arena, *n; a; a = n) {
		n = a->next;
		free(a);
	}
	free(m);
}

/* --- values ------------------------------------------------------------------ */

int64_t cv_duration_ms(const char *s)
{
	/* Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, or "0" */
	static const struct { const char *unit; double ms; } units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 },
		{ "s", 1e3 }, { "m", 60e3 }, { "h", 3600e3 },
	};
	double total = 0;

	if (!s || !*s)
		return -1;
	if (!strcmp(s, "0"))
		return 0;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		errno = 0;
		double v = strtod(s, &end);
		if (errno || end == s)
			return -1;
		s = end;
		size_t ul = 0;
		while (s[ul] && !isdigit((unsigned char)s[ul]) && s[ul] != '.')
			ul++;
		int found = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strlen(units[i].unit) == ul && !strncmp(units[i].unit, s, ul)) {
				total += v * units[i].ms;
				found = 1;
				break;
			}
		if (!found)
			return -1;
		s += ul;
		if (total > 1e15)
			return -1;
	}
	return (int64_t)(total + 0.5);
}

static const char *op_name[] = { "=", "in", "notin", "", "!" };

char *cv_sel_text(struct cv_model *m, const struct cv_sel *s)
{
	char *out = cv_strdup(m, "");

	for (int i = 0; i < s->n; i++) {
		const struct cv_req *r = &s->r[i];
		char *vals = cv_strdup(m, "");
		for (int j = 0; j < r->values.n; j++)
			vals = cv_printf(m, "%s%s%s", vals, j ? "," : "", r->values.v[j]);
		char *one;
		switch (r->op) {
		case CV_SEL_EQ: one = cv_printf(m, "%s=%s", r->key, vals); break;
		case CV_SEL_IN:
		case CV_SEL_NOTIN: one = cv_printf(m, "%s %s (%s)", r->key, op_name[r->op], vals); break;
		case CV_SEL_EXISTS: one = r->key; break;
		default: one = cv_printf(m, "!%s", r->key); break;
		}
		out = cv_printf(m, "%s%s%s", out, i ? "," : "", one);
	}
	return out;
}

static const char *label_of(const struct cv_strv *keys, const struct cv_strv *values, const char *k)
{
	for (int i = 0; i < keys->n && i < values->n; i++)
		if (!strcmp(keys->v[i], k))
			return values->v[i];
	return NULL;
}

int cv_sel_match(const struct cv_sel *s, const struct cv_strv *keys, const struct cv_strv *values)
{
	for (int i = 0; i < s->n; i++) {
		const struct cv_req *r = &s->r[i];
		const char *v = label_of(keys, values, r->key);
		int in = v && cv_has(&r->values, v);
		switch (r->op) {
		case CV_SEL_EQ:
		case CV_SEL_IN: if (!in) return 0; break;
		case CV_SEL_NOTIN: if (in) return 0; break;
		case CV_SEL_EXISTS: if (!v) return 0; break;
		case CV_SEL_NOT_EXISTS: if (v) return 0; break;
		}
	}
	return 1;
}

/* --- reading ------------------------------------------------------------------ */

struct rd {
	struct cv_model *m;
	struct cv_doc *d;
	char *err;
	size_t errlen;
	int depth;			/* nested ConfigMaps and Lists */
};

static int fail(struct rd *r, yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct rd *r, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char msg[384];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s:%d: %s", r->d->file, cv_line(r->d, n), msg);
	return -1;
}

static void note(struct rd *r, struct cv_obj *o, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void note(struct rd *r, struct cv_obj *o, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char msg[384];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cv_push(r->m, o ? &o->notes : &r->m->notes, cv_printf(r->m, "%s (line %d)", msg, cv_line(r->d, n)));
}

/* A scalar field; a list or mapping where a scalar belongs is an error. */
static int get_str(struct rd *r, yaml_node_t *n, const char *what, char **out)
{
	const char *s = cv_str(n);

	if (!s)
		return fail(r, n, "%s must be a single value, not a list or mapping", what);
	if (strlen(s) > 4096)
		return fail(r, n, "%s is too long", what);
	*out = cv_strdup(r->m, s);
	return 0;
}

static int get_int(struct rd *r, yaml_node_t *n, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
	const char *s = cv_str(n);
	char *end;

	if (!s)
		return fail(r, n, "%s must be a number", what);
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || !isdigit((unsigned char)s[s[0] == '-' || s[0] == '+']))
		return fail(r, n, "%s: '%s' is not a number", what, s);
	if (v < lo || v > hi)
		return fail(r, n, "%s %lld is out of range (%lld-%lld)", what, v, (long long)lo, (long long)hi);
	*out = v;
	return 0;
}

static int get_bool(struct rd *r, yaml_node_t *n, const char *what, int *out)
{
	const char *s = cv_str(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "yes"))) {
		*out = 1;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE") || !strcmp(s, "no"))) {
		*out = 0;
		return 0;
	}
	return fail(r, n, "%s must be true or false", what);
}

/* A duration in whole seconds: "90s", "1m30s"; a bare number is seconds. */
static int get_secs(struct rd *r, yaml_node_t *n, const char *what, struct cv_obj *o, int64_t *out)
{
	const char *s = cv_str(n);

	if (!s)
		return fail(r, n, "%s must be a duration such as \"90s\"", what);
	int64_t ms;
	char *end;
	errno = 0;
	long long plain = strtoll(s, &end, 10);
	if (*s && !*end && !errno && plain >= 0 && plain <= 1000000000LL)
		ms = plain * 1000;
	else if (*s && !*end)
		ms = -1;
	else
		ms = cv_duration_ms(s);
	if (ms < 0)
		return fail(r, n, "%s: '%s' is not a duration (such as \"90s\" or \"1m30s\")", what, s);
	*out = (ms + 999) / 1000;
	if (ms % 1000)
		note(r, o, n, "%s %s rounded up to %lld s: metalbird counts whole seconds", what, s, (long long)*out);
	return 0;
}

static int get_strv(struct rd *r, yaml_node_t *n, const char *what, struct cv_strv *out)
{
	if (cv_str(n)) {
		cv_push(r->m, out, cv_str(n));
		return 0;
	}
	if (!cv_is_seq(n))
		return fail(r, n, "%s must be a list", what);
	for (int i = 0; i < cv_seq_len(n); i++) {
		yaml_node_t *it = cv_seq_item(r->d, n, i);
		char *s;
		if (get_str(r, it, what, &s) < 0)
			return -1;
		cv_push(r->m, out, s);
	}
	return 0;
}

/* A label selector's key or value must not carry what would end the
 * config string or the selector text. */
static int sel_word(struct rd *r, yaml_node_t *n, const char *what, char **out)
{
	if (get_str(r, n, what, out) < 0)
		return -1;
	for (const char *p = *out; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./", *p))
			return fail(r, n, "%s '%s' is not a valid label key or value", what, *out);
	return 0;
}

/* metav1.LabelSelector, or the legacy ConfigMap's match-labels form. */
static int get_selector(struct rd *r, yaml_node_t *n, int legacy, struct cv_sel *out)
{
	const char *k_labels = legacy ? "match-labels" : "matchLabels";
	const char *k_exprs = legacy ? "match-expressions" : "matchExpressions";

	memset(out, 0, sizeof *out);
	if (!cv_is_map(n))
		return fail(r, n, "a label selector must be a mapping with %s and/or %s", k_labels, k_exprs);
	yaml_node_t *ml = cv_get(r->d, n, k_labels), *me = cv_get(r->d, n, k_exprs);
	int cap = cv_map_len(ml) + cv_seq_len(me);
	out->r = cv_alloc(r->m, sizeof(struct cv_req) * (size_t)(cap ? cap : 1));
	if (ml && !cv_is_map(ml))
		return fail(r, ml, "%s must be a mapping", k_labels);
	for (int i = 0; i < cv_map_len(ml); i++) {
		const char *key;
		yaml_node_t *v = cv_map_pair(r->d, ml, i, &key);
		struct cv_req *q = &out->r[out->n++];
		if (!key)
			return fail(r, ml, "a label key must be a string");
		q->op = CV_SEL_EQ;
		q->key = cv_strdup(r->m, key);
		char *val;
		if (sel_word(r, v, "label value", &val) < 0)
			return -1;
		cv_push(r->m, &q->values, val);
	}
	if (me && !cv_is_seq(me))
		return fail(r, me, "%s must be a list", k_exprs);
	for (int i = 0; i < cv_seq_len(me); i++) {
		yaml_node_t *e = cv_seq_item(r->d, me, i);
		struct cv_req *q = &out->r[out->n++];
		char *op;
		if (sel_word(r, cv_get(r->d, e, "key"), "key", &q->key) < 0 ||
		    get_str(r, cv_get(r->d, e, "operator"), "operator", &op) < 0)
			return -1;
		if (!strcmp(op, "In"))
			q->op = CV_SEL_IN;
		else if (!strcmp(op, "NotIn"))
			q->op = CV_SEL_NOTIN;
		else if (!strcmp(op, "Exists"))
			q->op = CV_SEL_EXISTS;
		else if (!strcmp(op, "DoesNotExist"))
			q->op = CV_SEL_NOT_EXISTS;
		else
			return fail(r, e, "unknown operator '%s' (In, NotIn, Exists, DoesNotExist)", op);
		yaml_node_t *vals = cv_get(r->d, e, "values");
		for (int j = 0; j < cv_seq_len(vals); j++) {
			char *v;
			if (sel_word(r, cv_seq_item(r->d, vals, j), "value", &v) < 0)
				return -1;
			cv_push(r->m, &q->values, v);
		}
		if ((q->op == CV_SEL_IN || q->op == CV_SEL_NOTIN) && !q->values.n)
			return fail(r, e, "operator %s needs values", op);
	}
	return 0;
}

static int get_selectors(struct rd *r, yaml_node_t *n, int legacy, struct cv_sel **out, int *nout)
{
	if (!cv_is_seq(n))
		return fail(r, n, "selectors must be a list");
	*nout = 0;
	*out = cv_alloc(r->m, sizeof(struct cv_sel) * (size_t)(cv_seq_len(n) + 1));
	for (int i = 0; i < cv_seq_len(n); i++)
		if (get_selector(r, cv_seq_item(r->d, n, i), legacy, &(*out)[(*nout)++]) < 0)
			return -1;
	return 0;
}

/* An address item of a pool: a CIDR or a range `a-b`, as MetalLB's ParseCIDR
 * takes them; written back in config syntax. */
static int get_address(struct rd *r, struct cv_pool *p, yaml_node_t *n, char **out)
{
	char *s, a[64], b[64];
	unsigned char bin[16], bin2[16];

	if (get_str(r, n, "address", &s) < 0)
		return -1;
	char *dash = strchr(s, '-');
	if (dash) {
		size_t la = (size_t)(dash - s);
		const char *pb = dash + 1;
		while (la && isspace((unsigned char)s[la - 1]))
			la--;
		while (isspace((unsigned char)*s) && la)
			s++, la--;
		while (isspace((unsigned char)*pb))
			pb++;
		size_t lb = strlen(pb);
		while (lb && isspace((unsigned char)pb[lb - 1]))
			lb--;
		if (la >= sizeof a || lb >= sizeof b)
			return fail(r, n, "invalid IP range \"%s\"", s);
		memcpy(a, s, la);
		a[la] = 0;
		memcpy(b, pb, lb);
		b[lb] = 0;
		int f4 = inet_pton(AF_INET, a, bin) == 1 && inet_pton(AF_INET, b, bin2) == 1;
		int f6 = !f4 && inet_pton(AF_INET6, a, bin) == 1 && inet_pton(AF_INET6, b, bin2) == 1;
		if (!f4 && !f6)
			return fail(r, n, "invalid IP range \"%s\": both ends must be addresses of one family", s);
		if (memcmp(bin, bin2, f4 ? 4 : 16) > 0)
			return fail(r, n, "invalid IP range \"%s\": start IP %s is after the end IP %s", s, a, b);
		inet_ntop(f4 ? AF_INET : AF_INET6, bin, a, sizeof a);
		inet_ntop(f4 ? AF_INET : AF_INET6, bin2, b, sizeof b);
		p->has4 |= f4;
		p->has6 |= f6;
		*out = cv_printf(r->m, "%s-%s", a, b);
		return 0;
	}
	char *slash = strchr(s, '/');
	if (!slash || slash - s >= (long)sizeof a)
		return fail(r, n, "invalid CIDR \"%s\": write a prefix (203.0.113.0/24) or a range (a-b)", s);
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = 0;
	int af = inet_pton(AF_INET, a, bin) == 1 ? AF_INET : inet_pton(AF_INET6, a, bin) == 1 ? AF_INET6 : 0;
	char *end;
	errno = 0;
	long len = strtol(slash + 1, &end, 10);
	int max = af == AF_INET ? 32 : 128;
	if (!af || errno || end == slash + 1 || *end || len < 0 || len > max)
		return fail(r, n, "invalid CIDR \"%s\"", s);
	/* Go's ParseCIDR masks host bits; so do we, and say so */
	int changed = 0;
	for (int i = 0; i < max / 8; i++) {
		int keep = (int)len - i * 8;
		unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
		if (bin[i] & ~mask)
			changed = 1;
		bin[i] &= mask;
	}
	inet_ntop(af, bin, b, sizeof b);
	*out = cv_printf(r->m, "%s/%ld", b, len);
	if (changed)
		note(r, &p->o, n, "address %s has host bits set; written as %s as MetalLB reads it", s, *out);
	p->has4 |= af == AF_INET;
	p->has6 |= af == AF_INET6;
	return 0;
}

static int get_ip(struct rd *r, yaml_node_t *n, const char *what, int v4only, char **out)
{
	unsigned char bin[16];

	if (get_str(r, n, what, out) < 0)
		return -1;
	if (inet_pton(AF_INET, *out, bin) == 1)
		return 0;
	if (!v4only && inet_pton(AF_INET6, *out, bin) == 1)
		return 0;
	return fail(r, n, "%s '%s' is not an %saddress", what, *out, v4only ? "IPv4 " : "IP ");
}

static void init_obj(struct rd *r, struct cv_obj *o, const char *kind, yaml_node_t *root, const char *name)
{
	o->kind = kind;
	o->file = r->d->file;
	o->line = cv_line(r->d, root);
	o->name = cv_strdup(r->m, name);
	o->ns = cv_strdup(r->m, "");
}

/* metadata: name (required), namespace, labels */
static int get_meta(struct rd *r, struct cv_obj *o, const char *kind, yaml_node_t *root)
{
	yaml_node_t *md = cv_get(r->d, root, "metadata");
	char *name;

	if (!md)
		return fail(r, root, "%s without metadata", kind);
	if (get_str(r, cv_get(r->d, md, "name"), "metadata.name", &name) < 0)
		return -1;
	if (!*name)
		return fail(r, md, "%s with an empty metadata.name", kind);
	init_obj(r, o, kind, root, name);
	yaml_node_t *ns = cv_get(r->d, md, "namespace");
	if (ns && get_str(r, ns, "metadata.namespace", &o->ns) < 0)
		return -1;
	yaml_node_t *lb = cv_get(r->d, md, "labels");
	for (int i = 0; i < cv_map_len(lb); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(r->d, lb, i, &k);
		if (k && cv_str(v)) {
			cv_push(r->m, &o->label_keys, k);
			cv_push(r->m, &o->label_values, cv_str(v));
		}
	}
	return 0;
}

static yaml_node_t *get_spec(struct rd *r, yaml_node_t *root, const char *kind)
{
	yaml_node_t *spec = cv_get(r->d, root, "spec");

	if (!cv_is_map(spec)) {
		fail(r, spec ? spec : root, "%s needs a spec mapping", kind);
		return NULL;
	}
	return spec;
}

#define PUSH(arr, cnt, item) do { \
	void *nv_ = cv_alloc(r->m, sizeof(*(arr)) * (size_t)((cnt) + 1)); \
	if (cnt) memcpy(nv_, (arr), sizeof(*(arr)) * (size_t)(cnt)); \
	(arr) = nv_; (arr)[(cnt)++] = (item); \
} while (0)

static int read_pool(struct rd *r, yaml_node_t *root)
{
	struct cv_pool *p = cv_alloc(r->m, sizeof *p);
	yaml_node_t *spec;

	p->auto_assign = 1;
	if (get_meta(r, &p->o, "IPAddressPool", root) < 0 || !(spec = get_spec(r, root, "IPAddressPool")))
		return -1;
	for (int i = 0; i < cv_map_len(spec); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(r->d, spec, i, &k);
		if (!k)
			return fail(r, spec, "a field name must be a string");
		if (!strcmp(k, "addresses")) {
			if (!cv_is_seq(v))
				return fail(r, v ? v : spec, "spec.addresses must be a list");
			for (int j = 0; j < cv_seq_len(v); j++) {
				char *a;
				if (get_address(r, p, cv_seq_item(r->d, v, j), &a) < 0)
					return -1;
				cv_push(r->m, &p->addrs, a);
			}
		} else if (!strcmp(k, "autoAssign")) {
			if (get_bool(r, v, "spec.autoAssign", &p->auto_assign) < 0)
				return -1;
		} else if (!strcmp(k, "avoidBuggyIPs")) {
			if (get_bool(r, v, "spec.avoidBuggyIPs", &p->avoid_buggy) < 0)
				return -1;
		} else if (!strcmp(k, "serviceAllocation")) {
			for (int j = 0; j < cv_map_len(v); j++) {
				const char *sk;
				yaml_node_t *sv = cv_map_pair(r->d, v, j, &sk);
				if (sk && !strcmp(sk, "priority")) {
					if (get_int(r, sv, "spec.serviceAllocation.priority", 0, 0x7fffffff, &p->priority) < 0)
						return -1;
				} else if (sk && !strcmp(sk, "namespaces")) {
					if (get_strv(r, sv, "spec.serviceAllocation.namespaces", &p->namespaces) < 0)
						return -1;
				} else if (sk && !strcmp(sk, "serviceSelectors")) {
					if (get_selectors(r, sv, 0, &p->svc_sels, &p->nsvc_sels) < 0)
						return -1;
				} else if (sk && !strcmp(sk, "namespaceSelectors")) {
					note(r, &p->o, sv, "spec.serviceAllocation.namespaceSelectors cannot be expressed: "
					     "list the namespaces with `namespaces`");
				} else {
					note(r, &p->o, sv, "spec.serviceAllocation.%s is not known; ignored", sk ? sk : "?");
				}
			}
		} else {
			note(r, &p->o, v, "spec.%s is not known; ignored", k);
		}
	}
	if (!p->addrs.n)
		return fail(r, spec, "IPAddressPool %s has no spec.addresses", p->o.name);
	PUSH(r->m->pools, r->m->npools, p);
	return 0;
}

static int read_peer_field(struct rd *r, struct cv_peer *p, const char *k, yaml_node_t *v, int legacy)
{
	/* CRD names, then the legacy ConfigMap's */
	if (!strcmp(k, "myASN") || !strcmp(k, "my-asn"))
		return get_int(r, v, k, 0, 4294967295LL, &p->my_asn);
	if (!strcmp(k, "peerASN") || !strcmp(k, "peer-asn"))
		return get_int(r, v, k, 0, 4294967295LL, &p->peer_asn);
	if (!strcmp(k, "localASN")) {
		if (get_int(r, v, k, 1, 4294967295LL, &p->local_asn) < 0)
			return -1;
		note(r, &p->o, v, "spec.localASN %lld (FRR local-as replace-as) cannot be expressed",
		     (long long)p->local_asn);
		return 0;
	}
	if (!strcmp(k, "dynamicASN"))
		return get_str(r, v, k, &p->dynamic_asn);
	if (!strcmp(k, "peerAddress") || !strcmp(k, "peer-address"))
		return get_ip(r, v, k, 0, &p->addr);
	if (!strcmp(k, "sourceAddress") || !strcmp(k, "source-address"))
		return get_ip(r, v, k, 0, &p->src);
	if (!strcmp(k, "interface"))
		return get_str(r, v, k, &p->iface);
	if (!strcmp(k, "peerPort") || !strcmp(k, "peer-port"))
		return get_int(r, v, k, 1, 65535, &p->port);
	if (!strcmp(k, "holdTime") || !strcmp(k, "hold-time"))
		return get_secs(r, v, k, &p->o, &p->hold);
	if (!strcmp(k, "keepaliveTime") || !strcmp(k, "keepalive-time"))
		return get_secs(r, v, k, &p->o, &p->keepalive);
	if (!strcmp(k, "connectTime"))
		return get_secs(r, v, k, &p->o, &p->connect);
	if (!strcmp(k, "routerID") || !strcmp(k, "router-id"))
		return get_ip(r, v, k, 1, &p->router_id);
	if (!strcmp(k, "password"))
		return get_str(r, v, k, &p->password);
	if (!strcmp(k, "passwordSecret")) {
		yaml_node_t *nm = cv_get(r->d, v, "name");
		p->password_secret = cv_strdup(r->m, cv_str(nm) ? cv_str(nm) : "?");
		note(r, &p->o, v, "spec.passwordSecret %s cannot be read from here: "
		     "write its password with `password \"...\"`", p->password_secret);
		return 0;
	}
	if (!strcmp(k, "bfdProfile") || !strcmp(k, "bfd-profile"))
		return get_str(r, v, k, &p->bfd_profile);
	if (!strcmp(k, "enableGracefulRestart"))
		return get_bool(r, v, k, &p->gr);
	if (!strcmp(k, "ebgpMultiHop") || !strcmp(k, "ebgp-multihop"))
		return get_bool(r, v, k, &p->multihop);
	if (!strcmp(k, "nodeSelectors") || !strcmp(k, "node-selectors"))
		return get_selectors(r, v, legacy, &p->node_sels, &p->nnode_sels);
	if (!strcmp(k, "vrf")) {
		if (get_str(r, v, k, &p->vrf) < 0)
			return -1;
		if (*p->vrf)
			note(r, &p->o, v, "vrf %s cannot be expressed: metalbird peers in the default VRF", p->vrf);
		return 0;
	}
	if (!strcmp(k, "disableMP")) {
		note(r, &p->o, v, "disableMP is deprecated and not needed: one session carries both families");
		return 0;
	}
	if (!strcmp(k, "dualStackAddressFamily")) {
		note(r, &p->o, v, "dualStackAddressFamily: IPv6 over an IPv4 session needs `next hop address`");
		return 0;
	}
	note(r, &p->o, v, "%s%s is not known; ignored", legacy ? "" : "spec.", k);
	return 0;
}

static int finish_peer(struct rd *r, struct cv_peer *p, yaml_node_t *at)
{
	if (!p->addr && !p->iface)
		return fail(r, at, "BGP peer %s needs a peer address", p->o.name);
	if (p->my_asn < 0)
		return fail(r, at, "BGP peer %s needs myASN (my-asn)", p->o.name);
	if (p->peer_asn < 0 && !p->dynamic_asn)
		return fail(r, at, "BGP peer %s needs peerASN (peer-asn) or dynamicASN", p->o.name);
	if (p->dynamic_asn && strcmp(p->dynamic_asn, "internal") && strcmp(p->dynamic_asn, "external"))
		return fail(r, at, "dynamicASN must be internal or external, not '%s'", p->dynamic_asn);
	/* MetalLB's own checks (internal/config/config.go), which metalbird makes too */
	if (p->hold > 0 && p->hold < 3)
		return fail(r, at, "invalid hold time %llds: must be 0 or >=3s", (long long)p->hold);
	if (p->hold > 65535)
		return fail(r, at, "invalid hold time %llds: at most 65535s", (long long)p->hold);
	if (p->hold >= 0 && p->keepalive > p->hold)
		return fail(r, at, "invalid keepalive time %llds: longer than the hold time %llds",
			    (long long)p->keepalive, (long long)p->hold);
	if (p->hold < 0 && p->keepalive > 21845)
		return fail(r, at, "invalid keepalive time %llds: 3 x keepalive must be at most 65535s",
			    (long long)p->keepalive);
	if (p->keepalive == 0)
		return fail(r, at, "invalid keepalive time 0s: give at least 1s, or hold time 0 for none");
	PUSH(r->m->peers, r->m->npeers, p);
	return 0;
}

static struct cv_peer *new_peer(struct rd *r)
{
	struct cv_peer *p = cv_alloc(r->m, sizeof *p);

	p->my_asn = p->peer_asn = p->local_asn = -1;
	p->hold = p->keepalive = p->connect = -1;
	return p;
}

static int read_peer(struct rd *r, yaml_node_t *root)
{
	struct cv_peer *p = new_peer(r);
	yaml_node_t *spec;

	if (get_meta(r, &p->o, "BGPPeer", root) < 0 || !(spec = get_spec(r, root, "BGPPeer")))
		return -1;
	for (int i = 0; i < cv_map_len(spec); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(r->d, spec, i, &k);
		if (!k)
			return fail(r, spec, "a field name must be a string");
		if (read_peer_field(r, p, k, v, 0) < 0)
			return -1;
	}
	return finish_peer(r, p, spec);
}

static int read_adv_field(struct rd *r, struct cv_adv *a, const char *k, yaml_node_t *v, int legacy)
{
	if (!strcmp(k, "ipAddressPools"))
		return get_strv(r, v, k, &a->pools);
	if (!strcmp(k, "ipAddressPoolSelectors"))
		return get_selectors(r, v, 0, &a->pool_sels, &a->npool_sels);
	if (!strcmp(k, "nodeSelectors"))
		return get_selectors(r, v, 0, &a->node_sels, &a->nnode_sels);
	if (!strcmp(k, "serviceSelectors"))
		return get_selectors(r, v, 0, &a->svc_sels, &a->nsvc_sels);
	if (!a->l2 && !strcmp(k, "peers"))
		return get_strv(r, v, k, &a->peers);
	if (!a->l2 && (!strcmp(k, "communities")))
		return get_strv(r, v, k, &a->communities);
	if (!a->l2 && (!strcmp(k, "aggregationLength") || !strcmp(k, "aggregation-length")))
		return get_int(r, v, k, 1, 32, &a->agg4);
	if (!a->l2 && (!strcmp(k, "aggregationLengthV6") || !strcmp(k, "aggregation-length-v6")))
		return get_int(r, v, k, 1, 128, &a->agg6);
	if (!a->l2 && (!strcmp(k, "localPref") || !strcmp(k, "localpref")))
		return get_int(r, v, k, 0, 4294967295LL, &a->local_pref);
	if (a->l2 && !strcmp(k, "interfaces"))
		return get_strv(r, v, k, &a->interfaces);
	if (a->l2 && !strcmp(k, "preferredNodeSelectors")) {
		note(r, &a->o, v, "spec.preferredNodeSelectors cannot be expressed: "
		     "the layer-2 election uses only the SHA-256 order");
		return 0;
	}
	note(r, &a->o, v, "%s%s is not known; ignored", legacy ? "" : "spec.", k);
	return 0;
}

static struct cv_adv *new_adv(struct rd *r, int l2)
{
	struct cv_adv *a = cv_alloc(r->m, sizeof *a);

	a->l2 = l2;
	a->agg4 = a->agg6 = -1;
	return a;
}

static int read_adv(struct rd *r, yaml_node_t *root, int l2)
{
	const char *kind = l2 ? "L2Advertisement" : "BGPAdvertisement";
	struct cv_adv *a = new_adv(r, l2);
	yaml_node_t *spec;

	if (get_meta(r, &a->o, kind, root) < 0)
		return -1;
	/* an advertisement with no spec at all is valid: every pool */
	if (cv_get(r->d, root, "spec") && !(spec = get_spec(r, root, kind)))
		return -1;
	spec = cv_get(r->d, root, "spec");
	for (int i = 0; i < cv_map_len(spec); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(r->d, spec, i, &k);
		if (!k)
			return fail(r, spec, "a field name must be a string");
		if (read_adv_field(r, a, k, v, 0) < 0)
			return -1;
	}
	PUSH(r->m->advs, r->m->nadvs, a);
	return 0;
}

static int read_bfd_field(struct rd *r, struct cv_bfd *b, const char *k, yaml_node_t *v)
{
	if (!strcmp(k, "receiveInterval") || !strcmp(k, "receive-interval"))
		return get_int(r, v, k, 10, 60000, &b->rx);
	if (!strcmp(k, "transmitInterval") || !strcmp(k, "transmit-interval"))
		return get_int(r, v, k, 10, 60000, &b->tx);
	if (!strcmp(k, "detectMultiplier") || !strcmp(k, "detect-multiplier"))
		return get_int(r, v, k, 2, 255, &b->mult);
	if (!strcmp(k, "echoInterval") || !strcmp(k, "echo-interval"))
		return get_int(r, v, k, 10, 60000, &b->echo_interval);
	if (!strcmp(k, "echoMode") || !strcmp(k, "echo-mode"))
		return get_bool(r, v, k, &b->echo_mode);
	if (!strcmp(k, "passiveMode") || !strcmp(k, "passive-mode"))
		return get_bool(r, v, k, &b->passive);
	if (!strcmp(k, "minimumTtl") || !strcmp(k, "minimum-ttl"))
		return get_int(r, v, k, 1, 254, &b->min_ttl);
	if (!strcmp(k, "name"))
		return 0;
	note(r, &b->o, v, "%s is not known; ignored", k);
	return 0;
}

static struct cv_bfd *new_bfd(struct rd *r)
{
	struct cv_bfd *b = cv_alloc(r->m, sizeof *b);

	b->rx = b->tx = b->mult = b->echo_interval = b->min_ttl = -1;
	return b;
}

static int read_bfd(struct rd *r, yaml_node_t *root)
{
	struct cv_bfd *b = new_bfd(r);
	yaml_node_t *spec = cv_get(r->d, root, "spec");

	if (get_meta(r, &b->o, "BFDProfile", root) < 0)
		return -1;
	if (spec && !cv_is_map(spec))
		return fail(r, spec, "BFDProfile spec must be a mapping");
	for (int i = 0; i < cv_map_len(spec); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(r->d, spec, i, &k);
		if (!k)
			return fail(r, spec, "a field name must be a string");
		if (read_bfd_field(r, b, k, v) < 0)
			return -1;
	}
	PUSH(r->m->bfds, r->m->nbfds, b);
	return 0;
}

static int add_community(struct rd *r, yaml_node_t *at, const char *name, const char *value)
{
	if (cv_has(&r->m->comm_names, name))
		return fail(r, at, "duplicate definition of community \"%s\"", name);
	cv_push(r->m, &r->m->comm_names, name);
	cv_push(r->m, &r->m->comm_values, value);
	return 0;
}

static int read_community(struct rd *r, yaml_node_t *root)
{
	struct cv_obj o = { 0 };
	yaml_node_t *spec;

	if (get_meta(r, &o, "Community", root) < 0 || !(spec = get_spec(r, root, "Community")))
		return -1;
	yaml_node_t *list = cv_get(r->d, spec, "communities");
	if (list && !cv_is_seq(list))
		return fail(r, list, "spec.communities must be a list");
	for (int i = 0; i < cv_seq_len(list); i++) {
		yaml_node_t *c = cv_seq_item(r->d, list, i);
		char *name, *value;
		if (get_str(r, cv_get(r->d, c, "name"), "community name", &name) < 0 ||
		    get_str(r, cv_get(r->d, c, "value"), "community value", &value) < 0 ||
		    add_community(r, c, name, value) < 0)
			return -1;
	}
	return 0;
}

/* --- the legacy ConfigMap (MetalLB <= 0.12) ---------------------------------- */

static int read_legacy(struct rd *r, yaml_node_t *root)
{
	if (!cv_is_map(root))
		return fail(r, root, "the MetalLB config must be a mapping (peers, address-pools, ...)");
	for (int i = 0; i < cv_map_len(root); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(r->d, root, i, &k);
		if (!k)
			return fail(r, root, "a field name must be a string");
		if (!strcmp(k, "peers")) {
			if (v && !cv_is_seq(v))
				return fail(r, v, "peers must be a list");
			for (int j = 0; j < cv_seq_len(v); j++) {
				yaml_node_t *pn = cv_seq_item(r->d, v, j);
				struct cv_peer *p = new_peer(r);
				if (!cv_is_map(pn))
					return fail(r, pn, "a peer must be a mapping");
				init_obj(r, &p->o, "peer", pn, "");
				for (int f = 0; f < cv_map_len(pn); f++) {
					const char *pk;
					yaml_node_t *pv = cv_map_pair(r->d, pn, f, &pk);
					if (!pk)
						return fail(r, pn, "a field name must be a string");
					if (read_peer_field(r, p, pk, pv, 1) < 0)
						return -1;
				}
				p->o.name = cv_printf(r->m, "peer-%s", p->addr ? p->addr : "?");
				if (finish_peer(r, p, pn) < 0)
					return -1;
			}
		} else if (!strcmp(k, "bgp-communities")) {
			for (int j = 0; j < cv_map_len(v); j++) {
				const char *cn;
				yaml_node_t *cvn = cv_map_pair(r->d, v, j, &cn);
				char *val;
				if (!cn)
					return fail(r, v, "a community name must be a string");
				if (get_str(r, cvn, "community value", &val) < 0 || add_community(r, cvn, cn, val) < 0)
					return -1;
			}
		} else if (!strcmp(k, "bfd-profiles")) {
			for (int j = 0; j < cv_seq_len(v); j++) {
				yaml_node_t *bn = cv_seq_item(r->d, v, j);
				struct cv_bfd *b = new_bfd(r);
				char *name;
				if (get_str(r, cv_get(r->d, bn, "name"), "bfd profile name", &name) < 0)
					return -1;
				init_obj(r, &b->o, "bfd-profile", bn, name);
				for (int f = 0; f < cv_map_len(bn); f++) {
					const char *bk;
					yaml_node_t *bv = cv_map_pair(r->d, bn, f, &bk);
					if (!bk)
						return fail(r, bn, "a field name must be a string");
					if (read_bfd_field(r, b, bk, bv) < 0)
						return -1;
				}
				PUSH(r->m->bfds, r->m->nbfds, b);
			}
		} else if (!strcmp(k, "address-pools")) {
			if (v && !cv_is_seq(v))
				return fail(r, v, "address-pools must be a list");
			for (int j = 0; j < cv_seq_len(v); j++) {
				yaml_node_t *pn = cv_seq_item(r->d, v, j);
				struct cv_pool *p = cv_alloc(r->m, sizeof *p);
				char *name, *proto = NULL;
				yaml_node_t *ads = NULL;
				p->auto_assign = 1;
				if (get_str(r, cv_get(r->d, pn, "name"), "address pool name", &name) < 0)
					return -1;
				init_obj(r, &p->o, "address-pool", pn, name);
				for (int f = 0; f < cv_map_len(pn); f++) {
					const char *pk;
					yaml_node_t *pv = cv_map_pair(r->d, pn, f, &pk);
					if (!pk)
						return fail(r, pn, "a field name must be a string");
					if (!strcmp(pk, "name"))
						continue;
					if (!strcmp(pk, "protocol")) {
						if (get_str(r, pv, "protocol", &proto) < 0)
							return -1;
						if (strcmp(proto, "bgp") && strcmp(proto, "layer2"))
							return fail(r, pv, "unknown protocol '%s' (bgp or layer2)", proto);
					} else if (!strcmp(pk, "addresses") || !strcmp(pk, "cidr")) {
						/* cidr: MetalLB before 0.5 */
						if (!cv_is_seq(pv))
							return fail(r, pv ? pv : pn, "addresses must be a list");
						for (int x = 0; x < cv_seq_len(pv); x++) {
							char *a;
							if (get_address(r, p, cv_seq_item(r->d, pv, x), &a) < 0)
								return -1;
							cv_push(r->m, &p->addrs, a);
						}
					} else if (!strcmp(pk, "avoid-buggy-ips")) {
						if (get_bool(r, pv, pk, &p->avoid_buggy) < 0)
							return -1;
					} else if (!strcmp(pk, "auto-assign")) {
						if (get_bool(r, pv, pk, &p->auto_assign) < 0)
							return -1;
					} else if (!strcmp(pk, "bgp-advertisements") || !strcmp(pk, "advertisements")) {
						/* advertisements: MetalLB before 0.5 */
						ads = pv;
					} else {
						note(r, &p->o, pv, "%s is not known; ignored", pk);
					}
				}
				if (!proto) {
					/* MetalLB before 0.5 spoke only BGP and had no protocol key */
					proto = "bgp";
					note(r, &p->o, pn, "address pool %s has no protocol: taken as bgp", name);
				}
				if (!p->addrs.n)
					return fail(r, pn, "address pool %s has no addresses", name);
				PUSH(r->m->pools, r->m->npools, p);
				if (!strcmp(proto, "layer2")) {
					if (ads)
						note(r, &p->o, ads, "bgp-advertisements of a layer2 pool are ignored, as MetalLB does");
					struct cv_adv *a = new_adv(r, 1);
					init_obj(r, &a->o, "layer2 pool", pn, cv_printf(r->m, "l2-%s", name));
					cv_push(r->m, &a->pools, name);
					PUSH(r->m->advs, r->m->nadvs, a);
					continue;
				}
				if (ads && !cv_is_seq(ads))
					return fail(r, ads, "bgp-advertisements must be a list");
				for (int x = 0; x < (ads ? cv_seq_len(ads) : 1); x++) {
					yaml_node_t *an = ads ? cv_seq_item(r->d, ads, x) : pn;
					struct cv_adv *a = new_adv(r, 0);
					init_obj(r, &a->o, "bgp-advertisement", an,
						 cv_printf(r->m, "%s-%d", name, x + 1));
					cv_push(r->m, &a->pools, name);
					for (int f = 0; ads && f < cv_map_len(an); f++) {
						const char *ak;
						yaml_node_t *av = cv_map_pair(r->d, an, f, &ak);
						if (!ak)
							return fail(r, an, "a field name must be a string");
						if (read_adv_field(r, a, ak, av, 1) < 0)
							return -1;
					}
					PUSH(r->m->advs, r->m->nadvs, a);
				}
			}
		} else {
			note(r, NULL, v, "%s is not known; ignored", k);
		}
	}
	return 0;
}

/* --- objects ------------------------------------------------------------------- */

static int read_object(struct rd *r, yaml_node_t *root);

static int read_configmap(struct rd *r, yaml_node_t *root)
{
	yaml_node_t *data = cv_get(r->d, root, "data");
	yaml_node_t *cfg = cv_get(r->d, data, "config");
	const char *text = cv_str(cfg);

	if (!cfg) {
		note(r, NULL, root, "ConfigMap without data.config skipped");
		return 0;
	}
	if (!text)
		return fail(r, cfg, "data.config must be a string holding MetalLB's YAML config");
	if (r->depth > 4)
		return fail(r, cfg, "ConfigMaps nested too deeply");
	/* a block scalar's text starts on the line after its indicator */
	int off = (int)cfg->start_mark.line + r->d->line_off +
		  (cfg->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
		   cfg->data.scalar.style == YAML_FOLDED_SCALAR_STYLE);
	struct cv_yaml y;
	if (cv_yaml_load(r->d->file, text, cfg->data.scalar.length, off, &y, r->err, r->errlen) < 0)
		return -1;
	struct cv_doc *saved = r->d;
	int rc = 0;
	r->depth++;
	for (int i = 0; i < y.n && !rc; i++) {
		r->d = &y.docs[i];
		rc = read_legacy(r, cv_root(r->d));
	}
	r->depth--;
	r->d = saved;
	cv_yaml_free(&y);
	return rc;
}

static int read_object(struct rd *r, yaml_node_t *root)
{
	/* an empty document, as a trailing `---` makes */
	if (cv_str(root) && root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!*cv_str(root) || !strcmp(cv_str(root), "null") || !strcmp(cv_str(root), "~")))
		return 0;
	if (!cv_is_map(root))
		return fail(r, root, "expected a Kubernetes object (a mapping with apiVersion and kind)");
	const char *kind = cv_str(cv_get(r->d, root, "kind"));
	if (!kind) {
		/* the bare text of the legacy config key */
		if (cv_get(r->d, root, "address-pools") || cv_get(r->d, root, "peers"))
			return read_legacy(r, root);
		return fail(r, root, "expected a Kubernetes object: no kind");
	}
	if (!strcmp(kind, "IPAddressPool"))
		return read_pool(r, root);
	if (!strcmp(kind, "BGPPeer"))
		return read_peer(r, root);
	if (!strcmp(kind, "BGPAdvertisement"))
		return read_adv(r, root, 0);
	if (!strcmp(kind, "L2Advertisement"))
		return read_adv(r, root, 1);
	if (!strcmp(kind, "BFDProfile"))
		return read_bfd(r, root);
	if (!strcmp(kind, "Community"))
		return read_community(r, root);
	if (!strcmp(kind, "ConfigMap"))
		return read_configmap(r, root);
	if (!strcmp(kind, "List") || !strcmp(kind, "ConfigMapList")) {
		yaml_node_t *items = cv_get(r->d, root, "items");
		if (items && !cv_is_seq(items))
			return fail(r, items, "items must be a list");
		if (r->depth > 4)
			return fail(r, root, "Lists nested too deeply");
		r->depth++;
		for (int i = 0; i < cv_seq_len(items); i++)
			if (read_object(r, cv_seq_item(r->d, items, i)) < 0) {
				r->depth--;
				return -1;
			}
		r->depth--;
		return 0;
	}
	note(r, NULL, root, "%s skipped: not a MetalLB configuration object", kind);
	return 0;
}

int cv_read(struct cv_model *m, const char *file, const char *buf, size_t len, char *err, size_t errlen)
{
	struct cv_yaml y;
	struct rd r = { .m = m, .err = err, .errlen = errlen };
	const char *name = cv_strdup(m, file);

	if (cv_yaml_load(name, buf, len, 0, &y, err, errlen) < 0)
		return -1;
	cv_push(m, &m->files, file);
	int rc = 0;
	for (int i = 0; i < y.n && !rc; i++) {
		r.d = &y.docs[i];
		rc = read_object(&r, cv_root(r.d));
	}
	cv_yaml_free(&y);
	return rc;
}
