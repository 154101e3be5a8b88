#!/bin/bash
# t-l2-implicit: a config with neither protocol bgp nor protocol l2 runs an
# implicit `protocol l2 l2 { }` (SPEC section 3) and answers ARP and NDP on
# every up, non-loopback interface; with a protocol bgp it does not.
# Without Kubernetes state, static routes are announced by the node as is.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l2/common.sh"

mb_need arping ndisc6

# the canonical dump shows the implicit protocol, and only when due
cat >"$MB_WORK/plain.conf" <<CONF
protocol static { route 203.0.113.77/32; }
CONF
cat >"$MB_WORK/bgp.conf" <<CONF
protocol static { route 203.0.113.77/32; }
protocol bgp tor { neighbor 192.0.2.254 as 64512; local as 64513; }
CONF
out=$("$METALBIRD" -p -v -c "$MB_WORK/plain.conf")
mb_assert_match '^protocol l2 l2 \{' "$out" "metalbird -p -v of a config without bgp and l2"
out=$("$METALBIRD" -p -v -c "$MB_WORK/bgp.conf")
mb_assert_nomatch '^protocol l2' "$out" "metalbird -p -v of a config with bgp"

l2_segment node-a
mkdir -p "$MB_WORK/state"
cat >"$MB_WORK/node-a.conf" <<CONF
node name "node-a";
log stderr all;
state dir "$MB_WORK/state";
protocol static {
	route 203.0.113.77/32;
	route 2001:db8:1::77/128;
	route 198.51.100.0/24;
}
CONF
mb_metalbird node-a mb-l2-node-a "$MB_WORK/node-a.conf"
mb_wait 10 "implicit l2 up with 2 addresses" sh -c \
	"'$METALBIRDC' -s '$MB_WORK/node-a.ctl' show protocols | grep -qE '^l2 +L2 .* up .*2 of 2 announced on 1 interfaces'"

macs=$(l2_arp_macs 203.0.113.77)
mb_assert_eq "${L2_MAC[node-a]}" "$macs" "ARP answer for 203.0.113.77"
macs=$(l2_nd_macs 2001:db8:1::77)
mb_assert_eq "${L2_MAC[node-a]}" "$macs" "NDP answer for 2001:db8:1::77"
# an address inside the /24 route is not a host route: silence
macs=$(l2_arp_macs 198.51.100.5)
mb_assert_eq "" "$macs" "ARP answer for an address of a /24 route"

out=$(mb_ctl node-a show protocols all l2)
mb_assert_match "eth0 .* ${L2_MAC[node-a]}" "$out" "show protocols all l2"
mb_assert_match "Announced: .*203\.0\.113\.77" "$out" "show protocols all l2"

mb_stop node-a
mb_assert_eq 0 "$MB_STATUS" "exit status"
