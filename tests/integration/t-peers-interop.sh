#!/bin/bash
# t-peers-interop: every real peer that tests use starts, takes a session and
# can be queried through lib.sh.  One BIRD in mb-pi-bird announces
# 198.51.100.0/24 over four veth links to FRR, GoBGP, ExaBGP and OpenBGPD,
# each in its own namespace; each must receive the route with BIRD's address
# as next hop.  ExaBGP also announces 203.0.113.0/24 back, which BIRD must see.
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"
mb_need bird gobgpd exabgp bgpd vtysh jq

mb_ns_add mb-pi-bird
for p in frr gobgp exa obgp; do mb_ns_add "mb-pi-$p"; done
mb_link mb-pi-bird to-frr 192.0.2.1/30 mb-pi-frr eth0 192.0.2.2/30
mb_link mb-pi-bird to-gobgp 192.0.2.5/30 mb-pi-gobgp eth0 192.0.2.6/30
mb_link mb-pi-bird to-exa 192.0.2.9/30 mb-pi-exa eth0 192.0.2.10/30
mb_link mb-pi-bird to-obgp 192.0.2.13/30 mb-pi-obgp eth0 192.0.2.14/30

peer() { # name local-addr peer-addr peer-as
	cat <<CONF
protocol bgp $1 {
	local $2 as 65001;
	neighbor $3 as $4;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export where proto = "s1"; };
}
CONF
}
{
	cat <<CONF
router id 192.0.2.1;
log stderr all;
protocol device { }
protocol static s1 { ipv4; route 198.51.100.0/24 blackhole; }
CONF
	peer frr 192.0.2.1 192.0.2.2 65002
	peer gobgp 192.0.2.5 192.0.2.6 65003
	peer exa 192.0.2.9 192.0.2.10 65004
	peer obgp 192.0.2.13 192.0.2.14 65005
} >"$MB_WORK/bird.conf"
mb_bird bird mb-pi-bird "$MB_WORK/bird.conf"

cat >"$MB_WORK/frr.conf" <<CONF
router bgp 65002
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 neighbor 192.0.2.1 remote-as 65001
 neighbor 192.0.2.1 timers connect 1
CONF
mb_frr frr mb-pi-frr "$MB_WORK/frr.conf"

cat >"$MB_WORK/gobgp.toml" <<CONF
[global.config]
  as = 65003
  router-id = "192.0.2.6"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.5"
    peer-as = 65001
CONF
mb_gobgpd gobgp mb-pi-gobgp "$MB_WORK/gobgp.toml"

sink=$(mb_exabgp_sink exa)
cat >"$MB_WORK/exa.conf" <<CONF
process sink {
	run $sink;
	encoder json;
}
neighbor 192.0.2.9 {
	router-id 192.0.2.10;
	local-address 192.0.2.10;
	local-as 65004;
	peer-as 65001;
	api { processes [ sink ]; receive { parsed; update; } }
	static { route 203.0.113.0/24 next-hop self; }
}
CONF
mb_exabgp exa mb-pi-exa "$MB_WORK/exa.conf"

cat >"$MB_WORK/obgp.in" <<CONF
AS 65005
router-id 192.0.2.14
listen on 192.0.2.14
neighbor 192.0.2.13 {
	remote-as 65001
}
allow from any
allow to any
CONF
mb_openbgpd obgp mb-pi-obgp "$MB_WORK/obgp.in"

for p in frr gobgp exa obgp; do
	mb_wait 30 "BIRD session $p Established" \
		sh -c "birdc -s '$MB_WORK/bird.ctl' show protocols $p | grep -q Established"
done

has_frr() { mb_vtysh frr 'show bgp ipv4 unicast json' |
	jq -e '.routes["198.51.100.0/24"][0].nexthops[0].ip == "192.0.2.1"'; }
has_gobgp() { mb_gobgp gobgp -j global rib |
	jq -e '.["198.51.100.0/24"][0].attrs[] | select(.type == 3) | .nexthop == "192.0.2.5"'; }
has_exa() { grep -F '"192.0.2.9": [ { "nlri": "198.51.100.0/24" }' "$MB_WORK/exa.recv"; }
has_obgp() { mb_bgpctl obgp -j show rib detail |
	jq -e '.rib[] | select(.prefix == "198.51.100.0/24") | .exit_nexthop == "192.0.2.13"'; }
has_bird() { mb_birdc bird show route 203.0.113.0/24 | grep -q 'via 192.0.2.10 on to-exa'; }

mb_wait 15 "FRR has 198.51.100.0/24 via 192.0.2.1" has_frr
mb_wait 15 "GoBGP has 198.51.100.0/24 via 192.0.2.5" has_gobgp
mb_wait 15 "ExaBGP was sent 198.51.100.0/24 via 192.0.2.9" has_exa
mb_wait 15 "OpenBGPD has 198.51.100.0/24 via 192.0.2.13" has_obgp
mb_wait 15 "BIRD has 203.0.113.0/24 from ExaBGP" has_bird

# A route BIRD does not export must be absent everywhere.
mb_assert_nomatch '203\.0\.113' "$(mb_vtysh frr 'show bgp ipv4 unicast')" "FRR's table"
mb_log "all four peers received the route"
