# tests/integration/l2/common.sh -- what the layer-2 tests share (sourced
# after lib.sh).
#
# l2_segment NODES...: a bridge in $L2_BR, a client namespace $L2_C
#   (192.0.2.100/24, 2001:db8::100/64, routes to the service ranges on-link
#   so that it ARPs/solicits for service addresses itself), and one
#   namespace mb-l2-NODE-$L2_ID per node name with eth0 on the bridge
#   (192.0.2.N/24, 2001:db8::N/64, N = 1, 2, ...).  Each node's MAC is left
#   in L2_MAC[NODE].
# l2_state ARGS...: write $MB_WORK/state.json (l2/state.py).
# l2_conf NODE BODY: a config for NODE with a state-file source and BODY.
# l2_winner IP NODES...: the node MetalLB elects for IP among NODES, by
#   sha256sum (an implementation independent of metalbird's).
# l2_arp_macs IP: the MACs that answer an ARP request for IP from the client
#   (one per line, sorted, unique; empty when nobody answers).
# l2_nd_macs IP: likewise for a Neighbor Solicitation.

# Namespace names carry this run's PID: another checkout's test run (CI in
# a snapshot) may run the same test at the same time.
L2_ID=$$
L2_BR=mb-l2br-$L2_ID
L2_C=mb-l2c-$L2_ID
declare -gA L2_MAC=()
L2_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

l2_segment() {
	local n=0 node ns
	mb_ns_add $L2_BR
	mb_bridge $L2_BR br0
	mb_ns_add $L2_C
	mb_bridge_port $L2_BR br0 $L2_C eth0 192.0.2.100/24
	mb_addr $L2_C eth0 2001:db8::100/64
	ip -n $L2_C route add 203.0.113.0/24 dev eth0
	ip -n $L2_C route add 198.51.100.0/24 dev eth0
	ip -n $L2_C -6 route add 2001:db8:1::/64 dev eth0
	for node; do
		n=$((n + 1))
		ns=mb-l2-$node-$L2_ID
		mb_ns_add "$ns"
		mb_bridge_port $L2_BR br0 "$ns" eth0 "192.0.2.$n/24"
		mb_addr "$ns" eth0 "2001:db8::$n/64"
		L2_MAC[$node]=$(ip -n "$ns" -br link show eth0 | awk '{print $3}')
	done
}

l2_state() {
	python3 "$L2_HERE/state.py" "$MB_WORK/state.json" "$@"
}

l2_conf() {
	local node=$1 body=$2
	mkdir -p "$MB_WORK/state-$node"
	cat >"$MB_WORK/$node.conf" <<CONF
node name "$node";
log stderr all;
state dir "$MB_WORK/state-$node";
pool lab {
	addresses 203.0.113.0/28;
	addresses 2001:db8:1::/120;
}
protocol kubernetes k8s {
	state file "$MB_WORK/state.json";
}
$body
CONF
}

l2_winner() {
	local ip=$1 node best="" bestkey="" key
	shift
	for node; do
		key=$(printf '%s' "$node#$ip" | sha256sum | cut -d' ' -f1)
		if [[ -z $best || $key < $bestkey ]]; then
			best=$node
			bestkey=$key
		fi
	done
	printf '%s\n' "$best"
}

l2_arp_macs() {
	mb_in $L2_C timeout 5 arping -i eth0 -S 192.0.2.100 -c 3 -W 0.2 -w 1.5 "$1" 2>/dev/null |
		sed -nE 's/.* bytes from ([0-9a-f:]{17}) .*/\1/p' | sort -u || true
}

l2_nd_macs() {
	mb_in $L2_C timeout 5 ndisc6 -m -n -r 2 -w 400 "$1" eth0 2>/dev/null |
		sed -nE 's/.*Target link-layer address: *([0-9A-Fa-f:]{17}).*/\1/p' | tr 'A-F' 'a-f' | sort -u || true
}
