#!/bin/sh
# tests/conf/run.sh [--regen] [NAME...] -- golden tests of the config language.
#
# For every tests/conf/NAME.conf (or the NAMEs given), run, inside tests/conf,
#   metalbird -p -v -c NAME.conf
# and compare with the golden file:
#   err-NAME.conf  must fail: exit 1, nothing on stdout, and stderr exactly
#                  as in err-NAME.err (FILE:LINE:COL: message);
#   ok-NAME.conf   must pass: exit 0, nothing on stderr, and stdout (the
#                  canonical dump) exactly as in ok-NAME.ok.
# The prefix says what is expected, so that --regen (make regen-conf) cannot
# turn a failing test into a passing one: it rewrites the golden files only
# when the outcome (pass/fail) is the one the name promises.  Reviewers read
# the diffs of the golden files.
#
# $METALBIRD names the binary (default: the top-level build).  Prints one line
# per failure and "N passed, N failed" last; exit 1 if any failed.

top=$(cd "$(dirname "$0")/../.." && pwd)
METALBIRD=${METALBIRD:-$top/metalbird}
regen=0
if [ "${1:-}" = --regen ]; then
	regen=1
	shift
fi
cd "$top/tests/conf" || exit 2
[ -x "$METALBIRD" ] || { echo "run.sh: no metalbird at $METALBIRD (run make)" >&2; exit 2; }

if [ $# -eq 0 ]; then
	set -- *.conf
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mb-conf.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
for f; do
	name=${f%.conf}
	[ -f "$name.conf" ] || { echo "FAIL $name: no $name.conf"; failed=$((failed + 1)); continue; }
	rc=0
	# bounded: a parser that loops must not hang the suite
	timeout 10 "$METALBIRD" -p -v -c "$name.conf" >"$tmp/out" 2>"$tmp/err" || rc=$?
	case $name in
	err-*) want=1 gold=$name.err got=$tmp/err other=$tmp/out ;;
	ok-*) want=0 gold=$name.ok got=$tmp/out other=$tmp/err ;;
	*) echo "FAIL $name: name must start with err- or ok-"; failed=$((failed + 1)); continue ;;
	esac
	why=
	if [ "$rc" != "$want" ]; then
		why="exit status $rc, expected $want"
	elif [ -s "$other" ]; then
		why="unexpected output on the other stream: $(head -c 300 "$other")"
	fi
	if [ -z "$why" ] && [ $regen = 1 ]; then
		cmp -s "$got" "$gold" 2>/dev/null || { cp "$got" "$gold"; echo "regenerated $gold"; }
	fi
	if [ -z "$why" ] && ! cmp -s "$got" "$gold" 2>/dev/null; then
		why="output differs from $gold:
$(diff -u "$gold" "$got" 2>&1 | head -n 20)"
	fi
	if [ -n "$why" ]; then
		echo "FAIL $name: $why"
		[ -s "$tmp/err" ] && sed 's/^/    stderr| /' "$tmp/err" | head -n 5
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
