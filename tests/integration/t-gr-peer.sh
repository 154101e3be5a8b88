#!/bin/bash
# t-gr-peer: graceful restart (RFC 4724 4.2) with metalbird as the receiving
# speaker.  BIRD 2 announces 100 IPv4 and 10 IPv6 routes to metalbird, which
# imports them (`import all`); both say `graceful restart on`, BIRD with a
# restart time of 6 s.  BIRD is killed with SIGKILL and started again with
# -R: metalbird must keep BIRD's routes (stale, counted in `show protocols
# all`) the whole time, polled every 100 ms, and have them fresh after BIRD's
# End-of-RIB.  After a second restart BIRD has one route less: that one must
# go at its End-of-RIB.  After a third that never comes back, the routes must
# go when the restart time has passed.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-grp-m
mb_ns_add mb-grp-r
mb_link mb-grp-m veth-m 192.0.2.1/24 mb-grp-r veth-r 192.0.2.2/24
mb_addr mb-grp-m veth-m 2001:db8:1::1/64
mb_addr mb-grp-r veth-r 2001:db8:1::2/64

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol bgp b4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 1;
	graceful restart on;
	import all;
	export none;
}
CONF

N4=100
N6=10
# BIRD's config with N IPv4 routes
mkconf() {
	local n4=$1 i
	{
		cat <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
CONF
		printf 'protocol static s4 { ipv4;'
		for ((i = 0; i < n4; i++)); do printf ' route 198.51.100.%d/32 blackhole;' "$i"; done
		echo ' }'
		printf 'protocol static s6 { ipv6;'
		for ((i = 0; i < N6; i++)); do printf ' route 2001:db8:ff::%x/128 blackhole;' "$i"; done
		echo ' }'
		cat <<'CONF'
protocol bgp m4 {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 1; error wait time 1, 3;
	graceful restart on;
	graceful restart time 6;
	ipv4 { import none; export all; next hop self; };
	ipv6 { import none; export all; next hop address 2001:db8:1::2; };
}
CONF
	} >"$MB_WORK/r.conf"
}
mkconf $N4

mb_metalbird m mb-grp-m "$MB_WORK/m.conf"
mb_bird r mb-grp-r "$MB_WORK/r.conf"

total=$((N4 + N6))
m_count() { mb_ctl m show route count protocol b4 | sed -n 's/.*Total: \([0-9]*\) of .*/\1/p'; }
m_stale() { mb_ctl m show protocols all b4 | sed -n 's/.*neighbor restarting, \([0-9]*\) stale routes kept.*/\1/p'; }
has() { [[ $(m_count) == "$1" ]]; }
mb_wait 30 "metalbird has all $total routes from BIRD" has $total
mb_assert_match 'Graceful restart \(restart time 6 s' "$(mb_ctl m show protocols all b4)" "BIRD's GR capability"

cat >"$MB_WORK/poll.sh" <<POLL
#!/bin/bash
while :; do
	n=\$("$METALBIRDC" -s "$MB_WORK/m.ctl" show route count protocol b4 | sed -n 's/.*Total: \([0-9]*\) of .*/\1/p')
	s=\$("$METALBIRDC" -s "$MB_WORK/m.ctl" show protocols all b4 | sed -n 's/.*neighbor restarting, \([0-9]*\) stale.*/\1/p')
	echo "\${EPOCHREALTIME} \${n:-x} \${s:-0}"
	sleep 0.1
done
POLL
chmod +x "$MB_WORK/poll.sh"
mb_bg poll "$MB_WORK/poll.sh"
sleep 0.5

kill_bird() {
	local pid
	pid=$(mb_pid "$1")
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	unset "_MB_PID[$1]"
	mb_log "killed BIRD $1 (pid $pid) with SIGKILL"
}
start_bird() {
	mb_bg "$1" ip netns exec mb-grp-r bird -f -R -c "$MB_WORK/r.conf" -s "$MB_WORK/$1.ctl" -P "$MB_WORK/$1.pid"
	mb_wait 10 "BIRD $1 answers" mb_birdc "$1" show status
}
# the restart is over: BIRD's routes all there, none stale
settled() { [[ $(m_count) == "$1" && -z $(m_stale) ]] && mb_ctl m show protocols b4 | grep -q Established; }
stale_all() { [[ $(m_stale) == "$1" && $(m_count) == "$1" ]]; }

# --- a crash and a restart with the same routes -------------------------------------
kill_bird r
mb_wait 5 "metalbird keeps BIRD's $total routes as stale" stale_all $total
mb_assert_match 'neighbor restarting, [0-9]+ routes kept as stale for 6 s' "$(cat "$MB_WORK/m.log")" "the log"
sleep 1
start_bird r2
mb_wait 30 "BIRD back, End-of-RIB, all $total routes fresh" settled $total
mb_assert_match 'End-of-RIB received \(ipv4\): 0 stale routes removed' "$(cat "$MB_WORK/m.log")" "End-of-RIB, nothing removed"
sleep 0.3
mb_stop poll
samples=$(wc -l <"$MB_WORK/poll.log")
min=$(awk '$2 != "x" { if (min == "" || $2 < min) min = $2 } END { print min }' "$MB_WORK/poll.log")
grsamples=$(awk '$3 > 0' "$MB_WORK/poll.log" | wc -l)
echo "NOTE: BIRD restarted (kill -9, then -R): $samples samples every 100 ms, $grsamples with BIRD's routes stale; at least $min of $total routes at every sample; routes lost: $((total - min))"
((grsamples >= 10)) || mb_fail "only $grsamples samples saw stale routes"
((min == total)) || mb_fail "metalbird lost $((total - min)) of BIRD's routes during its restart"

# --- a restart after which BIRD has one route less --------------------------------
# A session that failed twice within twice the error backoff waits longer
# before the next attempt (the session engine's oscillation damping): let
# this one last long enough to count as stable again.
sleep 9
kill_bird r2
mb_wait 5 "stale again" stale_all $total
mkconf $((N4 - 1))
start_bird r3
mb_wait 30 "BIRD back with $((total - 1)) routes" settled $((total - 1))
mb_assert_match 'End-of-RIB received \(ipv4\): 1 stale route removed' "$(cat "$MB_WORK/m.log")" "the one route gone"
mb_assert_nomatch '198\.51\.100\.99/32' "$(mb_ctl m show route protocol b4)" "the dropped route"

# --- a restart that never comes back: gone after the restart time (6 s) ---------
kill_bird r3
t0=$(_mb_now_us)
mb_wait 5 "stale again" stale_all $((total - 1))
mb_wait 10 "BIRD's routes gone after its restart time" has 0
gone=$((($(_mb_now_us) - t0) / 1000))
echo "NOTE: no restart: BIRD's routes removed after ${gone} ms (restart time 6 s)"
((gone >= 5500)) || mb_fail "routes removed after $gone ms, before the restart time"
mb_assert_match 'restart time expired: [0-9]+ stale routes removed' "$(cat "$MB_WORK/m.log")" "the log"
mb_stop m
