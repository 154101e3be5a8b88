#!/bin/bash
# t-gr-frr: RFC 8538 with FRR's bgpd as the receiving speaker.  metalbird says
# `graceful restart on`, so its GR capability carries the N bit; FRR has
# `bgp graceful-restart`.  A planned shutdown (SIGTERM) sends Cease /
# Administrative Shutdown, which with the N bit exchanged FRR must take for a
# graceful restart: it keeps our routes (stale) instead of withdrawing them,
# and has them fresh again after metalbird comes back with -R.  `disable`,
# on the other hand, sends a Hard Reset: FRR drops the routes at once.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-grf-m
mb_ns_add mb-grf-f
mb_link mb-grf-m veth-m 192.0.2.1/24 mb-grf-f veth-f 192.0.2.2/24

N=50
{
	echo 'router id 192.0.2.1;'
	echo 'log stderr all;'
	printf 'protocol static s4 {'
	for ((i = 0; i < N; i++)); do printf ' route 198.51.100.%d/32;' "$i"; done
	echo ' }'
	cat <<'CONF'
protocol bgp b4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 1;
	graceful restart on;
	graceful restart time 60;
}
CONF
} >"$MB_WORK/m.conf"

cat >"$MB_WORK/bgpd.conf" <<'CONF'
frr defaults traditional
hostname f
log stdout informational
router bgp 64512
 bgp router-id 192.0.2.2
 bgp log-neighbor-changes
 no bgp ebgp-requires-policy
 bgp graceful-restart
 neighbor 192.0.2.1 remote-as 64513
 neighbor 192.0.2.1 timers connect 1
CONF

mb_metalbird m mb-grf-m "$MB_WORK/m.conf"
mb_frr f mb-grf-f "$MB_WORK/bgpd.conf"

f_count() { mb_vtysh f 'show bgp ipv4 unicast json' | python3 -c '
import json, sys
d = json.load(sys.stdin).get("routes", {})
print(len(d), sum(1 for p in d.values() for r in p if r.get("stale")))'; }
has() { local c; c=$(f_count); [[ $c == "$1 $2" ]]; }
mb_wait 30 "FRR has our $N routes" has $N 0
nb=$(mb_vtysh f 'show bgp neighbors 192.0.2.1 json')
mb_assert_match '"nBit": ?true' "$nb" "FRR sees our N bit"

# --- planned shutdown: FRR keeps the routes ------------------------------------------
mb_stop m
mb_assert_match 'Cease|Administrative' "$(cat "$MB_WORK/f-bgpd.log")" "FRR got the NOTIFICATION"
sleep 1
c=$(f_count)
mb_log "FRR after our SIGTERM: routes, stale: $c"
[[ $c == "$N $N" ]] || mb_fail "FRR keeps '$c' (routes stale) after a planned shutdown, want '$N $N'"

# --- back with -R: fresh again -------------------------------------------------------
rm -f "$MB_WORK/m.ctl"
mb_metalbird m2 mb-grf-m "$MB_WORK/m.conf" -R
mb_wait 30 "FRR has our $N routes fresh again" has $N 0
echo "NOTE: RFC 8538 with FRR: after SIGTERM FRR kept all $N routes (stale); fresh again after the restart with -R"

# --- disable: Hard Reset, FRR drops them -----------------------------------------------
out=$(mb_ctl m2 disable b4 2>&1) || mb_fail "disable b4: $out"
mb_assert_match 'b4: disabled' "$out" "reply to disable"
mb_wait 5 "FRR drops our routes after the Hard Reset" has 0 0
mb_wait_log 5 f-bgpd '[Hh]ard [Rr]eset'
mb_stop m2
