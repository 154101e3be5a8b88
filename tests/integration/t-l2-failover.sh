#!/bin/bash
# t-l2-failover: two metalbird nodes on one bridge, one state file.
#  - both agree on MetalLB's elected node (checked against sha256sum) for an
#    IPv4 and an IPv6 service address: arping and ndisc6 from a client get
#    the elected node's MAC, and only that one (the other stays silent);
#  - the elected node goes NotReady (NetworkUnavailable, excluded by label):
#    the other takes over, and its gratuitous ARP updates the client's
#    neighbour entry within one second;
#  - a Local-policy Service whose elected node's endpoint goes unready moves
#    to the node that still has a serving endpoint, likewise within 1 s.
# The takeover times are printed.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/l2/common.sh"

mb_need arping ndisc6 python3 sha256sum

l2_segment node-a node-b
V4=203.0.113.10 V6=2001:db8:1::10 VL=203.0.113.11

# everything Ready; web4 and web6 Cluster; webl Local with endpoints on both.
# STATE_OUT: where the file goes (the daemons read $MB_WORK/state.json).
STATE_OUT=$MB_WORK/state.json
state() {
	python3 "$L2_HERE/state.py" "$STATE_OUT" "node=node-a:$1" "node=node-b:$2" \
		"svc=default/web4|$V4|cluster|node-a=ready" \
		"svc=default/web6|$V6|cluster|node-a=ready" \
		"svc=default/webl|$VL|local|node-a=$3,node-b=$4"
}
state ready ready ready ready
for n in node-a node-b; do
	l2_conf $n 'protocol l2 lan { interface "eth0"; }'
	mb_metalbird $n mb-l2-$n-$L2_ID "$MB_WORK/$n.conf"
done

# wait until each node has elected someone for all three addresses
for n in node-a node-b; do
	mb_wait 10 "$n exports 3 addresses to l2" sh -c \
		"'$METALBIRDC' -s '$MB_WORK/$n.ctl' show protocols lan | grep -q ' of 3 announced'"
done

check_owner() {	# IP WINNER LOSER KIND
	local macs
	if [[ $4 == arp ]]; then macs=$(l2_arp_macs "$1"); else macs=$(l2_nd_macs "$1"); fi
	mb_assert_eq "${L2_MAC[$2]}" "$macs" "MACs answering $4 for $1 (want $2's only)"
	mb_log "$1: answered by $2 (${L2_MAC[$2]}) alone; $3 (${L2_MAC[$3]}) silent"
}

for ip in $V4 $V6 $VL; do
	w=$(l2_winner $ip node-a node-b)
	l=node-a; [[ $w == node-a ]] && l=node-b
	kind=arp; [[ $ip == *:* ]] && kind=nd
	check_owner $ip $w $l $kind
	# both daemons name the same winner
	for n in node-a node-b; do
		out=$(mb_ctl $n show protocols all lan)
		mb_assert_match "^ *$ip .* elected $w" "$out" "$n: show protocols all lan"
	done
done

# takeover: measure from the state change to the client's neighbour entry
# holding the new owner's MAC
takeover() {	# IP NEW_OWNER WHAT STATE-ARGS...
	local ip=$1 new=$2 what=$3 t0 t1 mac
	shift 3
	# the client has an entry for ip pointing at the old owner (a previous
	# step may have moved it: the kernel takes a neighbour update at most
	# once per locktime, 1 s, and the owner repeats its notice for 5 s)
	mb_in $L2_C ping -c 1 -W 1 "$ip" >/dev/null 2>&1 || true
	mb_wait 4 "client's entry for $ip points at the old owner" sh -c \
		"m=\$(ip -n $L2_C neigh show $ip dev eth0 | awk '{print \$3}'); [ -n \"\$m\" ] && [ \"\$m\" != ${L2_MAC[$new]} ]"
	# the new state is prepared first and renamed into place at t0, so
	# that the time measured is the daemons' and not Python's start-up
	STATE_OUT=$MB_WORK/next.json state "$@"
	t0=$EPOCHREALTIME
	mv -f "$MB_WORK/next.json" "$MB_WORK/state.json"
	while :; do
		mac=$(mb_in $L2_C ip neigh show "$ip" dev eth0 | awk '{print $3}')
		[[ $mac == "${L2_MAC[$new]}" ]] && break
		t1=$EPOCHREALTIME
		(( ${t1/[.,]/} - ${t0/[.,]/} < 3000000 )) || mb_fail "$what: client still has $mac for $ip after 3 s"
		sleep 0.01
	done
	t1=$EPOCHREALTIME
	local us=$(( ${t1/[.,]/} - ${t0/[.,]/} ))
	printf 'NOTE: takeover (%s): %s -> %s in %d ms\n' "$what" "$ip" "$new" $((us / 1000))
	(( us < 1000000 )) || mb_fail "$what: takeover took $((us / 1000)) ms (more than 1 s)"
}

w4=$(l2_winner $V4 node-a node-b)
[[ $w4 == node-a ]] || mb_fail "test assumes node-a wins $V4 (sha256sum says $w4)"
# node-a NotReady: node-b takes 203.0.113.10 over
takeover $V4 node-b "node NotReady" notready ready ready ready
check_owner $V4 node-b node-a arp
check_owner $V6 node-b node-a nd
# the solicited-node group of 2001:db8:1::10 follows the owner
mb_assert_match 'link +33:33:ff:00:00:10' "$(ip -n mb-l2-node-b-$L2_ID maddr show dev eth0)" "node-b multicast groups"
mb_assert_nomatch 'link +33:33:ff:00:00:10' "$(ip -n mb-l2-node-a-$L2_ID maddr show dev eth0)" "node-a multicast groups"

# back to Ready: node-a takes it back (it sorts first again)
takeover $V4 node-a "node Ready again" ready ready ready ready
# NetworkUnavailable, and the exclude-from-external-load-balancers label,
# move it just the same
takeover $V4 node-b "node NetworkUnavailable" ready:netunavail ready ready ready
takeover $V4 node-a "node available again" ready ready ready ready
takeover $V4 node-b "node excluded by label" ready:exclude ready ready ready
takeover $V4 node-a "label removed" ready ready ready ready

# Local policy: the winner's endpoint goes unready
wl=$(l2_winner $VL node-a node-b)
if [[ $wl == node-a ]]; then
	ol=node-b
	takeover $VL $ol "endpoint unready (Local)" ready ready unready ready
else
	ol=node-a
	takeover $VL $ol "endpoint unready (Local)" ready ready ready unready
fi
check_owner $VL $ol $wl arp

# reconfiguration: node-b told to serve another interface drops eth0 in
# place (no restart) and stops answering there; told back, answers again
sed -i 's/interface "eth0"/interface "eth5"/' "$MB_WORK/node-b.conf"
out=$(mb_ctl node-b configure)
mb_assert_match 'Reconfigured' "$out" "configure"
out=$(mb_ctl node-b show protocols all lan)
mb_assert_match 'Interfaces: +0' "$out" "node-b after moving to eth5"
mb_assert_match 'interface "eth5" not found or down' "$out" "node-b after moving to eth5"
mb_assert_eq "" "$(l2_arp_macs $VL)" "ARP answers for $VL with node-b off eth0"
sed -i 's/interface "eth5"/interface "eth0"/' "$MB_WORK/node-b.conf"
mb_ctl node-b configure >/dev/null
check_owner $VL $ol $wl arp

mb_stop node-a
mb_stop node-b
