#!/bin/bash
# t-bfd-auth: BFD Simple Password authentication (RFC 5880 6.7.2) against
# BIRD 2 (`authentication simple; password "secret";`, key id 1).  The
# session comes up with the same password; with a different one (changed by
# `configure`) both sides drop each other's packets and the session goes
# Down on both; with none at all likewise; the right one brings it back.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-bfa-m
mb_ns_add mb-bfa-r
mb_link mb-bfa-m veth-m 192.0.2.1/24 mb-bfa-r veth-r 192.0.2.2/24

mconf() {
	cat >"$MB_WORK/m.conf" <<CONF
router id 192.0.2.1;
log stderr all;
protocol bfd {
	interface "*" { interval 300 ms; multiplier 3; $1 };
}
protocol bgp b4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 1;
	bfd on;
}
CONF
}
mconf 'authentication simple; password "secret";'

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bfd {
	interface "*" { interval 300 ms; multiplier 3; authentication simple; password "secret"; };
}
protocol bgp m4 {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 1; error wait time 1, 3;
	bfd on;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-bfa-m "$MB_WORK/m.conf"
mb_bird r mb-bfa-r "$MB_WORK/r.conf"

m_bfd() { mb_ctl m show bfd sessions | grep -E '^192\.0\.2\.2 ' | grep -q " $1 "; }
r_bfd() { mb_birdc r show bfd sessions | grep -E '^192\.0\.2\.1 ' | grep -q " $1 "; }
mb_wait 20 "our BFD session Up with the password" m_bfd Up
mb_wait 5 "BIRD's BFD session Up" r_bfd Up
json=$(mb_ctl m show bfd sessions json)
mb_assert_match '"authentication": ?"simple"' "$json" "json: authentication"

mconf 'authentication simple; password "wrong";'
mb_ctl m configure >/dev/null
mb_wait 5 "our session Down with a wrong password" m_bfd Down
mb_wait 5 "BIRD's session Down too" r_bfd Down
mb_assert_match '"authentication_failures": ?[1-9]' "$(mb_ctl m show bfd sessions json)" "failures counted"

mconf ''
mb_ctl m configure >/dev/null
sleep 2
m_bfd Down || mb_fail "our session came up without authentication against a peer that wants it"

mconf 'authentication simple; password "secret";'
mb_ctl m configure >/dev/null
mb_wait 10 "Up again with the right password" m_bfd Up
mb_wait 5 "BIRD's Up again" r_bfd Up
mb_stop m
