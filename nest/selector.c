/*
 * metalbird -- Kubernetes label selectors
 *
 * A small recursive-descent parser of the selector syntax of
 * k8s.io/apimachinery/pkg/labels (Parse): keys are an optional DNS
 * subdomain prefix and '/' plus a name of [A-Za-z0-9._-] up to 63
 * characters; values likewise, possibly empty.
 */
#include "nest/selector.h"
#include "nest/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct sp {
	const char *s, *p;
	struct arena *a;
	char *err;
	size_t errlen;
	int failed;
};

static void sp_fail(struct sp *sp, const char *msg)
{
	if (!sp->failed)
		snprintf(sp->err, sp->errlen, "%s", msg);
	sp->failed = 1;
}

static void skip_ws(struct sp *sp)
{
	while (*sp->p == ' ' || *sp->p == '\t')
		sp->p++;
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/';
}

/* A name part of a key, or a value: at most 63 of [A-Za-z0-9._-], starting
 * and ending with a letter or digit (k8s.io/apimachinery validation). */
static const char *check_name(const char *b, size_t n)
{
	if (n > 63)
		return "a label name or value is at most 63 characters";
	for (size_t i = 0; i < n; i++)
		if (b[i] == '/')
			return "a label name or value cannot contain '/' (only a key has one, after its prefix)";
	if (n && (!isalnum((unsigned char)b[0]) || !isalnum((unsigned char)b[n - 1])))
		return "a label name or value must start and end with a letter or digit";
	return NULL;
}

/* An optional key prefix: a DNS subdomain (lower case, dots, dashes). */
static const char *check_prefix(const char *b, size_t n)
{
	if (!n || n > 253)
		return "a label key prefix must be a DNS name of 1-253 characters";
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-' || b[i] == '.'))
			return "a label key prefix must be a DNS name in lower case";
	if (!isalnum((unsigned char)b[0]) || !isalnum((unsigned char)b[n - 1]))
		return "a label key prefix must start and end with a letter or digit";
	return NULL;
}

/* A key (allow_empty = 0) or a value (allow_empty = 1); on a bad one the
 * error offset is the start of the word. */
static const char *word(struct sp *sp, int allow_empty)
{
	skip_ws(sp);
	const char *b = sp->p;
	while (is_name_char((unsigned char)*sp->p))
		sp->p++;
	size_t n = (size_t)(sp->p - b);
	if (!n && !allow_empty) {
		sp_fail(sp, "expected a label key");
		return NULL;
	}
	const char *bad;
	if (allow_empty)
		bad = check_name(b, n);
	else {
		const char *slash = memchr(b, '/', n);
		if (slash) {
			bad = check_prefix(b, (size_t)(slash - b));
			if (!bad && !(bad = check_name(slash + 1, n - (size_t)(slash - b) - 1)) && slash + 1 == b + n)
				bad = "a label key needs a name after its prefix";
		} else
			bad = check_name(b, n);
	}
	if (bad) {
		sp_fail(sp, bad);
		sp->p = b;
		return NULL;
	}
	return arena_strndup(sp->a, b, n);
}

static int value_list(struct sp *sp, struct sel_req *r)
{
	const char *vals[64];
	int n = 0;

	skip_ws(sp);
	if (*sp->p != '(') {
		sp_fail(sp, "expected '(' after in/notin");
		return -1;
	}
	sp->p++;
	for (;;) {
		const char *v = word(sp, 1);
		if (!v)
			return -1;
		if (n == 64) {
			sp_fail(sp, "too many values in a set");
			return -1;
		}
		vals[n++] = v;
		skip_ws(sp);
		if (*sp->p == ',') {
			sp->p++;
			continue;
		}
		if (*sp->p == ')') {
			sp->p++;
			break;
		}
		sp_fail(sp, "expected ',' or ')' in a value set");
		return -1;
	}
	r->nvalues = n;
	r->values = arena_alloc(sp->a, sizeof(char *) * n);
	memcpy(r->values, vals, sizeof(char *) * n);
	return 0;
}

struct selector *selector_parse(struct arena *a, const char *s, char *err, size_t errlen, int *erroff)
{
	struct sp sp = { s, s, a, err, errlen, 0 };
	struct sel_req reqs[32];
	int n = 0;

	skip_ws(&sp);
	while (*sp.p && !sp.failed) {
		struct sel_req r = { 0 };
		if (n == 32) {
			sp_fail(&sp, "too many requirements");
			break;
		}
		skip_ws(&sp);
		if (*sp.p == '!') {
			sp.p++;
			r.op = SEL_NOT_EXISTS;
			r.key = word(&sp, 0);
		} else {
			r.key = word(&sp, 0);
			if (!r.key)
				break;
			skip_ws(&sp);
			if (sp.p[0] == '!' && sp.p[1] == '=') {
				sp.p += 2;
				r.op = SEL_NEQ;
			} else if (sp.p[0] == '=' && sp.p[1] == '=') {
				sp.p += 2;
				r.op = SEL_EQ;
			} else if (sp.p[0] == '=') {
				sp.p++;
				r.op = SEL_EQ;
			} else if (!strncmp(sp.p, "notin", 5) && !is_name_char((unsigned char)sp.p[5])) {
				sp.p += 5;
				r.op = SEL_NOTIN;
			} else if (!strncmp(sp.p, "in", 2) && !is_name_char((unsigned char)sp.p[2])) {
				sp.p += 2;
				r.op = SEL_IN;
			} else
				r.op = SEL_EXISTS;
			if (r.op == SEL_EQ || r.op == SEL_NEQ) {
				const char *v = word(&sp, 1);
				if (!v)
					break;
				r.nvalues = 1;
				r.values = arena_alloc(a, sizeof(char *));
				r.values[0] = v;
			} else if (r.op == SEL_IN || r.op == SEL_NOTIN) {
				if (value_list(&sp, &r) < 0)
					break;
			}
		}
		if (!r.key)
			break;
		reqs[n++] = r;
		skip_ws(&sp);
		if (*sp.p == ',') {
			sp.p++;
			skip_ws(&sp);
			if (!*sp.p)
				sp_fail(&sp, "expected a requirement after ','");
		} else if (*sp.p)
			sp_fail(&sp, "expected ',' between requirements");
	}
	if (sp.failed) {
		if (erroff)
			*erroff = (int)(sp.p - s);
		return NULL;
	}
	struct selector *sel = arena_alloc(a, sizeof *sel);
	sel->n = n;
	sel->req = arena_alloc(a, sizeof(struct sel_req) * (n ? n : 1));
	memcpy(sel->req, reqs, sizeof(struct sel_req) * n);
	return sel;
}

const char *label_get(const struct label_set *l, const char *key)
{
	if (!l)
		return NULL;
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->keys[i], key))
			return l->values[i];
	return NULL;
}

static int in_values(const struct sel_req *r, const char *v)
{
	for (int i = 0; i < r->nvalues; i++)
		if (!strcmp(r->values[i], v))
			return 1;
	return 0;
}

int selector_match(const struct selector *sel, const struct label_set *labels)
{
	if (!sel)
		return 1;
	for (int i = 0; i < sel->n; i++) {
		const struct sel_req *r = &sel->req[i];
		const char *v = label_get(labels, r->key);
		switch (r->op) {
		case SEL_EXISTS: if (!v) return 0; break;
		case SEL_NOT_EXISTS: if (v) return 0; break;
		case SEL_EQ: case SEL_IN: if (!v || !in_values(r, v)) return 0; break;
		case SEL_NEQ: case SEL_NOTIN: if (v && in_values(r, v)) return 0; break;
		}
	}
	return 1;
}

void selector_format(const struct selector *sel, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; sel && i < sel->n && o < len; i++) {
		const struct sel_req *r = &sel->req[i];
		if (i)
			o += (size_t)snprintf(buf + o, len - o, ",");
		switch (r->op) {
		case SEL_EXISTS: o += (size_t)snprintf(buf + o, len - o, "%s", r->key); break;
		case SEL_NOT_EXISTS: o += (size_t)snprintf(buf + o, len - o, "!%s", r->key); break;
		case SEL_EQ: o += (size_t)snprintf(buf + o, len - o, "%s=%s", r->key, r->values[0]); break;
		case SEL_NEQ: o += (size_t)snprintf(buf + o, len - o, "%s!=%s", r->key, r->values[0]); break;
		case SEL_IN: case SEL_NOTIN:
			o += (size_t)snprintf(buf + o, len - o, "%s %s (", r->key, r->op == SEL_IN ? "in" : "notin");
			for (int j = 0; j < r->nvalues && o < len; j++)
				o += (size_t)snprintf(buf + o, len - o, "%s%s", j ? "," : "", r->values[j]);
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, ")");
			break;
		}
	}
}
