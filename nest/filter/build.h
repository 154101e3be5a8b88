/*
 * metalbird -- filters: constructors used by the grammar (nest/filter/build.c)
 */
#ifndef MB_F_BUILD_H
#define MB_F_BUILD_H

#include "nest/filter/f-inst.h"

#define F_MAX_SLOTS 1024	/* variables and arguments of one filter or function */

struct f_var {
	int slot;
	enum f_type type;
	const char *name;
};

struct f_case_build {
	struct f_inst *expr;
	struct cf_loc loc;
	struct f_case_arm *arms;
	int narms, cap;
	struct f_case_arm *cur;
	struct f_inst *tail;
};

/* Start compiling a filter (fn NULL) or a function: local slots count from
 * here; f_ctx_end() returns how many the frame needs. */
void f_ctx_begin(struct f_function *fn);
int f_ctx_end(void);

struct f_inst *f_new(enum f_code_op op, enum f_type t, const struct cf_loc *loc);
struct f_inst *f_const(struct f_val v, const struct cf_loc *loc);
struct f_inst *f_const_int(uint32_t n, const struct cf_loc *loc);
enum f_type f_type_parse(const char *name, const char *set, const struct cf_loc *loc);
int f_match_ok(enum f_type l, enum f_type r);

struct f_inst *f_binop(enum f_code_op op, struct f_inst *a, struct f_inst *b, const struct cf_loc *loc);
struct f_inst *f_not(struct f_inst *a, const struct cf_loc *loc);
struct f_inst *f_pair(struct f_inst *a, struct f_inst *b, const struct cf_loc *loc);
struct f_inst *f_lc(struct f_inst *a, struct f_inst *b, struct f_inst *c, const struct cf_loc *loc);
struct f_inst *f_prefix(ip_addr ip, uint64_t len, const struct cf_loc *loc, const struct cf_loc *lenloc);
struct f_inst *f_attr(enum f_attr a, struct f_inst *key, const struct cf_loc *loc);
struct f_inst *f_defined(struct f_inst *a, const struct cf_loc *loc);
struct f_inst *f_symbol(const char *name, const struct cf_loc *loc);
struct f_inst *f_call(const char *name, struct f_inst *args, const struct cf_loc *loc);
struct f_inst *f_method(struct f_inst *obj, const char *m, struct f_inst *args, int has_args,
			const struct cf_loc *loc);

struct f_inst *f_stmt(enum f_code_op op, const struct cf_loc *loc);
struct f_inst *f_append(struct f_inst *list, struct f_inst *tail);
struct f_inst *f_if(struct f_inst *c, struct f_inst *t, struct f_inst *e, const struct cf_loc *loc);
struct f_inst *f_block(struct f_inst *body, const struct cf_loc *loc);
struct f_var *f_declare(enum f_type t, const char *name, const struct cf_loc *loc);
struct f_inst *f_decl_stmt(enum f_type t, const char *name, struct f_inst *init, const struct cf_loc *loc);
struct f_inst *f_assign_sym(const char *name, struct f_inst *e, const struct cf_loc *loc);
struct f_inst *f_assign_attr(enum f_attr a, struct f_inst *e, const struct cf_loc *loc);
struct f_inst *f_method_stmt(struct f_inst *lv, const char *m, struct f_inst *args, const struct cf_loc *loc);
struct f_inst *f_return(struct f_inst *e, const struct cf_loc *loc);
struct f_inst *f_print(struct f_inst *list, const struct cf_loc *loc);
struct f_inst *f_call_stmt(struct f_inst *call);

struct f_case_build *f_case_new(struct f_inst *e, const struct cf_loc *loc);
void f_case_arm(struct f_case_build *c, struct f_set_item *labels, int is_else, const struct cf_loc *loc);
void f_case_add(struct f_case_build *c, struct f_inst *stmt);
struct f_inst *f_case_end(struct f_case_build *c);

struct f_set_item *f_item_val(struct f_inst *e, const struct cf_loc *loc);
struct f_set_item *f_item_range(struct f_inst *lo, struct f_inst *hi, const struct cf_loc *loc);
struct f_set_item *f_item_pair(struct f_inst *a, struct f_inst *b, struct f_inst *c, int star,
			       const struct cf_loc *loc);
struct f_set_item *f_item_lc(struct f_inst *a, struct f_set_item *b, struct f_set_item *c, const struct cf_loc *loc);
struct f_set_item *f_item_star(const struct cf_loc *loc);
struct f_set_item *f_item_pattern(struct f_inst *p, int kind, uint64_t a, uint64_t b, const struct cf_loc *loc);

int f_string_match(const char *s, const char *pattern);

#endif
