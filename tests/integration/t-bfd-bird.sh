#!/bin/bash
# t-bfd-bird: BFD (RFC 5880/5881) between metalbird and BIRD 2's protocol bfd,
# single hop over IPv4 and IPv6, 300 ms x 3 on both sides.  Two BGP sessions
# say `bfd on` (b4 over IPv4, b6 over IPv6, hold time 90 s); a third (hold4,
# to a second BIRD in a namespace of its own) has no BFD and the smallest hold
# time, 3 s.  Once everything is up, nftables rules in both BIRDs' namespaces
# drop all input (and BIRD's output, so that our own detection timer acts) and
# we measure how long metalbird takes to declare each session down: with BFD
# it must be under 1 s (3 x 300 ms after the last packet); without it, the
# hold time.  Then the rules go and everything must come back.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_need nft
mb_ns_add mb-bfd-m
mb_ns_add mb-bfd-r
mb_link mb-bfd-m veth-m 192.0.2.1/24 mb-bfd-r veth-r 192.0.2.2/24
mb_ns_add mb-bfd-h
mb_link mb-bfd-m veth-h 198.51.100.1/24 mb-bfd-h veth-hr 198.51.100.2/24
mb_addr mb-bfd-m veth-m 2001:db8:1::1/64
mb_addr mb-bfd-r veth-r 2001:db8:1::2/64

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol static s4 { route 203.0.113.7/32; }
protocol bfd {
	interface "veth*" { interval 300 ms; multiplier 3; };
}
protocol bgp b4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	hold time 90;
	connect retry time 2;
	bfd on;
}
protocol bgp b6 {
	neighbor 2001:db8:1::2 as 64512;
	local 2001:db8:1::1 as 64513;
	hold time 90;
	connect retry time 2;
	bfd on;
}
protocol bgp hold4 {
	neighbor 198.51.100.2 as 64512;
	local 198.51.100.1 as 64513;
	hold time 3;
	connect retry time 2;
}
CONF

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bfd {
	interface "*" { interval 300 ms; multiplier 3; };
}
template bgp peer {
	local as 64512;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
}
protocol bgp m4 from peer {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	hold time 90;
	bfd on;
	ipv4 { import all; export none; };
}
protocol bgp m6 from peer {
	local 2001:db8:1::2 as 64512;
	neighbor 2001:db8:1::1 as 64513;
	hold time 90;
	bfd on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
CONF

cat >"$MB_WORK/h.conf" <<'CONF'
router id 198.51.100.2;
log stderr all;
protocol device { }
protocol bgp mh {
	local 198.51.100.2 as 64512;
	neighbor 198.51.100.1 as 64513;
	hold time 3;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-bfd-m "$MB_WORK/m.conf"
mb_bird r mb-bfd-r "$MB_WORK/r.conf"
mb_bird h mb-bfd-h "$MB_WORK/h.conf"

m_est() { mb_ctl m show protocols "$1" | grep -q Established; }
bfd_up() { mb_ctl m show bfd sessions | grep -E "^$1 " | grep -q ' Up '; }
for p in b4 b6 hold4; do
	mb_wait 20 "metalbird $p Established" m_est $p
done
mb_wait 10 "metalbird BFD session to 192.0.2.2 Up" bfd_up 192.0.2.2
mb_wait 10 "metalbird BFD session to 2001:db8:1::2 Up" bfd_up 2001:db8:1::2
bird_bfd=$(mb_birdc r show bfd sessions)
mb_assert_match '192\.0\.2\.1 +veth-r +Up' "$bird_bfd" "BIRD's BFD session over IPv4"
mb_assert_match '2001:db8:1::1 +veth-r +Up' "$bird_bfd" "BIRD's BFD session over IPv6"
show=$(mb_ctl m show bfd sessions)
printf '%s\n' "$show" >&2
mb_assert_match '^192\.0\.2\.2 +veth-m +Up .* 0\.300 +0\.900 +3' "$show" "300 ms x 3 negotiated"
json=$(mb_ctl m show bfd sessions json)
printf '%s\n' "$json" | python3 -c '
import json, sys
s = {x["neighbor"]: x for x in json.load(sys.stdin)["sessions"]}
for n in ("192.0.2.2", "2001:db8:1::2"):
    x = s[n]
    assert (x["state"], x["interface"], x["tx_interval_ms"], x["rx_interval_ms"], x["multiplier"],
            x["detect_time_ms"], x["remote_state"]) == ("Up", "veth-m", 300, 300, 3, 900, "Up"), x
' || mb_fail "show bfd sessions json: $json"
mb_assert_match '^bfd1 +BFD .*2 sessions, 2 up' "$(mb_ctl m show protocols)" "protocol bfd listed"

# --- the path goes silent -----------------------------------------------------
for ns in mb-bfd-r mb-bfd-h; do
	mb_in $ns nft add table inet mbt
done
# BIRD's output too: our own detection timer must notice (BIRD would
# otherwise tell us Down itself, diagnostic 3)
mb_in mb-bfd-r nft add chain inet mbt out '{ type filter hook output priority 0; policy drop; }'
# then the input rules at (nearly) one instant: chains with a drop policy
mb_in mb-bfd-r nft add chain inet mbt in '{ type filter hook input priority 0; policy drop; }'
mb_in mb-bfd-h nft add chain inet mbt in '{ type filter hook input priority 0; policy drop; }'
t0=$(_mb_now_us)
declare -A down=()
deadline=$((t0 + 10000000))
while ((${#down[@]} < 3)) && (($(_mb_now_us) < deadline)); do
	out=$(mb_ctl m show protocols)
	now=$(_mb_now_us)
	for p in b4 b6 hold4; do
		[[ -n ${down[$p]+x} ]] && continue
		printf '%s\n' "$out" | grep -E "^$p " | grep -q Established || down[$p]=$(((now - t0) / 1000))
	done
	sleep 0.02
done
for p in b4 b6 hold4; do
	[[ -n ${down[$p]+x} ]] || mb_fail "$p still Established 10 s after the path went silent"
done
echo "NOTE: BFD detection (300 ms x 3): b4 (IPv4) ${down[b4]} ms, b6 (IPv6) ${down[b6]} ms; without BFD (hold time 3 s): hold4 ${down[hold4]} ms"
((down[b4] < 1000)) || mb_fail "b4 went down after ${down[b4]} ms (BFD 300 ms x 3: want under 1000 ms)"
((down[b6] < 1000)) || mb_fail "b6 went down after ${down[b6]} ms (want under 1000 ms)"
((down[hold4] >= 2000)) || mb_fail "hold4 (no BFD) went down after ${down[hold4]} ms: before its hold time?"
mb_assert_match 'BFD session down' "$(mb_ctl m show protocols all b4)" "the reason in show protocols all"
mb_assert_match 'b4: BFD session down \(Control detection time expired\)' "$(cat "$MB_WORK/m.log")" "the reason logged"
mb_assert_match 'Down' "$(mb_ctl m show bfd sessions)" "show bfd sessions after the loss"

# --- and back -------------------------------------------------------------------
mb_in mb-bfd-r nft delete table inet mbt
mb_in mb-bfd-h nft delete table inet mbt
for p in b4 b6 hold4; do
	mb_wait 30 "metalbird $p Established again" m_est $p
done
mb_wait 10 "BFD to 192.0.2.2 Up again" bfd_up 192.0.2.2
mb_wait 10 "BFD to 2001:db8:1::2 Up again" bfd_up 2001:db8:1::2

# --- new intervals at run time: a poll sequence (RFC 5880 6.5) ----------------------
# We now want packets no faster than every 500 ms: BIRD must slow down to 500
# ms, and our detection time grows to 3 x 500 ms once BIRD's Final ends the
# poll.
sed -i 's/interval 300 ms; multiplier 3;/min rx interval 500 ms; min tx interval 400 ms; multiplier 3;/' "$MB_WORK/m.conf"
mb_ctl m configure >/dev/null
bird_iv() { mb_birdc r show bfd sessions | grep -E '^192\.0\.2\.1 .* Up .* 0\.500 +1\.200'; }
mb_wait 5 "BIRD sends every 500 ms and expects ours every 400 ms" bird_iv
ours() { mb_ctl m show bfd sessions | grep -E '^192\.0\.2\.2 +veth-m +Up .* 0\.400 +1\.500 +3'; }
mb_wait 5 "our session: 400 ms TX, 1.5 s detection" ours
sleep 2
mb_assert_match 'Up' "$(mb_ctl m show bfd sessions | grep '^192\.0\.2\.2')" "still Up after the change"
m_est b4 || mb_fail "b4 lost its session over the interval change"
mb_stop m
