#!/bin/bash
# t-peers-cmd: the one-command-at-a-time peer workflow (Set-HcsBGPPeer /
# Get-HcsBGPPeers / Remove-HcsBGPPeer) against a real BIRD 2:
#   peer set brings a session up on interface vswitch1, show peers interface
#   "vswitch1" lists it Established with the columns of SPEC section 5;
#   an invalid ASN is refused with the valid ranges and changes nothing;
#   a peer set that only changes the hold time restarts only that session;
#   the peers file survives a daemon restart;
#   peer remove takes the session down with Cease subcode 3 (BIRD logs
#   "Peer de-configured"), and show peers for the interface is empty again.
# A second session, from the main config, must not be touched by any of it.
# needs: root
# timeout: 150
. "$(dirname "$0")/lib.sh"
mb_need bird

mb_ns_add mb-pc-m
mb_ns_add mb-pc-r
mb_link mb-pc-m vswitch1 198.51.100.2/24 mb-pc-r veth-r 198.51.100.1/24
mb_addr mb-pc-m vswitch1 198.51.100.3/24

cat >"$MB_WORK/m.conf" <<'CONF'
router id 198.51.100.2;
log stderr all;
peers file "peers.conf";
protocol static s { route 203.0.113.7/32; }
protocol bgp fixed { neighbor 198.51.100.1 port 1179 as 64512; local 198.51.100.3 as 64513; connect retry time 1; }
CONF
cat >"$MB_WORK/r.conf" <<'CONF'
router id 198.51.100.1;
log stderr all;
protocol device { }
protocol bgp viaset {
	local 198.51.100.1 as 64512; neighbor 198.51.100.2 as 64513; strict bind on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp fixed {
	local 198.51.100.1 port 1179 as 64512; neighbor 198.51.100.3 as 64513; strict bind on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF
mb_metalbird m mb-pc-m "$MB_WORK/m.conf"
mb_bird r mb-pc-r "$MB_WORK/r.conf"
est() { mb_birdc r show protocols "$1" | grep -q Established; }
mb_wait 20 "the config's session Established" est fixed
since_other=$(mb_bird_since r fixed)

out=$(mb_ctl m peer set 198.51.100.1 as 64512 local as 64513 interface vswitch1 hold time 15 2>&1) ||
	mb_fail "peer set failed: $out"
mb_assert_match 'Peer 198\.51\.100\.1 added' "$out" "peer set reply"
mb_assert_match 'neighbor 198\.51\.100\.1 as 64512;' "$(cat "$MB_WORK/peers.conf")" "the peers file"
mb_assert_match 'interface "vswitch1";' "$(cat "$MB_WORK/peers.conf")" "the peers file"
mb_wait 20 "the session set by command Established at BIRD" est viaset
peers() { mb_ctl m show peers interface '"vswitch1"'; }
mb_wait 10 "show peers interface vswitch1 lists it Established" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show peers interface vswitch1 | grep -q 'Established'"
out=$(peers 2>&1) || mb_fail "show peers failed: $out"
mb_log "$out"
mb_assert_match '^PeerAddress +PeerAsn +SelfAsn +HoldTime +Interface +State' "$out" "show peers heading"
mb_assert_match '^198\.51\.100\.1 +64512 +64513 +15 +vswitch1 +Established' "$out" "show peers row"
mb_assert_eq 1 "$(printf '%s\n' "$out" | grep -c '^198')" "only the peer on vswitch1"

# an invalid ASN: refused with the valid ranges, nothing changes
cp "$MB_WORK/peers.conf" "$MB_WORK/peers.before"
set +e
out=$(mb_ctl m peer set 198.51.100.9 as 65535 local as 64513 2>&1); rc=$?
set -e
mb_assert_eq 1 "$rc" "exit status of peer set with AS 65535"
mb_assert_match '65535 is not a valid AS number; valid ASNs are 1-65534 \(16-bit\) and 131072-4294967294 \(32-bit\)' "$out" "the refusal"
mb_assert_eq "$(cat "$MB_WORK/peers.before")" "$(cat "$MB_WORK/peers.conf")" "the peers file after a refused peer set"

# hold time only: only that session restarts, with Cease 6
out=$(mb_ctl m peer set 198.51.100.1 as 64512 interface vswitch1 hold time 30 2>&1) ||
	mb_fail "peer set of the hold time failed: $out"
mb_wait_log 10 r 'viaset: Received: Other configuration change'
mb_wait 20 "viaset Established again" est viaset
mb_assert_match '^198\.51\.100\.1 +64512 +64513 +30 ' "$(peers)" "the new hold time"
mb_assert_bird_since r fixed "$since_other" "the other session untouched"

# the peers file survives a restart of the daemon
mb_stop m
mb_metalbird m2 mb-pc-m "$MB_WORK/m.conf"
mb_wait 20 "the peer is back after a restart" sh -c "'$METALBIRDC' -s '$MB_WORK/m2.ctl' show peers interface vswitch1 | grep -q '^198.51.100.1 .*Established'"

# remove: Cease 3, and the interface has no peer any more
out=$(mb_ctl m2 peer remove 198.51.100.1 interface vswitch1 2>&1) || mb_fail "peer remove failed: $out"
mb_assert_match 'Peer 198\.51\.100\.1 removed' "$out" "peer remove reply"
mb_wait_log 10 r 'viaset: Received: Peer de-configured'
out=$(mb_ctl m2 show peers interface vswitch1 2>&1) || mb_fail "show peers failed: $out"
mb_assert_nomatch '198\.51\.100\.1 ' "$out" "show peers interface vswitch1 after the removal"
mb_assert_nomatch 'protocol bgp' "$(cat "$MB_WORK/peers.conf")" "the peers file after the removal"
mb_log "peer set / show peers / peer remove work end to end"
