/*
 * metalbird -- filters: the interpreter, comparison and dump
 *
 * f_run() walks the compiled tree of a filter over one route.  Attributes
 * are read from the route's interned set until the first write; the first
 * write copies it into a scratch rta (rta_copy_tmp), and an accepted route
 * gets the scratch set interned (rta_lookup) or, when nothing was written,
 * another reference to the original (rta_clone).  Values that are built
 * per route (paths, community lists) live in scratch memory reused from
 * run to run, so the common case allocates nothing.
 *
 * A run-time error (an undefined attribute read, a division by zero) rejects
 * the route and is logged once per filter, with where in the config it is.
 */
#include "nest/filter/build.h"
#include "nest/log.h"
#include "nest/mem.h"

#include <stdio.h>
#include <string.h>

const struct filter filter_accept = { "all", FILTER_KIND_ACCEPT, NULL, { 0 } };
const struct filter filter_reject = { "none", FILTER_KIND_REJECT, NULL, { 0 } };

enum { S_OK, S_RETURN, S_ACCEPT, S_REJECT, S_ERROR };

#define F_STACK_SLOTS 4096
#define F_MAX_DEPTH 64
#define F_MAX_CALLS 100000	/* per run: recursion must not hang the daemon */

struct f_state {
	const net_addr *net;
	const char *proto;
	struct rta *orig;		/* NULL when folding constants */
	struct rta tmp;
	int dirty;
	struct f_val *fp;		/* current frame */
	int top;			/* first free stack slot */
	int depth;
	int calls;
	const struct f_inst *err_at;
	char err[200];
	const char *fname;
};

static struct f_val f_stack[F_STACK_SLOTS];

static int fail(struct f_state *s, const struct f_inst *i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct f_state *s, const struct f_inst *i, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	s->err_at = i;
	return S_ERROR;
}

static const struct rta *cur_rta(const struct f_state *s)
{
	return s->dirty ? &s->tmp : s->orig;
}

static struct rta *rw_rta(struct f_state *s)
{
	if (!s->dirty) {
		rta_copy_tmp(&s->tmp, s->orig);
		s->dirty = 1;
	}
	return &s->tmp;
}

static int eval(struct f_state *s, const struct f_inst *i, struct f_val *v);

/* Read an attribute: 1 defined (v set), 0 undefined, S_ERROR negative. */
static int attr_read(struct f_state *s, const struct f_inst *i, struct f_val *v)
{
	const struct rta *a = cur_rta(s);
	const char *str = NULL;
	struct f_val key;

	if (!a) {
		fail(s, i, "route attribute '%s' has no value here", f_attr_name((enum f_attr)i->attr));
		return -1;
	}
	v->type = i->type;
	switch ((enum f_attr)i->attr) {
	case FA_NET:
		if (!s->net)
			return 0;
		v->u.net = *s->net;
		return 1;
	case FA_PROTO: str = s->proto; break;
	case FA_POOL: str = a->pool; break;
	case FA_K8S_NAMESPACE: str = a->k8s_namespace; break;
	case FA_K8S_SERVICE: str = a->k8s_service; break;
	case FA_K8S_TRAFFIC_POLICY:
		str = a->k8s_traffic_policy == K8S_POLICY_CLUSTER ? "Cluster" :
		      a->k8s_traffic_policy == K8S_POLICY_LOCAL ? "Local" : NULL;
		break;
	case FA_K8S_LABEL: case FA_K8S_ANNOTATION:
		if (eval(s, i->a[0], &key) != S_OK)
			return -1;
		str = kv_get(i->attr == FA_K8S_LABEL ? a->k8s_labels : a->k8s_annotations, key.u.s);
		break;
	case FA_BGP_ORIGIN: v->u.i = a->set & RTA_ORIGIN ? a->bgp_origin : 0; return 1;
	case FA_BGP_PATH: v->u.ad = a->bgp_path; return 1;
	case FA_BGP_MED: v->u.i = a->bgp_med; return !!(a->set & RTA_MED);
	case FA_BGP_LOCAL_PREF: v->u.i = a->bgp_local_pref; return !!(a->set & RTA_LOCAL_PREF);
	case FA_BGP_COMMUNITY: v->u.ad = a->bgp_community; return 1;
	case FA_BGP_LARGE_COMMUNITY: v->u.ad = a->bgp_large_community; return 1;
	case FA_BGP_NEXT_HOP: v->u.ip = a->bgp_next_hop; return !!(a->set & RTA_NEXT_HOP);
	default: return 0;
	}
	v->u.s = str;
	return str != NULL;
}

static void attr_write(struct f_state *s, enum f_attr at, const struct f_val *v)
{
	struct rta *a = rw_rta(s);

	switch (at) {
	case FA_BGP_ORIGIN:
		if (v) {
			a->bgp_origin = (uint8_t)v->u.i;
			a->set |= RTA_ORIGIN;
		} else {
			a->bgp_origin = 0;
			a->set &= (uint8_t)~RTA_ORIGIN;
		}
		break;
	case FA_BGP_PATH: a->bgp_path = v && v->u.ad && v->u.ad->length ? v->u.ad : NULL; break;
	case FA_BGP_COMMUNITY: a->bgp_community = v && v->u.ad && v->u.ad->length ? v->u.ad : NULL; break;
	case FA_BGP_LARGE_COMMUNITY:
		a->bgp_large_community = v && v->u.ad && v->u.ad->length ? v->u.ad : NULL;
		break;
	case FA_BGP_MED:
		a->bgp_med = v ? v->u.i : 0;
		a->set = v ? a->set | RTA_MED : a->set & (uint8_t)~RTA_MED;
		break;
	case FA_BGP_LOCAL_PREF:
		a->bgp_local_pref = v ? v->u.i : 0;
		a->set = v ? a->set | RTA_LOCAL_PREF : a->set & (uint8_t)~RTA_LOCAL_PREF;
		break;
	case FA_BGP_NEXT_HOP:
		if (v)
			a->bgp_next_hop = v->u.ip;
		else
			memset(&a->bgp_next_hop, 0, sizeof a->bgp_next_hop);
		a->set = v ? a->set | RTA_NEXT_HOP : a->set & (uint8_t)~RTA_NEXT_HOP;
		break;
	default:
		break;
	}
}

static int match(const struct f_val *l, const struct f_val *r)
{
	switch (r->type) {
	case T_PREFIX:
		if (l->type == T_IP)
			return net_contains_ip(&r->u.net, l->u.ip);
		return net_contains(&r->u.net, &l->u.net);
	case T_SET_PREFIX:
		if (l->type == T_IP) {
			net_addr n = net_make(l->u.ip, ip_af(l->u.ip), af_maxlen(ip_af(l->u.ip)));
			return f_trie_match(r->u.trie, &n);
		}
		return f_trie_match(r->u.trie, &l->u.net);
	case T_SET_INT: return f_set_contains(r->u.set, l->u.i);
	case T_SET_PAIR:
		if (l->type == T_CLIST) {
			uint32_t n = l->u.ad ? l->u.ad->length / 4 : 0;
			for (uint32_t k = 0; k < n; k++) {
				uint32_t c;
				memcpy(&c, l->u.ad->data + 4 * k, 4);
				if (f_set_contains(r->u.set, ((uint64_t)(c >> 16) << 32) | (c & 0xffff)))
					return 1;
			}
			return 0;
		}
		return f_set_contains(r->u.set, l->u.pair);
	case T_SET_LC: {
		if (l->type == T_LCLIST)
			return f_lclist_any_in(l->u.ad, r->u.lcs);
		uint32_t c[3] = { l->u.lc.a, l->u.lc.b, l->u.lc.c };
		return f_lc_set_contains(r->u.lcs, c);
	}
	case T_CLIST:
		return f_clist_contains(r->u.ad, (uint32_t)((l->u.pair >> 32) << 16 | (l->u.pair & 0xffff)));
	case T_LCLIST: {
		uint32_t c[3] = { l->u.lc.a, l->u.lc.b, l->u.lc.c };
		return f_lclist_contains(r->u.ad, c);
	}
	case T_PATH_MASK: return f_pm_match(r->u.pm, l->u.ad);
	case T_PATH: {
		uint32_t len = r->u.ad ? r->u.ad->length : 0;
		for (uint32_t o = 0; o + 2 <= len;) {
			unsigned cnt = r->u.ad->data[o + 1];
			o += 2;
			for (unsigned k = 0; k < cnt && o + 4 <= len; k++, o += 4) {
				uint32_t asn;
				memcpy(&asn, r->u.ad->data + o, 4);
				if (asn == l->u.i)
					return 1;
			}
		}
		return 0;
	}
	case T_STRING: return f_string_match(l->u.s, r->u.s);
	default: return 0;
	}
}

static int call(struct f_state *s, const struct f_inst *i, struct f_val *v)
{
	const struct f_function *fn = i->fn;
	int base = s->top;

	if (s->depth >= F_MAX_DEPTH)
		return fail(s, i, "function calls nested too deeply (more than %d)", F_MAX_DEPTH);
	if (++s->calls > F_MAX_CALLS)
		return fail(s, i, "more than %d function calls for one route", F_MAX_CALLS);
	if (base + fn->nslots > F_STACK_SLOTS)
		return fail(s, i, "out of filter stack");
	/* reserve the frame first: calls among the arguments stack above it */
	s->top = base + fn->nslots;
	int k = 0;
	for (const struct f_inst *a = i->a[0]; a; a = a->next, k++) {
		int r = eval(s, a, &f_stack[base + k]);
		if (r != S_OK) {
			s->top = base;
			return r;
		}
	}
	for (; k < fn->nslots; k++)
		f_stack[base + k].type = T_VOID;
	struct f_val *saved_fp = s->fp;
	s->fp = &f_stack[base];
	s->depth++;
	v->type = T_VOID;
	int r = S_OK;
	for (const struct f_inst *st = fn->body; st && r == S_OK; st = st->next)
		r = eval(s, st, v);
	s->depth--;
	s->top = base;
	s->fp = saved_fp;
	if (r == S_RETURN || r == S_OK) {
		if (fn->ret != T_VOID && v->type != fn->ret)
			return fail(s, i, "function '%s' ended without returning a value", fn->name);
		if (fn->ret == T_VOID)
			v->type = T_VOID;
		return S_OK;
	}
	return r;
}

static int exec_list(struct f_state *s, const struct f_inst *l, struct f_val *v)
{
	for (; l; l = l->next) {
		int r = eval(s, l, v);
		if (r != S_OK)
			return r;
	}
	return S_OK;
}

static int eval(struct f_state *s, const struct f_inst *i, struct f_val *v)
{
	struct f_val x, y, z;
	int r;

	switch ((enum f_code_op)i->op) {
	case FI_CONST:
		*v = i->val;
		return S_OK;
	case FI_VAR:
		*v = s->fp[i->slot];
		if (v->type == T_VOID)
			return fail(s, i, "variable '%s' is used before it is set", i->name);
		return S_OK;
	case FI_ATTR:
		r = attr_read(s, i, v);
		if (r < 0)
			return S_ERROR;
		if (!r)
			return fail(s, i, "route attribute '%s' is not defined for this route (test it with defined())",
				    f_attr_name((enum f_attr)i->attr));
		return S_OK;
	case FI_DEFINED:
		v->type = T_BOOL;
		if (i->a[0]->op == FI_VAR) {
			v->u.b = s->fp[i->a[0]->slot].type != T_VOID;
			return S_OK;
		}
		r = attr_read(s, i->a[0], &x);
		if (r < 0)
			return S_ERROR;
		v->u.b = r;
		return S_OK;
	case FI_NOT:
		if ((r = eval(s, i->a[0], v)) != S_OK)
			return r;
		v->u.b = !v->u.b;
		return S_OK;
	case FI_AND: case FI_OR:
		if ((r = eval(s, i->a[0], v)) != S_OK)
			return r;
		if (i->op == FI_AND ? !v->u.b : v->u.b)
			return S_OK;
		return eval(s, i->a[1], v);
	default:
		break;
	}

	/* operators with evaluated operands */
	if (i->op < FI_ACCEPT && i->op != FI_CALL) {
		if (i->a[0] && (r = eval(s, i->a[0], &x)) != S_OK)
			return r;
		if (i->a[1] && (r = eval(s, i->a[1], &y)) != S_OK)
			return r;
		if (i->a[2] && (r = eval(s, i->a[2], &z)) != S_OK)
			return r;
	}
	v->type = i->type;
	switch ((enum f_code_op)i->op) {
	case FI_EQ: v->u.b = f_val_equal(&x, &y); return S_OK;
	case FI_NEQ: v->u.b = !f_val_equal(&x, &y); return S_OK;
	case FI_LT: v->u.b = f_val_cmp(&x, &y) == -1; return S_OK;
	case FI_LE: r = f_val_cmp(&x, &y); v->u.b = r == -1 || r == 0; return S_OK;
	case FI_GT: v->u.b = f_val_cmp(&x, &y) == 1; return S_OK;
	case FI_GE: r = f_val_cmp(&x, &y); v->u.b = r == 1 || r == 0; return S_OK;
	case FI_MATCH: v->u.b = match(&x, &y); return S_OK;
	case FI_NMATCH: v->u.b = !match(&x, &y); return S_OK;
	case FI_ADD:
		if (x.u.i > UINT32_MAX - y.u.i)
			return fail(s, i, "%u + %u overflows (ints are 0..4294967295)", x.u.i, y.u.i);
		v->u.i = x.u.i + y.u.i;
		return S_OK;
	case FI_SUB:
		if (x.u.i < y.u.i)
			return fail(s, i, "%u - %u is negative (ints are 0..4294967295)", x.u.i, y.u.i);
		v->u.i = x.u.i - y.u.i;
		return S_OK;
	case FI_MUL:
		if ((uint64_t)x.u.i * y.u.i > UINT32_MAX)
			return fail(s, i, "%u * %u overflows (ints are 0..4294967295)", x.u.i, y.u.i);
		v->u.i = x.u.i * y.u.i;
		return S_OK;
	case FI_DIV: case FI_MOD:
		if (!y.u.i)
			return fail(s, i, "division by zero");
		v->u.i = i->op == FI_DIV ? x.u.i / y.u.i : x.u.i % y.u.i;
		return S_OK;
	case FI_PAIR:
		if (x.u.i > 65535 || y.u.i > 65535)
			return fail(s, i, "pair (%u,%u) is out of range (each part is 0..65535)", x.u.i, y.u.i);
		v->u.pair = (uint64_t)x.u.i << 32 | y.u.i;
		return S_OK;
	case FI_LC:
		v->u.lc.a = x.u.i;
		v->u.lc.b = y.u.i;
		v->u.lc.c = z.u.i;
		return S_OK;
	case FI_NET_LEN: v->u.i = x.u.net.len; return S_OK;
	case FI_NET_IP: v->u.ip = x.u.net.ip; return S_OK;
	case FI_PAIR_A: v->u.i = (uint32_t)(x.u.pair >> 32); return S_OK;
	case FI_PAIR_B: v->u.i = (uint32_t)x.u.pair; return S_OK;
	case FI_PATH_LEN: v->u.i = (uint32_t)f_path_len(x.u.ad); return S_OK;
	case FI_PATH_FIRST:
		if (!f_path_first(x.u.ad, &v->u.i))
			v->u.i = 0;
		return S_OK;
	case FI_PATH_LAST:
		if (!f_path_last(x.u.ad, &v->u.i))
			v->u.i = 0;
		return S_OK;
	case FI_LIST_LEN:
		v->u.i = x.u.ad ? x.u.ad->length / (x.type == T_CLIST ? 4 : 12) : 0;
		return S_OK;
	case FI_PREPEND: v->u.ad = f_path_prepend(x.u.ad, y.u.i); return S_OK;
	case FI_LIST_ADD: case FI_LIST_DEL:
		if (x.type == T_CLIST) {
			if (i->op == FI_LIST_DEL) {
				v->u.ad = f_clist_del(x.u.ad, &y);
				return S_OK;
			}
			v->u.ad = f_clist_add(x.u.ad, (uint32_t)((y.u.pair >> 32) << 16 | (y.u.pair & 0xffff)));
			return S_OK;
		} else {
			uint32_t c[3] = { y.u.lc.a, y.u.lc.b, y.u.lc.c };
			if (y.type == T_SET_LC)
				v->u.ad = f_lclist_del_set(x.u.ad, y.u.lcs);
			else
				v->u.ad = i->op == FI_LIST_ADD ? f_lclist_add(x.u.ad, c) : f_lclist_del(x.u.ad, c);
			return S_OK;
		}
	case FI_CALL:
		return call(s, i, v);

	/* statements */
	case FI_ACCEPT: return S_ACCEPT;
	case FI_REJECT: return S_REJECT;
	case FI_RETURN:
		if (i->a[0]) {
			if ((r = eval(s, i->a[0], v)) != S_OK)
				return r;
		} else
			v->type = T_VOID;
		return S_RETURN;
	case FI_IF:
		if ((r = eval(s, i->a[0], &x)) != S_OK)
			return r;
		if (x.u.b)
			return eval(s, i->a[1], v);
		return i->a[2] ? eval(s, i->a[2], v) : S_OK;
	case FI_BLOCK:
		return exec_list(s, i->a[0], v);
	case FI_SET_VAR:
		if ((r = eval(s, i->a[0], &x)) != S_OK)
			return r;
		s->fp[i->slot] = x;
		return S_OK;
	case FI_NOP:
		if (i->attr)	/* a declaration without value: (re)starts unset */
			s->fp[i->slot].type = T_VOID;
		return S_OK;
	case FI_SET_ATTR:
		if ((r = eval(s, i->a[0], &x)) != S_OK)
			return r;
		attr_write(s, (enum f_attr)i->attr, &x);
		return S_OK;
	case FI_UNSET_ATTR:
		attr_write(s, (enum f_attr)i->attr, NULL);
		return S_OK;
	case FI_PRINT: {
		char line[512], b[256];
		size_t o = 0;
		line[0] = 0;
		for (const struct f_inst *a = i->a[0]; a; a = a->next) {
			if ((r = eval(s, a, &x)) != S_OK)
				return r;
			f_val_print(&x, b, sizeof b);
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", o ? " " : "", b);
			if (o >= sizeof line)
				o = sizeof line - 1;
		}
		log_msg(L_INFO, "filter %s: %s", s->fname ? s->fname : "(unnamed)", line);
		return S_OK;
	}
	case FI_CASE:
		if ((r = eval(s, i->a[0], &x)) != S_OK)
			return r;
		for (int k = 0; k < i->narms; k++) {
			const struct f_case_arm *arm = &i->arms[k];
			int hit = 0;
			if (arm->is_else)
				continue;
			if (arm->set.type != T_VOID)
				hit = match(&x, &arm->set);
			for (int j = 0; j < arm->nvals && !hit; j++)
				hit = f_val_equal(&x, &arm->vals[j]);
			if (hit)
				return exec_list(s, arm->body, v);
		}
		for (int k = 0; k < i->narms; k++)
			if (i->arms[k].is_else)
				return exec_list(s, i->arms[k].body, v);
		return S_OK;
	case FI_EXPR_STMT:
		return eval(s, i->a[0], &x);
	default:
		return fail(s, i, "internal: unknown instruction %u", i->op);
	}
}

int f_eval_const(const struct f_inst *i, struct f_val *out, char *err, size_t errlen)
{
	struct f_state s;

	memset(&s, 0, sizeof s);
	s.fp = f_stack;
	int r = eval(&s, i, out);
	if (r == S_OK)
		return 0;
	snprintf(err, errlen, "%s", r == S_ERROR ? s.err : "not a constant");
	return -1;
}

enum filter_result f_run(const struct filter *f, const net_addr *net, const char *proto,
			 struct rta *a, struct rta **out)
{
	struct f_state s;
	struct f_val v;

	if (!f || f->kind == FILTER_KIND_REJECT)
		return F_REJECT;
	if (f->kind == FILTER_KIND_ACCEPT) {
		*out = rta_clone(a);
		return F_ACCEPT;
	}
	struct f_code *c = f->code;
	s.net = net;
	s.proto = proto;
	s.orig = a;
	s.dirty = 0;
	s.fp = f_stack;
	s.top = c->nslots;
	s.depth = 0;
	s.calls = 0;
	s.fname = f->name ? f->name : c->label;
	for (int k = 0; k < c->nslots; k++)
		f_stack[k].type = T_VOID;
	f_scratch_reset();
	int r = exec_list(&s, c->body, &v);
	if (r == S_ACCEPT) {
		*out = s.dirty ? rta_lookup(&s.tmp) : rta_clone(a);
		return F_ACCEPT;
	}
	if (r == S_ERROR && !c->err_logged) {
		char n[NET_STRLEN];
		c->err_logged = 1;
		log_msg(L_ERR, "filter %s: %s:%d:%d: %s; route %s rejected (logged once per filter)",
			s.fname ? s.fname : "(unnamed)", s.err_at->loc.file ? s.err_at->loc.file : "?",
			s.err_at->loc.line, s.err_at->loc.col, s.err, net_ntop(net, n));
	}
	return F_REJECT;
}

int f_run_function(const struct f_function *fn, const net_addr *net, const char *proto,
		   struct rta *a, struct f_val *out, char *err, size_t errlen)
{
	struct f_state s;
	struct f_inst call;

	memset(&s, 0, sizeof s);
	memset(&call, 0, sizeof call);
	call.op = FI_CALL;
	call.type = (uint8_t)fn->ret;
	call.fn = fn;
	call.loc = fn->loc;
	s.net = net;
	s.proto = proto;
	s.orig = a;
	s.fp = f_stack;
	s.fname = fn->name;
	f_scratch_reset();
	int r = eval(&s, &call, out);
	if (r == S_OK)
		return 0;
	if (r == S_ERROR)
		snprintf(err, errlen, "%s:%d:%d: %s", s.err_at->loc.file ? s.err_at->loc.file : "?",
			 s.err_at->loc.line, s.err_at->loc.col, s.err);
	else
		snprintf(err, errlen, "%s", r == S_ACCEPT ? "accept in a function" : "reject in a function");
	return -1;
}

/* --- comparison by meaning ---------------------------------------------------------------- */

#define SAME_DEPTH 32
static const struct f_function *same_stack[SAME_DEPTH][2];
static int same_depth;

static int fn_same(const struct f_function *a, const struct f_function *b)
{
	if (a == b)
		return 1;
	for (int k = 0; k < same_depth; k++)
		if (same_stack[k][0] == a && same_stack[k][1] == b)
			return 1;	/* being compared further up: recursion */
	if (strcmp(a->name, b->name) || a->nargs != b->nargs || a->ret != b->ret || a->nslots != b->nslots)
		return 0;
	for (int k = 0; k < a->nargs; k++)
		if (a->argt[k] != b->argt[k])
			return 0;
	if (same_depth >= SAME_DEPTH)
		return 0;
	same_stack[same_depth][0] = a;
	same_stack[same_depth][1] = b;
	same_depth++;
	int r = f_inst_same(a->body, b->body);
	same_depth--;
	return r;
}

int f_inst_same(const struct f_inst *a, const struct f_inst *b)
{
	for (; a || b; a = a->next, b = b->next) {
		if (!a || !b)
			return 0;
		if (a->op != b->op || a->type != b->type || a->attr != b->attr || a->slot != b->slot)
			return 0;
		if (a->op == FI_CONST && !f_val_equal(&a->val, &b->val))
			return 0;
		for (int k = 0; k < 3; k++)
			if (!f_inst_same(a->a[k], b->a[k]))
				return 0;
		if (a->op == FI_CALL && !fn_same(a->fn, b->fn))
			return 0;
		if (a->op == FI_CASE) {
			if (a->narms != b->narms)
				return 0;
			for (int k = 0; k < a->narms; k++) {
				const struct f_case_arm *x = &a->arms[k], *y = &b->arms[k];
				if (x->is_else != y->is_else || x->nvals != y->nvals ||
				    !f_val_equal(&x->set, &y->set) || !f_inst_same(x->body, y->body))
					return 0;
				for (int j = 0; j < x->nvals; j++)
					if (!f_val_equal(&x->vals[j], &y->vals[j]))
						return 0;
			}
		}
	}
	return 1;
}

int filter_same(const struct filter *a, const struct filter *b)
{
	if (a == b)
		return 1;
	if (!a || !b || a->kind != b->kind)
		return 0;
	if (a->kind != FILTER_KIND_CODE)
		return 1;
	if ((a->name == NULL) != (b->name == NULL) || (a->name && strcmp(a->name, b->name)))
		return 0;
	const struct f_code *x = a->code, *y = b->code;
	if (x->nslots != y->nslots || (x->where == NULL) != (y->where == NULL))
		return 0;
	same_depth = 0;
	return f_inst_same(x->body, y->body);
}

const char *filter_name(const struct filter *f)
{
	if (!f || f->kind == FILTER_KIND_REJECT)
		return "REJECT";
	if (f->kind == FILTER_KIND_ACCEPT)
		return "ACCEPT";
	return f->name ? f->name : "(unnamed)";
}

void f_val_format(const struct f_val *v, char *buf, size_t len)
{
	f_val_print(v, buf, len);
}

/* --- dump as config text ------------------------------------------------------------------- */

static void dump_val(FILE *out, const struct f_val *v)
{
	char b[1024];

	switch (v->type) {
	case T_STRING:
		fputc('"', out);
		for (const char *p = v->u.s; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', out);
			if (*p == '\n')
				fputs("\\n", out);
			else if (*p == '\t')
				fputs("\\t", out);
			else
				fputc(*p, out);
		}
		fputc('"', out);
		return;
	case T_BOOL: fputs(v->u.b ? "true" : "false", out); return;
	case T_ORIGIN:
		fputs(v->u.i == 0 ? "ORIGIN_IGP" : v->u.i == 1 ? "ORIGIN_EGP" : "ORIGIN_INCOMPLETE", out);
		return;
	case T_PATH: {
		/* as the prepends that build it: ASNs from the last one */
		uint32_t len = v->u.ad ? v->u.ad->length : 0, asn[1024];
		int n = 0;
		fputs("+empty+", out);
		for (uint32_t o = 0; o + 2 <= len;) {
			unsigned cnt = v->u.ad->data[o + 1];
			o += 2;
			for (unsigned k = 0; k < cnt && o + 4 <= len && n < 1024; k++, o += 4)
				memcpy(&asn[n++], v->u.ad->data + o, 4);
		}
		while (n > 0)
			fprintf(out, ".prepend(%u)", asn[--n]);
		return;
	}
	case T_CLIST: {
		uint32_t n = v->u.ad ? v->u.ad->length / 4 : 0, c;
		fputs("-empty-", out);
		for (uint32_t k = 0; k < n; k++) {
			memcpy(&c, v->u.ad->data + 4 * k, 4);
			fprintf(out, ".add((%u, %u))", c >> 16, c & 0xffff);
		}
		return;
	}
	case T_LCLIST: {
		uint32_t n = v->u.ad ? v->u.ad->length / 12 : 0, c[3];
		fputs("--empty--", out);
		for (uint32_t k = 0; k < n; k++) {
			memcpy(c, v->u.ad->data + 12 * k, 12);
			fprintf(out, ".add((%u, %u, %u))", c[0], c[1], c[2]);
		}
		return;
	}
	default: break;
	}
	f_val_print(v, b, sizeof b);
	fputs(b, out);
}

static const char *op_sym(unsigned op)
{
	switch (op) {
	case FI_AND: return "&&"; case FI_OR: return "||";
	case FI_EQ: return "="; case FI_NEQ: return "!="; case FI_LT: return "<";
	case FI_LE: return "<="; case FI_GT: return ">"; case FI_GE: return ">=";
	case FI_MATCH: return "~"; case FI_NMATCH: return "!~";
	case FI_ADD: return "+"; case FI_SUB: return "-"; case FI_MUL: return "*";
	case FI_DIV: return "/"; case FI_MOD: return "%";
	default: return NULL;
	}
}

static void dump_args(FILE *out, const struct f_inst *l)
{
	for (; l; l = l->next) {
		f_dump_expr(out, l);
		if (l->next)
			fputs(", ", out);
	}
}

/* Operands that are operators themselves go in parentheses. */
static void dump_operand(FILE *out, const struct f_inst *i)
{
	int paren = op_sym(i->op) || i->op == FI_NOT;
	if (paren)
		fputc('(', out);
	f_dump_expr(out, i);
	if (paren)
		fputc(')', out);
}

void f_dump_expr(FILE *out, const struct f_inst *i)
{
	const char *m = NULL, *o = op_sym(i->op);

	if (o) {
		dump_operand(out, i->a[0]);
		fprintf(out, " %s ", o);
		dump_operand(out, i->a[1]);
		return;
	}
	switch ((enum f_code_op)i->op) {
	case FI_CONST: dump_val(out, &i->val); return;
	case FI_VAR: cf_put_name(out, i->name); return;
	case FI_ATTR:
		fputs(f_attr_name((enum f_attr)i->attr), out);
		if (i->a[0]) {
			fputc('(', out);
			f_dump_expr(out, i->a[0]);
			fputc(')', out);
		}
		return;
	case FI_DEFINED: fputs("defined(", out); f_dump_expr(out, i->a[0]); fputc(')', out); return;
	case FI_NOT: fputs("!", out); dump_operand(out, i->a[0]); return;
	case FI_PAIR: case FI_LC:
		fputc('(', out);
		f_dump_expr(out, i->a[0]);
		fputs(", ", out);
		f_dump_expr(out, i->a[1]);
		if (i->op == FI_LC) {
			fputs(", ", out);
			f_dump_expr(out, i->a[2]);
		}
		fputc(')', out);
		return;
	case FI_CALL:
		cf_put_name(out, i->fn->name);
		fputc('(', out);
		dump_args(out, i->a[0]);
		fputc(')', out);
		return;
	case FI_NET_LEN: case FI_PATH_LEN: case FI_LIST_LEN: m = "len"; break;
	case FI_NET_IP: m = "ip"; break;
	case FI_PAIR_A: m = "asn"; break;
	case FI_PAIR_B: m = "data"; break;
	case FI_PATH_FIRST: m = "first"; break;
	case FI_PATH_LAST: m = "last"; break;
	case FI_PREPEND: m = "prepend"; break;
	case FI_LIST_ADD: m = "add"; break;
	case FI_LIST_DEL: m = "delete"; break;
	default: fputs("?", out); return;
	}
	dump_operand(out, i->a[0]);
	fprintf(out, ".%s", m);
	if (i->a[1]) {
		fputc('(', out);
		f_dump_expr(out, i->a[1]);
		fputc(')', out);
	}
}

static void dump_stmt(FILE *out, const struct f_inst *i)
{
	switch ((enum f_code_op)i->op) {
	case FI_ACCEPT: fputs("accept;", out); return;
	case FI_REJECT: fputs("reject;", out); return;
	case FI_RETURN:
		fputs("return", out);
		if (i->a[0]) {
			fputc(' ', out);
			f_dump_expr(out, i->a[0]);
		}
		fputc(';', out);
		return;
	case FI_IF:
		fputs("if ", out);
		f_dump_expr(out, i->a[0]);
		fputs(" then ", out);
		dump_stmt(out, i->a[1]);
		if (i->a[2]) {
			fputs(" else ", out);
			dump_stmt(out, i->a[2]);
		}
		return;
	case FI_BLOCK:
		fputs("{ ", out);
		f_dump_stmts(out, i->a[0]);
		fputs("}", out);
		return;
	case FI_NOP:
		if (i->attr) {
			fprintf(out, "%s ", f_type_name((enum f_type)i->attr));
			cf_put_name(out, i->name);
		}
		fputc(';', out);
		return;
	case FI_SET_VAR:
		if (i->attr)
			fprintf(out, "%s ", f_type_name((enum f_type)i->attr));
		cf_put_name(out, i->name);
		fputs(" = ", out);
		f_dump_expr(out, i->a[0]);
		fputc(';', out);
		return;
	case FI_SET_ATTR:
		fprintf(out, "%s = ", f_attr_name((enum f_attr)i->attr));
		f_dump_expr(out, i->a[0]);
		fputc(';', out);
		return;
	case FI_UNSET_ATTR:
		fprintf(out, "unset(%s);", f_attr_name((enum f_attr)i->attr));
		return;
	case FI_PRINT:
		fputs("print ", out);
		dump_args(out, i->a[0]);
		fputc(';', out);
		return;
	case FI_EXPR_STMT:
		f_dump_expr(out, i->a[0]);
		fputc(';', out);
		return;
	case FI_CASE:
		fputs("case ", out);
		f_dump_expr(out, i->a[0]);
		fputs(" { ", out);
		for (int k = 0; k < i->narms; k++) {
			const struct f_case_arm *arm = &i->arms[k];
			if (arm->is_else)
				fputs("else", out);
			else if (arm->set.type != T_VOID) {
				char b[1024];
				f_val_print(&arm->set, b, sizeof b);
				/* the set's items without its brackets */
				size_t n = strlen(b);
				fprintf(out, "%.*s", n >= 2 ? (int)n - 2 : 0, b + 1);
			} else
				for (int j = 0; j < arm->nvals; j++) {
					if (j)
						fputs(", ", out);
					dump_val(out, &arm->vals[j]);
				}
			fputs(": ", out);
			f_dump_stmts(out, arm->body);
		}
		fputs("}", out);
		return;
	default:
		fputs("?;", out);
	}
}

void f_dump_stmts(FILE *out, const struct f_inst *i)
{
	for (; i; i = i->next) {
		dump_stmt(out, i);
		fputc(' ', out);
	}
}

void filter_dump_spec(FILE *out, const struct filter *f)
{
	if (!f || f->kind == FILTER_KIND_REJECT) {
		fputs("none", out);
		return;
	}
	if (f->kind == FILTER_KIND_ACCEPT) {
		fputs("all", out);
		return;
	}
	if (f->name) {
		fputs("filter ", out);
		cf_put_name(out, f->name);
		return;
	}
	const struct f_code *c = f->code;
	if (c->where) {
		fputs("where ", out);
		f_dump_expr(out, c->where);
		return;
	}
	fputs("filter { ", out);
	f_dump_stmts(out, c->body);
	fputs("}", out);
}

void filter_dump_defs(FILE *out, const struct config *c)
{
	const struct f_conf *fc = c->ext[CF_EXT_FILTER];

	for (const struct f_def *d = fc ? fc->defs : NULL; d; d = d->next) {
		switch (d->cls) {
		case SYM_CONSTANT:
			fputs("define ", out);
			cf_put_name(out, d->name);
			fputs(" = ", out);
			dump_val(out, d->def);
			fputs(";\n", out);
			break;
		case SYM_FUNCTION: {
			const struct f_function *fn = d->def;
			fputs("function ", out);
			cf_put_name(out, fn->name);
			fputc('(', out);
			for (int k = 0; k < fn->nargs; k++) {
				fprintf(out, "%s%s ", k ? "; " : "", f_type_name(fn->argt[k]));
				cf_put_name(out, fn->argn[k]);
			}
			fputs(")", out);
			/* set types have no `->` form; the returns give them again */
			if (fn->ret != T_VOID && fn->ret < T_SET_INT)
				fprintf(out, " -> %s", f_type_name(fn->ret));
			fputs(" { ", out);
			f_dump_stmts(out, fn->body);
			fputs("}\n", out);
			break;
		}
		case SYM_FILTER: {
			const struct filter *f = d->def;
			const struct f_code *code = f->code;
			fputs("filter ", out);
			cf_put_name(out, f->name);
			fputs(" { ", out);
			f_dump_stmts(out, code->body);
			fputs("}\n", out);
			break;
		}
		default:
			break;
		}
	}
}

void filter_cli_free(const struct filter *f)
{
	if (f && f->kind == FILTER_KIND_CODE && ((const struct f_code *)f->code)->owner)
		config_free(((const struct f_code *)f->code)->owner);
}
