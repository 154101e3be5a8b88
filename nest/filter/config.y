/*
 * metalbird -- grammar of filters, functions, constants, import/export
 *
 * BIRD 2's filter language (SPEC section 3).  Actions build the compiled tree
 * through nest/filter/build.c, which checks types and folds constants; the
 * locations of bison (@N) give every error its FILE:LINE:COL.
 *
 * Known limit: inside `case`, an `if ... then STMT;` nested in another
 * statement (e.g. `if a then s; else if b then t;`) right before `else:`
 * takes that else as its own (the lexer has no `else:` token); put it in
 * { } there.
 */
CF_HDR
#include "nest/filter/build.h"

/* Filters nest ({ { ... } }, ((...))): when bison grows its stack past the
 * first 200 entries with malloc, a config error (longjmp out of yyparse)
 * would leak it.  On the C stack it goes away with the unwinding. */
#define YYSTACK_USE_ALLOCA 1

static struct filter *this_filter;
static struct f_function *this_function;
#define F_MAX_ARGS 32
static enum f_type f_argt[F_MAX_ARGS];
static const char *f_argn[F_MAX_ARGS];
static int f_nargs;
static struct f_conf *f_conf(void)
{
	struct f_conf *fc = new_config->ext[CF_EXT_FILTER];
	if (!fc) {
		fc = cf_alloc(sizeof *fc);
		fc->tail = &fc->defs;
		new_config->ext[CF_EXT_FILTER] = fc;
	}
	return fc;
}

static void f_def_add(enum sym_class cls, const char *name, const void *def)
{
	struct f_conf *fc = f_conf();
	struct f_def *d = cf_alloc(sizeof *d);
	d->cls = cls;
	d->name = name;
	d->def = def;
	*fc->tail = d;
	fc->tail = &d->next;
}

/* An inline filter is named in messages by its protocol and direction. */
static void f_label(const struct filter *f, const char *dir)
{
	if (f->kind != FILTER_KIND_CODE || f->name)
		return;
	((struct f_code *)f->code)->label = cf_printf("%s %s", this_proto->name ? this_proto->name : "protocol", dir);
}

static void f_param(const char *type, const char *set, const char *name, const struct cf_loc *tl,
		    const struct cf_loc *nl);
static struct f_inst *f_var_lvalue(const char *name, const struct cf_loc *loc);
static struct f_inst *f_pm_const(struct f_set_item *items, const struct cf_loc *loc);
static struct f_set_item *f_items_append(struct f_set_item *l, struct f_set_item *t);
static void f_cli_begin(void);
static void f_cli_end(struct f_inst *e, const struct cf_loc *loc);
static struct filter *f_filter_new(const char *name, const struct cf_loc *loc);
static void f_label(const struct filter *f, const char *dir);
static struct f_conf *f_conf(void);
static void f_def_add(enum sym_class cls, const char *name, const void *def);

CF_DECLS

%union {
	struct f_val *fv;
	const struct filter *flt;
	struct f_inst *x;
	struct f_set_item *si;
	struct f_case_build *cb;
	int ti;
}
%type <flt> filter_spec
%type <x> f_expr f_term f_attr f_args f_args_ne cmd cmds f_body f_decls set_atom set_prefix
%type <x> function_body
%type <si> set_items set_item pm_items pm_item lc_part lc_part_x
%type <cb> case_body
%type <ti> f_attr_id f_attr_key f_ret

%token CLI_EXPR_START

%precedence PREFIX_LOW
%precedence THEN
%precedence ELSE
%left OR
%left AND
%nonassoc '=' NEQ '<' LEQ '>' GEQ '~' NMA
%left '+' '-'
%left '*' '/' '%'
%precedence '!'

CF_KEYWORDS(DEFINE, FILTER, FUNCTION, NONE, ALL, WHERE, IF, THEN, ELSE, ACCEPT, REJECT, RETURN)
CF_KEYWORDS(PRINT, CASE, DEFINED, UNSET, TRUE, FALSE)
CF_KEYWORDS(NET, PROTO, POOL, K8S_NAMESPACE, K8S_SERVICE, K8S_TRAFFIC_POLICY, K8S_LABEL, K8S_ANNOTATION)
CF_KEYWORDS(BGP_ORIGIN, BGP_PATH, BGP_MED, BGP_LOCAL_PREF, BGP_COMMUNITY, BGP_LARGE_COMMUNITY, BGP_NEXT_HOP)

CF_GRAMMAR

config: CLI_EXPR_START { f_cli_begin(); } f_expr { f_cli_end($3, &@3); } ;

conf_item:
   DEFINE SYM '=' f_expr ';' {
	if ($4->op != FI_CONST)
		cf_error_at(&@4, "define %s: the value must be a constant expression", $2);
	struct f_val *v = cf_alloc(sizeof *v);
	*v = $4->val;
	cf_define_symbol($2, SYM_CONSTANT, v, &@2);
	f_def_add(SYM_CONSTANT, $2, v);
   }
 | filter_def
 | function_def
 ;

/* --- filter NAME [declarations] { statements } ------------------------------ */

filter_def: FILTER SYM {
	this_filter = f_filter_new($2, &@2);
	cf_define_symbol($2, SYM_FILTER, this_filter, &@2);
	f_def_add(SYM_FILTER, $2, this_filter);
	cf_push_scope();
	f_ctx_begin(NULL);
	cf_ctx_push(cf_printf("filter %s", $2));
   } f_decls f_body {
	struct f_code *c = this_filter->code;
	c->body = f_append($4, $5);
	c->nslots = f_ctx_end();
	cf_pop_scope();
	cf_ctx_pop();
	this_filter = NULL;
   }
 ;

f_decls:
   %empty { $$ = NULL; }
 | f_decls SYM SYM ';' { $$ = f_append($1, f_decl_stmt(f_type_parse($2, NULL, &@2), $3, NULL, &@3)); }
 | f_decls SYM SYM SYM ';' { $$ = f_append($1, f_decl_stmt(f_type_parse($2, $3, &@2), $4, NULL, &@4)); }
 ;

f_body: '{' cmds '}' { $$ = $2; } ;

/* --- function NAME(TYPE a; TYPE b) [-> TYPE] [declarations] { ... } -------------- */

function_def: function_head f_decls function_body {
	this_function->body = f_append($2, $3);
	this_function->nslots = f_ctx_end();
	cf_pop_scope();
	cf_ctx_pop();
	this_function = NULL;
   }
 ;

function_head: FUNCTION SYM {
	struct f_function *fn = cf_alloc(sizeof *fn);
	fn->name = $2;
	fn->loc = @2;
	cf_define_symbol($2, SYM_FUNCTION, fn, &@2);
	f_def_add(SYM_FUNCTION, $2, fn);
	this_function = fn;
	f_nargs = 0;
	cf_push_scope();
	f_ctx_begin(fn);
	cf_ctx_push(cf_printf("function %s", $2));
   } '(' f_params ')' f_ret {
	struct f_function *fn = this_function;
	fn->nargs = f_nargs;
	fn->argt = cf_alloc(sizeof(enum f_type) * (size_t)(f_nargs + 1));
	fn->argn = cf_alloc(sizeof(char *) * (size_t)(f_nargs + 1));
	for (int k = 0; k < f_nargs; k++) {
		fn->argt[k] = f_argt[k];
		fn->argn[k] = f_argn[k];
	}
	if ($7 >= 0) {
		fn->ret = (enum f_type)$7;
		fn->ret_known = 1;
	}
   }
 ;

function_body: f_body {
	$$ = $1;
	if (!this_function->ret_known)
		this_function->ret_known = 1;	/* no return with a value: returns nothing */
   }
 ;

f_params: %empty | f_param_list ;
f_param_list: f_param | f_param_list ';' f_param | f_param_list ',' f_param ;
f_param:
   SYM SYM { f_param($1, NULL, $2, &@1, &@2); }
 | SYM SYM SYM { f_param($1, $2, $3, &@1, &@3); }
 ;

f_ret:
   %empty { $$ = -1; }
 | '-' '>' SYM { $$ = (int)f_type_parse($3, NULL, &@3); }
 ;

/* --- statements --------------------------------------------------------------- */

cmds:
   %empty { $$ = NULL; }
 | cmds cmd { $$ = f_append($1, $2); }
 ;

cmd:
   ';' { $$ = f_stmt(FI_NOP, &@1); }
 | '{' { cf_push_scope(); } cmds '}' { cf_pop_scope(); $$ = f_block($3, &@1); }
 | IF f_expr THEN cmd { $$ = f_if($2, $4, NULL, &@1); }
 | IF f_expr THEN cmd ELSE cmd { $$ = f_if($2, $4, $6, &@1); }
 | ACCEPT ';' { $$ = f_stmt(FI_ACCEPT, &@1); }
 | REJECT ';' { $$ = f_stmt(FI_REJECT, &@1); }
 | RETURN f_expr ';' { $$ = f_return($2, &@1); }
 | RETURN ';' { $$ = f_return(NULL, &@1); }
 | PRINT f_args_ne ';' { $$ = f_print($2, &@1); }
 | SYM '=' f_expr ';' { $$ = f_assign_sym($1, $3, &@1); }
 | f_attr_id '=' f_expr ';' { $$ = f_assign_attr((enum f_attr)$1, $3, &@1); }
 | UNSET '(' f_attr_id ')' ';' { $$ = f_assign_attr((enum f_attr)$3, NULL, &@3); }
 | SYM '(' f_args ')' ';' { $$ = f_call_stmt(f_call($1, $3, &@1)); }
 | SYM '.' SYM '(' f_args ')' ';' { $$ = f_method_stmt(f_var_lvalue($1, &@1), $3, $5, &@3); }
 | f_attr_id '.' SYM '(' f_args ')' ';' {
	$$ = f_method_stmt(f_attr((enum f_attr)$1, NULL, &@1), $3, $5, &@3);
   }
 | SYM SYM ';' { $$ = f_decl_stmt(f_type_parse($1, NULL, &@1), $2, NULL, &@2); }
 | SYM SYM SYM ';' { $$ = f_decl_stmt(f_type_parse($1, $2, &@1), $3, NULL, &@3); }
 | SYM SYM '=' f_expr ';' {
	enum f_type t = strcmp($1, "var") ? f_type_parse($1, NULL, &@1) : T_VOID;
	$$ = f_decl_stmt(t, $2, $4, &@2);
   }
 | SYM SYM SYM '=' f_expr ';' { $$ = f_decl_stmt(f_type_parse($1, $2, &@1), $3, $5, &@3); }
 | case_body '}' { $$ = f_case_end($1); }
 ;

case_body:
   CASE f_expr '{' { $$ = f_case_new($2, &@1); }
 | case_body set_items ':' { f_case_arm($1, $2, 0, &@2); $$ = $1; }
 | case_body ELSE ':' { f_case_arm($1, NULL, 1, &@2); $$ = $1; }
 /* `if C then S;` right before `else:`: the else is the case's (the lexer
  * has no `else:` token, so it is told apart by the ':') */
 | case_body IF f_expr THEN cmd ELSE ':' {
	f_case_add($1, f_if($3, $5, NULL, &@2));
	f_case_arm($1, NULL, 1, &@6);
	$$ = $1;
   }
 | case_body cmd { f_case_add($1, $2); $$ = $1; }
 ;

/* --- expressions -------------------------------------------------------------- */

f_expr:
   f_term
 | f_expr '+' f_expr { $$ = f_binop(FI_ADD, $1, $3, &@2); }
 | f_expr '-' f_expr { $$ = f_binop(FI_SUB, $1, $3, &@2); }
 | f_expr '*' f_expr { $$ = f_binop(FI_MUL, $1, $3, &@2); }
 | f_expr '/' f_expr { $$ = f_binop(FI_DIV, $1, $3, &@2); }
 | f_expr '%' f_expr { $$ = f_binop(FI_MOD, $1, $3, &@2); }
 | f_expr '=' f_expr { $$ = f_binop(FI_EQ, $1, $3, &@2); }
 | f_expr NEQ f_expr { $$ = f_binop(FI_NEQ, $1, $3, &@2); }
 | f_expr '<' f_expr { $$ = f_binop(FI_LT, $1, $3, &@2); }
 | f_expr LEQ f_expr { $$ = f_binop(FI_LE, $1, $3, &@2); }
 | f_expr '>' f_expr { $$ = f_binop(FI_GT, $1, $3, &@2); }
 | f_expr GEQ f_expr { $$ = f_binop(FI_GE, $1, $3, &@2); }
 | f_expr '~' f_expr { $$ = f_binop(FI_MATCH, $1, $3, &@2); }
 | f_expr NMA f_expr { $$ = f_binop(FI_NMATCH, $1, $3, &@2); }
 | f_expr AND f_expr { $$ = f_binop(FI_AND, $1, $3, &@2); }
 | f_expr OR f_expr { $$ = f_binop(FI_OR, $1, $3, &@2); }
 | '!' f_expr { $$ = f_not($2, &@1); }
 ;

f_term:
   '(' f_expr ')' { $$ = $2; }
 | '(' f_expr ',' f_expr ')' { $$ = f_pair($2, $4, &@1); }
 | '(' f_expr ',' f_expr ',' f_expr ')' { $$ = f_lc($2, $4, $6, &@1); }
 | NUM { $$ = f_const_int((uint32_t)$1, &@1); }
 | TRUE { struct f_val v = { .type = T_BOOL, .u.b = 1 }; $$ = f_const(v, &@1); }
 | FALSE { struct f_val v = { .type = T_BOOL, .u.b = 0 }; $$ = f_const(v, &@1); }
 | STRING { struct f_val v = { .type = T_STRING, .u.s = $1 }; $$ = f_const(v, &@1); }
 | IP4 %prec PREFIX_LOW { struct f_val v = { .type = T_IP, .u.ip = $1 }; $$ = f_const(v, &@1); }
 | IP6 %prec PREFIX_LOW { struct f_val v = { .type = T_IP, .u.ip = $1 }; $$ = f_const(v, &@1); }
 | IP4 '/' NUM { $$ = f_prefix($1, $3, &@1, &@3); }
 | IP6 '/' NUM { $$ = f_prefix($1, $3, &@1, &@3); }
 | '[' set_items ']' { $$ = f_const(f_build_set($2, &@1), &@1); }
 | '[' '=' pm_items '=' ']' { $$ = f_pm_const($3, &@1); }
 | SYM { $$ = f_symbol($1, &@1); }
 | SYM '(' f_args ')' { $$ = f_call($1, $3, &@1); }
 | f_attr
 | DEFINED '(' f_expr ')' { $$ = f_defined($3, &@1); }
 | f_term '.' SYM { $$ = f_method($1, $3, NULL, 0, &@3); }
 | f_term '.' SYM '(' f_args ')' { $$ = f_method($1, $3, $5, 1, &@3); }
 | '+' SYM '+' {
	if (strcmp($2, "empty"))
		cf_error_at(&@2, "expected +empty+ (the empty bgppath)");
	struct f_val v = { .type = T_PATH };
	$$ = f_const(v, &@1);
   }
 | '-' SYM '-' {
	if (strcmp($2, "empty"))
		cf_error_at(&@2, "expected -empty- (the empty clist)");
	struct f_val v = { .type = T_CLIST };
	$$ = f_const(v, &@1);
   }
 | '-' '-' SYM '-' '-' {
	if (strcmp($3, "empty"))
		cf_error_at(&@3, "expected --empty-- (the empty lclist)");
	struct f_val v = { .type = T_LCLIST };
	$$ = f_const(v, &@1);
   }
 ;

f_attr:
   f_attr_id { $$ = f_attr((enum f_attr)$1, NULL, &@1); }
 | f_attr_key '(' f_expr ')' { $$ = f_attr((enum f_attr)$1, $3, &@1); }
 ;

f_attr_id:
   NET { $$ = FA_NET; }
 | PROTO { $$ = FA_PROTO; }
 | POOL { $$ = FA_POOL; }
 | K8S_NAMESPACE { $$ = FA_K8S_NAMESPACE; }
 | K8S_SERVICE { $$ = FA_K8S_SERVICE; }
 | K8S_TRAFFIC_POLICY { $$ = FA_K8S_TRAFFIC_POLICY; }
 | BGP_ORIGIN { $$ = FA_BGP_ORIGIN; }
 | BGP_PATH { $$ = FA_BGP_PATH; }
 | BGP_MED { $$ = FA_BGP_MED; }
 | BGP_LOCAL_PREF { $$ = FA_BGP_LOCAL_PREF; }
 | BGP_COMMUNITY { $$ = FA_BGP_COMMUNITY; }
 | BGP_LARGE_COMMUNITY { $$ = FA_BGP_LARGE_COMMUNITY; }
 | BGP_NEXT_HOP { $$ = FA_BGP_NEXT_HOP; }
 ;

f_attr_key:
   K8S_LABEL { $$ = FA_K8S_LABEL; }
 | K8S_ANNOTATION { $$ = FA_K8S_ANNOTATION; }
 ;

f_args:
   %empty { $$ = NULL; }
 | f_args_ne
 ;

f_args_ne:
   f_expr
 | f_args_ne ',' f_expr { $$ = f_append($1, $3); }
 ;

/* --- sets, case labels, path masks ----------------------------------------------- */

set_items:
   set_item
 | set_items ',' set_item { $$ = f_items_append($1, $3); }
 ;

set_atom:
   NUM { $$ = f_const_int((uint32_t)$1, &@1); }
 | SYM { $$ = f_symbol($1, &@1); }
 ;

set_prefix:
   IP4 '/' NUM { $$ = f_prefix($1, $3, &@1, &@3); }
 | IP6 '/' NUM { $$ = f_prefix($1, $3, &@1, &@3); }
 ;

set_item:
   set_atom { $$ = f_item_val($1, &@1); }
 | set_atom DDOT set_atom { $$ = f_item_range($1, $3, &@1); }
 | '(' set_atom ',' set_atom ')' { $$ = f_item_pair($2, $4, NULL, 0, &@1); }
 | '(' set_atom ',' '*' ')' { $$ = f_item_pair($2, NULL, NULL, 1, &@1); }
 | '(' set_atom ',' set_atom DDOT set_atom ')' { $$ = f_item_pair($2, $4, $6, 0, &@1); }
 | '(' set_atom ',' set_atom ',' set_atom ')' { $$ = f_item_val(f_lc($2, $4, $6, &@1), &@1); }
 | '(' set_atom ',' lc_part_x ',' lc_part ')' { $$ = f_item_lc($2, $4, $6, &@1); }
 | '(' set_atom ',' set_atom ',' lc_part_x ')' { $$ = f_item_lc($2, f_item_range($4, $4, &@4), $6, &@1); }
 | set_prefix { $$ = f_item_val($1, &@1); }
 | set_prefix '+' { $$ = f_item_pattern($1, '+', 0, 0, &@1); }
 | set_prefix '-' { $$ = f_item_pattern($1, '-', 0, 0, &@1); }
 | set_prefix '{' NUM ',' NUM '}' { $$ = f_item_pattern($1, '{', $3, $5, &@1); }
 | STRING { struct f_val v = { .type = T_STRING, .u.s = $1 }; $$ = f_item_val(f_const(v, &@1), &@1); }
 | IP4 { struct f_val v = { .type = T_IP, .u.ip = $1 }; $$ = f_item_val(f_const(v, &@1), &@1); }
 | IP6 { struct f_val v = { .type = T_IP, .u.ip = $1 }; $$ = f_item_val(f_const(v, &@1), &@1); }
 | TRUE { struct f_val v = { .type = T_BOOL, .u.b = 1 }; $$ = f_item_val(f_const(v, &@1), &@1); }
 | FALSE { struct f_val v = { .type = T_BOOL, .u.b = 0 }; $$ = f_item_val(f_const(v, &@1), &@1); }
 ;

/* a part of a large community pattern that is not a plain number */
lc_part_x:
   '*' { $$ = f_item_star(&@1); }
 | set_atom DDOT set_atom { $$ = f_item_range($1, $3, &@1); }
 ;

lc_part:
   set_atom { $$ = f_item_range($1, $1, &@1); }
 | lc_part_x
 ;

pm_items:
   pm_item
 | pm_items pm_item { $$ = f_items_append($1, $2); }
 ;

pm_item:
   set_atom { $$ = f_item_range($1, $1, &@1); }
 | set_atom DDOT set_atom { $$ = f_item_range($1, $3, &@1); }
 | '*' { $$ = cf_alloc(sizeof *$$); $$->kind = SI_VAL; $$->val.u.i = PM_ANY_SEQ; $$->loc = @1; }
 | '?' { $$ = cf_alloc(sizeof *$$); $$->kind = SI_VAL; $$->val.u.i = PM_ANY; $$->loc = @1; }
 ;

/* --- import/export -------------------------------------------------------------- */

filter_spec:
   ALL { $$ = FILTER_ACCEPT; }
 | NONE { $$ = FILTER_REJECT; }
 | FILTER SYM {
	struct symbol *s = cf_find_symbol($2);
	if (!s)
		cf_error_at(&@2, "unknown filter '%s'", $2);
	if (s->class != SYM_FILTER)
		cf_error_at(&@2, "'%s' is a %s, not a filter", $2, cf_symbol_class_name(s->class));
	$$ = s->def;
   }
 | FILTER {
	this_filter = f_filter_new(NULL, &@1);
	cf_push_scope();
	f_ctx_begin(NULL);
   } f_body {
	struct f_code *c = this_filter->code;
	c->body = $3;
	c->nslots = f_ctx_end();
	cf_pop_scope();
	$$ = this_filter;
	this_filter = NULL;
   }
 | WHERE { cf_push_scope(); f_ctx_begin(NULL); } f_expr {
	struct filter *f = f_filter_new(NULL, &@1);
	struct f_code *c = f->code;
	if ($3->type != T_BOOL)
		cf_error_at(&@3, "'where' needs a bool expression, not %s", f_type_name($3->type));
	c->where = $3;
	c->body = f_if($3, f_stmt(FI_ACCEPT, &@1), f_stmt(FI_REJECT, &@1), &@1);
	c->nslots = f_ctx_end();
	cf_pop_scope();
	$$ = f;
   }
 ;

imexport_in: filter_spec { f_label($1, "import"); this_proto->in_filter = $1; this_proto->in_set = 1; } ;
imexport_out: filter_spec { f_label($1, "export"); this_proto->out_filter = $1; this_proto->out_set = 1; } ;

CF_CODE

static struct filter *f_filter_new(const char *name, const struct cf_loc *loc)
{
	struct filter *f = cf_alloc(sizeof *f);
	f->name = name;
	f->kind = FILTER_KIND_CODE;
	f->loc = *loc;
	f->code = cf_alloc(sizeof(struct f_code));
	return f;
}

static void f_param(const char *type, const char *set, const char *name, const struct cf_loc *tl,
		    const struct cf_loc *nl)
{
	if (f_nargs == F_MAX_ARGS)
		cf_error_at(nl, "a function takes at most %d arguments", F_MAX_ARGS);
	enum f_type t = f_type_parse(type, set, tl);
	struct f_var *v = f_declare(t, name, nl);
	f_argt[f_nargs] = t;
	f_argn[f_nargs] = v->name;
	f_nargs++;
	this_function->nargs = f_nargs;
}

static struct f_inst *f_var_lvalue(const char *name, const struct cf_loc *loc)
{
	struct symbol *s = cf_find_symbol(name);
	if (!s || s->class != SYM_VARIABLE)
		cf_error_at(loc, "'%s' is not a variable", name);
	return f_symbol(name, loc);
}

static struct f_set_item *f_items_append(struct f_set_item *l, struct f_set_item *t)
{
	struct f_set_item *p = l;
	while (p->next)
		p = p->next;
	p->next = t;
	return l;
}

static struct f_inst *f_pm_const(struct f_set_item *items, const struct cf_loc *loc)
{
	int n = 0;
	for (struct f_set_item *it = items; it; it = it->next)
		n++;
	struct f_path_mask *pm = f_pm_new(n);
	n = 0;
	for (struct f_set_item *it = items; it; it = it->next, n++) {
		if (it->kind == SI_RANGE) {
			pm->item[n].kind = PM_ASN;
			pm->item[n].lo = (uint32_t)it->lo;
			pm->item[n].hi = (uint32_t)it->hi;
		} else
			pm->item[n].kind = (uint8_t)it->val.u.i;
	}
	struct f_val v = { .type = T_PATH_MASK, .u.pm = pm };
	return f_const(v, loc);
}

/* show route where EXPR */
static struct config *f_cli_cfg;

static void f_cli_begin(void)
{
	/* the running config's names, copied into this parse's own table: the
	 * parse may define names of its own (postconfig adds implicit
	 * protocols), and the running config's table must never change */
	if (f_cli_cfg)
		for (unsigned h = 0; h < f_cli_cfg->symtab_size; h++)
			for (struct symbol *s = f_cli_cfg->symtab[h]; s; s = s->next)
				if (!cf_find_symbol(s->name))
					cf_define_symbol(s->name, s->class, s->def, &s->loc);
	cf_push_scope();
	f_ctx_begin(NULL);
}

static void f_cli_end(struct f_inst *e, const struct cf_loc *loc)
{
	struct filter *f = f_filter_new(NULL, loc);
	struct f_code *c = f->code;

	if (e->type != T_BOOL)
		cf_error_at(loc, "'where' needs a bool expression, not %s", f_type_name(e->type));
	c->where = e;
	c->body = f_if(e, f_stmt(FI_ACCEPT, loc), f_stmt(FI_REJECT, loc), loc);
	c->nslots = f_ctx_end();
	c->label = "show route where";
	f_conf()->cli = f;
}

const struct filter *filter_parse_cli_expr(const char *text, struct config *cfg, char *err, size_t errlen)
{
	f_cli_cfg = cfg;
	cf_start_token = K_CLI_EXPR_START;
	struct config *c = config_parse_string("cli", text, err, errlen);
	cf_start_token = 0;
	f_cli_cfg = NULL;
	if (!c)
		return NULL;
	struct f_conf *fc = c->ext[CF_EXT_FILTER];
	struct filter *f = fc ? (struct filter *)fc->cli : NULL;
	if (!f) {
		config_free(c);
		snprintf(err, errlen, "cli: an expression is needed");
		return NULL;
	}
	((struct f_code *)f->code)->owner = c;
	return f;
}
