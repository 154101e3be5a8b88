/*
 * metalbird -- grammar of protocol bfd (SPEC section 3)
 *
 *   protocol bfd {
 *     interface "PATTERN" { interval N ms; multiplier N; };
 *     interface "PATTERN" { min rx interval N ms; min tx interval N ms; };
 *   }
 */
CF_HDR
#include "proto/bfd/bfd.h"

#define BFD_CFG ((struct bfd_config *)this_proto)

CF_DECLS

CF_KEYWORDS(BFD, INTERFACE, INTERVAL, MIN, RX, TX, MULTIPLIER, MS, US, AUTHENTICATION, SIMPLE, NONE, PASSWORD)

%type <i> bfd_time

CF_GRAMMAR

proto: bfd_proto '}' { proto_config_finish(this_proto); } ;

bfd_proto_start: proto_start BFD { this_proto = proto_config_new(&proto_bfd, (int)$1, &@2); } ;

bfd_proto:
   bfd_proto_start proto_name '{'
 | bfd_proto proto_item ';'
 | bfd_proto bfd_item ';'
 ;

bfd_item: INTERFACE bfd_iface_start '{' bfd_iface_opts '}' { bfd_config_iface_end(BFD_CFG, &@1); } ;

bfd_iface_start: STRING {
	if (!*$1)
		cf_error_at(&@1, "interface pattern must not be empty");
	bfd_config_iface_start(BFD_CFG, $1);
   }
 ;

bfd_iface_opts:
   %empty
 | bfd_iface_opts bfd_iface_opt ';'
 ;

/* a time: N ms (BIRD's and MetalLB's unit), N us, or bare N seconds */
bfd_time:
   NUM MS { $$ = $1 * 1000; }
 | NUM US { $$ = $1; }
 | NUM { $$ = $1 * 1000000; }
 ;

bfd_iface_opt:
   INTERVAL bfd_time {
	/* RFC 5880 4.1: intervals are 32-bit microseconds; 10 ms is what
	 * MetalLB's BFDProfile allows at the least */
	if ($2 < 10000 || $2 > 60000000)
		cf_error_at(&@2, "interval must be 10 ms to 60000 ms");
	BFD_CFG->cur->min_rx = BFD_CFG->cur->min_tx = (uint32_t)$2;
   }
 | MIN RX INTERVAL bfd_time {
	if ($4 < 10000 || $4 > 60000000)
		cf_error_at(&@4, "min rx interval must be 10 ms to 60000 ms");
	BFD_CFG->cur->min_rx = (uint32_t)$4;
   }
 | MIN TX INTERVAL bfd_time {
	if ($4 < 10000 || $4 > 60000000)
		cf_error_at(&@4, "min tx interval must be 10 ms to 60000 ms");
	BFD_CFG->cur->min_tx = (uint32_t)$4;
   }
 | MULTIPLIER NUM {
	if ($2 < 1 || $2 > 255)
		cf_error_at(&@2, "multiplier %u is invalid: use 1-255", (unsigned)$2);
	BFD_CFG->cur->mult = (unsigned)$2;
   }
 | AUTHENTICATION NONE { BFD_CFG->cur->auth_simple = 0; }
 | AUTHENTICATION SIMPLE { BFD_CFG->cur->auth_simple = 1; }
 | PASSWORD STRING {
	/* RFC 5880 4.2: a simple password is 1 to 16 octets */
	size_t n = strlen($2);
	if (n < 1 || n > 16)
		cf_error_at(&@2, "a BFD simple password has 1 to 16 characters, not %zu", n);
	BFD_CFG->cur->password = $2;
   }
 ;

CF_CODE
