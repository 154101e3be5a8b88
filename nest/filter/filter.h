/*
 * metalbird -- filters: the interface the rest of the daemon sees
 *
 * (Minimal first version: accept-all, reject-all and constants.  The filter
 * language of SPEC section 3 replaces the internals, not this interface.)
 */
#ifndef MB_FILTER_H
#define MB_FILTER_H

#include <stdint.h>

#include "conf/conf.h"

enum f_type {
	T_VOID, T_INT, T_BOOL, T_STRING, T_IP, T_PREFIX, T_PAIR, T_LC,
};

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
	} u;
};

enum filter_kind { FILTER_KIND_ACCEPT, FILTER_KIND_REJECT, FILTER_KIND_CODE };

struct filter {
	const char *name;	/* NULL for an inline filter */
	enum filter_kind kind;
	void *code;		/* FILTER_KIND_CODE */
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

#endif
