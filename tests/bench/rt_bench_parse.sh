#!/bin/sh
# rt_bench_parse.sh [N] -- the daemon with N static routes (default 1,000,000)
#
# Generates (at run time, in a temporary folder, never committed) a config of
# N /32 static routes from 100.64.0.0/10 plus 203.0.113.0/24, then reports:
#   - `metalbird -p` time for it (goal < 0.3 s for 1M);
#   - the daemon started on it: when its control socket answers, and how long
#     `show route count` then takes;
#   - `show route for 203.0.113.77` and `show route count` answered while
#     another client streams the whole table (`show route`), with both times;
#   - RSS bytes per route of the running daemon (config included).
# Uses the top-level metalbird and metalbirdc ($METALBIRD, $METALBIRDC).
# The config disables the implicit `protocol l2` (it would answer ARP for
# every /32): this measures the table.  As root the daemon runs in a network
# namespace of its own (mb-rtbench-PID), so nothing it does leaves it.
set -eu

N=${1:-1000000}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MB=${METALBIRD:-$TOP/metalbird}
MBC=${METALBIRDC:-$TOP/metalbirdc}
W=$(mktemp -d "${TMPDIR:-/tmp}/mb-rtbench.XXXXXX")
PID=
DUMP=
NS=
NSCMD=
if [ "$(id -u)" = 0 ]; then
	NS=mb-rtbench-$$
	ip netns add "$NS"
	NSCMD="ip netns exec $NS"
fi
cleanup() {
	[ -n "$DUMP" ] && kill "$DUMP" 2>/dev/null || true
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null || true
		i=0
		while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$PID" 2>/dev/null || true
	fi
	rm -rf "$W"
	[ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

python3 - "$N" "$W/big.conf" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
base = (100 << 24) | (64 << 16)
if n > (1 << 22):
    sys.exit("N too large for 100.64.0.0/10")
with open(path, "w") as f:
    f.write("router id 192.0.2.1;\nprotocol static big {\n")
    for i in range(n):
        a = base + i
        f.write("\troute %d.%d.%d.%d/32;\n" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255))
    f.write("\troute 203.0.113.0/24;\n}\nprotocol l2 { disabled; }\n")
EOF
echo "config: $N routes, $(wc -c <"$W/big.conf") bytes"

t=$(now)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "metalbird -p CPU: %U s user, %S s sys" "$MB" -p -c "$W/big.conf"
else
	"$MB" -p -c "$W/big.conf"
fi
echo "metalbird -p: $(since "$t") s wall"

S=$W/mb.ctl
t=$(now)
$NSCMD "$MB" -f -c "$W/big.conf" -s "$S" >"$W/daemon.log" 2>&1 &
PID=$!
i=0
until "$MBC" -s "$S" show status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "daemon did not answer in 60 s"; cat "$W/daemon.log"; exit 1; }
	kill -0 "$PID" 2>/dev/null || { echo "daemon died"; cat "$W/daemon.log"; exit 1; }
	sleep 0.1
done
echo "daemon answers after: $(since "$t") s"
t=$(now)
"$MBC" -s "$S" show route count
echo "show route count: $(since "$t") s"

# a second client streams the whole table meanwhile
t0=$(now)
"$MBC" -s "$S" show route >"$W/dump.txt" &
DUMP=$!
sleep 0.2
t=$(now)
out=$("$MBC" -s "$S" show route for 203.0.113.77)
echo "$out"
echo "$out" | grep -q '^203\.0\.113\.0/24 ' || { echo "show route for 203.0.113.77: no covering route"; exit 1; }
"$MBC" -s "$S" show route count | tail -1
echo "for + count during a full dump: $(since "$t") s"
wait "$DUMP"
DUMP=
lines=$(wc -l <"$W/dump.txt")
echo "full dump: $lines lines in $(since "$t0") s"
[ "$lines" -ge "$N" ] || { echo "full dump is short"; exit 1; }

rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$PID/status)
echo "daemon RSS: $rss kB, $(echo "scale=1; $rss * 1024 / $N" | bc) bytes/route (config included)"
"$MBC" -s "$S" show memory
