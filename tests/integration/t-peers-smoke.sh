#!/bin/bash
# t-peers-smoke: proves lib.sh and the test machinery with real peers only.
# Two BIRD 2 instances in their own namespaces, joined by a veth on
# 192.0.2.0/24 and 2001:db8:1::/64, with an eBGP session over each family;
# the first exports a static route per family, and the second must receive
# each with the first as next hop and AS path 65001.  Then the first is
# stopped: the second must log its Cease and withdraw both routes.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-smoke-a
mb_ns_add mb-smoke-b
mb_link mb-smoke-a veth-a 192.0.2.1/24 mb-smoke-b veth-b 192.0.2.2/24
mb_addr mb-smoke-a veth-a 2001:db8:1::1/64
mb_addr mb-smoke-b veth-b 2001:db8:1::2/64

cat >"$MB_WORK/a.conf" <<CONF
router id 192.0.2.1;
log stderr all;
protocol device { }
protocol static s4 { ipv4; route 198.51.100.0/24 blackhole; }
protocol static s6 { ipv6; route 2001:db8:100::/48 blackhole; }
protocol bgp to_b4 {
	local 192.0.2.1 as 65001;
	neighbor 192.0.2.2 as 65002;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import none; export where proto = "s4"; };
}
protocol bgp to_b6 {
	local 2001:db8:1::1 as 65001;
	neighbor 2001:db8:1::2 as 65002;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv6 { import none; export where proto = "s6"; };
}
CONF
cat >"$MB_WORK/b.conf" <<CONF
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp to_a4 {
	local 192.0.2.2 as 65002;
	neighbor 192.0.2.1 as 65001;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp to_a6 {
	local 2001:db8:1::2 as 65002;
	neighbor 2001:db8:1::1 as 65001;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv6 { import all; export none; };
}
CONF

mb_bird a mb-smoke-a "$MB_WORK/a.conf"
mb_bird b mb-smoke-b "$MB_WORK/b.conf"

b_has() { mb_birdc b show route "$1" | grep -qF "$1"; }
for p in to_a4 to_a6; do
	mb_wait 20 "session $p Established on b" \
		sh -c "birdc -s '$MB_WORK/b.ctl' show protocols $p | grep -q Established"
done
mb_wait 10 "198.51.100.0/24 arrives at b" b_has 198.51.100.0/24
mb_wait 10 "2001:db8:100::/48 arrives at b" b_has 2001:db8:100::/48

out=$(mb_birdc b show route 198.51.100.0/24 all)
mb_assert_match 'via 192\.0\.2\.1 on veth-b' "$out" "IPv4 route at b"
mb_assert_match 'BGP\.as_path: 65001$' "$out" "IPv4 route at b"
out=$(mb_birdc b show route 2001:db8:100::/48 all)
mb_assert_match 'via 2001:db8:1::1 on veth-b' "$out" "IPv6 route at b"
mb_assert_match 'BGP\.as_path: 65001$' "$out" "IPv6 route at b"
# Only what the export filters let through.
# one route in each of master4 and master6
mb_assert_eq 2 "$(mb_birdc b show route count | grep -cE '^1 of 1 routes')" "tables with exactly one route at b"

# The routes must go when their sender does.
mb_stop a
mb_assert_eq 0 "$MB_STATUS" "BIRD a's exit status"
mb_wait_log 10 b 'to_a4: Received: Administrative shutdown'
mb_wait 10 "198.51.100.0/24 withdrawn at b" eval '! b_has 198.51.100.0/24'
mb_wait 10 "2001:db8:100::/48 withdrawn at b" eval '! b_has 2001:db8:100::/48'
mb_log "routes arrived and were withdrawn"
