#!/bin/bash
# t-ctl-down: `metalbirdc down` gets its reply ("Shutdown requested", exit
# 0) before the daemon goes: the daemon stops, exits 0 and removes its
# control socket; a second client connected at that moment is closed, not
# left hanging.  (A `down` handled while the protocols stop at once used to
# free the control connection under the command that asked for it.)
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

# The daemon runs in a namespace of its own: whatever it starts (a config
# without BGP gets an implicit layer-2 protocol) never sees the host's links.
# (named with our PID: several runs of the suite may share a machine)
mb_ns_add mb-ctl-down-$$

conf=$MB_WORK/metallb.conf
printf 'router id 192.0.2.1;\nstate dir "%s";\nprotocol static s { route 203.0.113.1/32; }\n' "$MB_WORK" >"$conf"
mb_metalbird mb mb-ctl-down-$$ "$conf"
sock=$MB_WORK/mb.ctl

# a second, idle client: it must see the end of the connection
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(20)
buf = s.recv(4096)
open(sys.argv[2], "w").close()		# greeted: now ask for the shutdown
while True:
    d = s.recv(4096)
    if not d: break
    buf += d
sys.exit(0 if buf.startswith(b"0001 ") else 1)
' "$sock" "$MB_WORK/idle-ready" &
idle=$!
mb_wait 10 "the idle client is connected" test -e "$MB_WORK/idle-ready"

rc=0
out=$(mb_ctl mb down 2>&1) || rc=$?
mb_assert_eq 0 "$rc" "metalbirdc down exit status ($out)"
mb_assert_eq "Shutdown requested" "$out" "down reply"
pid=$(mb_pid mb)
mb_wait 10 "metalbird exits after down" bash -c "! kill -0 $pid 2>/dev/null"
wait "$idle" || mb_fail "the idle client was not closed cleanly"
[[ ! -e $sock ]] || mb_fail "control socket left behind after down"
# it ended by itself, as asked: reap it without the SIGTERM check
unset '_MB_CHECK[mb]'
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status after down"
if grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$MB_WORK/mb.log"; then
	mb_fail "sanitizer report: $(grep -A20 -E 'Sanitizer|runtime error' "$MB_WORK/mb.log" | head -40)"
fi
mb_assert_match 'Shutdown completed' "$(<"$MB_WORK/mb.log")" "log"
