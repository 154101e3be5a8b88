/*
 * metalbird -- grammar of protocol bgp (SPEC section 3)
 */
CF_HDR
#include "proto/bgp/bgp.h"

#define BGP_CFG ((struct bgp_config *)this_proto)

CF_DECLS

CF_KEYWORDS(BGP, NEIGHBOR, AS, LOCAL, INTERFACE, SOURCE, ADDRESS, HOLD, TIME, KEEPALIVE, CONNECT, RETRY)
CF_KEYWORDS(PASSIVE, MULTIHOP, DIRECT, TTL, SECURITY, PASSWORD, GRACEFUL, RESTART, AWARE, BFD, NEXT, HOP, SELF, PORT)

%type <i> bgp_port

CF_GRAMMAR

proto: bgp_proto '}' { proto_config_finish(this_proto); } ;

bgp_proto_start: proto_start BGP { this_proto = proto_config_new(&proto_bgp, (int)$1, &@2); } ;

bgp_proto:
   bgp_proto_start proto_name '{'
 | bgp_proto proto_item ';'
 | bgp_proto bgp_item ';'
 ;

bgp_port:
   %empty { $$ = 179; }
 | PORT NUM {
	if ($2 < 1 || $2 > 65535)
		cf_error_at(&@2, "port %u is out of range (1-65535)", (unsigned)$2);
	$$ = $2;
   }
 ;

bgp_item:
   NEIGHBOR ipa bgp_port AS NUM {
	bgp_check_asn((uint32_t)$5, &@5, "neighbor AS");
	BGP_CFG->remote_ip = $2;
	BGP_CFG->has_remote = 1;
	BGP_CFG->remote_port = (unsigned)$3;
	BGP_CFG->remote_as = (uint32_t)$5;
	BGP_CFG->neighbor_loc = @2;
   }
 | NEIGHBOR ipa bgp_port {
	cf_error_at(&@$, "neighbor needs an AS number: neighbor ADDRESS [port N] as ASN;");
   }
 | LOCAL ipa AS NUM {
	bgp_check_asn((uint32_t)$4, &@4, "local AS");
	BGP_CFG->local_ip = $2;
	BGP_CFG->has_local_ip = 1;
	BGP_CFG->local_as = (uint32_t)$4;
	BGP_CFG->local_loc = @1;
   }
 | LOCAL AS NUM {
	bgp_check_asn((uint32_t)$3, &@3, "local AS");
	BGP_CFG->local_as = (uint32_t)$3;
	BGP_CFG->local_loc = @1;
   }
 | INTERFACE STRING {
	if (!*$2)
		cf_error_at(&@2, "interface name must not be empty");
	if (strlen($2) > 15)
		cf_error_at(&@2, "interface name \"%s\" is longer than 15 characters (the kernel's limit)", $2);
	BGP_CFG->iface = $2;
   }
 | SOURCE ADDRESS ipa { BGP_CFG->source_addr = $3; BGP_CFG->has_source = 1; }
 | HOLD TIME NUM {
	/* RFC 4271 4.2: zero, or at least three seconds */
	if ($3 != 0 && ($3 < 3 || $3 > 65535))
		cf_error_at(&@3, "hold time %u is invalid: use 0 (no keepalives) or 3-65535 seconds", (unsigned)$3);
	BGP_CFG->hold_time = (unsigned)$3;
	BGP_CFG->hold_loc = @3;
   }
 | KEEPALIVE TIME NUM {
	if ($3 < 1 || $3 > 65535)
		cf_error_at(&@3, "keepalive time %u is invalid: use 1-65535 seconds", (unsigned)$3);
	BGP_CFG->keepalive_time = (unsigned)$3;
	BGP_CFG->keepalive_loc = @3;
   }
 | CONNECT RETRY TIME NUM {
	if ($4 < 1 || $4 > 65535)
		cf_error_at(&@4, "connect retry time %u is invalid: use 1-65535 seconds", (unsigned)$4);
	BGP_CFG->connect_retry_time = (unsigned)$4;
   }
 | PASSIVE bool { BGP_CFG->passive = (int)$2; }
 | MULTIHOP { BGP_CFG->multihop = 64; }
 | MULTIHOP NUM {
	if ($2 < 1 || $2 > 255)
		cf_error_at(&@2, "multihop %u is invalid: use 1-255 hops", (unsigned)$2);
	BGP_CFG->multihop = (int)$2;
   }
 | DIRECT { BGP_CFG->multihop = 0; }
 | TTL SECURITY bool { BGP_CFG->ttl_security = (int)$3; }
 | PASSWORD STRING {
	if (!*$2)
		cf_error_at(&@2, "password must not be empty");
	if (strlen($2) > 80)
		cf_error_at(&@2, "password is longer than 80 characters (the TCP-MD5 key limit)");
	BGP_CFG->password = $2;
   }
 | GRACEFUL RESTART bool { BGP_CFG->gr_mode = $3 ? BGP_GR_ON : BGP_GR_OFF; }
 | GRACEFUL RESTART AWARE { BGP_CFG->gr_mode = BGP_GR_AWARE; }
 | GRACEFUL RESTART TIME NUM {
	if ($4 < 1 || $4 > 4095)
		cf_error_at(&@4, "graceful restart time %u is invalid: use 1-4095 seconds (RFC 4724)", (unsigned)$4);
	BGP_CFG->gr_time = (unsigned)$4;
   }
 | BFD bool { BGP_CFG->bfd = (int)$2; }
 | NEXT HOP SELF { BGP_CFG->next_hop_self = 1; BGP_CFG->has_next_hop4 = BGP_CFG->has_next_hop6 = 0; }
 | NEXT HOP ADDRESS ipa {
	if (ip_is4($4)) {
		BGP_CFG->next_hop4 = $4;
		BGP_CFG->has_next_hop4 = 1;
	} else {
		BGP_CFG->next_hop6 = $4;
		BGP_CFG->has_next_hop6 = 1;
	}
	BGP_CFG->next_hop_self = 0;
   }
 ;

CF_CODE
