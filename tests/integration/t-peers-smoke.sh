#!/bin/bash
# t-peers-smoke: proves lib.sh and the test machinery with real peers only.
# Two BIRD 2 instances in their own namespaces, joined by a veth on
# 192.0.2.0/24, with an eBGP session; the first exports a static route, and
# the second must receive it with the first as next hop and AS path 65001.
# Then the first is stopped, and the route must be withdrawn.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-smoke-a
mb_ns_add mb-smoke-b
mb_link mb-smoke-a veth-a 192.0.2.1/24 mb-smoke-b veth-b 192.0.2.2/24

cat >"$MB_WORK/a.conf" <<CONF
router id 192.0.2.1;
log stderr all;
protocol device { }
protocol static s1 { ipv4; route 198.51.100.0/24 blackhole; }
protocol bgp to_b {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65002;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import none; export where proto = "s1"; };
}
CONF
cat >"$MB_WORK/b.conf" <<CONF
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp to_a {
	local 192.0.2.2 as 65002;
	neighbor 192.0.2.1 as 65001;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF

mb_bird a mb-smoke-a "$MB_WORK/a.conf"
mb_bird b mb-smoke-b "$MB_WORK/b.conf"

mb_wait 20 "session to_a Established on b" \
	sh -c "birdc -s '$MB_WORK/b.ctl' show protocols to_a | grep -q Established"
mb_wait 10 "198.51.100.0/24 arrives at b" \
	sh -c "birdc -s '$MB_WORK/b.ctl' show route 198.51.100.0/24 | grep -q 198.51.100.0/24"

out=$(mb_birdc b show route 198.51.100.0/24 all)
mb_assert_match 'via 192\.0\.2\.1 on veth-b' "$out" "route at b"
mb_assert_match 'BGP\.as_path: 65001$' "$out" "route at b"
mb_assert_nomatch '203\.0\.113' "$(mb_birdc b show route)" "b's table"

# The route must go when its sender does.
mb_stop a
mb_wait 10 "198.51.100.0/24 withdrawn at b" \
	sh -c "! birdc -s '$MB_WORK/b.ctl' show route 198.51.100.0/24 | grep -q 198.51.100.0/24"
mb_log "route arrived and was withdrawn"
