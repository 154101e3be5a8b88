#!/bin/bash
# t-bgp-bird: metalbird against BIRD 2, in two namespaces on 192.0.2.0/24 and
# 2001:db8:1::/64.  An eBGP session over IPv4 with 2-octet ASNs carries IPv4
# routes with a community, a large community and a MED set by the export
# filter; an iBGP session over IPv6 with 4-octet ASNs carries an IPv6 route
# with a local preference.  Everything is checked with BIRD's own birdc.
# Then the hold timer: BIRD is stopped (SIGSTOP) and metalbird must declare
# the session down after the hold time, and bring it back when BIRD resumes.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-bb-m
mb_ns_add mb-bb-r
mb_link mb-bb-m veth-m 192.0.2.1/24 mb-bb-r veth-r 192.0.2.2/24
mb_addr mb-bb-m veth-m 2001:db8:1::1/64
mb_addr mb-bb-r veth-r 2001:db8:1::2/64

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol static s4 { route 203.0.113.7/32; route 203.0.113.8/32; route 198.51.100.0/24; }
protocol static s6 { route 2001:db8:ff::7/128; }
filter ebgp_out {
	if net ~ [203.0.113.0/24+] then {
		bgp_community.add((64512, 100));
		bgp_large_community.add((64512, 1, 2));
		bgp_med = 50;
		accept;
	}
	reject;
}
filter ibgp_out {
	if net ~ [2001:db8:ff::/48+] then {
		bgp_local_pref = 200;
		accept;
	}
	reject;
}
protocol bgp ebgp4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	hold time 6;
	connect retry time 2;
	export filter ebgp_out;
}
protocol bgp ibgp6 {
	neighbor 2001:db8:1::2 as 4200000001;
	local 2001:db8:1::1 as 4200000001;
	connect retry time 2;
	export filter ibgp_out;
}
CONF

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp m4 {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	hold time 6;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp m6 {
	local 2001:db8:1::2 as 4200000001;
	neighbor 2001:db8:1::1 as 4200000001;
	direct;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv6 { import all; export none; gateway direct; };
}
CONF

mb_metalbird m mb-bb-m "$MB_WORK/m.conf"
mb_bird r mb-bb-r "$MB_WORK/r.conf"

established() { mb_birdc r show protocols "$1" | grep -q Established; }
mb_wait 20 "BIRD session m4 Established" established m4
mb_wait 20 "BIRD session m6 Established" established m6
mb_wait 10 "metalbird lists ebgp4 Established" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols ebgp4 | grep -q Established"
mb_wait 10 "metalbird lists ibgp6 Established" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols ibgp6 | grep -q Established"

has() { mb_birdc r show route "$1" | grep -qF "$1"; }
mb_wait 10 "203.0.113.7/32 arrives at BIRD" has 203.0.113.7/32
mb_wait 10 "2001:db8:ff::7/128 arrives at BIRD" has 2001:db8:ff::7/128

out=$(mb_birdc r show route 203.0.113.7/32 all)
mb_assert_match 'BGP\.origin: IGP' "$out" "eBGP route origin"
mb_assert_match 'BGP\.as_path: 64513$' "$out" "eBGP route AS path"
mb_assert_match 'BGP\.next_hop: 192\.0\.2\.1' "$out" "eBGP route next hop"
mb_assert_match 'BGP\.med: 50' "$out" "eBGP route MED"
mb_assert_match 'BGP\.community: \(64512,100\)' "$out" "eBGP route community"
mb_assert_match 'BGP\.large_community: \(64512, 1, 2\)' "$out" "eBGP route large community"
# the filter rejects 198.51.100.0/24
mb_assert_nomatch '198\.51\.100\.0/24' "$(mb_birdc r show route)" "route rejected by the export filter"

out=$(mb_birdc r show route 2001:db8:ff::7/128 all)
mb_assert_match 'BGP\.as_path: *$' "$out" "iBGP route AS path (empty)"
mb_assert_match 'BGP\.local_pref: 200' "$out" "iBGP route local preference"
mb_assert_match 'BGP\.next_hop: 2001:db8:1::1' "$out" "iBGP route next hop"
mb_assert_match 'Neighbor AS: +4200000001' "$(mb_birdc r show protocols all m6)" "4-octet ASN session"

out=$(mb_ctl m show protocols all ebgp4)
mb_assert_match 'Neighbor AS: +64512' "$out" "show protocols all: neighbor AS"
mb_assert_match 'Neighbor ID: +192\.0\.2\.2' "$out" "show protocols all: neighbor id"
mb_assert_match '2 exported' "$out" "show protocols all: routes exported"

# The hold timer: BIRD stops talking; after 6 s metalbird must drop the session.
pid=$(mb_pid r)
t0=$(date +%s.%N)
kill -STOP "$pid"
mb_wait 15 "metalbird declares ebgp4 down (hold timer)" sh -c "! '$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols ebgp4 | grep -q Established"
t1=$(date +%s.%N)
kill -CONT "$pid"
held=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "NOTE: hold timer: session declared down ${held} s after BIRD stopped talking (hold time 6 s)"
mb_assert_match '[Hh]old timer expired' "$(mb_ctl m show protocols all ebgp4)" "reason of the session loss"
awk -v h="$held" 'BEGIN { exit !(h >= 4.5 && h <= 9) }' || mb_fail "session went down after $held s, not about the hold time of 6 s"
mb_wait 30 "ebgp4 Established again after BIRD resumes" established m4
mb_wait 10 "203.0.113.7/32 back at BIRD" has 203.0.113.7/32

# disable / enable / restart: Cease 2 (Administrative Shutdown) and 4 (Administrative Reset)
mb_assert_match 'ebgp4: disabled' "$(mb_ctl m disable ebgp4)" "disable reply"
mb_wait_log 10 r 'm4: Received: Administrative shutdown'
mb_wait 10 "203.0.113.7/32 withdrawn while disabled" eval '! has 203.0.113.7/32'
mb_assert_match 'Disabled' "$(mb_ctl m show protocols ebgp4)" "show protocols says disabled"
mb_assert_match 'ebgp4: enabled' "$(mb_ctl m enable ebgp4)" "enable reply"
mb_wait 20 "m4 Established after enable" established m4
mb_assert_match 'ebgp4: restarted' "$(mb_ctl m restart ebgp4)" "restart reply"
mb_wait_log 10 r 'm4: Received: Administrative reset'
mb_wait 20 "m4 Established after restart" established m4
mb_wait 10 "203.0.113.7/32 back at BIRD after restart" has 203.0.113.7/32
mb_log "BIRD interop: routes, attributes, 4-octet ASN, IPv6, hold timer, disable/enable/restart are right"
