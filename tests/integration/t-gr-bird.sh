#!/bin/bash
# t-gr-bird: graceful restart (RFC 4724) with BIRD 2 as the receiving
# speaker.  metalbird announces 200 static routes over IPv4 and 20 over IPv6
# with `graceful restart on`; BIRD says `graceful restart on` too.  Then
# metalbird is killed with SIGKILL (no NOTIFICATION: a crash) and started
# again with -R: its OPEN carries the Restart State bit and the Forwarding
# State bit per family, so BIRD keeps the routes (stale) until our End-of-RIB.
# A poller reads BIRD's table every 100 ms through the whole restart; the
# count of routes BIRD lost at any moment must be 0, and at the end BIRD must
# have left graceful restart (the End-of-RIB came) with every route.
# BIRD 2 marks no single route stale: "Neighbor graceful restart active" in
# `show protocols all` is what says that its routes from us are stale.
# With MB_GR_CRASH=1 (t-gr-crash.sh) metalbird comes back WITHOUT -R: the
# marker it left in its state directory tells it that it crashed, so it
# restarts gracefully as with -R, and the same checks must hold.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

CRASH=${MB_GR_CRASH:-0}
if ((CRASH)); then
	NS=mb-grc	how="after a crash (no -R)"	restart_args=()
else
	NS=mb-gr	how="with -R"	restart_args=(-R)
fi

mb_ns_add $NS-m
mb_ns_add $NS-r
mb_link $NS-m veth-m 192.0.2.1/24 $NS-r veth-r 192.0.2.2/24
mb_addr $NS-m veth-m 2001:db8:1::1/64
mb_addr $NS-r veth-r 2001:db8:1::2/64

N4=200
N6=20
{
	echo 'router id 192.0.2.1;'
	echo 'log stderr all;'
	echo "state dir \"$MB_WORK/state\";"
	printf 'protocol static s4 {'
	for ((i = 0; i < N4; i++)); do printf ' route 198.51.100.%d/32;' "$i"; done
	echo ' }'
	printf 'protocol static s6 {'
	for ((i = 0; i < N6; i++)); do printf ' route 2001:db8:ff::%x/128;' "$i"; done
	echo ' }'
	cat <<'CONF'
protocol bgp b4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 2;
	next hop address 2001:db8:1::1;
	graceful restart on;
	graceful restart time 60;
}
CONF
} >"$MB_WORK/m.conf"

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp m4 {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	graceful restart on;
	ipv4 { import all; export none; };
	ipv6 { import all; export none; };
}
CONF

mb_metalbird m $NS-m "$MB_WORK/m.conf"
mb_bird r $NS-r "$MB_WORK/r.conf"

total=$((N4 + N6))
# one line per table ("200 of 200 routes for 200 networks in table master4")
bird_count() { mb_birdc r show route count protocol m4 | awk '/^[0-9]+ of [0-9]+ routes/ { n += $1 } END { print n + 0 }'; }
has_all() { [[ $(bird_count) == "$total" ]]; }
mb_wait 30 "BIRD has all $total routes from metalbird" has_all
st=$(mb_birdc r show protocols all m4)
mb_assert_nomatch 'graceful restart active' "$st" "BIRD before the restart"
st=$(printf '%s\n' "$st" | sed -n '/Neighbor capabilities/,/Session:/p')
# our GR capability as BIRD read it: families, and no restart yet
mb_assert_match 'AF supported: ipv4 ipv6' "$st" "GR capability: families"
mb_assert_nomatch 'Restart recovery|AF preserved: +ipv' "$st" "a first start has no R nor F bit"

# The poller: BIRD's route count every 100 ms, and 1 while BIRD holds them
# as stale.
cat >"$MB_WORK/poll.sh" <<POLL
#!/bin/bash
while :; do
	n=\$(birdc -s "$MB_WORK/r.ctl" show route count protocol m4 | awk '/^[0-9]+ of [0-9]+ routes/ { n += \$1 } END { print n + 0 }')
	s=\$(birdc -s "$MB_WORK/r.ctl" show protocols all m4 | grep -c 'Neighbor graceful restart active')
	echo "\${EPOCHREALTIME} \${n:-x} \$s"
	sleep 0.1
done
POLL
chmod +x "$MB_WORK/poll.sh"
mb_bg poll "$MB_WORK/poll.sh"
sleep 0.5

# --- the crash ---------------------------------------------------------------------
pid=$(mb_pid m)
mb_log "SIGKILL to metalbird (pid $pid)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
unset "_MB_PID[m]" "_MB_CHECK[m]"
sleep 1
# BIRD took the closed connection for a restart of ours and keeps the
# routes, stale, for our restart time (60 s)
gr=$(mb_birdc r show protocols all m4)
mb_assert_match 'Neighbor graceful restart active' "$gr" "BIRD in graceful restart"
mb_assert_match 'Restart timer: +[0-9.]+/' "$gr" "BIRD's restart timer"
kept=$(bird_count)
mb_log "BIRD keeps $kept routes (stale) while metalbird is down"
((kept == total)) || mb_fail "BIRD keeps $kept routes, want $total"
sleep 1

# --- back (with -R, or knowing from the state dir that it crashed) --------------
rm -f "$MB_WORK/m.ctl"
mb_metalbird m2 $NS-m "$MB_WORK/m.conf" "${restart_args[@]}"
((CRASH)) && mb_wait_log 5 m2 "metalbird.running is left from a run that did not stop cleanly"
fresh() {
	local st
	st=$(mb_birdc r show protocols all m4)
	[[ $(bird_count) == "$total" ]] && [[ $st == *Established* ]] &&
		[[ $st != *"graceful restart active"* ]]
}
mb_wait 30 "BIRD has all routes fresh again (End-of-RIB)" fresh
sleep 0.5
mb_stop poll
# -R: the Restart State bit, and the Forwarding State bit of both families
st=$(mb_birdc r show protocols all m4 | sed -n '/Neighbor capabilities/,/Session:/p')
mb_assert_match 'Restart recovery' "$st" "R bit after -R"
mb_assert_match 'AF preserved: ipv4 ipv6' "$st" "F bits after -R"

# --- what the poller saw ------------------------------------------------------------
samples=$(wc -l <"$MB_WORK/poll.log")
min=$(awk '$2 != "x" { if (min == "" || $2 < min) min = $2 } END { print min }' "$MB_WORK/poll.log")
grsamples=$(awk '$3 == 1' "$MB_WORK/poll.log" | wc -l)
lost=$((total - min))
echo "NOTE: graceful restart $how with BIRD 2: $samples samples every 100 ms, $grsamples of them while BIRD held our routes stale; at least $min of $total routes at every sample; routes lost: $lost"
((samples >= 20)) || mb_fail "only $samples samples"
((grsamples >= 10)) || mb_fail "the poller saw BIRD in graceful restart only $grsamples times"
((lost == 0)) || mb_fail "BIRD lost $lost routes during the restart"
mb_stop m2
