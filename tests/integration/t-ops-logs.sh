#!/bin/bash
# t-ops-logs: the daemon's log against a real BIRD 2 (SPEC section 6): one line
# per event in one format, with the protocol's name; every BGP session change
# with its reason (established with the neighbor's AS and id; down because the
# neighbor sent a Cease, because of our own restart, because the hold timer
# expired, with the NOTIFICATION's code and subcode in words).  And `debug` at
# run time: off by default (no trace lines), `debug tor all` turns tracing
# on for tor only, `debug tor off` turns it off again, `debug tor { states }`
# gives state lines but not events, a pattern selects by name, an unknown
# name is an error.
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-ol-m
mb_ns_add mb-ol-r
mb_link mb-ol-m veth-m 192.0.2.1/24 mb-ol-r veth-r 192.0.2.2/24

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol static s4 { route 203.0.113.7/32; }
filter out { if net ~ [203.0.113.0/24+] then accept; reject; }
protocol bgp tor {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	hold time 3;
	connect retry time 1;
	export filter out;
}
CONF
cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp m {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	hold time 3;
	connect delay time 1; connect retry time 1; error wait time 1, 2;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-ol-m "$MB_WORK/m.conf"
mb_bird r mb-ol-r "$MB_WORK/r.conf"
LOG=$MB_WORK/m.log
est() { mb_ctl m show protocols tor | grep -q Established; }
not_est() { ! est; }
nlines() { grep -cE "$1" "$LOG" || true; }
# wait_more N ERE: until the log has more than N lines matching ERE
more() { (($(nlines "$2") > $1)); }
wait_more() { mb_wait "${3:-10}" "a new log line /$2/" more "$1" "$2"; }

mb_wait 15 "tor Established" est
mb_wait_log 2 m '<INFO> tor: session established \(neighbor AS64512, id 192\.0\.2\.2, hold 3 s'
mb_assert_eq 0 "$(nlines '<TRACE>')" "trace lines with debug off"

# The neighbor shuts the session down: its Cease, decoded, is the reason.
re='tor: session down: Received: Cease / Administrative shutdown'
n=$(nlines "$re")
mb_birdc r disable m >/dev/null
wait_more "$n" "$re"
mb_assert_match '<RMT> tor: Received: Cease / Administrative shutdown' "$(cat "$LOG")" "the NOTIFICATION received, as a remote event"
mb_birdc r enable m >/dev/null
mb_wait 15 "tor Established again" est
# With a shutdown communication (RFC 9003): the operator's words are in the
# reason, on the same line.
re='tor: session down: .*Administrative shutdown.*maintenance window 42'
n=$(nlines "$re")
mb_birdc r 'disable m "maintenance window 42"' >/dev/null
wait_more "$n" "$re"
mb_birdc r enable m >/dev/null
mb_wait 15 "tor Established again" est

# debug tor all: trace lines (states and session events) for tor, none for s4.
mb_ctl m debug tor all >/dev/null || mb_fail "debug tor all"
t0=$(nlines '<TRACE>')
re='tor: session down: .*Cease / Administrative reset'
n=$(nlines "$re")
mb_ctl m restart tor >/dev/null || mb_fail "restart tor"
wait_more "$n" "$re"
mb_wait 15 "tor Established after restart" est
new=$(tail -n +1 "$LOG" | grep '<TRACE>' | tail -n +$((t0 + 1)))
mb_assert_match '<TRACE> tor: state changed from up to stop' "$new" "debug states trace"
mb_assert_match '<TRACE> tor: state (Connect|Active|OpenSent)' "$new" "debug events trace (session FSM)"
mb_assert_nomatch '<TRACE> s4:' "$new" "trace of a protocol not switched on"

# debug tor off: a restart traces nothing (the INFO lines stay).
mb_ctl m debug tor off >/dev/null || mb_fail "debug tor off"
t1=$(nlines '<TRACE>')
n=$(nlines 'tor: session established')
mb_ctl m restart tor >/dev/null
wait_more "$n" 'tor: session established' 15
mb_assert_eq "$t1" "$(nlines '<TRACE>')" "trace lines after debug tor off"

# debug tor { states }: state changes, not session events.
mb_ctl m debug tor '{' states '}' >/dev/null || mb_fail "debug tor { states }"
n=$(nlines 'tor: session established')
mb_ctl m restart tor >/dev/null
wait_more "$n" 'tor: session established' 15
new=$(grep '<TRACE>' "$LOG" | tail -n +$((t1 + 1)))
mb_assert_match '<TRACE> tor: state changed from' "$new" "states trace"
mb_assert_nomatch '<TRACE> tor: state (Idle|Connect|Active|OpenSent|OpenConfirm|Established)$' "$new" "events traced with { states }"
t2=$(nlines '<TRACE>')

# A pattern; an unknown name is an error.
mb_ctl m debug '"t*"' off >/dev/null || mb_fail 'debug "t*" off'
mb_ctl m restart tor >/dev/null
mb_wait 15 "tor Established (pattern off)" est
sleep 0.2
mb_assert_eq "$t2" "$(nlines '<TRACE>')" 'trace lines after debug "t*" off'
out=$(mb_ctl m debug nosuch all) && mb_fail "debug of an unknown protocol succeeded: $out"

# The hold timer: BIRD stops; our NOTIFICATION and the reason are logged.
re='tor: session down: .*Hold timer expired'
n=$(nlines "$re")
kill -STOP "$(mb_pid r)"
wait_more "$n" "$re" 10
kill -CONT "$(mb_pid r)"
mb_wait 15 "tor Established after the hold timer" est

# `debug protocols` in the config, applied by a reload (the session stays).
t3=$(nlines '<TRACE>')
sed -i 's/^log stderr all;$/log stderr all;\ndebug protocols { states };/' "$MB_WORK/m.conf"
grep -q '^debug protocols { states };' "$MB_WORK/m.conf" || mb_fail "test config not changed"
n=$(nlines 'tor: session established')
d=$(nlines 'tor: session down')
mb_ctl m configure >/dev/null || mb_fail "configure with debug protocols"
sleep 0.5
mb_assert_eq "$d" "$(nlines 'tor: session down')" "session downs after a reload that changes only debug"
mb_ctl m restart tor >/dev/null
wait_more "$n" 'tor: session established' 15
new=$(grep '<TRACE>' "$LOG" | tail -n +$((t3 + 1)))
mb_assert_match '<TRACE> tor: state changed from up to stop' "$new" "states trace from the config"
mb_assert_nomatch '<TRACE> tor: state (Idle|Connect|Active|OpenSent|OpenConfirm|Established)$' "$new" "events traced with debug protocols { states }"

# Every line: one format, one line per event; BGP lines name the protocol.
bad=$(grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} <(DBG|TRACE|INFO|RMT|WARN|ERR|AUTH|FATAL|BUG)> [^ ]' "$LOG" || true)
[[ -z $bad ]] || mb_fail "log lines not in the format: $bad"
bad=$(grep -iE 'session|notification|hold timer|cease' "$LOG" | grep -vE '> tor: ' || true)
[[ -z $bad ]] || mb_fail "session lines without the protocol name: $bad"
grep -E '> tor: session (established|down)' "$LOG" | sed 's/^/    /' >&2
mb_log "logs: session changes with reasons, debug switches tracing per protocol at run time"
