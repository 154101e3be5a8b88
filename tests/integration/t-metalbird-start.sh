#!/bin/bash
# t-metalbird-start: the daemon starts in a namespace with a minimal config,
# greets on its control socket, answers `show status` through metalbirdc with
# its router id, and on SIGTERM exits 0 and removes its control socket (SPEC
# "Signals").  Under CI's sanitizer pass it runs the ASan/UBSan build, and
# mb_stop fails the test on any sanitizer report.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

mb_ns_add mb-start
cat >"$MB_WORK/metallb.conf" <<CONF
router id 192.0.2.77;
log stderr all;
state dir "$MB_WORK/state";
CONF
mkdir -p "$MB_WORK/state"

mb_metalbird mb mb-start "$MB_WORK/metallb.conf"
out=$(mb_ctl mb show status)
mb_assert_match 'Router ID is 192\.0\.2\.77' "$out" "show status"

# It keeps serving after a client has come and gone.
mb_ctl mb show status >/dev/null

mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status on SIGTERM"
[[ ! -e $MB_WORK/mb.ctl ]] || mb_fail "control socket left behind after SIGTERM"
