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
# (the dump writes a name that is a keyword in apostrophes)
mb_assert_match "^protocol l2 'l2' \\{" "$out" "metalbird -p -v of a config without bgp and l2"
out=$("$METALBIRD" -p -v -c "$MB_WORK/bgp.conf")
mb_assert_nomatch '^protocol l2' "$out" "metalbird -p -v of a config with bgp"

# grammar: the interface list, in the canonical dump; mistakes in words
cat >"$MB_WORK/list.conf" <<CONF
protocol l2 lan { interface "eth0", "eth1"; export where net.len = 32; }
CONF
out=$("$METALBIRD" -p -v -c "$MB_WORK/list.conf")
mb_assert_match '^protocol l2 lan \{' "$out" "metalbird -p -v"
mb_assert_match 'interface "eth0", "eth1";' "$out" "metalbird -p -v"
mb_assert_nomatch "^protocol l2 'l2'" "$out" "metalbird -p -v (no implicit l2 beside an explicit one)"
cat >"$MB_WORK/dup.conf" <<CONF
protocol l2 { interface "eth0", "eth0"; }
CONF
out=$("$METALBIRD" -p -c "$MB_WORK/dup.conf" 2>&1) && mb_fail "a duplicate interface was accepted"
mb_assert_match 'dup\.conf:1:[0-9]+: interface "eth0" is listed twice' "$out" "error for a duplicate interface"
cat >"$MB_WORK/named.conf" <<CONF
protocol l2 l2 { }
CONF
"$METALBIRD" -p -c "$MB_WORK/named.conf" || mb_fail "protocol l2 l2 { } is refused"

l2_segment node-a
mkdir -p "$MB_WORK/state"
cat >"$MB_WORK/node-a.conf" <<CONF
node name "node-a";
log stderr all;
state dir "$MB_WORK/state";
metrics listen 127.0.0.1 port 7472;
protocol static {
	route 203.0.113.77/32;
	route 2001:db8:1::77/128;
	route 198.51.100.0/24;
}
CONF
# capture what node-a sends when it takes its addresses at start
mb_in $L2_C timeout 20 tshark -l -i eth0 -n -a duration:10 -f "arp or icmp6" -T fields \
	-e frame.time_epoch -e eth.src -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 \
	-e icmpv6.type -e icmpv6.nd.na.target_address -e icmpv6.nd.na.flag.o -e icmpv6.nd.na.flag.s \
	>"$MB_WORK/cap.txt" 2>"$MB_WORK/cap.err" &
cap=$!
# capturing for real: a probe of our own shows up in the capture
mb_wait 10 "tshark capturing" sh -c "ip netns exec $L2_C arping -i eth0 -S 192.0.2.100 -c 1 -w 0.5 \
	192.0.2.250 >/dev/null 2>&1; grep -q 192.0.2.250 '$MB_WORK/cap.txt'"
mb_metalbird node-a mb-l2-node-a-$L2_ID "$MB_WORK/node-a.conf"
mb_wait 10 "implicit l2 up with 2 addresses" sh -c \
	"'$METALBIRDC' -s '$MB_WORK/node-a.ctl' show protocols | grep -qE '^l2 +L2 .* up .*2 of 2 announced on 1 interfaces'"

macs=$(l2_arp_macs 203.0.113.77)
mb_assert_eq "${L2_MAC[node-a]}" "$macs" "ARP answer for 203.0.113.77"
macs=$(l2_nd_macs 2001:db8:1::77)
mb_assert_eq "${L2_MAC[node-a]}" "$macs" "NDP answer for 2001:db8:1::77"
# an address inside the /24 route is not a host route: silence
macs=$(l2_arp_macs 198.51.100.5)
mb_assert_eq "" "$macs" "ARP answer for an address of a /24 route"

# the same in JSON: interfaces with what each announces, addresses with the
# elected node
mb_ctl node-a show protocols all l2 json >"$MB_WORK/p.json"
python3 - "$MB_WORK/p.json" "${L2_MAC[node-a]}" <<'PY' || mb_fail "show protocols all l2 json: $(cat "$MB_WORK/p.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
def find(o):
    if isinstance(o, dict):
        if "interfaces" in o and "addresses" in o:
            return o
        for v in o.values():
            r = find(v)
            if r: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r: return r
p = find(doc)
assert p, "no l2 object"
eth0 = [i for i in p["interfaces"] if i["name"] == "eth0"][0]
assert eth0["mac"] == sys.argv[2], eth0
assert sorted(eth0["announced"]) == ["2001:db8:1::77", "203.0.113.77"], eth0
a = {x["address"]: x for x in p["addresses"]}
assert a["203.0.113.77"]["elected_here"] is True and a["203.0.113.77"]["elected_node"] == "node-a", a
PY

# gratuitous ARP (request, sender = target) and unsolicited NA with Override:
# at once and then every 1.1 s for 5 s, that is 5 of each
wait $cap || true
mac=${L2_MAC[node-a]}
garp=$(awk -F'\t' -v m="$mac" '$2 == m && $3 == 1 && $4 == "203.0.113.77" && $5 == "203.0.113.77" {print $1}' "$MB_WORK/cap.txt")
una=$(awk -F'\t' -v m="$mac" '$2 == m && $6 == 136 && $7 == "2001:db8:1::77" && ($8 == 1 || $8 == "True") && ($9 == 0 || $9 == "False") {print $1}' "$MB_WORK/cap.txt")
[[ $(printf '%s\n' "$garp" | grep -c .) == 5 && $(printf '%s\n' "$una" | grep -c .) == 5 ]] ||
	sed 's/^/    capture: /' "$MB_WORK/cap.txt" >&2
mb_assert_eq 5 "$(printf '%s\n' "$garp" | grep -c .)" "gratuitous ARPs for 203.0.113.77 in 10 s"
mb_assert_eq 5 "$(printf '%s\n' "$una" | grep -c .)" "unsolicited NAs for 2001:db8:1::77 in 10 s"
gaps=$(printf '%s\n' "$garp" | awk 'NR > 1 { d = $1 - p; if (d < 1.0 || d > 1.25) bad = bad " " d } { p = $1 } END { print bad }')
mb_assert_eq "" "$gaps" "gaps between gratuitous ARPs outside 1.0..1.25 s"
mb_log "gratuitous ARP times: $(printf '%s\n' "$garp" | tr '\n' ' ')"

# MetalLB's layer-2 metrics count what happened
m=$(mb_in mb-l2-node-a-$L2_ID curl -s --max-time 5 http://127.0.0.1:7472/metrics)
mb_assert_match '^metallb_layer2_requests_received\{ip="203\.0\.113\.77",protocol="l2"\} [1-9]' "$m" "metrics"
mb_assert_match '^metallb_layer2_responses_sent\{ip="203\.0\.113\.77",protocol="l2"\} [1-9]' "$m" "metrics"
mb_assert_match '^metallb_layer2_gratuitous_sent\{ip="2001:db8:1::77",protocol="l2"\} [1-9]' "$m" "metrics"
mb_assert_match '^metallb_speaker_announced\{ip="203\.0\.113\.77",node="node-a",protocol="layer2",service=""\} 1' "$m" "metrics"

# a request that came tagged (802.1Q, the tag stripped by the device) belongs
# to a VLAN interface node-a does not have: no answer, not even counted;
# the same request untagged is
reqs() {
	mb_in mb-l2-node-a-$L2_ID curl -s --max-time 5 http://127.0.0.1:7472/metrics |
		sed -nE 's/^metallb_layer2_requests_received\{ip="203\.0\.113\.77".*\} ([0-9]+)$/\1/p'
}
if ip -n $L2_C link add link eth0 name eth0.100 type vlan id 100 2>/dev/null; then
	ip -n $L2_C link set eth0.100 up
	mb_addr $L2_C eth0.100 198.51.100.200/24
	n0=$(reqs)
	macs=$(mb_in $L2_C timeout 5 arping -i eth0.100 -S 198.51.100.200 -c 2 -W 0.2 -w 1.5 203.0.113.77 2>/dev/null |
		sed -nE 's/.* bytes from ([0-9a-f:]{17}) .*/\1/p' | sort -u || true)
	mb_assert_eq "" "$macs" "ARP answers to a tagged request"
	mb_assert_eq "$n0" "$(reqs)" "requests counted for tagged frames"
	l2_arp_macs 203.0.113.77 >/dev/null
	(( $(reqs) > n0 )) || mb_fail "untagged requests are not counted ($n0 -> $(reqs))"
else
	mb_log "NOTE: no 802.1Q support in this kernel: the tagged-request check is skipped"
fi

# the solicited-node group of 2001:db8:1::77 is joined on the interface
out=$(ip -n mb-l2-node-a-$L2_ID maddr show dev eth0)
mb_assert_match 'link +33:33:ff:00:00:77' "$out" "multicast addresses of node-a eth0"

out=$(mb_ctl node-a show protocols all l2)
mb_assert_match "eth0 .* ${L2_MAC[node-a]}" "$out" "show protocols all l2"
mb_assert_match "Announced: .*203\.0\.113\.77" "$out" "show protocols all l2"

# an interface that appears is served within a rescan (2 s); one that goes
# is forgotten
mb_ns_add mb-l2d-$L2_ID
mb_veth mb-l2-node-a-$L2_ID eth1 mb-l2d-$L2_ID eth0
mb_addr mb-l2d-$L2_ID eth0 198.51.100.100/24
ip -n mb-l2d-$L2_ID route add 203.0.113.0/24 dev eth0
mac1=$(ip -n mb-l2-node-a-$L2_ID -br link show eth1 | awk '{print $3}')
mb_wait 5 "l2 listens on the new eth1" sh -c \
	"'$METALBIRDC' -s '$MB_WORK/node-a.ctl' show protocols all l2 | grep -q 'eth1 .* $mac1'"
macs=$(mb_in mb-l2d-$L2_ID timeout 5 arping -i eth0 -S 198.51.100.100 -c 2 -W 0.2 -w 1.5 203.0.113.77 2>/dev/null |
	sed -nE 's/.* bytes from ([0-9a-f:]{17}) .*/\1/p' | sort -u || true)
mb_assert_eq "$mac1" "$macs" "ARP answer on the new interface"
ip -n mb-l2-node-a-$L2_ID link del eth1
mb_wait 5 "l2 forgets eth1" sh -c \
	"! '$METALBIRDC' -s '$MB_WORK/node-a.ctl' show protocols all l2 | grep -q 'eth1 '"

mb_stop node-a
mb_assert_eq 0 "$MB_STATUS" "exit status"
