/*
 * metalbird -- filters: building the compiled tree at config time
 *
 * The grammar (nest/filter/config.y) calls these constructors.  Each one
 * checks the types of its operands and reports a mistake as a config error
 * at the operator or name that is wrong, and folds a node whose operands are
 * all constants into a constant (so `define` works on expressions and a
 * filter does no work per route that it could have done once).
 */
#include "nest/filter/build.h"
#include "nest/mem.h"

#include <string.h>

/* The function or filter being compiled: where local variables get slots. */
static struct {
	int active;
	int nslots;
	struct f_function *fn;
} ctx;

void f_ctx_begin(struct f_function *fn)
{
	ctx.active = 1;
	ctx.nslots = fn ? fn->nargs : 0;
	ctx.fn = fn;
}

/* Inside a filter or function body?  The scope depth says so even when a
 * failed parse left ctx behind (every body pushes a scope). */
static int in_code(void)
{
	return ctx.active && new_config && new_config->scope > 0;
}

int f_ctx_end(void)
{
	int n = ctx.nslots;
	ctx.active = 0;
	ctx.fn = NULL;
	ctx.nslots = 0;
	return n;
}

struct f_inst *f_new(enum f_code_op op, enum f_type t, const struct cf_loc *loc)
{
	struct f_inst *i = cf_alloc(sizeof *i);
	i->op = (uint16_t)op;
	i->type = (uint8_t)t;
	if (loc)
		i->loc = *loc;
	return i;
}

struct f_inst *f_const(struct f_val v, const struct cf_loc *loc)
{
	struct f_inst *i = f_new(FI_CONST, v.type, loc);
	i->val = v;
	return i;
}

struct f_inst *f_const_int(uint32_t n, const struct cf_loc *loc)
{
	struct f_val v = { .type = T_INT, .u.i = n };
	return f_const(v, loc);
}

static int is_const(const struct f_inst *i)
{
	return !i || i->op == FI_CONST;
}

/* Replace a node whose operands are all constant by its value. */
static struct f_inst *fold(struct f_inst *i)
{
	char err[200];
	struct f_val v;

	if (!is_const(i->a[0]) || !is_const(i->a[1]) || !is_const(i->a[2]))
		return i;
	if (f_eval_const(i, &v, err, sizeof err) < 0)
		cf_error_at(&i->loc, "%s", err);
	/* a folded path or list was built in run-time scratch memory */
	if ((v.type == T_PATH || v.type == T_CLIST || v.type == T_LCLIST) && v.u.ad) {
		struct adata *ad = cf_alloc(sizeof *ad + v.u.ad->length);
		ad->length = v.u.ad->length;
		memcpy(ad->data, v.u.ad->data, ad->length);
		v.u.ad = ad;
	}
	return f_const(v, &i->loc);
}

enum f_type f_type_parse(const char *name, const char *set, const struct cf_loc *loc)
{
	static const struct { const char *n; enum f_type t; } types[] = {
		{ "int", T_INT }, { "bool", T_BOOL }, { "string", T_STRING }, { "ip", T_IP },
		{ "prefix", T_PREFIX }, { "pair", T_PAIR }, { "lc", T_LC }, { "bgppath", T_PATH },
		{ "clist", T_CLIST }, { "lclist", T_LCLIST }, { "bgpmask", T_PATH_MASK }, { "origin", T_ORIGIN },
	};
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
		if (strcmp(types[k].n, name))
			continue;
		if (!set)
			return types[k].t;
		if (strcmp(set, "set"))
			break;
		switch (types[k].t) {
		case T_INT: return T_SET_INT;
		case T_PAIR: return T_SET_PAIR;
		case T_PREFIX: return T_SET_PREFIX;
		case T_LC: return T_SET_LC;
		default:
			cf_error_at(loc, "there are no sets of %s (sets hold int, pair, lc or prefix)", name);
		}
	}
	if (set)
		cf_error_at(loc, "unknown type '%s %s'", name, set);
	cf_error_at(loc, "unknown type '%s' (types: int, bool, string, ip, prefix, pair, lc, "
		    "bgppath, clist, lclist, int set, pair set, lc set, prefix set)", name);
}

/* --- expressions --------------------------------------------------------------- */

static const char *op_text(enum f_code_op op)
{
	switch (op) {
	case FI_AND: return "&&"; case FI_OR: return "||"; case FI_NOT: return "!";
	case FI_EQ: return "="; case FI_NEQ: return "!="; case FI_LT: return "<";
	case FI_LE: return "<="; case FI_GT: return ">"; case FI_GE: return ">=";
	case FI_MATCH: return "~"; case FI_NMATCH: return "!~";
	case FI_ADD: return "+"; case FI_SUB: return "-"; case FI_MUL: return "*";
	case FI_DIV: return "/"; case FI_MOD: return "%";
	default: return "?";
	}
}

/* Which (left, right) type pairs `~` accepts. */
int f_match_ok(enum f_type l, enum f_type r)
{
	switch (r) {
	case T_PREFIX: return l == T_PREFIX || l == T_IP;
	case T_SET_PREFIX: return l == T_PREFIX || l == T_IP;
	case T_SET_INT: return l == T_INT;
	case T_SET_PAIR: return l == T_PAIR || l == T_CLIST;
	case T_SET_LC: return l == T_LC || l == T_LCLIST;
	case T_CLIST: return l == T_PAIR;
	case T_LCLIST: return l == T_LC;
	case T_PATH_MASK: return l == T_PATH;
	case T_PATH: return l == T_INT;
	case T_STRING: return l == T_STRING;
	default: return 0;
	}
}

struct f_inst *f_binop(enum f_code_op op, struct f_inst *a, struct f_inst *b, const struct cf_loc *loc)
{
	enum f_type ta = a->type, tb = b->type, t = T_BOOL;

	switch (op) {
	case FI_AND: case FI_OR:
		if (ta != T_BOOL || tb != T_BOOL)
			cf_error_at(loc, "operator '%s' needs bool operands, not %s and %s",
				    op_text(op), f_type_name(ta), f_type_name(tb));
		break;
	case FI_EQ: case FI_NEQ:
		if (ta != tb || ta == T_VOID)
			cf_error_at(loc, "cannot compare %s with %s", f_type_name(ta), f_type_name(tb));
		break;
	case FI_LT: case FI_LE: case FI_GT: case FI_GE:
		if (ta != tb)
			cf_error_at(loc, "cannot compare %s with %s", f_type_name(ta), f_type_name(tb));
		if (ta != T_INT && ta != T_STRING && ta != T_IP && ta != T_PAIR && ta != T_LC && ta != T_ORIGIN)
			cf_error_at(loc, "operator '%s' does not order values of type %s", op_text(op), f_type_name(ta));
		break;
	case FI_MATCH: case FI_NMATCH:
		if (!f_match_ok(ta, tb))
			cf_error_at(loc, "operator '%s' cannot match %s against %s", op_text(op),
				    f_type_name(ta), f_type_name(tb));
		break;
	case FI_ADD: case FI_SUB: case FI_MUL: case FI_DIV: case FI_MOD:
		if (ta != T_INT || tb != T_INT)
			cf_error_at(loc, "operator '%s' needs int operands, not %s and %s",
				    op_text(op), f_type_name(ta), f_type_name(tb));
		t = T_INT;
		break;
	default:
		cf_error_at(loc, "internal: bad binary operator");
	}
	struct f_inst *i = f_new(op, t, loc);
	i->a[0] = a;
	i->a[1] = b;
	return fold(i);
}

struct f_inst *f_not(struct f_inst *a, const struct cf_loc *loc)
{
	if (a->type != T_BOOL)
		cf_error_at(loc, "operator '!' needs a bool operand, not %s", f_type_name(a->type));
	struct f_inst *i = f_new(FI_NOT, T_BOOL, loc);
	i->a[0] = a;
	return fold(i);
}

static void need_int(struct f_inst *a, const char *what)
{
	if (a->type != T_INT)
		cf_error_at(&a->loc, "%s must be an int, not %s", what, f_type_name(a->type));
}

struct f_inst *f_pair(struct f_inst *a, struct f_inst *b, const struct cf_loc *loc)
{
	need_int(a, "the first part of a pair");
	need_int(b, "the second part of a pair");
	struct f_inst *i = f_new(FI_PAIR, T_PAIR, loc);
	i->a[0] = a;
	i->a[1] = b;
	return fold(i);
}

struct f_inst *f_lc(struct f_inst *a, struct f_inst *b, struct f_inst *c, const struct cf_loc *loc)
{
	need_int(a, "the global administrator of a large community");
	need_int(b, "the first local part of a large community");
	need_int(c, "the second local part of a large community");
	struct f_inst *i = f_new(FI_LC, T_LC, loc);
	i->a[0] = a;
	i->a[1] = b;
	i->a[2] = c;
	return fold(i);
}

struct f_inst *f_prefix(ip_addr ip, uint64_t len, const struct cf_loc *loc, const struct cf_loc *lenloc)
{
	int af = ip_af(ip);
	char b[IP_STRLEN];

	if (len > (uint64_t)af_maxlen(af))
		cf_error_at(lenloc, "prefix length /%u is too long for IPv%d (at most %d)", (unsigned)len, af, af_maxlen(af));
	struct f_val v = { .type = T_PREFIX };
	v.u.net = net_make(ip, af, (int)len);
	if (!ip_equal(v.u.net.ip, ip))
		cf_error_at(loc, "prefix %s/%u has host bits set", ip_ntop(ip, b), (unsigned)len);
	return f_const(v, loc);
}

static const struct {
	const char *name;
	enum f_type type;
	int writable;
} attrs[FA__MAX] = {
	[FA_NET] = { "net", T_PREFIX, 0 },
	[FA_PROTO] = { "proto", T_STRING, 0 },
	[FA_POOL] = { "pool", T_STRING, 0 },
	[FA_K8S_NAMESPACE] = { "k8s_namespace", T_STRING, 0 },
	[FA_K8S_SERVICE] = { "k8s_service", T_STRING, 0 },
	[FA_K8S_TRAFFIC_POLICY] = { "k8s_traffic_policy", T_STRING, 0 },
	[FA_K8S_LABEL] = { "k8s_label", T_STRING, 0 },
	[FA_K8S_ANNOTATION] = { "k8s_annotation", T_STRING, 0 },
	[FA_BGP_ORIGIN] = { "bgp_origin", T_ORIGIN, 1 },
	[FA_BGP_PATH] = { "bgp_path", T_PATH, 1 },
	[FA_BGP_MED] = { "bgp_med", T_INT, 1 },
	[FA_BGP_LOCAL_PREF] = { "bgp_local_pref", T_INT, 1 },
	[FA_BGP_COMMUNITY] = { "bgp_community", T_CLIST, 1 },
	[FA_BGP_LARGE_COMMUNITY] = { "bgp_large_community", T_LCLIST, 1 },
	[FA_BGP_NEXT_HOP] = { "bgp_next_hop", T_IP, 1 },
};

const char *f_attr_name(enum f_attr a)
{
	return a < FA__MAX ? attrs[a].name : "?";
}

struct f_inst *f_attr(enum f_attr a, struct f_inst *key, const struct cf_loc *loc)
{
	if (key && key->type != T_STRING)
		cf_error_at(&key->loc, "%s() takes a string key, not %s", attrs[a].name, f_type_name(key->type));
	if (!in_code())
		cf_error_at(loc, "route attribute '%s' has no value here (only inside filters and functions)",
			    attrs[a].name);
	struct f_inst *i = f_new(FI_ATTR, attrs[a].type, loc);
	i->attr = (uint8_t)a;
	i->a[0] = key;
	return i;
}

struct f_inst *f_defined(struct f_inst *a, const struct cf_loc *loc)
{
	if (a->op != FI_ATTR && a->op != FI_VAR)
		cf_error_at(loc, "defined() takes a route attribute or a variable");
	struct f_inst *i = f_new(FI_DEFINED, T_BOOL, loc);
	i->a[0] = a;
	return i;
}

static const struct { const char *name; uint32_t v; } origins[] = {
	{ "ORIGIN_IGP", 0 }, { "ORIGIN_EGP", 1 }, { "ORIGIN_INCOMPLETE", 2 },
	{ "IGP", 0 }, { "EGP", 1 }, { "INCOMPLETE", 2 },
};

struct f_inst *f_symbol(const char *name, const struct cf_loc *loc)
{
	struct symbol *s = cf_find_symbol(name);

	if (!s) {
		for (size_t k = 0; k < sizeof origins / sizeof origins[0]; k++)
			if (!strcmp(origins[k].name, name)) {
				struct f_val v = { .type = T_ORIGIN, .u.i = origins[k].v };
				return f_const(v, loc);
			}
		cf_error_at(loc, "unknown name '%s'", name);
	}
	switch (s->class) {
	case SYM_CONSTANT:
		return f_const(*(const struct f_val *)s->def, loc);
	case SYM_VARIABLE: {
		const struct f_var *var = s->def;
		struct f_inst *i = f_new(FI_VAR, var->type, loc);
		i->slot = var->slot;
		i->name = s->name;
		return i;
	}
	case SYM_POOL: {
		/* a pool's name stands for itself: `pool = production` */
		struct f_val v = { .type = T_STRING, .u.s = s->name };
		return f_const(v, loc);
	}
	case SYM_FUNCTION:
		cf_error_at(loc, "function '%s' must be called with ()", name);
	default:
		cf_error_at(loc, "'%s' is a %s, not a value", name, cf_symbol_class_name(s->class));
	}
}

static int count(const struct f_inst *l)
{
	int n = 0;
	for (; l; l = l->next)
		n++;
	return n;
}

struct f_inst *f_call(const char *name, struct f_inst *args, const struct cf_loc *loc)
{
	struct symbol *s = cf_find_symbol(name);

	if (!s)
		cf_error_at(loc, "unknown function '%s'", name);
	if (s->class != SYM_FUNCTION)
		cf_error_at(loc, "'%s' is a %s, not a function", name, cf_symbol_class_name(s->class));
	const struct f_function *fn = s->def;
	int n = count(args);
	if (n != fn->nargs)
		cf_error_at(loc, "function '%s' takes %d argument%s, not %d", name, fn->nargs,
			    fn->nargs == 1 ? "" : "s", n);
	int k = 0;
	for (const struct f_inst *a = args; a; a = a->next, k++)
		if (a->type != fn->argt[k])
			cf_error_at(&a->loc, "argument %d of '%s' (%s) must be %s, not %s", k + 1, name,
				    fn->argn[k], f_type_name(fn->argt[k]), f_type_name(a->type));
	if (fn == ctx.fn && !fn->ret_known)
		cf_error_at(loc, "function '%s' calls itself before its return type is known: "
			    "declare it with '-> TYPE'", name);
	if (!in_code())
		cf_error_at(loc, "function '%s' can only be called inside a filter or function", name);
	struct f_inst *i = f_new(FI_CALL, fn->ret, loc);
	i->fn = fn;
	i->a[0] = args;
	return i;
}

struct f_inst *f_method(struct f_inst *obj, const char *m, struct f_inst *args, int has_args,
			const struct cf_loc *loc)
{
	enum f_type t = obj->type;
	int n = count(args);
	enum f_code_op op;
	enum f_type rt;

	if (!has_args && !strcmp(m, "len") && t == T_PREFIX)
		op = FI_NET_LEN, rt = T_INT;
	else if (!has_args && !strcmp(m, "ip") && t == T_PREFIX)
		op = FI_NET_IP, rt = T_IP;
	else if (!has_args && !strcmp(m, "asn") && t == T_PAIR)
		op = FI_PAIR_A, rt = T_INT;
	else if (!has_args && !strcmp(m, "data") && t == T_PAIR)
		op = FI_PAIR_B, rt = T_INT;
	else if (!has_args && !strcmp(m, "len") && t == T_PATH)
		op = FI_PATH_LEN, rt = T_INT;
	else if (!has_args && !strcmp(m, "first") && t == T_PATH)
		op = FI_PATH_FIRST, rt = T_INT;
	else if (!has_args && !strcmp(m, "last") && t == T_PATH)
		op = FI_PATH_LAST, rt = T_INT;
	else if (!has_args && !strcmp(m, "len") && (t == T_CLIST || t == T_LCLIST))
		op = FI_LIST_LEN, rt = T_INT;
	else if (has_args && !strcmp(m, "prepend") && t == T_PATH)
		op = FI_PREPEND, rt = T_PATH;
	else if (has_args && !strcmp(m, "add") && (t == T_CLIST || t == T_LCLIST))
		op = FI_LIST_ADD, rt = t;
	else if (has_args && !strcmp(m, "delete") && (t == T_CLIST || t == T_LCLIST))
		op = FI_LIST_DEL, rt = t;
	else
		cf_error_at(loc, "%s has no method '%s%s'", f_type_name(t), m, has_args ? "()" : "");
	if (has_args) {
		if (n != 1)
			cf_error_at(loc, "method '%s' takes one argument, not %d", m, n);
		enum f_type at = args->type;
		int ok = op == FI_PREPEND ? at == T_INT :
			 t == T_CLIST ? (at == T_PAIR || (op == FI_LIST_DEL && at == T_SET_PAIR)) :
			 (at == T_LC || (op == FI_LIST_DEL && at == T_SET_LC));
		if (!ok)
			cf_error_at(&args->loc, "%s.%s() cannot take %s", f_type_name(t), m, f_type_name(at));
	}
	struct f_inst *i = f_new(op, rt, loc);
	i->a[0] = obj;
	i->a[1] = args;
	return fold(i);
}

/* --- statements ------------------------------------------------------------------ */

struct f_inst *f_stmt(enum f_code_op op, const struct cf_loc *loc)
{
	return f_new(op, T_VOID, loc);
}

struct f_inst *f_append(struct f_inst *list, struct f_inst *tail)
{
	if (!list)
		return tail;
	struct f_inst *l = list;
	while (l->next)
		l = (struct f_inst *)l->next;
	l->next = tail;
	return list;
}

struct f_inst *f_if(struct f_inst *c, struct f_inst *t, struct f_inst *e, const struct cf_loc *loc)
{
	if (c->type != T_BOOL)
		cf_error_at(&c->loc, "the condition of 'if' must be bool, not %s", f_type_name(c->type));
	struct f_inst *i = f_stmt(FI_IF, loc);
	i->a[0] = c;
	i->a[1] = t;
	i->a[2] = e;
	return i;
}

struct f_inst *f_block(struct f_inst *body, const struct cf_loc *loc)
{
	struct f_inst *i = f_stmt(FI_BLOCK, loc);
	i->a[0] = body;
	return i;
}

struct f_var *f_declare(enum f_type t, const char *name, const struct cf_loc *loc)
{
	if (!in_code())
		cf_error_at(loc, "variables can only be declared in filters and functions");
	if (t == T_VOID)
		cf_error_at(loc, "variable '%s' needs a type", name);
	if (ctx.nslots >= F_MAX_SLOTS)
		cf_error_at(loc, "too many variables (at most %d in one filter or function)", F_MAX_SLOTS);
	struct f_var *v = cf_alloc(sizeof *v);
	v->slot = ctx.nslots++;
	v->type = t;
	v->name = cf_strdup(name);
	cf_define_symbol(name, SYM_VARIABLE, v, loc);
	return v;
}

struct f_inst *f_decl_stmt(enum f_type t, const char *name, struct f_inst *init, const struct cf_loc *loc)
{
	if (init && t == T_VOID)
		t = init->type;
	if (init && init->type != t)
		cf_error_at(&init->loc, "cannot initialize %s variable '%s' with %s", f_type_name(t), name,
			    f_type_name(init->type));
	struct f_var *v = f_declare(t, name, loc);
	struct f_inst *i = f_stmt(init ? FI_SET_VAR : FI_NOP, loc);
	i->slot = v->slot;
	i->name = v->name;
	i->attr = (uint8_t)t;		/* a declaration: dumped with its type */
	i->a[0] = init;
	return i;
}

struct f_inst *f_assign_sym(const char *name, struct f_inst *e, const struct cf_loc *loc)
{
	struct symbol *s = cf_find_symbol(name);

	if (!s)
		cf_error_at(loc, "unknown variable '%s' (declare it first, e.g. 'int %s;')", name, name);
	if (s->class != SYM_VARIABLE)
		cf_error_at(loc, "cannot assign to '%s': it is a %s", name, cf_symbol_class_name(s->class));
	const struct f_var *v = s->def;
	if (v->type != e->type)
		cf_error_at(&e->loc, "cannot assign %s to %s variable '%s'", f_type_name(e->type),
			    f_type_name(v->type), name);
	struct f_inst *i = f_stmt(FI_SET_VAR, loc);
	i->slot = v->slot;
	i->name = s->name;
	i->a[0] = e;
	return i;
}

struct f_inst *f_assign_attr(enum f_attr a, struct f_inst *e, const struct cf_loc *loc)
{
	if (!attrs[a].writable)
		cf_error_at(loc, "route attribute '%s' is read-only", attrs[a].name);
	if (e && e->type != attrs[a].type)
		cf_error_at(&e->loc, "cannot assign %s to '%s' (%s)", f_type_name(e->type), attrs[a].name,
			    f_type_name(attrs[a].type));
	struct f_inst *i = f_stmt(e ? FI_SET_ATTR : FI_UNSET_ATTR, loc);
	i->attr = (uint8_t)a;
	i->a[0] = e;
	return i;
}

/* `X.add(v);` as a statement: X = X.add(v) */
struct f_inst *f_method_stmt(struct f_inst *lv, const char *m, struct f_inst *args, const struct cf_loc *loc)
{
	struct f_inst *e = f_method(lv, m, args, 1, loc);
	if (e->type != lv->type)
		cf_error_at(loc, "'%s' does not change its value; use it in an expression", m);
	if (lv->op == FI_ATTR)
		return f_assign_attr((enum f_attr)lv->attr, e, loc);
	struct f_inst *i = f_stmt(FI_SET_VAR, loc);
	i->slot = lv->slot;
	i->name = lv->name;
	i->a[0] = e;
	return i;
}

struct f_inst *f_return(struct f_inst *e, const struct cf_loc *loc)
{
	if (!ctx.fn)
		cf_error_at(loc, "'return' is only allowed in a function (a filter ends with accept or reject)");
	enum f_type t = e ? e->type : T_VOID;
	if (ctx.fn->ret_known && ctx.fn->ret != t)
		cf_error_at(e ? &e->loc : loc, "function '%s' returns %s, not %s", ctx.fn->name,
			    f_type_name(ctx.fn->ret), f_type_name(t));
	ctx.fn->ret = t;
	ctx.fn->ret_known = 1;
	struct f_inst *i = f_stmt(FI_RETURN, loc);
	i->a[0] = e;
	return i;
}

struct f_inst *f_print(struct f_inst *list, const struct cf_loc *loc)
{
	for (const struct f_inst *a = list; a; a = a->next)
		if (a->type == T_VOID)
			cf_error_at(&a->loc, "print: this expression has no value");
	struct f_inst *i = f_stmt(FI_PRINT, loc);
	i->a[0] = list;
	return i;
}

struct f_inst *f_call_stmt(struct f_inst *call)
{
	struct f_inst *i = f_stmt(FI_EXPR_STMT, &call->loc);
	i->a[0] = call;
	return i;
}

/* --- case ------------------------------------------------------------------------------ */

struct f_case_build *f_case_new(struct f_inst *e, const struct cf_loc *loc)
{
	struct f_case_build *c = cf_alloc(sizeof *c);
	if (e->type == T_VOID || e->type >= T_PATH)
		cf_error_at(&e->loc, "case cannot branch on %s", f_type_name(e->type));
	c->expr = e;
	c->loc = *loc;
	return c;
}

void f_case_arm(struct f_case_build *c, struct f_set_item *labels, int is_else, const struct cf_loc *loc)
{
	enum f_type t = c->expr->type;
	struct f_case_arm *arm;

	if (c->narms == c->cap) {
		int cap = c->cap ? c->cap * 2 : 8;
		struct f_case_arm *n = cf_alloc(sizeof *n * (size_t)cap);
		if (c->narms)
			memcpy(n, c->arms, sizeof *n * (size_t)c->narms);
		c->arms = n;
		c->cap = cap;
	}
	for (int k = 0; k < c->narms; k++)
		if (is_else && c->arms[k].is_else)
			cf_error_at(loc, "case has two 'else' branches");
	arm = &c->arms[c->narms++];
	memset(arm, 0, sizeof *arm);
	arm->is_else = is_else;
	c->cur = arm;
	c->tail = NULL;
	if (is_else)
		return;
	int n = 0;
	for (struct f_set_item *it = labels; it; it = it->next) {
		enum f_type it_t = it->kind == SI_RANGE ? it->type : it->kind == SI_PATTERN ? T_PREFIX :
				   it->kind == SI_LC ? T_LC : it->val.type;
		if (it_t != t)
			cf_error_at(&it->loc, "case label is %s but the case value is %s", f_type_name(it_t),
				    f_type_name(t));
		n++;
	}
	if (t == T_INT || t == T_PAIR || t == T_PREFIX || t == T_LC) {
		arm->set = f_build_set(labels, loc);
		return;
	}
	arm->vals = cf_alloc(sizeof(struct f_val) * (size_t)n);
	for (struct f_set_item *it = labels; it; it = it->next)
		arm->vals[arm->nvals++] = it->val;
}

void f_case_add(struct f_case_build *c, struct f_inst *stmt)
{
	if (!c->cur)
		cf_error_at(&stmt->loc, "a statement in case must follow a label ('VALUE:' or 'else:')");
	if (!c->tail)
		c->cur->body = stmt;
	else
		c->tail->next = stmt;
	struct f_inst *t = stmt;
	while (t->next)
		t = (struct f_inst *)t->next;
	c->tail = t;
}

struct f_inst *f_case_end(struct f_case_build *c)
{
	struct f_inst *i = f_stmt(FI_CASE, &c->loc);
	i->a[0] = c->expr;
	i->narms = c->narms;
	i->arms = c->arms;
	return i;
}

/* --- set items -------------------------------------------------------------------------- */

struct f_set_item *f_item_val(struct f_inst *e, const struct cf_loc *loc)
{
	if (e->op != FI_CONST)
		cf_error_at(loc, "a set item must be a constant");
	struct f_set_item *it = cf_alloc(sizeof *it);
	it->kind = SI_VAL;
	it->val = e->val;
	it->loc = *loc;
	return it;
}

static uint32_t item_int(struct f_inst *e, uint32_t max, const char *what)
{
	if (e->op != FI_CONST || e->type != T_INT)
		cf_error_at(&e->loc, "%s must be a constant int", what);
	if (e->val.u.i > max)
		cf_error_at(&e->loc, "%s %u is out of range (at most %u)", what, e->val.u.i, max);
	return e->val.u.i;
}

struct f_set_item *f_item_range(struct f_inst *lo, struct f_inst *hi, const struct cf_loc *loc)
{
	struct f_set_item *it = cf_alloc(sizeof *it);
	it->kind = SI_RANGE;
	it->type = T_INT;
	it->lo = item_int(lo, UINT32_MAX, "range start");
	it->hi = item_int(hi, UINT32_MAX, "range end");
	if (it->lo > it->hi)
		cf_error_at(loc, "range %u..%u is empty (the start is above the end)", (unsigned)it->lo, (unsigned)it->hi);
	it->loc = *loc;
	return it;
}

/* (a, b), (a, *), (a, b..c) */
struct f_set_item *f_item_pair(struct f_inst *a, struct f_inst *b, struct f_inst *c, int star,
			       const struct cf_loc *loc)
{
	struct f_set_item *it = cf_alloc(sizeof *it);
	uint64_t hi_a = item_int(a, 65535, "the first part of a pair");

	it->kind = SI_RANGE;
	it->type = T_PAIR;
	it->loc = *loc;
	if (star) {
		it->lo = hi_a << 32;
		it->hi = (hi_a << 32) | 65535;
		return it;
	}
	uint32_t lo = item_int(b, 65535, "the second part of a pair");
	uint32_t hi = c ? item_int(c, 65535, "the end of the pair range") : lo;
	if (lo > hi)
		cf_error_at(loc, "pair range (%u,%u..%u) is empty", (unsigned)hi_a, lo, hi);
	it->lo = (hi_a << 32) | lo;
	it->hi = (hi_a << 32) | hi;
	return it;
}

/* (a, b, c) with '*' or a range in the last two parts; b and c come as
 * SI_RANGE items of ints. */
struct f_set_item *f_item_lc(struct f_inst *a, struct f_set_item *b, struct f_set_item *c, const struct cf_loc *loc)
{
	struct f_set_item *it = cf_alloc(sizeof *it);
	it->kind = SI_LC;
	it->a = item_int(a, UINT32_MAX, "the global administrator of a large community");
	it->blo = (uint32_t)b->lo;
	it->bhi = (uint32_t)b->hi;
	it->clo = (uint32_t)c->lo;
	it->chi = (uint32_t)c->hi;
	it->loc = *loc;
	return it;
}

struct f_set_item *f_item_star(const struct cf_loc *loc)
{
	struct f_set_item *it = cf_alloc(sizeof *it);
	it->kind = SI_RANGE;
	it->type = T_INT;
	it->lo = 0;
	it->hi = UINT32_MAX;
	it->loc = *loc;
	return it;
}

/* prefix patterns: P/l (exact), P/l+ (l..max), P/l- (0..l), P/l{a,b} */
struct f_set_item *f_item_pattern(struct f_inst *p, int kind, uint64_t a, uint64_t b, const struct cf_loc *loc)
{
	struct f_set_item *it = cf_alloc(sizeof *it);
	net_addr n = p->val.u.net;
	int max = af_maxlen(n.af);

	it->kind = SI_PATTERN;
	it->val = p->val;
	it->loc = *loc;
	switch (kind) {
	case '+': it->lo = n.len; it->hi = (uint64_t)max; break;
	case '-': it->lo = 0; it->hi = n.len; break;
	default:
		if (a > b || b > (uint64_t)max)
			cf_error_at(loc, "prefix pattern {%u,%u} is not a valid length range for IPv%d (0 <= low <= high <= %d)",
				    (unsigned)a, (unsigned)b, n.af, max);
		it->lo = a;
		it->hi = b;
	}
	return it;
}
