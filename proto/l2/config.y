/*
 * metalbird -- grammar of protocol l2 (SPEC section 3)
 */
CF_HDR
#include "proto/l2/l2.h"

CF_DECLS

CF_KEYWORDS(L2, INTERFACE)

CF_GRAMMAR

proto: l2_proto '}' { proto_config_finish(this_proto); } ;

l2_proto_start: proto_start L2 { this_proto = proto_config_new(&proto_l2, (int)$1, &@2); } ;

l2_proto:
   l2_proto_start proto_name '{'
 | l2_proto proto_item ';'
 | l2_proto l2_item ';'
 ;

/* `l2` is a keyword, yet `protocol l2 l2 { }` is the name SPEC gives the
 * implicit instance, so a config may spell it out too */
proto_name: L2 { proto_config_name(this_proto, "l2", &@1); } ;

l2_item: INTERFACE l2_ifnames ;

l2_ifnames:
   STRING { l2_config_add_ifname((struct l2_config *)this_proto, $1, &@1); }
 | l2_ifnames ',' STRING { l2_config_add_ifname((struct l2_config *)this_proto, $3, &@3); }
 ;

CF_CODE
