/*
 * metalbird -- filters: accept/reject and comparison
 */
#include "nest/filter/filter.h"
#include "nest/route.h"

#include <stdio.h>
#include <string.h>

const struct filter filter_accept = { "all", FILTER_KIND_ACCEPT, NULL, { 0 } };
const struct filter filter_reject = { "none", FILTER_KIND_REJECT, NULL, { 0 } };

int filter_same(const struct filter *a, const struct filter *b)
{
	if (a == b)
		return 1;
	if (!a || !b || a->kind != b->kind)
		return 0;
	if (a->kind != FILTER_KIND_CODE)
		return 1;
	return 0;	/* code comparison arrives with the filter language */
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
	char a[NET_STRLEN];

	switch (v->type) {
	case T_INT: snprintf(buf, len, "%u", v->u.i); break;
	case T_BOOL: snprintf(buf, len, "%s", v->u.b ? "TRUE" : "FALSE"); break;
	case T_STRING: snprintf(buf, len, "%s", v->u.s); break;
	case T_IP: snprintf(buf, len, "%s", ip_ntop(v->u.ip, a)); break;
	case T_PREFIX: snprintf(buf, len, "%s", net_ntop(&v->u.net, a)); break;
	case T_PAIR: snprintf(buf, len, "(%u,%u)", (unsigned)(v->u.pair >> 32), (unsigned)v->u.pair); break;
	case T_LC: snprintf(buf, len, "(%u, %u, %u)", v->u.lc.a, v->u.lc.b, v->u.lc.c); break;
	default: snprintf(buf, len, "(void)"); break;
	}
}

enum filter_result f_run(const struct filter *f, const net_addr *net, const char *proto,
			 struct rta *a, struct rta **out)
{
	if (!f || f->kind == FILTER_KIND_REJECT)
		return F_REJECT;
	*out = rta_clone(a);
	return F_ACCEPT;
}
