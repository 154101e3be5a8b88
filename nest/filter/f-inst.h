/*
 * metalbird -- filters: compiled form (internal to nest/filter/)
 *
 * A filter is a tree of typed nodes.  Every expression node knows its type
 * when it is built, so type errors are config errors and the interpreter
 * (filter.c) never checks a type it could have known.  Statement lists are
 * chained through `next`, and so are argument lists.
 */
#ifndef MB_F_INST_H
#define MB_F_INST_H

#include "nest/filter/filter.h"
#include "nest/route.h"

enum f_code_op {
	/* expressions */
	FI_CONST, FI_VAR, FI_ATTR, FI_DEFINED,
	FI_NOT, FI_AND, FI_OR,
	FI_EQ, FI_NEQ, FI_LT, FI_LE, FI_GT, FI_GE, FI_MATCH, FI_NMATCH,
	FI_ADD, FI_SUB, FI_MUL, FI_DIV, FI_MOD,
	FI_PAIR, FI_LC,
	FI_NET_LEN, FI_NET_IP, FI_PAIR_A, FI_PAIR_B,
	FI_PATH_LEN, FI_PATH_FIRST, FI_PATH_LAST, FI_LIST_LEN,
	FI_PREPEND, FI_LIST_ADD, FI_LIST_DEL,
	FI_CALL,
	/* statements */
	FI_ACCEPT, FI_REJECT, FI_RETURN, FI_IF, FI_BLOCK, FI_SET_VAR, FI_SET_ATTR,
	FI_UNSET_ATTR, FI_PRINT, FI_CASE, FI_EXPR_STMT, FI_NOP,
	FI__MAX
};

/* Route attributes (FI_ATTR, FI_SET_ATTR) */
enum f_attr {
	FA_NET, FA_PROTO, FA_POOL, FA_K8S_NAMESPACE, FA_K8S_SERVICE, FA_K8S_TRAFFIC_POLICY,
	FA_K8S_LABEL, FA_K8S_ANNOTATION,
	FA_BGP_ORIGIN, FA_BGP_PATH, FA_BGP_MED, FA_BGP_LOCAL_PREF, FA_BGP_COMMUNITY,
	FA_BGP_LARGE_COMMUNITY, FA_BGP_NEXT_HOP,
	FA__MAX
};

struct f_inst;

struct f_case_arm {
	struct f_val set;		/* T_SET_*: labels that are ranges/patterns; T_VOID: none */
	int nvals;			/* labels compared by equality */
	struct f_val *vals;
	const struct f_inst *body;	/* statement list (may be NULL) */
	int is_else;
};

struct f_function {
	const char *name;
	int nargs;
	enum f_type *argt;
	const char **argn;
	enum f_type ret;		/* T_VOID: returns nothing (or not known yet) */
	int ret_known;			/* declared, or seen in a return */
	int nslots;			/* args first, then locals */
	const struct f_inst *body;
	struct cf_loc loc;
};

struct f_inst {
	uint16_t op;			/* enum f_code_op */
	uint8_t type;			/* enum f_type of the result (T_VOID for statements) */
	uint8_t attr;			/* enum f_attr */
	int slot;			/* FI_VAR, FI_SET_VAR */
	const char *name;		/* variable name (messages, dump) */
	struct cf_loc loc;
	const struct f_inst *a[3];
	const struct f_inst *next;
	struct f_val val;		/* FI_CONST */
	const struct f_function *fn;	/* FI_CALL */
	int narms;			/* FI_CASE */
	const struct f_case_arm *arms;
};

struct f_code {
	const struct f_inst *body;	/* statement list */
	const struct f_inst *where;	/* `where EXPR`: the expression (body is derived) */
	int nslots;
	int err_logged;			/* a run-time error was logged (once per filter) */
	struct config *owner;		/* filter_parse_cli_expr: the temporary config */
	const char *label;		/* unnamed filters in messages: "bgp1 export" */
};

/* What the filter module hangs on a config (config->ext[CF_EXT_FILTER]):
 * its definitions in config order, for the dump. */
struct f_def {
	struct f_def *next;
	enum sym_class cls;		/* SYM_CONSTANT, SYM_FUNCTION, SYM_FILTER */
	const char *name;
	const void *def;
};
struct f_conf {
	struct f_def *defs, **tail;
	const struct filter *cli;	/* filter_parse_cli_expr's result */
};

/* --- values (data.c) ------------------------------------------------------- */

struct f_set {
	int n;
	struct { uint64_t lo, hi; } r[];	/* sorted by lo, disjoint */
};

struct f_prefix_pat {
	net_addr net;
	uint8_t lo, hi;			/* accepted lengths */
};

struct f_trie_node;
struct f_trie {
	struct f_trie_node *root[2];	/* IPv4, IPv6 */
	int n;
	struct f_prefix_pat *pats;	/* as written: for dump and comparison */
};

/* Large community patterns (a, b1..b2, c1..c2); '*' is the whole range. */
struct f_lc_set {
	int n;
	struct { uint32_t a, blo, bhi, clo, chi; } p[];
};

enum f_pm_kind { PM_ASN, PM_ANY, PM_ANY_SEQ };
struct f_path_mask {
	int n;
	struct { uint8_t kind; uint32_t lo, hi; } item[];
};

/* Set items while parsing a set literal or case labels. */
enum f_item_kind { SI_VAL, SI_RANGE, SI_PATTERN, SI_LC };
struct f_set_item {
	struct f_set_item *next;
	enum f_item_kind kind;
	struct f_val val;		/* SI_VAL; SI_PATTERN: the prefix */
	enum f_type type;		/* SI_RANGE: T_INT or T_PAIR */
	uint64_t lo, hi;		/* SI_RANGE; SI_PATTERN: lengths */
	uint32_t a, blo, bhi, clo, chi;	/* SI_LC */
	struct cf_loc loc;
};

const char *f_type_name(enum f_type t);
int f_val_equal(const struct f_val *a, const struct f_val *b);
/* -1, 0, 1; or -2 when the type has no order */
int f_val_cmp(const struct f_val *a, const struct f_val *b);
int f_set_contains(const struct f_set *s, uint64_t v);
int f_trie_match(const struct f_trie *t, const net_addr *n);
int f_pm_match(const struct f_path_mask *pm, const struct adata *path);
int f_path_len(const struct adata *path);
int f_path_first(const struct adata *path, uint32_t *asn);
int f_path_last(const struct adata *path, uint32_t *asn);
int f_clist_contains(const struct adata *l, uint32_t c);
int f_lclist_contains(const struct adata *l, const uint32_t c[3]);
int f_lc_set_contains(const struct f_lc_set *s, const uint32_t c[3]);
int f_lclist_any_in(const struct adata *l, const struct f_lc_set *s);
const struct adata *f_lclist_del_set(const struct adata *l, const struct f_lc_set *s);

/* Build a set value from parsed items (config time; errors via cf_error_at). */
struct f_val f_build_set(struct f_set_item *items, const struct cf_loc *loc);
struct f_path_mask *f_pm_new(int n);

/* Run-time scratch memory: lives until the next filter run starts. */
void *f_scratch_alloc(size_t n);
void f_scratch_reset(void);
const struct adata *f_path_prepend(const struct adata *path, uint32_t asn);
const struct adata *f_clist_add(const struct adata *l, uint32_t c);
const struct adata *f_clist_del(const struct adata *l, const struct f_val *what);
const struct adata *f_lclist_add(const struct adata *l, const uint32_t c[3]);
const struct adata *f_lclist_del(const struct adata *l, const uint32_t c[3]);
/* Append a text form of v to buf (used by print and dumps). */
void f_val_print(const struct f_val *v, char *buf, size_t len);

/* --- interpreter (filter.c) ------------------------------------------------- */

/* Evaluate a node with no route (constant folding).  0 ok, else -1 with a
 * message in err. */
int f_eval_const(const struct f_inst *i, struct f_val *out, char *err, size_t errlen);
/* Run a function without arguments over a route (tests, CLI).  Scratch
 * values in *out last until the next run.  0 ok, else -1 with err. */
int f_run_function(const struct f_function *fn, const net_addr *net, const char *proto,
		   struct rta *a, struct f_val *out, char *err, size_t errlen);
int f_inst_same(const struct f_inst *a, const struct f_inst *b);
void f_dump_stmts(FILE *out, const struct f_inst *i);
void f_dump_expr(FILE *out, const struct f_inst *i);
const char *f_attr_name(enum f_attr a);

#endif
