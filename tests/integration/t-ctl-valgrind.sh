#!/bin/bash
# t-ctl-valgrind: the daemon under valgrind --leak-check=full through a start,
# a few commands (show, configure check, a failing and a good configure), a
# SIGHUP reload and SIGTERM: no invalid access, and nothing definitely,
# indirectly or possibly lost at exit (the running and the undo config are
# freed at exit).  Skipped, and said so, when valgrind is not installed.
# needs: root
# timeout: 180
. "$(dirname "$0")/lib.sh"

# The daemon runs in a namespace of its own: whatever it starts (a config
# without BGP gets an implicit layer-2 protocol) never sees the host's links.
# (named with our PID: several runs of the suite may share a machine)
mb_ns_add mb-ctl-valgrind-$$

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not installed: skipped (apt-get install valgrind)"
	exit 0
fi
# The sanitizer build cannot run under valgrind.
if nm -a "$METALBIRD" 2>/dev/null | grep -q __asan_init; then
	echo "$METALBIRD is a sanitizer build: skipped"
	exit 0
fi

conf=$MB_WORK/metallb.conf
write_conf() {	# write_conf FILE NAME...
	local f=$1 n i=1
	shift
	{
		echo 'router id 192.0.2.1;'
		echo "state dir \"$MB_WORK\";"
		echo 'pool p { addresses 203.0.113.0/24, 2001:db8::/120; service selector "tier=gold"; }'
		for n; do
			echo "protocol static $n { description \"$n\"; route 198.51.100.$i/32; }"
			i=$((i + 1))
		done
	} >"$f"
}
write_conf "$conf" a b c

# A wrapper that is the daemon's own PID (exec), so that lib.sh's SIGTERM
# and exit-status checks see valgrind's verdict: exit 99 on any error.
vg=$MB_WORK/metalbird-vg
cat >"$vg" <<SH
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \\
	--log-file="$MB_WORK/valgrind.log" "$METALBIRD" "\$@"
SH
chmod +x "$vg"
METALBIRD=$vg mb_metalbird mb mb-ctl-valgrind-$$ "$conf"

mb_ctl mb show status >/dev/null
mb_ctl mb show protocols all >/dev/null
mb_ctl mb show protocols json >/dev/null
mb_ctl mb show memory >/dev/null
mb_ctl mb help >/dev/null
write_conf "$MB_WORK/next.conf" a c d e
out=$(mb_ctl mb configure check "\"$MB_WORK/next.conf\"")
mb_assert_match 'protocol d \(static\): added' "$out" "configure check"
printf 'pool x {\n\taddresses 203.0.113.9/24;\n}\n' >"$MB_WORK/bad.conf"
mb_ctl mb configure "\"$MB_WORK/bad.conf\"" >/dev/null 2>&1 && mb_fail "a bad configure succeeded"
out=$(mb_ctl mb configure "\"$MB_WORK/next.conf\"")
mb_assert_match 'Reconfigured' "$out" "configure"
write_conf "$conf" a b
kill -HUP "$(mb_pid mb)"
mb_wait_log 20 mb "Reconfiguring from $conf"
out=$(mb_ctl mb show protocols)
mb_assert_nomatch '^e ' "$out" "protocols after SIGHUP"

mb_stop mb 60
mb_assert_eq 0 "$MB_STATUS" "exit status under valgrind (valgrind.log: $(head -c 3000 "$MB_WORK/valgrind.log"))"
if grep -qE 'Invalid (read|write|free)|uninitialised|definitely lost|indirectly lost|possibly lost' "$MB_WORK/valgrind.log"; then
	sed 's/^/    | /' "$MB_WORK/valgrind.log" | head -n 80 >&2
	mb_fail "valgrind found errors"
fi
