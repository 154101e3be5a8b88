#!/bin/bash
# t-bgp-peers: metalbird in the middle of four real BGP speakers, each in its
# own namespace on a /30 of 192.0.2.0/24 (and 2001:db8:N::/64 for IPv6):
#   FRR      eBGP, 4-octet ASNs, IPv4 and IPv6 routes (IPv6 over an IPv6 session)
#   GoBGP    iBGP, 2-octet ASN, local preference
#   ExaBGP   eBGP; ExaBGP only connects out, so metalbird takes a passive open
#   OpenBGPD eBGP, 4-octet peer ASN, MED and communities
# Every route carries what the export filter set: a community, a large
# community, a MED and (iBGP) a local preference, checked with each peer's
# own CLI.  metalbirdc must list every session Established.
# needs: root
# timeout: 180
. "$(dirname "$0")/lib.sh"
mb_need bird gobgpd exabgp bgpd vtysh jq

mb_ns_add mb-bp-m
for p in frr gobgp exa obgp; do mb_ns_add "mb-bp-$p"; done
mb_link mb-bp-m to-frr 192.0.2.1/30 mb-bp-frr eth0 192.0.2.2/30
mb_addr mb-bp-m to-frr 2001:db8:1::1/64
mb_addr mb-bp-frr eth0 2001:db8:1::2/64
mb_link mb-bp-m to-gobgp 192.0.2.5/30 mb-bp-gobgp eth0 192.0.2.6/30
mb_link mb-bp-m to-exa 192.0.2.9/30 mb-bp-exa eth0 192.0.2.10/30
mb_link mb-bp-m to-obgp 192.0.2.13/30 mb-bp-obgp eth0 192.0.2.14/30

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol static s4 { route 203.0.113.7/32; route 203.0.113.8/32; }
protocol static s6 { route 2001:db8:ff::7/128; }
filter out {
	bgp_community.add((64512, 100));
	bgp_large_community.add((64512, 1, 2));
	bgp_med = 50;
	bgp_local_pref = 300;
	accept;
}
protocol bgp frr4 { neighbor 192.0.2.2 as 4200000002; local 192.0.2.1 as 4200000001; connect retry time 2; export filter out; }
protocol bgp frr6 { neighbor 2001:db8:1::2 as 4200000002; local 2001:db8:1::1 as 4200000001; connect retry time 2; export filter out; }
protocol bgp gobgp { neighbor 192.0.2.6 as 64600; local 192.0.2.5 as 64600; connect retry time 2; export filter out; }
protocol bgp exa { neighbor 192.0.2.10 as 64700; local 192.0.2.9 as 64513; passive on; export filter out; }
protocol bgp obgp { neighbor 192.0.2.14 as 4200000005; local 192.0.2.13 as 64513; connect retry time 2; export filter out; }
CONF

cat >"$MB_WORK/frr.conf" <<'CONF'
router bgp 4200000002
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 192.0.2.1 remote-as 4200000001
 neighbor 192.0.2.1 timers connect 1
 neighbor 2001:db8:1::1 remote-as 4200000001
 neighbor 2001:db8:1::1 timers connect 1
 address-family ipv4 unicast
  neighbor 192.0.2.1 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor 2001:db8:1::1 activate
 exit-address-family
CONF
mb_frr frr mb-bp-frr "$MB_WORK/frr.conf"

cat >"$MB_WORK/gobgp.toml" <<'CONF'
[global.config]
  as = 64600
  router-id = "192.0.2.6"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.0.2.5"
    peer-as = 64600
CONF
mb_gobgpd gobgp mb-bp-gobgp "$MB_WORK/gobgp.toml"

sink=$(mb_exabgp_sink exa)
cat >"$MB_WORK/exa.conf" <<CONF
process sink {
	run $sink;
	encoder json;
}
neighbor 192.0.2.9 {
	router-id 192.0.2.10;
	local-address 192.0.2.10;
	local-as 64700;
	peer-as 64513;
	api { processes [ sink ]; receive { parsed; update; } }
}
CONF

cat >"$MB_WORK/obgp.in" <<'CONF'
AS 4200000005
router-id 192.0.2.14
listen on 192.0.2.14
neighbor 192.0.2.13 {
	remote-as 64513
}
allow from any
allow to any
CONF

mb_metalbird m mb-bp-m "$MB_WORK/m.conf"
mb_exabgp exa mb-bp-exa "$MB_WORK/exa.conf"
mb_openbgpd obgp mb-bp-obgp "$MB_WORK/obgp.in"

est() { mb_ctl m show protocols "$1" | grep -q Established; }
for p in frr4 frr6 gobgp exa obgp; do
	mb_wait 40 "metalbird session $p Established" est "$p"
done
out=$(mb_ctl m show protocols)
mb_log "$out"
mb_assert_eq 5 "$(printf '%s\n' "$out" | grep -c 'BGP .* Established')" "sessions Established in show protocols"

# FRR: eBGP, 4-octet ASNs, IPv4 and IPv6
frr4() { mb_vtysh frr 'show bgp ipv4 unicast 203.0.113.7/32 json' |
	jq -e '.paths[0] | .aspath.string == "4200000001" and .metric == 50 and
		(.community.string == "64512:100") and (.largeCommunity.string == "64512:1:2") and
		.nexthops[0].ip == "192.0.2.1"' >/dev/null; }
frr6() { mb_vtysh frr 'show bgp ipv6 unicast 2001:db8:ff::7/128 json' |
	jq -e '.paths[0] | .aspath.string == "4200000001" and .metric == 50 and
		.nexthops[0].ip == "2001:db8:1::1"' >/dev/null; }
mb_wait 20 "FRR has 203.0.113.7/32 with the attributes" frr4
mb_wait 20 "FRR has 2001:db8:ff::7/128 over the IPv6 session" frr6
mb_assert_nomatch '"locPrf"' "$(mb_vtysh frr 'show bgp ipv4 unicast 203.0.113.7/32 json')" "no LOCAL_PREF towards eBGP"

# GoBGP: iBGP, local preference 300, empty AS path
gob() { mb_gobgp gobgp -j global rib -a ipv4 | jq -e '.["203.0.113.7/32"][0].attrs as $a |
	($a[] | select(.type == 5) | .value == 300) and
	($a[] | select(.type == 4) | .metric == 50) and
	($a[] | select(.type == 8) | .communities == [4227858532]) and
	($a[] | select(.type == 2) | .as_paths == []) and
	($a[] | select(.type == 3) | .nexthop == "192.0.2.5")' >/dev/null; }
mb_wait 30 "GoBGP has 203.0.113.7/32 with local preference 300" gob

# ExaBGP: it connected to us (passive open); what it was sent
exa() { grep -F '"nlri": "203.0.113.7/32"' "$MB_WORK/exa.recv" >/dev/null; }
mb_wait 30 "ExaBGP was sent 203.0.113.7/32" exa
line=$(grep -F '203.0.113.7/32' "$MB_WORK/exa.recv" | head -n 1)
mb_assert_match '"as-path": \[ 64513 \]' "$line" "ExaBGP: AS path"
mb_assert_match '"med": 50' "$line" "ExaBGP: MED"
mb_assert_match '"community": \[ \[ 64512, 100 \] \]' "$line" "ExaBGP: community"
mb_assert_match '"large-community": \[ \[ 64512, 1 *, 2 \] \]' "$line" "ExaBGP: large community"

# OpenBGPD: 4-octet peer ASN, MED, communities
obgp() { mb_bgpctl obgp -j show rib detail | jq -e '.rib[] | select(.prefix == "203.0.113.7/32") |
	.aspath == "64513" and .metric == 50 and .exit_nexthop == "192.0.2.13"' >/dev/null; }
mb_wait 30 "OpenBGPD has 203.0.113.7/32" obgp
out=$(mb_bgpctl obgp -j show rib detail | jq -c '.rib[] | select(.prefix == "203.0.113.7/32")')
mb_assert_match '"communities":\["64512:100"\]' "$out" "OpenBGPD: community"
mb_assert_match '"large_communities":\["64512:1:2"\]' "$out" "OpenBGPD: large community"

mb_log "FRR, GoBGP, ExaBGP and OpenBGPD all have the routes with their attributes"
