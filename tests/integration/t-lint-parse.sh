#!/bin/bash
# t-lint-parse: `metalbird -p` as the CI linter (SPEC section 2):
# - a valid config: exit 0, nothing on stdout or stderr;
# - an invalid one: exit 1, one line FILE:LINE:COL: message on stderr,
#   nothing on stdout; also for a missing file;
# - -p -v prints the canonical form, which parses again to the same form;
# - doc/examples/metallb.conf passes;
# - the golden tests of tests/conf (run.sh) pass with this binary.
# timeout: 120
. "$(dirname "$0")/lib.sh"

lint() {	# lint ARGS...: sets rc, out, err
	rc=0
	"$METALBIRD" -p "$@" >"$MB_WORK/out" 2>"$MB_WORK/err" || rc=$?
	out=$(<"$MB_WORK/out")
	err=$(<"$MB_WORK/err")
}

# the example shipped in doc/
lint -c "$MB_TOP/doc/examples/metallb.conf"
mb_assert_eq 0 "$rc" "exit status on doc/examples/metallb.conf (stderr: $err)"
mb_assert_eq "" "$out$err" "output on a valid config"

# -p -v: canonical form, stable under a second round
lint -v -c "$MB_TOP/doc/examples/metallb.conf"
mb_assert_eq 0 "$rc" "exit status of -p -v"
mb_assert_eq "" "$err" "stderr of -p -v"
mb_assert_match '^pool production \{$' "$out" "canonical dump"
mb_assert_match '^	avoid buggy ips yes;$' "$out" "canonical dump"
mb_assert_match '^	auto assign yes;$' "$out" "canonical dump: defaults shown"
printf '%s\n' "$out" >"$MB_WORK/dump1.conf"
lint -v -c "$MB_WORK/dump1.conf"
mb_assert_eq 0 "$rc" "exit status on the dump ($err)"
printf '%s\n' "$out" >"$MB_WORK/dump2.conf"
cmp -s "$MB_WORK/dump1.conf" "$MB_WORK/dump2.conf" ||
	mb_fail "the canonical dump changes when parsed again: $(diff "$MB_WORK/dump1.conf" "$MB_WORK/dump2.conf")"

# errors: exit 1, FILE:LINE:COL on stderr only
bad=$MB_WORK/bad.conf
printf 'pool a {\n\taddresses 203.0.113.0/24;\n}\npool b {\n\taddresses 203.0.113.128/25;\n}\n' >"$bad"
lint -c "$bad"
mb_assert_eq 1 "$rc" "exit status on overlapping pools"
mb_assert_eq "" "$out" "stdout on an error"
mb_assert_eq "$bad:5:12: pool 'b' addresses 203.0.113.128/25 overlap pool 'a' addresses 203.0.113.0/24 ($bad:2:12)" "$err" "overlap error"
lint -v -c "$bad"
mb_assert_eq 1 "$rc" "exit status of -p -v on an error"
mb_assert_eq "" "$out" "stdout of -p -v on an error"

printf 'protocol bgp tor {\n\tlocal as 65535;\n\tneighbor 198.51.100.1 as 64512;\n}\n' >"$bad"
lint -c "$bad"
mb_assert_eq 1 "$rc" "exit status on local as 65535"
mb_assert_match "^$bad:2:11: .*65535" "$err" "local as 65535"

lint -c "$MB_WORK/none.conf"
mb_assert_eq 1 "$rc" "exit status on a missing file"
mb_assert_eq "" "$out" "stdout on a missing file"
mb_assert_match "none\.conf.*No such file" "$err" "missing file"

# a relative -c: errors name the file as given
(cd "$MB_WORK" && printf 'rooter id 1.2.3.4;\n' >rel.conf && "$METALBIRD" -p -c rel.conf 2>err2) && mb_fail "rel.conf passed"
mb_assert_eq "rel.conf:1:1: unknown statement 'rooter'" "$(<"$MB_WORK/err2")" "relative name"

# the golden tests
out=$(METALBIRD=$METALBIRD sh "$MB_TOP/tests/conf/run.sh" 2>&1) || {
	printf '%s\n' "$out" | tail -n 40 >&2
	mb_fail "golden config tests failed"
}
mb_assert_match '^[0-9]+ passed, 0 failed$' "$out" "golden tests"
