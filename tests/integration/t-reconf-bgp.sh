#!/bin/bash
# t-reconf-bgp: edit and reload without disruption, watched from a real BIRD 2.
# Two sessions from metalbird (a from 192.0.2.1, b from 192.0.2.4) to BIRD:
#  1. `configure` with an unchanged config: BIRD sees no new session (same
#     Since time) and no UPDATE (its import counters do not move);
#  2. a changed export filter of a: BIRD receives exactly the difference (one
#     announcement, one withdrawal), and neither session restarts;
#  3. a changed hold time of b: only b restarts, with Cease subcode 6;
#  4. a config that does not parse, and one that fails a check: nothing
#     changes, the client exits 1 with FILE:LINE:COL, configure check says so;
#  5. protocol a removed: BIRD receives Cease subcode 3 (Peer De-configured);
#  6. `configure timeout 5` without confirm: the old config is back after 5 s;
#  7. `configure timeout` then `configure confirm`: the new config stays;
#     `configure undo` brings back the previous one.
# A third session, to GoBGP, never changes: through all of the above GoBGP
# must count one OPEN and no UPDATE beyond its first feed.
# needs: root
# timeout: 150
. "$(dirname "$0")/lib.sh"
mb_need bird gobgpd jq

mb_ns_add mb-rc-m
mb_ns_add mb-rc-r
mb_link mb-rc-m veth-m 192.0.2.1/24 mb-rc-r veth-r 192.0.2.2/24
mb_addr mb-rc-m veth-m 192.0.2.4/24
mb_ns_add mb-rc-g
mb_link mb-rc-m veth-g 198.51.100.1/24 mb-rc-g veth-g 198.51.100.2/24

conf() { # FILTER_SET HOLD_B [WITH_A]
	cat <<CONF
router id 192.0.2.1;
log stderr all;
protocol static s { route 203.0.113.7/32; route 203.0.113.8/32; route 203.0.113.9/32; route 203.0.113.10/32; }
filter fa { if net ~ $1 then accept; reject; }
CONF
	[ "${3:-1}" = 1 ] && echo "protocol bgp a { neighbor 192.0.2.2 as 64512; local 192.0.2.1 as 64513; connect retry time 1; export filter fa; }"
	echo "protocol bgp b { neighbor 192.0.2.2 port 1179 as 64512; local 192.0.2.4 as 64513; hold time $2; connect retry time 1; }"
	echo "protocol bgp g { neighbor 198.51.100.2 as 64600; local 198.51.100.1 as 64513; connect retry time 1; }"
}
conf "[203.0.113.7/32, 203.0.113.8/32]" 90 >"$MB_WORK/m.conf"

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp a {
	local 192.0.2.2 as 64512; neighbor 192.0.2.1 as 64513; strict bind on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp b {
	local 192.0.2.2 port 1179 as 64512; neighbor 192.0.2.4 as 64513; strict bind on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF
cat >"$MB_WORK/g.toml" <<'CONF'
[global.config]
  as = 64600
  router-id = "198.51.100.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.51.100.1"
    peer-as = 64513
CONF
mb_metalbird m mb-rc-m "$MB_WORK/m.conf"
mb_bird r mb-rc-r "$MB_WORK/r.conf"
mb_gobgpd gob mb-rc-g "$MB_WORK/g.toml"
gmsgs() { mb_gobgp gob neighbor 198.51.100.1 -j | jq -r '"\(.state.session_state) \(.state.messages.received.open) \(.state.messages.received.update)"'; }
mb_wait 40 "GoBGP session Established" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols g | grep -q Established"

est() { mb_birdc r show protocols "$1" | grep -q Established; }
mb_wait 20 "a Established" est a
mb_wait 20 "b Established" est b
has() { mb_birdc r show route for "$1" protocol a | grep -qF "$1"; }  # from session a
mb_wait 10 "203.0.113.8/32 at BIRD" has 203.0.113.8/32
sleep 1
counters() { mb_birdc r show protocols all "$1" | awk '/Import updates:/ { u = $3 } /Import withdraws:/ { w = $3 } END { print u, w }'; }
mb_wait 20 "GoBGP has its routes" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols all g | grep -q '4 exported'"
sleep 1
g0=$(gmsgs)
mb_log "GoBGP: state, OPENs, UPDATEs received: $g0"
sa=$(mb_bird_since r a) sb=$(mb_bird_since r b) ca=$(counters a) cb=$(counters b)
mb_log "before: a since $sa counters $ca; b since $sb counters $cb"

# 1. unchanged
mb_ctl m configure >/dev/null
sleep 2
mb_assert_bird_since r a "$sa" "a's session start after an unchanged reload"
mb_assert_bird_since r b "$sb" "b's session start after an unchanged reload"
mb_assert_eq "$ca" "$(counters a)" "UPDATEs BIRD received on a after an unchanged reload"
mb_assert_eq "$cb" "$(counters b)" "UPDATEs BIRD received on b after an unchanged reload"
mb_assert_eq "$g0" "$(gmsgs)" "GoBGP's session state, OPENs and UPDATEs after an unchanged reload"
out=$(mb_ctl m configure check)
mb_assert_nomatch 'restarted|added|removed|changed' "$out" "configure check of the unchanged config"

# 2. export filter of a: .8 out, .9 in
conf "[203.0.113.7/32, 203.0.113.9/32]" 90 >"$MB_WORK/m.conf"
out=$(mb_ctl m configure check)
mb_assert_match 'protocol a \(bgp\): changed in place' "$out" "configure check names the soft change"
mb_assert_match 'routes of a: 1 to announce, 1 to withdraw' "$out" "configure check counts the routes that change"
out=$(mb_ctl m configure check all)
mb_assert_match '\+ 203\.0\.113\.9/32' "$out" "configure check all lists the announcement"
mb_assert_match '- 203\.0\.113\.8/32' "$out" "configure check all lists the withdrawal"
mb_ctl m configure >/dev/null
mb_wait 10 "203.0.113.9/32 announced" has 203.0.113.9/32
mb_wait 10 "203.0.113.8/32 withdrawn" eval '! has 203.0.113.8/32'
sleep 1
read -r u0 w0 <<<"$ca"
read -r u1 w1 <<<"$(counters a)"
mb_assert_eq $((u0 + 1)) "$u1" "UPDATEs (announcements) BIRD received for the filter change"
mb_assert_eq $((w0 + 1)) "$w1" "withdrawals BIRD received for the filter change"
mb_assert_bird_since r a "$sa" "a kept its session through the filter change"
mb_assert_bird_since r b "$sb" "b untouched by a's filter change"
mb_assert_eq "$cb" "$(counters b)" "b received nothing for a's filter change"

# 3. hold time of b: only b restarts, with Cease/6
conf "[203.0.113.7/32, 203.0.113.9/32]" 15 >"$MB_WORK/m.conf"
mb_assert_match 'protocol b \(bgp\): restarted: hold time 90 -> 15' "$(mb_ctl m configure check)" "configure check names the restart"
mb_ctl m configure >/dev/null
mb_wait_log 10 r 'b: Received: Other configuration change'
mb_wait 20 "b Established again" est b
mb_assert_bird_since r a "$sa" "a kept its session through b's restart"
mb_assert_nomatch 'a: Received' "$(cat "$MB_WORK/r.log")" "no NOTIFICATION on a"

# 4. bad configs change nothing
cp "$MB_WORK/m.conf" "$MB_WORK/good.conf"
printf 'protocol bgp c {\n\tneighbor 192.0.2.2 as 64512;\n\tlocal as 64513\n}\n' >>"$MB_WORK/m.conf"
set +e
out=$(mb_ctl m configure 2>&1); rc=$?
set -e
mb_assert_eq 1 "$rc" "exit status of configure with a syntax error"
mb_assert_match 'm\.conf:11:1: missing .;. before .\}.' "$out" "the syntax error names FILE:LINE:COL"
mb_assert_match 'm\.conf:11:1' "$(mb_ctl m configure check 2>&1 || true)" "configure check reports the error too"
cp "$MB_WORK/good.conf" "$MB_WORK/m.conf"
printf 'protocol bgp c { neighbor 192.0.2.2 as 64512; local as 65535; }\n' >>"$MB_WORK/m.conf"
set +e
out=$(mb_ctl m configure 2>&1); rc=$?
set -e
mb_assert_eq 1 "$rc" "exit status of configure with a bad ASN"
mb_assert_match 'm\.conf:8:[0-9]+: local AS 65535 is not a valid AS number' "$out" "the semantic error names FILE:LINE:COL"
mb_assert_bird_since r a "$sa" "a untouched by the failed reloads"
mb_assert_match 'Established' "$(mb_ctl m show protocols b)" "b untouched by the failed reloads"
cp "$MB_WORK/good.conf" "$MB_WORK/m.conf"

# 5. remove a: Cease/3
conf "[203.0.113.7/32, 203.0.113.9/32]" 15 0 >"$MB_WORK/m.conf"
mb_assert_match 'protocol a \(bgp\): removed' "$(mb_ctl m configure check)" "configure check names the removal"
mb_ctl m configure >/dev/null
mb_wait_log 10 r 'a: Received: Peer de-configured'

# 6. configure timeout: a comes back after 5 s without confirm
conf "[203.0.113.7/32, 203.0.113.9/32]" 15 1 >"$MB_WORK/m.conf"
mb_ctl m configure >/dev/null
mb_wait 20 "a Established again" est a
conf "[203.0.113.7/32, 203.0.113.9/32]" 15 0 >"$MB_WORK/m.conf"
mb_assert_match 'Undo scheduled in 5 s' "$(mb_ctl m configure timeout 5)" "configure timeout reply"
mb_assert_match 'No protocols match' "$(mb_ctl m show protocols a 2>&1 || true)" "a removed by the unconfirmed config"
mb_wait 12 "the old config is back: protocol a" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols a | grep -q BGP"
mb_wait 20 "a Established after the undo" est a

# 7. configure timeout + confirm keeps the new config; configure undo brings back the one before
conf "[203.0.113.7/32, 203.0.113.9/32]" 15 0 >"$MB_WORK/m.conf"
mb_ctl m configure timeout 3 >/dev/null
mb_assert_match 'Reconfiguration confirmed' "$(mb_ctl m configure confirm)" "configure confirm reply"
sleep 4
mb_assert_match 'No protocols match' "$(mb_ctl m show protocols a 2>&1 || true)" "the confirmed config stays after its timeout"
mb_assert_match 'Undo requested' "$(mb_ctl m configure undo)" "configure undo reply"
mb_wait 10 "configure undo brings a back" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols a | grep -q BGP"
mb_wait 20 "a Established after configure undo" est a
mb_assert_eq "$g0" "$(gmsgs)" "GoBGP's session state, OPENs and UPDATEs after all the reloads"
mb_log "reloads disturb only what changed"
