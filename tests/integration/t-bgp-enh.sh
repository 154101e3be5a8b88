#!/bin/bash
# t-bgp-enh: three things of the BGP speaker, each against real peers.
#   1. RFC 8950: on an IPv6-only session metalbird offers the Extended Next
#      Hop capability; BIRD 2 (`ipv4 { extended next hop on; }`) and FRR
#      (`neighbor X capability extended-nexthop`) receive our IPv4 route in
#      MP_REACH_NLRI with our IPv6 address as next hop (BIRD: plus our
#      link-local one, the session being direct).  A BIRD session without
#      the capability gets the IPv6 route only, and `show protocols all`
#      says that the IPv4 one is held back and why; with `next hop address
#      192.0.2.1` it gets the IPv4 route with that next hop.  At the end, an
#      IPv4 `next hop address` on ext wins over RFC 8950 there too.
#   2. GTSM (RFC 5082) on incoming sessions: metalbird `passive on; ttl
#      security on;`: a BIRD `ttl security on` on the link reaches
#      Established; a BIRD one router further away (its TTL decremented
#      once) does not, and does once we allow `multihop 2` (so the path
#      itself was fine).  Over IPv4 (IP_MINTTL) and IPv6 (IPV6_MINHOPCOUNT).
#   3. A connection we refuse is told so: from an address no protocol has,
#      and from the neighbor of an Established session, a hand-made
#      client reads Cease / Connection Rejected (6/5, RFC 4486) before the
#      close, and the Established session stays up.  Unless the neighbor
#      has graceful restart: then (RFC 4724, as BIRD) a new connection is
#      its restart, and we answer with our OPEN.
# needs: root
# timeout: 150
. "$(dirname "$0")/lib.sh"
mb_need bird birdc python3 vtysh

mb_ns_add mb-enh-m	# metalbird
mb_ns_add mb-enh-b	# BIRD on metalbird's links
mb_ns_add mb-enh-f	# FRR
mb_ns_add mb-enh-r	# a router
mb_ns_add mb-enh-x	# BIRD behind the router

# IPv6-only links for RFC 8950 (b: with and without the capability; f: FRR)
mb_link mb-enh-m veth-b1 2001:db8:1::1/64 mb-enh-b veth-m1 2001:db8:1::2/64
mb_link mb-enh-m veth-b2 2001:db8:2::1/64 mb-enh-b veth-m2 2001:db8:2::2/64
mb_link mb-enh-m veth-f 2001:db8:3::1/64 mb-enh-f veth-m 2001:db8:3::2/64
# IPv4: b on the link (GTSM near, rejects), x behind r (GTSM far)
mb_link mb-enh-m veth-b4 192.0.2.1/24 mb-enh-b veth-m4 192.0.2.2/24
mb_addr mb-enh-b veth-m4 192.0.2.9/24	# an address no protocol of ours has
mb_link mb-enh-m veth-r 198.51.100.1/25 mb-enh-r veth-m 198.51.100.2/25
mb_link mb-enh-r veth-x 198.51.100.129/25 mb-enh-x veth-r 198.51.100.130/25
mb_in mb-enh-r sysctl -qw net.ipv4.ip_forward=1
ip -n mb-enh-m route add 198.51.100.128/25 via 198.51.100.2
ip -n mb-enh-x route add 198.51.100.0/25 via 198.51.100.129
# the same in IPv6
mb_addr mb-enh-m veth-r 2001:db8:10::1/64
mb_addr mb-enh-r veth-m 2001:db8:10::2/64
mb_addr mb-enh-r veth-x 2001:db8:11::1/64
mb_addr mb-enh-x veth-r 2001:db8:11::2/64
mb_in mb-enh-r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n mb-enh-m -6 route add 2001:db8:11::/64 via 2001:db8:10::2
ip -n mb-enh-x -6 route add 2001:db8:10::/64 via 2001:db8:11::1

mbconf() {	# $1: multihop of the far sessions, $2: more options of noext, $3: of ext
	cat <<CONF
router id 192.0.2.1;
log stderr all;
debug protocols { states, events };
protocol static st { route 203.0.113.7/32; route 2001:db8:77::/64; }
protocol bgp ext { neighbor 2001:db8:1::2 as 64512; local 2001:db8:1::1 as 64513; connect retry time 1; ${3:-} }
protocol bgp noext { neighbor 2001:db8:2::2 as 64512; local 2001:db8:2::1 as 64513; passive on; ttl security on; ${2:-} }
protocol bgp frr { neighbor 2001:db8:3::2 as 64514; local 2001:db8:3::1 as 64513; connect retry time 1; }
protocol bgp near { neighbor 192.0.2.2 as 64512; local 192.0.2.1 as 64513; passive on; ttl security on; }
protocol bgp far { neighbor 198.51.100.130 as 64515; local 198.51.100.1 as 64513; passive on; ttl security on; $1 }
protocol bgp far6 { neighbor 2001:db8:11::2 as 64515; local 2001:db8:10::1 as 64513; passive on; ttl security on; $1 }
CONF
}
mbconf "" >"$MB_WORK/m.conf"

cat >"$MB_WORK/b.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
template bgp t {
	local as 64512;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
}
protocol bgp ext from t {
	local 2001:db8:1::2 as 64512;
	neighbor 2001:db8:1::1 as 64513;
	graceful restart on;	# lists its families: it can restart (see 3.)
	ipv4 { extended next hop on; import all; export none; };
	ipv6 { import all; export none; };
}
protocol bgp noext from t {
	local 2001:db8:2::2 as 64512;
	neighbor 2001:db8:2::1 as 64513;
	ttl security on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
protocol bgp near from t {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	ttl security on;
	graceful restart off;	# see 3.
	ipv4 { import all; export none; };
}
CONF

cat >"$MB_WORK/x.conf" <<'CONF'
router id 198.51.100.130;
log stderr all;
protocol device { }
template bgp t {
	local as 64515;
	multihop 2;
	ttl security on;
	hold time 6;	# its half-open session (OpenConfirm: our KEEPALIVE never
			# comes) ends soon, and it tries again
	connect delay time 1; connect retry time 2; error wait time 1, 3;
}
protocol bgp far from t {
	local 198.51.100.130 as 64515;
	neighbor 198.51.100.1 as 64513;
	ipv4 { import all; export none; };
}
protocol bgp far6 from t {
	local 2001:db8:11::2 as 64515;
	neighbor 2001:db8:10::1 as 64513;
	ipv6 { import all; export none; };
}
CONF

cat >"$MB_WORK/bgpd.conf" <<'CONF'
hostname f
log stdout debugging
router bgp 64514
 bgp router-id 192.0.2.30
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor 2001:db8:3::1 remote-as 64513
 neighbor 2001:db8:3::1 capability extended-nexthop
 neighbor 2001:db8:3::1 timers connect 1
 address-family ipv4 unicast
  neighbor 2001:db8:3::1 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor 2001:db8:3::1 activate
 exit-address-family
CONF

mb_metalbird m mb-enh-m "$MB_WORK/m.conf"
mb_bird b mb-enh-b "$MB_WORK/b.conf"
mb_bird x mb-enh-x "$MB_WORK/x.conf"
mb_frr f mb-enh-f "$MB_WORK/bgpd.conf"

# the BGP state column (the Info text after it may name a state too)
established() { [[ $(mb_ctl m show protocols "$1" 2>/dev/null | awk -v p="$1" '$1 == p {print $6}') == Established ]]; }

# --- 1. RFC 8950 ----------------------------------------------------------------
mb_wait 20 "ext Established" established ext
mb_wait 20 "noext Established" established noext
mb_wait 30 "frr Established" established frr

v4ext() { mb_birdc b show route 203.0.113.7/32 protocol ext all | grep -q 'BGP.next_hop: 2001:db8:1::1'; }
mb_wait 15 "BIRD (extended next hop on) has 203.0.113.7/32 with next hop 2001:db8:1::1" v4ext
out=$(mb_birdc b show route 203.0.113.7/32 protocol ext all)
mb_assert_match 'via 2001:db8:1::1 on veth-m1' "$out" "BIRD's IPv4 route goes via our IPv6 address"
mb_assert_match 'BGP\.next_hop: 2001:db8:1::1 fe80:' "$out" "global and link-local next hop (RFC 2545, direct session)"
ll=$(printf '%s\n' "$out" | sed -n 's/.*BGP\.next_hop: 2001:db8:1::1 \(fe80:[0-9a-f:]*\).*/\1/p')
mine=$(ip -n mb-enh-m -6 addr show dev veth-b1 scope link | sed -n 's/.*inet6 \(fe80:[0-9a-f:]*\)\/64.*/\1/p')
mb_assert_eq "$mine" "$ll" "the link-local next hop is ours on that link"
mb_assert_match 'Extended next hop' "$(mb_birdc b show protocols all ext)" "BIRD saw the capability"
det=$(mb_ctl m show protocols all ext)
mb_assert_match 'Extended next hop \(ipv4\)' "$det" "metalbird shows the capability"
mb_assert_nomatch 'Held back' "$det" "nothing held back with the capability"
mb_assert_match 'Routes: +0 received, 2 exported' "$det" "ext exports both routes"
# a route refresh sends both again, and they are still two
announced() { mb_ctl m show protocols all ext | sed -n 's/.*Updates: .*(\([0-9]*\) prefixes announced.*/\1/p'; }
before=$(announced)
[[ $before =~ ^[0-9]+$ ]] || mb_fail "no prefix count in show protocols all ext"
resent() { (($(announced) >= before + 2)); }
mb_birdc b reload in ext >/dev/null
mb_wait 10 "ext: both routes sent again after BIRD's route refresh" resent
mb_assert_match 'Routes: +0 received, 2 exported' "$(mb_ctl m show protocols all ext)" "still 2 exported after a route refresh"

v6noext() { mb_birdc b show route 2001:db8:77::/64 protocol noext | grep -q 'via 2001:db8:2::1'; }
mb_wait 15 "BIRD (no extended next hop) has the IPv6 route" v6noext
heldback() { mb_ctl m show protocols all noext | grep -q 'Held back: *1 IPv4 routes: no usable IPv4 next hop'; }
mb_wait 10 "noext: show protocols all says the IPv4 route is held back" heldback
mb_assert_nomatch '203\.0\.113\.7' "$(mb_birdc b show route protocol noext)" "no IPv4 route without the capability"
mb_assert_match 'Routes: +0 received, 1 exported' "$(mb_ctl m show protocols all noext)" "a held back route is not counted as exported"

frr_v4() {
	mb_vtysh f 'show bgp ipv4 unicast 203.0.113.7/32 json' |
		python3 -c '
import json, sys
d = json.load(sys.stdin)
nh = [n for p in d.get("paths", []) for n in p.get("nexthops", [])]
ok = any(n.get("ip") == "2001:db8:3::1" and n.get("afi") == "ipv6" for n in nh)
print(json.dumps(nh)); sys.exit(0 if ok else 1)' >"$MB_WORK/frr-nh.json"
}
mb_wait 20 "FRR (capability extended-nexthop) has 203.0.113.7/32 with next hop 2001:db8:3::1" frr_v4
echo "NOTE: RFC 8950: BIRD next hop 2001:db8:1::1 $ll; FRR next hops $(cat "$MB_WORK/frr-nh.json")"

# --- 2. GTSM on incoming sessions ------------------------------------------------
mb_wait 20 "near (ttl security, on the link, incoming) Established" established near
mb_assert_match 'Established' "$(mb_birdc b show protocols near)" "BIRD near Established (our TTL 255 passed its check)"
mb_assert_match 'Established' "$(mb_birdc b show protocols noext)" "BIRD noext (IPv6, ttl security, incoming) Established"
# far, far6: BIRD x connects and we accept (OpenSent), but it never gets to
# Established: its segments after our setsockopt() are dropped.  Its OPEN
# may have come in before (then we reach OpenConfirm), its KEEPALIVE never.
mb_wait_log 15 m 'far: .*state OpenSent'
mb_wait_log 15 m 'far6: .*state OpenSent'
seen="" seen6=""
for i in $(seq 1 80); do
	st=$(mb_ctl m show protocols far | tail -1 | awk '{print $6}')
	st6=$(mb_ctl m show protocols far6 | tail -1 | awk '{print $6}')
	[[ $st == Established ]] && mb_fail "far (IPv4, one router further) got to Established"
	[[ $st6 == Established ]] && mb_fail "far6 (IPv6, one router further) got to Established"
	[[ " $seen " == *" $st "* ]] || seen="$seen $st"
	[[ " $seen6 " == *" $st6 "* ]] || seen6="$seen6 $st6"
	sleep 0.1
done
echo "NOTE: GTSM: one hop too far, over 8 s: far (IPv4) was:$seen; far6 (IPv6) was:$seen6 (never Established)"
# and noext gets an IPv4 next hop of its own: nothing is held back any more
mbconf "multihop 2;" "next hop address 192.0.2.1;" >"$MB_WORK/m.conf"
# (ext keeps RFC 8950 here: its session must not restart before part 3)
mb_ctl m configure >/dev/null || mb_fail "configure with multihop 2 failed"
mb_wait 30 "far Established once we allow 2 hops" established far
mb_wait 30 "far6 Established once we allow 2 hops" established far6
established near || mb_fail "near still Established"
det=$(mb_ctl m show protocols all noext)
mb_assert_nomatch 'Held back' "$det" "noext with next hop address: nothing held back"
mb_assert_match 'Routes: +0 received, 2 exported' "$det" "noext with next hop address: both routes exported"
v4noext() { mb_birdc b show route 203.0.113.7/32 protocol noext all | grep -q 'BGP.next_hop: 192\.0\.2\.1$'; }
mb_wait 15 "BIRD (no extended next hop) has 203.0.113.7/32 with next hop 192.0.2.1" v4noext

# --- 3. Cease / Connection Rejected ------------------------------------------------
cat >"$MB_WORK/reject.py" <<'PY'
# connect from SRC to DST port 179, send an OPEN, print the first message back
import socket, struct, sys
src, dst = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
s.bind((src, 0))
s.connect((dst, 179))
caps = bytes([2, 6, 1, 4, 0, 1, 0, 1])
body = struct.pack("!BHHIB", 4, 64512, 90, 0xc0000202, len(caps)) + caps
try:
    s.sendall(b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 1) + body)
except OSError:
    pass
got = b""
try:
    while len(got) < 19 or len(got) < struct.unpack("!H", got[16:18])[0]:
        b = s.recv(4096)
        if not b:
            break
        got += b
except OSError as e:
    print("error", e)
print(got.hex())
PY
rej() {	# $1 source address [$2 ours]: prints the first message we send
	mb_in mb-enh-b python3 "$MB_WORK/reject.py" "$1" "${2:-192.0.2.1}" | tail -1
}
want=ffffffffffffffffffffffffffffffff0015030605
got=$(rej 192.0.2.9)
mb_assert_eq "$want" "$got" "unknown address: Cease / Connection Rejected"
mb_wait_log 5 m 'connection from 192\.0\.2\.9 rejected'
got=$(rej 192.0.2.2)
mb_assert_eq "$want" "$got" "neighbor of an Established session: Cease / Connection Rejected"
mb_wait_log 5 m 'incoming connection rejected \(already established\)'
established near || mb_fail "the Established session survives"
mb_assert_match 'Established' "$(mb_birdc b show protocols near)" "BIRD's session too"
echo "NOTE: rejected connections got $got"
# ext: BIRD has graceful restart (on: it lists its families), so a new connection is its restart
got=$(rej 2001:db8:1::2 2001:db8:1::1)
[[ $got == ffffffffffffffffffffffffffffffff????01* ]] || mb_fail "ext: a new connection from a neighbor with graceful restart gets our OPEN, got '$got'"
mb_wait_log 5 m 'ext: new connection from the neighbor while Established: taken as its graceful restart'
# (the hand-made client leaves at once, so ext waits out a backoff first)
mb_wait 40 "ext Established again" established ext
mb_wait 15 "BIRD still (again) has 203.0.113.7/32 from ext" v4ext

# --- an IPv4 next hop of our own wins over RFC 8950 ------------------------------
mbconf "multihop 2;" "next hop address 192.0.2.1;" "next hop address 192.0.2.1;" >"$MB_WORK/m.conf"
mb_ctl m configure >/dev/null || mb_fail "configure with next hop address on ext failed"
v4ext_own() { mb_birdc b show route 203.0.113.7/32 protocol ext all | grep -q 'BGP.next_hop: 192\.0\.2\.1$'; }
mb_wait 30 "ext: BIRD has 203.0.113.7/32 with our IPv4 next hop, not the IPv6 one" v4ext_own
mb_assert_match 'BGP\.next_hop: 2001:db8:1::1' "$(mb_birdc b show route 2001:db8:77::/64 protocol ext all)" "ext's IPv6 route keeps our IPv6 next hop"
mb_assert_match 'up' "$(mb_ctl m show status)" "daemon still running"
