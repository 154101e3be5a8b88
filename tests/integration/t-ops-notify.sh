#!/bin/bash
# t-ops-notify: sd_notify readiness (doc/metalbird.service, Type=notify).  A
# small Python listener plays systemd's part: it binds the AF_UNIX datagram
# socket named by $NOTIFY_SOCKET and writes down every datagram.  Checked:
# READY=1 comes once, with MAINPID of the daemon, and when it comes the
# control socket already answers (the listener connects at that moment);
# SIGHUP gives RELOADING=1 (with MONOTONIC_USEC) then READY=1, also for a
# config that fails; `metalbirdc configure` likewise; STOPPING=1 at
# shutdown, last.  Then the same with an abstract socket name (@...), and a
# daemon that forks (no -f): MAINPID is the daemon's, not the parent's.  And
# the watchdog: WATCHDOG=1 every half $WATCHDOG_USEC, unless $WATCHDOG_PID
# names another process.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

mb_need python3
mb_ns_add mb-on

cat >"$MB_WORK/listener.py" <<'EOF'
# listener.py SOCKET OUT CTL: systemd's side of sd_notify.  One line per
# datagram in OUT: the assignments joined by '|'; after the first READY=1,
# a line "CTL <greeting or error>" from connecting to the control socket.
import os, socket, sys, time
path, out, ctl = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
ready = False
end = time.monotonic() + 55
with open(out, "a", buffering=1) as f:
    f.write("LISTENING\n")
    while time.monotonic() < end:
        s.settimeout(1)
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        f.write("|".join(l for l in data.decode().split("\n") if l) + "\n")
        if b"READY=1" in data and not ready:
            ready = True
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.settimeout(2)
            try:
                c.connect(ctl)
                f.write("CTL " + c.recv(4096).decode().strip() + "\n")
            except OSError as e:
                f.write(f"CTL error {e}\n")
EOF

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol static s4 { route 203.0.113.7/32; }
CONF
cp "$MB_WORK/m.conf" "$MB_WORK/good.conf"

# listen NAME SOCKET CTL: start a listener (in the daemon's namespace, which
# an abstract name needs) and wait until it is bound.
listen() {
	: >"$MB_WORK/$1.out"
	mb_bg "$1" ip netns exec mb-on python3 "$MB_WORK/listener.py" "$2" "$MB_WORK/$1.out" "$3"
	mb_wait 5 "listener $1 bound" grep -q LISTENING "$MB_WORK/$1.out"
}
# lines NAME: the datagrams so far (without the marker lines)
lines() { grep -v '^LISTENING$' "$MB_WORK/$1.out" | grep -v '^CTL ' || true; }
count() { lines "$1" | grep -c "$2" || true; }
has_n() { [[ $(count "$1" "$2") -ge $3 ]]; }

# --- a path, -f ---------------------------------------------------------------
listen n1 "$MB_WORK/notify.sock" "$MB_WORK/m.ctl"
NOTIFY_SOCKET=$MB_WORK/notify.sock mb_metalbird m mb-on "$MB_WORK/m.conf"
pid=$(mb_pid m)
mb_wait 5 "READY=1" has_n n1 'READY=1' 1
first=$(lines n1 | head -n 1)
mb_assert_match "^READY=1\|.*MAINPID=$pid(\||$)" "$first" "first datagram (READY=1 with the daemon's MAINPID)"
mb_assert_match '^CTL 0001 metalbird .* ready\.' "$(cat "$MB_WORK/n1.out")" "control socket answers when READY=1 arrives"

# SIGHUP: RELOADING=1 (with the monotonic time) then READY=1.
kill -HUP "$pid"
mb_wait 5 "READY=1 after SIGHUP" has_n n1 'READY=1' 2
mb_assert_eq 3 "$(lines n1 | wc -l)" "datagrams after one SIGHUP"
mb_assert_match '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$' "$(lines n1 | sed -n 2p)" "second datagram"
mb_assert_match '^READY=1\|' "$(lines n1 | sed -n 3p)" "third datagram"
mono=$(lines n1 | sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p' | tail -n 1)
now=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)')
((now >= mono && now - mono < 5000000)) || mb_fail "MONOTONIC_USEC $mono is not CLOCK_MONOTONIC (now $now)"

# A config that fails to load still ends the reload with READY=1.
echo 'protocol static broken { route 203.0.113.8/32 }' >>"$MB_WORK/m.conf"
kill -HUP "$pid"
mb_wait 5 "READY=1 after a failed SIGHUP reload" has_n n1 'READY=1' 3
mb_assert_match '^RELOADING=1' "$(lines n1 | sed -n 4p)" "RELOADING=1 before a failed reload"
mb_wait_log 2 m 'Reconfiguration failed'

# `metalbirdc configure` (the unit's ExecReload) likewise.
cp "$MB_WORK/good.conf" "$MB_WORK/m.conf"
mb_ctl m configure >/dev/null || mb_fail "configure"
mb_wait 5 "READY=1 after configure" has_n n1 'READY=1' 4
mb_assert_match '^RELOADING=1\|MONOTONIC_USEC=' "$(lines n1 | sed -n 6p)" "RELOADING=1 for configure"
mb_assert_match '^READY=1\|' "$(lines n1 | sed -n 7p)" "READY=1 for configure"

# Shutdown: STOPPING=1, and nothing after it.
mb_stop m
mb_wait 3 "STOPPING=1" has_n n1 'STOPPING=1' 1
mb_assert_match '^STOPPING=1' "$(lines n1 | tail -n 1)" "last datagram"
mb_assert_eq "$(count n1 'READY=1')" "$(count n1 "MAINPID=$pid")" "every READY=1 names the daemon"
lines n1 | sed "s/^/    datagram: /" >&2
mb_stop n1

# --- an abstract name, and a daemon that forks ----------------------------------
abs=@mb-notify-$$
listen n2 "$abs" "$MB_WORK/d.ctl"
NOTIFY_SOCKET=$abs ip netns exec mb-on "$METALBIRD" -c "$MB_WORK/m.conf" -s "$MB_WORK/d.ctl" \
	-P "$MB_WORK/d.pid" >"$MB_WORK/d.log" 2>&1 || mb_fail "metalbird (forking) did not start"
mb_on_exit '[[ -s $MB_WORK/d.pid ]] && kill -TERM "$(cat "$MB_WORK/d.pid")" 2>/dev/null'
mb_wait 5 "READY=1 on the abstract socket" has_n n2 'READY=1' 1
dpid=$(cat "$MB_WORK/d.pid")
mb_assert_match "MAINPID=$dpid(\||$)" "$(lines n2 | head -n 1)" "MAINPID of the forked daemon (pid file says $dpid)"
mb_assert_match '^CTL 0001 ' "$(cat "$MB_WORK/n2.out")" "control socket of the forked daemon answers at READY=1"
"$METALBIRDC" -s "$MB_WORK/d.ctl" down >/dev/null || mb_fail "down"
mb_wait 5 "STOPPING=1 from down" has_n n2 'STOPPING=1' 1
mb_wait 5 "the forked daemon exits" sh -c "! kill -0 $dpid 2>/dev/null"
# --- the watchdog (WatchdogSec=): WATCHDOG=1 at half the period -------------------
listen n3 "$MB_WORK/wd.sock" "$MB_WORK/w.ctl"
NOTIFY_SOCKET=$MB_WORK/wd.sock WATCHDOG_USEC=400000 mb_metalbird w mb-on "$MB_WORK/m.conf"
mb_wait 5 "READY=1 (watchdog run)" has_n n3 'READY=1' 1
c0=$(count n3 '^WATCHDOG=1$')
sleep 1.1
c1=$(count n3 '^WATCHDOG=1$')
((c1 - c0 >= 4 && c1 - c0 <= 7)) || mb_fail "$((c1 - c0)) WATCHDOG=1 in 1.1 s with WATCHDOG_USEC=400000 (expected about 5)"
mb_stop w
# WATCHDOG_PID naming another process: not ours to feed.
: >"$MB_WORK/n3.out"
NOTIFY_SOCKET=$MB_WORK/wd.sock WATCHDOG_USEC=400000 WATCHDOG_PID=1 mb_metalbird w2 mb-on "$MB_WORK/m.conf"
mb_wait 5 "READY=1 (other WATCHDOG_PID)" has_n n3 'READY=1' 1
sleep 0.7
mb_assert_eq 0 "$(count n3 '^WATCHDOG=1$')" "WATCHDOG=1 when WATCHDOG_PID is another process"
mb_log "sd_notify: READY/RELOADING/STOPPING in order, MAINPID right, path and abstract sockets, watchdog"
