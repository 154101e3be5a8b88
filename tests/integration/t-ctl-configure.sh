#!/bin/bash
# t-ctl-configure: reconfiguration through the control socket and signals,
# driven with the real metalbirdc (SPEC sections 2, 4 and 5):
# - a bad `configure` leaves the old config running, and the client exits 1
#   printing FILE:LINE:COL: message;
# - `configure check` on a good file reports the plan (added, removed,
#   changed) and changes nothing; `configure` then applies it;
# - restricted mode: `metalbirdc -r configure` is refused with 8007, `show`
#   works;
# - SIGHUP reloads the -c file (a bad one is logged and ignored);
# - SIGTERM exits 0 and removes the control socket.
# The daemon runs with static protocols only.
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"

# The daemon runs in a namespace of its own: whatever it starts (a config
# without BGP gets an implicit layer-2 protocol) never sees the host's links.
# (named with our PID: several runs of the suite may share a machine)
mb_ns_add mb-ctl-conf-$$

conf=$MB_WORK/metallb.conf
sock=$MB_WORK/mb.ctl
write_conf() {	# write_conf FILE NAME...: one static protocol per name
	local f=$1
	shift
	{
		echo 'router id 192.0.2.1;'
		echo "state dir \"$MB_WORK\";"
		echo 'pool p { addresses 203.0.113.0/24; }'
		local n i=1
		for n; do
			echo "protocol static $n { route 198.51.100.$i/32; }"
			i=$((i + 1))
		done
	} >"$f.tmp"
	mv "$f.tmp" "$f"
}
protos() {	# the protocol names `show protocols` lists, space separated
	mb_ctl mb show protocols | awk '$2 == "Static" { print $1 }' | sort | tr '\n' ' '
}

write_conf "$conf" alpha beta
mb_metalbird mb mb-ctl-conf-$$ "$conf"
mb_assert_eq "alpha beta " "$(protos)" "protocols at start"

# --- a bad configure: exit 1, FILE:LINE:COL on the client, nothing changes
bad=$MB_WORK/bad.conf
printf 'router id 192.0.2.1;\nprotocol static gamma {\n\troute 198.51.100.9/32\n}\n' >"$bad"
rc=0
out=$(mb_ctl mb configure "\"$bad\"" 2>&1) || rc=$?
mb_assert_eq 1 "$rc" "metalbirdc exit status on a bad configure"
mb_assert_match "^$bad:4:1: missing ';' before '}'\$" "$out" "configure error"
mb_assert_eq "alpha beta " "$(protos)" "protocols after a bad configure"
out=$(mb_ctl mb show status)
mb_assert_match 'Daemon is up and running' "$out" "status after a bad configure"

# --- configure check reports the plan and changes nothing
good=$MB_WORK/good.conf
write_conf "$good" gamma alpha
out=$(mb_ctl mb configure check "\"$good\"")
mb_assert_match 'protocol gamma \(static\): added' "$out" "plan"
mb_assert_match 'protocol beta \(static\): removed' "$out" "plan"
mb_assert_match 'protocol alpha \(static\): changed in place: routes changed' "$out" "plan"
mb_assert_match 'Configuration OK' "$out" "plan"
mb_assert_eq "alpha beta " "$(protos)" "protocols after configure check"
rc=0
out=$(mb_ctl mb configure check "\"$bad\"" 2>&1) || rc=$?
mb_assert_eq 1 "$rc" "configure check of a bad file"
mb_assert_match "^$bad:4:1: " "$out" "configure check error"

# --- configure applies it
out=$(mb_ctl mb configure "\"$good\"")
mb_assert_match 'Reconfigured' "$out" "configure reply"
mb_assert_eq "alpha gamma " "$(protos)" "protocols after configure"

# --- restricted mode: the daemon refuses, not only the client
rc=0
out=$("$METALBIRDC" -r -v -s "$sock" configure 2>&1) || rc=$?
mb_assert_eq 1 "$rc" "metalbirdc -r configure exit status"
mb_assert_match '^8007 ' "$out" "restricted configure"
mb_assert_eq "alpha gamma " "$(protos)" "protocols after a refused configure"
# a raw client that asks for restriction itself cannot leave it
out=$(printf 'restrict\ndown\nshow status\n' | timeout 5 socat -t 2 - "UNIX-CONNECT:$sock" 2>&1 || true)
mb_assert_match '^8007 ' "$out" "down after restrict"
mb_assert_match '^0013 Daemon is up and running' "$out" "show after restrict"
out=$("$METALBIRDC" -r -s "$sock" show status)
mb_assert_match 'Daemon is up and running' "$out" "metalbirdc -r show status"

# --- SIGHUP reloads the -c file
write_conf "$conf" alpha delta epsilon
kill -HUP "$(mb_pid mb)"
mb_wait 10 "SIGHUP reload" bash -c "[[ \"\$(\"$METALBIRDC\" -s \"$sock\" show protocols)\" == *epsilon* ]]"
mb_assert_eq "alpha delta epsilon " "$(protos)" "protocols after SIGHUP"
cp "$bad" "$conf"
kill -HUP "$(mb_pid mb)"
mb_wait_log 10 mb "Reconfiguration failed.*$conf:4:1: missing ';'"
mb_assert_eq "alpha delta epsilon " "$(protos)" "protocols after SIGHUP with a bad file"

# --- SIGTERM: exit 0, socket removed
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status on SIGTERM"
[[ ! -e $sock ]] || mb_fail "control socket left behind after SIGTERM"
