#!/bin/sh
# tests/convert/run.sh -- golden tests of metalbird-convert
#
# For each tests/convert/NAME.yaml (MetalLB configuration, mostly MetalLB's
# own documented examples):
#   - with NAME.conf: metalbird-convert must exit 0 and print exactly
#     NAME.conf, and `metalbird -p` must accept that output;
#   - with NAME.err: metalbird-convert must exit 1 and print exactly NAME.err
#     (FILE:LINE: message) on stderr.
# The `metalbird -p` check needs the grammar of every protocol the output
# uses.  While a protocol's grammar is not in the tree yet, the daemon calls
# it unknown; a minimal block of that protocol is tried first, and if the
# daemon says "unknown" the check is skipped with a SKIP line that names
# the protocol and quotes the daemon.  Any other outcome is asserted.
#
# `sh tests/convert/run.sh [-u]`: -u rewrites NAME.conf / NAME.err from the
# current output (review the diff before committing it).
# Prints PASS/FAIL/SKIP lines and "N passed, N failed, N skipped" last;
# exits 1 when anything failed.

set -u
cd "$(dirname "$0")/../.." || exit 1

update=0
[ "${1:-}" = "-u" ] && update=1

if ! make -s metalbird-convert >/dev/null; then
	echo "FAIL: cannot build metalbird-convert"
	exit 1
fi
daemon=1
make -s metalbird >/dev/null 2>&1 && [ -x ./metalbird ] || daemon=0

tmp=$(mktemp -d /tmp/mb-convert.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0 fail=0 skip=0
ok()   { echo "PASS: $*"; pass=$((pass + 1)); }
bad()  { echo "FAIL: $*"; fail=$((fail + 1)); }
skip() { echo "SKIP: $*"; skip=$((skip + 1)); }

# probe KIND: 0 when the grammar knows protocol KIND; else 1 with the
# daemon's message in $tmp/probe.err
probe() {
	case $1 in
	bgp) printf 'protocol bgp p {\n\tneighbor 198.51.100.1 as 64512;\n\tlocal as 64513;\n}\n' ;;
	l2) printf 'protocol l2 p {\n\texport none;\n}\n' ;;
	bfd) printf 'protocol bfd {\n\tinterface "*" {\n\t\tinterval 300 ms;\n\t\tmultiplier 3;\n\t};\n}\n' ;;
	*) printf 'protocol %s p {\n}\n' "$1" ;;
	esac > "$tmp/probe.conf"
	./metalbird -p -c "$tmp/probe.conf" > /dev/null 2> "$tmp/probe.err" && return 0
	grep -q unknown "$tmp/probe.err" && return 1
	return 0	# a real failure: let the check itself report it
}

for y in tests/convert/*.yaml; do
	base=${y%.yaml}
	name=$(basename "$base")
	if [ -f "$base.err" ] || { [ $update = 1 ] && [ "${name#err-}" != "$name" ]; }; then
		./metalbird-convert "$y" > "$tmp/out" 2> "$tmp/err"
		rc=$?
		if [ $update = 1 ]; then
			cp "$tmp/err" "$base.err"
		fi
		if [ $rc -ne 1 ]; then
			bad "$name: exit $rc, expected 1"
		elif ! diff -u "$base.err" "$tmp/err"; then
			bad "$name: error message differs"
		elif [ -s "$tmp/out" ]; then
			bad "$name: printed a config although it failed"
		else
			ok "$name: rejected with $(cat "$tmp/err")"
		fi
		continue
	fi
	./metalbird-convert "$y" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $update = 1 ] && [ $rc = 0 ] && cp "$tmp/out" "$base.conf"
	if [ $rc -ne 0 ]; then
		bad "$name: exit $rc: $(cat "$tmp/err")"
		continue
	fi
	if [ ! -f "$base.conf" ]; then
		bad "$name: no $base.conf (run with -u to write it)"
		continue
	fi
	if ! diff -u "$base.conf" "$tmp/out"; then
		bad "$name: output differs from $base.conf"
		continue
	fi
	ok "$name: output is $base.conf"

	if [ $daemon = 0 ]; then
		skip "$name: metalbird -p: metalbird does not build in this tree"
		continue
	fi
	missing=
	for kind in $(sed -n 's/^protocol \([a-z0-9]*\).*/\1/p' "$tmp/out" | sort -u); do
		if ! probe "$kind"; then
			missing="$missing $kind"
			why=$(head -n 1 "$tmp/probe.err")
		fi
	done
	if [ -n "$missing" ]; then
		skip "$name: metalbird -p: the installed grammar does not know protocol$missing yet (metalbird -p: $why)"
		continue
	fi
	if ./metalbird -p -c "$tmp/out" 2> "$tmp/perr"; then
		ok "$name: metalbird -p accepts the output"
	else
		bad "$name: metalbird -p rejects the output: $(cat "$tmp/perr")"
	fi
done

echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
