/*
 * metalbird -- grammar of protocol static
 */
CF_HDR
#include "proto/static/static.h"

CF_DECLS

CF_KEYWORDS(STATIC, ROUTE)

CF_GRAMMAR

proto: static_proto '}' { proto_config_finish(this_proto); } ;

static_proto_start: proto_start STATIC { this_proto = proto_config_new(&proto_static, (int)$1, &@2); } ;

static_proto:
   static_proto_start proto_name '{'
 | static_proto proto_item ';'
 | static_proto static_item ';'
 ;

static_item: ROUTE ipa '/' NUM {
	struct static_config *sc = (struct static_config *)this_proto;
	int af = ip_af($2);
	if ($4 > (uint64_t)af_maxlen(af))
		cf_error_at(&@4, "prefix length /%u is too long for an IPv%d route (at most %d)", (unsigned)$4, af, af_maxlen(af));
	net_addr n = net_make($2, af, (int)$4);
	if (!ip_equal(n.ip, $2)) {
		char b[IP_STRLEN];
		cf_error_at(&@2, "route %s/%u has host bits set; did you mean %s/%u?", ip_ntop($2, b), (unsigned)$4,
			    ip_ntop(n.ip, (char[IP_STRLEN]){ 0 }), (unsigned)$4);
	}
	static_add_route(sc, &n, &@2);
   }
 ;

CF_CODE
