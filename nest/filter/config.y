/*
 * metalbird -- grammar of filters, constants, import/export
 */
CF_HDR
#include "nest/filter/filter.h"

CF_DECLS

%union {
	struct f_val *fv;
	const struct filter *flt;
}
%type <fv> const_term
%type <flt> filter_spec

CF_KEYWORDS(DEFINE, FILTER, NONE, ALL)

CF_GRAMMAR

conf_item: DEFINE SYM '=' const_term ';' {
	cf_define_symbol($2, SYM_CONSTANT, $4, &@2);
   }
 ;

const_term:
   NUM { $$ = cf_alloc(sizeof(struct f_val)); $$->type = T_INT; $$->u.i = (uint32_t)$1; }
 | STRING { $$ = cf_alloc(sizeof(struct f_val)); $$->type = T_STRING; $$->u.s = $1; }
 | IP4 { $$ = cf_alloc(sizeof(struct f_val)); $$->type = T_IP; $$->u.ip = $1; }
 | IP6 { $$ = cf_alloc(sizeof(struct f_val)); $$->type = T_IP; $$->u.ip = $1; }
 ;

filter_spec:
   ALL { $$ = FILTER_ACCEPT; }
 | NONE { $$ = FILTER_REJECT; }
 ;

imexport_in: filter_spec { this_proto->in_filter = $1; this_proto->in_set = 1; } ;
imexport_out: filter_spec { this_proto->out_filter = $1; this_proto->out_set = 1; } ;

CF_CODE
