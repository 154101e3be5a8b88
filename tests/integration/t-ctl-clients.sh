#!/bin/bash
# t-ctl-clients: 20 metalbirdc clients at once each get their own, correct
# reply (SPEC section 2: several clients at once), and each finishes within a
# bound; then the daemon still answers and exits 0 on SIGTERM.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

# The daemon runs in a namespace of its own: whatever it starts (a config
# without BGP gets an implicit layer-2 protocol) never sees the host's links.
# (named with our PID: several runs of the suite may share a machine)
mb_ns_add mb-ctl-clients-$$

conf=$MB_WORK/metallb.conf
{
	echo 'router id 192.0.2.1;'
	echo "state dir \"$MB_WORK\";"
	for i in $(seq 1 20); do
		echo "protocol static s$i { description \"static number $i\"; route 203.0.113.$i/32; }"
	done
} >"$conf"
mb_metalbird mb mb-ctl-clients-$$ "$conf"

pids=()
for i in $(seq 1 20); do
	# each asks for something different, so that crossed replies would show
	timeout 10 "$METALBIRDC" -s "$MB_WORK/mb.ctl" show protocols all "s$i" >"$MB_WORK/c$i.out" 2>&1 &
	pids+=($!)
done
for i in $(seq 1 20); do
	rc=0
	wait "${pids[i - 1]}" || rc=$?
	mb_assert_eq 0 "$rc" "client $i exit status"
	out=$(<"$MB_WORK/c$i.out")
	mb_assert_match "^s$i +Static +--- +up " "$out" "client $i"
	mb_assert_match "Description: +static number $i\$" "$out" "client $i"
	n=$(grep -c 'Description:' <<<"$out")
	mb_assert_eq 1 "$n" "client $i: descriptions in its reply"
done

# and 20 at once in JSON, checked by a JSON parser
pids=()
for i in $(seq 1 20); do
	timeout 10 "$METALBIRDC" -s "$MB_WORK/mb.ctl" show protocols "s$i" json >"$MB_WORK/j$i.out" 2>&1 &
	pids+=($!)
done
for i in $(seq 1 20); do
	wait "${pids[i - 1]}" || mb_fail "json client $i failed: $(<"$MB_WORK/j$i.out")"
	name=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["protocols"][0]["name"], len(d["protocols"]))' "$MB_WORK/j$i.out") ||
		mb_fail "client $i: not JSON: $(<"$MB_WORK/j$i.out")"
	mb_assert_eq "s$i 1" "$name" "json client $i"
done

# A client that sends its commands and closes its sending side (as
# `echo CMD | socat - UNIX-CONNECT:...` does) still gets every reply in full,
# the last command even without its newline, and then the end of the stream.
out=$(timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show protocols all\nshow status")
s.shutdown(socket.SHUT_WR)
buf = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.stdout.write(buf.decode())
' "$MB_WORK/mb.ctl") || mb_fail "half-closed client: no complete reply"
n=$(grep -c 'Description:' <<<"$out")
mb_assert_eq 20 "$n" "half-closed client: protocols in the reply"
mb_assert_match '^0013 Daemon is up and running$' "$(tail -n 1 <<<"$out")" "half-closed client: last line"

out=$(mb_ctl mb show status)
mb_assert_match 'Daemon is up and running' "$out" "status after the clients"
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status on SIGTERM"
