#!/bin/bash
# bench-statefile: how fast Service state reaches the route table.
#  1. 10,000 Services in the state file: from the rename of the file until
#     `show route count` sees every route; the daemon's own figure (read,
#     decode, allocate, announce) from its trace line; and its RSS.
#  2. 100,000 routes held (protocol static), one Service whose endpoint turns
#     ready (file rewritten): the time until its route is in the table, as the
#     daemon measures it (inotify wakeup to rte_update) and as a client polling
#     `show route` sees it; median of 10.
# Usage: tests/k8s-api/bench-statefile.sh [N_SERVICES] [N_ROUTES]
set -eu
# Run inside a network namespace of our own: the daemon's BGP protocol
# listens on the wildcard address, and nothing here may touch the host.
if [[ -z ${MB_IN_NS:-} ]]; then
	ip netns add mb-bench-sf
	trap 'ip netns del mb-bench-sf' EXIT
	ip -n mb-bench-sf link set lo up
	rc=0
	ip netns exec mb-bench-sf env MB_IN_NS=1 bash "$0" "$@" || rc=$?
	exit $rc
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-10000}
R=${2:-100000}
W=$(mktemp -d /tmp/mb-bench-k8s.XXXXXX)
MK=$top/tests/k8s-api/mkstate.py
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

ctl() { "$top/metalbirdc" -s "$W/mb.ctl" "$@"; }
now_ms() { date +%s%3N; }
start() {
	"$top/metalbird" -f -c "$W/metallb.conf" -s "$W/mb.ctl" >"$W/mb.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do ctl show status >/dev/null 2>&1 && return; sleep 0.1; done
	echo "daemon did not start"; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }

# --- 1: 10,000 Services ----------------------------------------------------
cat >"$W/metallb.conf" <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$W";
pool bench { addresses 100.64.0.0/16; }
protocol kubernetes k8s { state file "services.json"; debug { events }; }
# a BGP protocol (its peer never answers) so that no implicit layer-2
# protocol runs: this measures the source and the table
protocol bgp idle { neighbor 127.0.0.2 as 64512; local as 64513; connect retry time 600; }
CONF
start
python3 "$MK" "$W/big.json" "many:$N:ready=node-1"
size=$(stat -c %s "$W/big.json")
t0=$(now_ms)
mv "$W/big.json" "$W/services.json"
while :; do
	c=$(ctl show route count | grep -oE '^Total: [0-9]+ of' | grep -oE '[0-9]+' || true)
	[[ ${c:-0} -ge $N ]] && break
	(($(now_ms) - t0 > 60000)) && { echo "timeout"; exit 1; }
	sleep 0.005
done
t1=$(now_ms)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
inner=$(grep -oE 'read .*services.json: [0-9]+ services.* in [0-9.]+ ms \(sync [0-9.]+ ms\)' "$W/mb.log" | tail -1)
echo "1. $N Services (state file $((size / 1024)) KiB): file renamed -> $N routes seen by a client: $((t1 - t0)) ms"
echo "   daemon: ${inner#read }"
echo "   RSS $((rss / 1024)) MiB"
stop

# --- 2: one Service, R routes held ------------------------------------------
python3 - "$R" >"$W/static.conf" <<'PY'
import sys
n = int(sys.argv[1])
print("protocol static bulk {")
for i in range(n):
    print("\troute 100.%d.%d.%d/32;" % (64 + (i >> 16), (i >> 8) & 255, i & 255))
print("}")
PY
cat >"$W/metallb.conf" <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$W";
pool web { addresses 203.0.113.0/24; }
include "static.conf";
protocol kubernetes k8s { state file "services.json"; debug { events }; }
protocol bgp idle { neighbor 127.0.0.2 as 64512; local as 64513; connect retry time 600; }
CONF
python3 "$MK" "$W/services.json" svc:web/one:t=1:unready=node-1 node:node-1
start
for _ in $(seq 300); do
	c=$(ctl show route count | grep -oE '^Total: [0-9]+ of' | grep -oE '[0-9]+' || true)
	[[ ${c:-0} -ge $R ]] && break
	sleep 0.1
done
echo "2. $(ctl show route count | tail -1) held"
inner=() outer=()
for i in $(seq 10); do
	python3 "$MK" "$W/up.json" svc:web/one:t=1:ready=node-1 node:node-1
	python3 "$MK" "$W/down.json" svc:web/one:t=1:unready=node-1 node:node-1
	lines=$(grep -c 'services.json: 1 services' "$W/mb.log" || true)
	t0=$(date +%s%N)
	mv "$W/up.json" "$W/services.json"
	until ctl show route for 203.0.113.0 | grep -q '203.0.113.0/32'; do :; done
	t1=$(date +%s%N)
	outer+=($(((t1 - t0) / 1000)))
	for _ in $(seq 100); do
		[[ $(grep -c 'services.json: 1 services' "$W/mb.log") -gt $lines ]] && break
		sleep 0.01
	done
	inner+=("$(grep -oE 'services.json: 1 services.* in [0-9.]+ ms' "$W/mb.log" | tail -1 | grep -oE '[0-9.]+ ms$' | cut -d' ' -f1)")
	mv "$W/down.json" "$W/services.json"
	until ! ctl show route for 203.0.113.0 | grep -q '203.0.113.0/32'; do :; done
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "   endpoint ready -> route in table, daemon (inotify wakeup to rte_update): median $(med "${inner[@]}") ms of: ${inner[*]}"
echo "   the same seen by a polling client (includes metalbirdc start-ups): median $(med "${outer[@]}") us"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "   RSS $((rss / 1024)) MiB"
stop
