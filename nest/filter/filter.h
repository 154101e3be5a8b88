/*
 * metalbird -- filters: the interface the rest of the daemon sees
 *
 * A filter is compiled at config time (nest/filter/config.y, build.c) into a
 * tree of typed nodes with constants folded and sets pre-built (sorted range
 * arrays for ints and pairs, a bit trie for prefixes), and run per route by
 * f_run() (filter.c).  The compiled code lives in the config's arena and is
 * immutable, apart from the flag that keeps a run-time error from being
 * logged more than once per filter.
 */
#ifndef MB_FILTER_H
#define MB_FILTER_H

#include <stdint.h>
#include <stdio.h>

#include "conf/conf.h"

enum f_type {
	T_VOID, T_INT, T_BOOL, T_STRING, T_IP, T_PREFIX, T_PAIR, T_LC,
	T_ORIGIN,		/* bgp_origin: 0 IGP, 1 EGP, 2 INCOMPLETE (u.i) */
	T_PATH,			/* bgppath: adata of segments (nest/route.h) */
	T_CLIST,		/* community list: adata of sorted uint32 */
	T_LCLIST,		/* large community list: adata of sorted uint32 triples */
	T_PATH_MASK,		/* [= * 64512 * =] */
	T_SET_INT, T_SET_PAIR, T_SET_PREFIX, T_SET_LC,
	T__MAX
};

struct adata;
struct f_set;
struct f_trie;
struct f_path_mask;
struct f_lc_set;

struct f_val {
	enum f_type type;
	union {
		uint32_t i;
		int b;
		const char *s;
		ip_addr ip;
		net_addr net;
		uint64_t pair;		/* (a << 32) | b */
		struct { uint32_t a, b, c; } lc;
		const struct adata *ad;	/* T_PATH, T_CLIST, T_LCLIST; NULL = empty */
		const struct f_set *set;	/* T_SET_INT, T_SET_PAIR */
		const struct f_trie *trie;	/* T_SET_PREFIX */
		const struct f_path_mask *pm;	/* T_PATH_MASK */
		const struct f_lc_set *lcs;	/* T_SET_LC */
	} u;
};

enum filter_kind { FILTER_KIND_ACCEPT, FILTER_KIND_REJECT, FILTER_KIND_CODE };

struct filter {
	const char *name;	/* NULL for an inline filter */
	enum filter_kind kind;
	void *code;		/* FILTER_KIND_CODE: struct f_code (nest/filter/f-inst.h) */
	struct cf_loc loc;
};

extern const struct filter filter_accept, filter_reject;
#define FILTER_ACCEPT (&filter_accept)
#define FILTER_REJECT (&filter_reject)

struct rta;

/* Run a filter over a route.  net and proto name the route; *a is the
 * route's interned attribute set (borrowed).  On FILTER_ACCEPT *out is set
 * to an interned attribute set with one reference the caller owns (the same
 * pointer with its count raised when the filter changed nothing).  A
 * run-time error rejects the route and is logged once per filter. */
enum filter_result { F_ACCEPT, F_REJECT };
enum filter_result f_run(const struct filter *f, const net_addr *net, const char *proto,
			 struct rta *a, struct rta **out);

/* Are two filters the same (by meaning, for reconfiguration)? */
int filter_same(const struct filter *a, const struct filter *b);
/* Text of a filter for `show protocols all` / -p -v. */
const char *filter_name(const struct filter *f);
void f_val_format(const struct f_val *v, char *buf, size_t len);

/* The import/export spec as config text: `all`, `none`, `filter NAME`,
 * `filter { ... }` or `where EXPR` (for metalbird -p -v). */
void filter_dump_spec(FILE *out, const struct filter *f);

/* The config's constants, functions and filters as config text, in the
 * order they were defined (for metalbird -p -v, before the protocols). */
void filter_dump_defs(FILE *out, const struct config *c);

/* Parse EXPR of `show route where EXPR` with the config grammar; the names
 * of cfg (constants, functions) are visible.  Returns NULL with a message
 * in err ("cli:1:COL: ...") on error.  The result refers to cfg: free it
 * with filter_cli_free() before cfg goes away. */
const struct filter *filter_parse_cli_expr(const char *text, struct config *cfg, char *err, size_t errlen);
void filter_cli_free(const struct filter *f);

#endif
