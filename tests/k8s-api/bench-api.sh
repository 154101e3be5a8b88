#!/bin/bash
# bench-api: API mode, N Services held (default 10,000, each with a ready
# endpoint, so N routes), then one more Service's EndpointSlice turns ready
# by a watch event: the time the daemon takes from the event's arrival to
# the route in the table (its sync trace), and the time a client polling
# `show route for` sees; median of 10.  Then, by the daemon's sync trace,
# median of 10: a Service modified where the allocator does not read (an
# annotation), and a new LoadBalancer Service (the allocator runs).  Also
# the time from start to all N routes (LIST of everything) and RSS.
# Usage: tests/k8s-api/bench-api.sh [N]
set -eu
# Run inside a network namespace of our own: the daemon's BGP protocol
# listens on the wildcard address, and nothing here may touch the host.
if [[ -z ${MB_IN_NS:-} ]]; then
	ip netns add mb-bench-api
	trap 'ip netns del mb-bench-api' EXIT
	ip -n mb-bench-api link set lo up
	rc=0
	ip netns exec mb-bench-api env MB_IN_NS=1 bash "$0" "$@" || rc=$?
	exit $rc
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
K=$top/tests/k8s-api
N=${1:-10000}
W=$(mktemp -d /tmp/mb-bench-api.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
[[ -n ${KEEP_LOG:-} ]] && trap 'cp "$W/mb.log" "$KEEP_LOG"; cleanup' EXIT
cd "$W"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=mb-bench-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile san.ext 2>/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
API=https://127.0.0.1:$port
echo tok >token
python3 "$K/mkstate.py" initial.json "many:$N:ready=node-1" svc:web/one:t=1:unready=node-1 node:node-1
python3 "$K/server.py" "$port" srv.crt srv.key tok initial.json ready >api.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s ready ]] && break; sleep 0.1; done
cat >metallb.conf <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$W";
pool bench { addresses 100.64.0.0/16; }
protocol kubernetes k8s { api server "$API"; token file "token"; ca file "ca.crt"; debug { events }; }
protocol bgp idle { neighbor 127.0.0.2 as 64512; local as 64513; connect retry time 600; }
CONF
ctl() { "$top/metalbirdc" -s "$W/mb.ctl" "$@"; }
t0=$(date +%s%3N)
"$top/metalbird" -f -c metallb.conf -s "$W/mb.ctl" >mb.log 2>&1 &
pids+=($!)
mbpid=$!
while :; do
	c=$(ctl show route count 2>/dev/null | grep -oE '^Total: [0-9]+ of' | grep -oE '[0-9]+' || true)
	[[ ${c:-0} -ge $N ]] && break
	(($(date +%s%3N) - t0 > 120000)) && { echo timeout; exit 1; }
	sleep 0.01
done
echo "API mode, $N Services: start -> $N routes in $(($(date +%s%3N) - t0)) ms (LIST of everything over TLS)"
inner=() outer=()
for i in $(seq 10); do
	lines=$(grep -c 'synced' mb.log || true)
	t0=$(date +%s%N)
	python3 "$K/mock.py" "$API" ca.crt put svc:web/one:t=1:ready=node-1:only=slice
	until ctl show route for 100.64.0.0 >/dev/null 2>&1 && ctl show services web/one | grep -q announced; do :; done
	t1=$(date +%s%N)
	outer+=($(((t1 - t0) / 1000000)))
	inner+=("$(grep 'synced' mb.log | tail -1 | grep -oE 'in [0-9.]+ ms' | grep -oE '[0-9.]+')")
	python3 "$K/mock.py" "$API" ca.crt put svc:web/one:t=1:unready=node-1:only=slice
	until ctl show services web/one | grep -q 'no serving endpoint'; do :; done
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "one EndpointSlice ready -> route in the table, daemon sync: median $(med "${inner[@]}") ms of: ${inner[*]}"
echo "the same seen by a client (python mock call + polling metalbirdc): median $(med "${outer[@]}") ms"
# the sync line after line $1 of mb.log that matches $2
sync_ms() { tail -n +$(($1 + 1)) mb.log | grep 'synced' | grep -E "$2" | tail -1 | grep -oE 'in [0-9.]+ ms' | grep -oE '[0-9.]+'; }
upd=() new=()
for i in $(seq 10); do
	lines=$(wc -l <mb.log)
	python3 "$K/mock.py" "$API" ca.crt put "svc:web/one:t=1:unready=node-1:only=svc:ann=example.com/rev=$i"
	until [[ -n $(sync_ms "$lines" .) ]]; do sleep 0.005; done
	upd+=("$(sync_ms "$lines" .)")
	lines=$(wc -l <mb.log)
	python3 "$K/mock.py" "$API" ca.crt put "svc:web/new$i:t=86399:ready=node-1"
	until ctl show services "web/new$i" 2>/dev/null | grep -q announced; do sleep 0.005; done
	new+=("$(sync_ms "$lines" '[ (][1-9][0-9]* changed')")
done
echo "one Service modified (an annotation only), daemon sync: median $(med "${upd[@]}") ms of: ${upd[*]}"
echo "a new LoadBalancer Service (allocator run), daemon sync: median $(med "${new[@]}") ms of: ${new[*]}"
echo "RSS $(($(awk '/VmRSS/ {print $2}' "/proc/$mbpid/status") / 1024)) MiB"
