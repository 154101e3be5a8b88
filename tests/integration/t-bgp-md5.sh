#!/bin/bash
# t-bgp-md5: TCP-MD5 (RFC 2385) against BIRD 2.  metalbird's `password`
# matches BIRD's for one session, which must come up and carry a route; for a
# second session on another address the passwords differ, and it must never
# get Established (the kernel drops the unsigned/mis-signed segments).
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"
mb_need bird

mb_ns_add mb-md-m
mb_ns_add mb-md-r
mb_link mb-md-m veth-m 192.0.2.1/24 mb-md-r veth-r 192.0.2.2/24
mb_addr mb-md-m veth-m 192.0.2.3/24

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol static s { route 203.0.113.7/32; }
protocol bgp good { neighbor 192.0.2.2 as 64512; local 192.0.2.1 as 64513; password "s3cret-key"; connect retry time 1; }
protocol bgp bad { neighbor 192.0.2.2 port 1179 as 64512; local 192.0.2.3 as 64513; password "wrong-key"; connect retry time 1; }
CONF
cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp good {
	local 192.0.2.2 as 64512; neighbor 192.0.2.1 as 64513; password "s3cret-key";
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp bad {
	local 192.0.2.2 port 1179 as 64512; neighbor 192.0.2.3 as 64513; password "s3cret-key";
	strict bind on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF
mb_metalbird m mb-md-m "$MB_WORK/m.conf"
mb_bird r mb-md-r "$MB_WORK/r.conf"

mb_wait 20 "session with the matching password Established" sh -c "birdc -s '$MB_WORK/r.ctl' show protocols good | grep -q Established"
mb_wait 10 "route over the signed session" sh -c "birdc -s '$MB_WORK/r.ctl' show route 203.0.113.7/32 | grep -q 203.0.113.7"
# Give the other one time it would need, then make sure it never came up.
sleep 8
mb_assert_nomatch 'Established' "$(mb_birdc r show protocols bad)" "BIRD's session with the wrong password"
mb_assert_nomatch 'Established' "$(mb_ctl m show protocols bad)" "metalbird's session with the wrong password"
mb_assert_match 'Established' "$(mb_ctl m show protocols good)" "the good session is still up"
mb_log "TCP-MD5: matching password establishes, a wrong one does not"
