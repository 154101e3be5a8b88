#!/bin/bash
# t-ctl-slow-reader: a control client that sends `show protocols all` a
# thousand times and never reads its replies does not stall the others: while
# it is connected, other clients' replies keep arriving within a bound; and it
# is cut off (SPEC: "a slow reader is buffered, a runaway one cut off").
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"

# The daemon runs in a namespace of its own: whatever it starts (a config
# without BGP gets an implicit layer-2 protocol) never sees the host's links.
# (named with our PID: several runs of the suite may share a machine)
mb_ns_add mb-ctl-slow-$$

conf=$MB_WORK/metallb.conf
{
	echo 'router id 192.0.2.1;'
	echo "state dir \"$MB_WORK\";"
	for i in $(seq 1 30); do
		echo "protocol static s$i { description \"static number $i\"; route 203.0.113.$i/32; }"
	done
} >"$conf"
mb_metalbird mb mb-ctl-slow-$$ "$conf"

# The hog: writes the commands as fast as the daemon takes them, reads
# nothing, and reports when the daemon has hung up on it.
cat >"$MB_WORK/hog.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.setblocking(False)
data = b"show protocols all\n" * 1000
sent, start = 0, time.time()
while time.time() - start < float(sys.argv[2]):
    try:
        sent += s.send(data[sent:] if sent < len(data) else b"\n")
    except BlockingIOError:
        pass
    except (BrokenPipeError, ConnectionResetError):
        print("cut off after %.1f s" % (time.time() - start), flush=True)
        sys.exit(0)
    time.sleep(0.02)
print("still connected after %.1f s" % (time.time() - start), flush=True)
sys.exit(1)
PY
mb_bg hog python3 "$MB_WORK/hog.py" "$MB_WORK/mb.ctl" 40
mb_wait_log 10 mb "." # the daemon has logged its start
sleep 1

# Others keep getting replies, each within 2 s, while the hog is connected.
n=0
while mb_alive hog && ((n < 40)); do
	t0=$EPOCHREALTIME
	out=$(timeout 5 "$METALBIRDC" -s "$MB_WORK/mb.ctl" show protocols all s7) ||
		mb_fail "a client got no reply while the hog was connected"
	t1=$EPOCHREALTIME
	mb_assert_match 'Description: +static number 7$' "$out" "reply during the hog"
	ms=$(( (${t1/[.,]/} - ${t0/[.,]/}) / 1000 ))
	((ms < 2000)) || mb_fail "a reply took $ms ms while the hog was connected"
	n=$((n + 1))
	sleep 0.5
done
((n >= 5)) || mb_fail "only $n replies were tried while the hog was connected"

mb_wait 30 "hog cut off" bash -c "! kill -0 $(mb_pid hog) 2>/dev/null"
mb_stop hog
mb_assert_eq 0 "$MB_STATUS" "the hog was cut off (hog.log: $(cat "$MB_WORK/hog.log"))"
mb_wait_log 5 mb "control client has read nothing for [0-9]+ s .*disconnecting"

out=$(mb_ctl mb show status)
mb_assert_match 'Daemon is up and running' "$out" "status after the hog"
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status on SIGTERM"
