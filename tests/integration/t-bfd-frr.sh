#!/bin/bash
# t-bfd-frr: BFD (RFC 5880/5881) between metalbird and FRR's bfdd, single hop
# over IPv4 and IPv6.  FRR's bgpd asks bfdd for the sessions (`neighbor X
# bfd`, FRR's defaults: 300 ms x 3), and metalbird's `protocol bfd` says 300
# ms x 3 too.  bfdd runs beside zebra and bgpd as mb_frr runs those:
#   bfdd -f bfdd.conf -i bfdd.pid --vty_socket DIR -z DIR/zserv.api
#        --bfdctl DIR/bfdd.sock -P 0 -A 127.0.0.1
# Once the sessions are Up on both sides, nftables rules in FRR's namespace
# drop everything, and metalbird must declare both BGP sessions down in
# under 1 s (measured and printed; the hold time is 90 s).
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_need nft
mb_ns_add mb-bff-m
mb_ns_add mb-bff-f
mb_link mb-bff-m veth-m 192.0.2.1/24 mb-bff-f veth-f 192.0.2.2/24
mb_addr mb-bff-m veth-m 2001:db8:1::1/64
mb_addr mb-bff-f veth-f 2001:db8:1::2/64

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
metrics listen 127.0.0.1 port 7472;
protocol static s4 { route 203.0.113.7/32; }
protocol bfd {
	interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };
}
protocol bgp f4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	hold time 90;
	connect retry time 2;
	bfd on;
}
protocol bgp f6 {
	neighbor 2001:db8:1::2 as 64512;
	local 2001:db8:1::1 as 64513;
	hold time 90;
	connect retry time 2;
	bfd on;
}
CONF

cat >"$MB_WORK/bgpd.conf" <<'CONF'
frr defaults traditional
hostname f
log stdout informational
router bgp 64512
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 timers bgp 30 90
 neighbor 192.0.2.1 remote-as 64513
 neighbor 192.0.2.1 bfd
 neighbor 192.0.2.1 timers connect 2
 neighbor 2001:db8:1::1 remote-as 64513
 neighbor 2001:db8:1::1 bfd
 neighbor 2001:db8:1::1 timers connect 2
 address-family ipv6 unicast
  neighbor 2001:db8:1::1 activate
 exit-address-family
CONF

mb_metalbird m mb-bff-m "$MB_WORK/m.conf"
mb_frr f mb-bff-f "$MB_WORK/bgpd.conf"

# bfdd, as mb_frr starts zebra and bgpd
dir=$MB_WORK/f
printf 'hostname f\nlog stdout informational\nbfd\n!\n' >"$dir/bfdd.conf"
chown frr:frr "$dir/bfdd.conf"
mb_bg f-bfdd ip netns exec mb-bff-f /usr/lib/frr/bfdd -f "$dir/bfdd.conf" -i "$dir/bfdd.pid" \
	--vty_socket "$dir" -z "$dir/zserv.api" --bfdctl "$dir/bfdd.sock" -P 0 -A 127.0.0.1
_mb_register frr "$MB_PID"
mb_wait 10 "FRR bfdd answers" vtysh --vty_socket "$dir" -d bfdd -c 'show bfd peers'

m_est() { mb_ctl m show protocols "$1" | grep -q Established; }
bfd_up() { mb_ctl m show bfd sessions | grep -E "^$1 " | grep -q ' Up '; }
frr_bfd_up() { vtysh --vty_socket "$dir" -d bfdd -c 'show bfd peers brief' | grep -E "$1" | grep -qi ' up'; }
for p in f4 f6; do
	mb_wait 30 "metalbird $p Established" m_est $p
done
mb_wait 15 "metalbird BFD session to 192.0.2.2 Up" bfd_up 192.0.2.2
mb_wait 15 "metalbird BFD session to 2001:db8:1::2 Up" bfd_up 2001:db8:1::2
mb_wait 5 "FRR's BFD session to 192.0.2.1 up" frr_bfd_up '192\.0\.2\.1 '
mb_wait 5 "FRR's BFD session to 2001:db8:1::1 up" frr_bfd_up '2001:db8:1::1 '
vtysh --vty_socket "$dir" -d bfdd -c 'show bfd peers brief' >&2
mb_ctl m show bfd sessions >&2
# what bfdd negotiated with us: 300 ms both ways, multiplier 3
peer=$(vtysh --vty_socket "$dir" -d bfdd -c 'show bfd peer 192.0.2.1 json')
mb_assert_match '"remote-receive-interval": ?300' "$peer" "FRR sees our 300 ms RX"
mb_assert_match '"remote-detect-multiplier": ?3' "$peer" "FRR sees our multiplier"
mb_assert_match '^192\.0\.2\.2 +veth-m +Up .* 0\.300 +0\.900 +3' "$(mb_ctl m show bfd sessions)" "300 ms x 3"

# MetalLB's BFD metric names, per peer
metrics=$(mb_in mb-bff-m curl -s --max-time 5 http://127.0.0.1:7472/metrics)
mb_assert_match '^metallb_bfd_session_up\{peer="192\.0\.2\.2"\} 1$' "$metrics" "metrics: session up"
mb_assert_match '^metallb_bfd_session_up\{peer="2001:db8:1::2"\} 1$' "$metrics" "metrics: IPv6 session up"
mb_assert_match '^metallb_bfd_control_packet_input\{peer="192\.0\.2\.2"\} [1-9]' "$metrics" "metrics: packets in"
mb_assert_match '^metallb_bfd_session_up_events\{peer="192\.0\.2\.2"\} 1$' "$metrics" "metrics: up events"
if command -v promtool >/dev/null; then
	printf '%s\n' "$metrics" | promtool check metrics >&2 || mb_fail "promtool rejects the metrics page"
fi

# --- the path goes silent -----------------------------------------------------
mb_in mb-bff-f nft add table inet mbt
mb_in mb-bff-f nft add chain inet mbt out '{ type filter hook output priority 0; policy drop; }'
mb_in mb-bff-f nft add chain inet mbt in '{ type filter hook input priority 0; policy drop; }'
t0=$(_mb_now_us)
declare -A down=()
deadline=$((t0 + 10000000))
while ((${#down[@]} < 2)) && (($(_mb_now_us) < deadline)); do
	out=$(mb_ctl m show protocols)
	now=$(_mb_now_us)
	for p in f4 f6; do
		[[ -n ${down[$p]+x} ]] && continue
		printf '%s\n' "$out" | grep -E "^$p " | grep -q Established || down[$p]=$(((now - t0) / 1000))
	done
	sleep 0.02
done
for p in f4 f6; do
	[[ -n ${down[$p]+x} ]] || mb_fail "$p still Established 10 s after the path went silent"
done
echo "NOTE: BFD detection against FRR bfdd (300 ms x 3): f4 (IPv4) ${down[f4]} ms, f6 (IPv6) ${down[f6]} ms (hold time 90 s)"
((down[f4] < 1000)) || mb_fail "f4 went down after ${down[f4]} ms (want under 1000 ms)"
((down[f6] < 1000)) || mb_fail "f6 went down after ${down[f6]} ms (want under 1000 ms)"
mb_assert_match 'f4: BFD session down \(Control detection time expired\)' "$(cat "$MB_WORK/m.log")" "the reason logged"

# --- and back -------------------------------------------------------------------
mb_in mb-bff-f nft delete table inet mbt
for p in f4 f6; do
	mb_wait 40 "metalbird $p Established again" m_est $p
done
mb_wait 15 "BFD to 192.0.2.2 Up again" bfd_up 192.0.2.2
metrics=$(mb_in mb-bff-m curl -s --max-time 5 http://127.0.0.1:7472/metrics)
mb_assert_match '^metallb_bfd_session_down_events\{peer="192\.0\.2\.2"\} 1$' "$metrics" "metrics: one down event"
mb_assert_match '^metallb_bfd_session_up_events\{peer="192\.0\.2\.2"\} 2$' "$metrics" "metrics: two up events"
mb_stop m
