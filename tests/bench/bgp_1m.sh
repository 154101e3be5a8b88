#!/bin/bash
# tests/bench/bgp_1m.sh -- announce N (default 1,000,000) IPv4 /32 routes to a
# BIRD 2 receiver on loopback, once from metalbird's `protocol static` and
# once from BIRD 2's own `protocol static`, and print for each sender:
#   start -> Established, Established -> 99% and -> 100% of the routes at the
#   receiver, sender CPU seconds, sender peak RSS, bytes on the wire, and the
#   ratios (BIRD / metalbird).
# Run by hand as root:  sh tests/bench/bgp_1m.sh [N]
# Then each sender is reconfigured with one route removed and one added:
# the time until the receiver has both changes, and that it got exactly
# one announcement and one withdrawal.
# $METALBIRD, $METALBIRDC name the binaries (default: the top-level ones);
# BENCH_BIRD=0 skips the BIRD sender (no ratios then).
# The prefixes come from 100.64.0.0/10 and live only inside BGP messages.
# Addresses: receiver 127.0.1.1, metalbird 127.0.1.2, BIRD sender 127.0.1.3.
set -eu
N=${1:-1000000}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MB=${METALBIRD:-$TOP/metalbird}
MBC=${METALBIRDC:-$TOP/metalbirdc}
W=$(mktemp -d /tmp/mb-bench-bgp.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT

# N /32s from 100.64.0.0 upwards, one route statement a line
gen_routes() { # FORMAT
	awk -v n="$N" -v fmt="$1" 'BEGIN { for (i = 0; i < n; i++) {
		a = 64 + int(i / 65536); b = int(i / 256) % 256; c = i % 256;
		printf fmt, a, b, c } }'
}

cat >"$W/recv.conf" <<EOF
router id 127.0.1.1;
log "$W/recv.log" all;
protocol device { }
protocol bgp from_m {
	local 127.0.1.1 as 64512; neighbor 127.0.1.2 as 64513; multihop; strict bind on;
	connect delay time 1; connect retry time 1; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp from_b {
	local 127.0.1.1 as 64512; neighbor 127.0.1.3 as 64514; multihop; strict bind on;
	connect delay time 1; connect retry time 1; error wait time 1, 3;
	ipv4 { import all; export none; };
}
EOF
{
	echo "router id 127.0.1.2;"
	echo "protocol static s {"
	gen_routes '	route 100.%d.%d.%d/32;\n'
	echo "}"
	echo "protocol bgp to_recv { neighbor 127.0.1.1 as 64512; local 127.0.1.2 as 64513; multihop 2; connect retry time 1; }"
} >"$W/m.conf"
{
	echo "router id 127.0.1.3;"
	echo "protocol device { }"
	echo "protocol static st { ipv4;"
	gen_routes '	route 100.%d.%d.%d/32 blackhole;\n'
	echo "}"
	echo "protocol bgp to_recv { local 127.0.1.3 as 64514; neighbor 127.0.1.1 as 64512; multihop; strict bind on;"
	echo "	connect delay time 1; connect retry time 1; error wait time 1, 3;"
	echo "	ipv4 { import none; export all; }; }"
} >"$W/b.conf"

bird -f -c "$W/recv.conf" -s "$W/recv.ctl" -P "$W/recv.pid" &
PIDS="$PIDS $!"
for i in $(seq 100); do birdc -s "$W/recv.ctl" show status >/dev/null 2>&1 && break; sleep 0.1; done

now() { date +%s.%N; }
imported() { # PROTOCOL
	birdc -s "$W/recv.ctl" show protocols all "$1" | awk '/Routes:/ { print $2; exit }'
}
cpu_s() { # PID: utime+stime in seconds
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}
rss_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
wire_bytes() { # local address of the sender: bytes it sent on its BGP connection
	ss -tin "( src $1 and ( dport = :179 or sport = :179 ) )" | grep -o 'bytes_sent:[0-9]*' | head -n 1 | cut -d: -f2
}

# the receiver's import counters for PROTOCOL: "updates withdraws"
import_stats() {
	birdc -s "$W/recv.ctl" show protocols all "$1" |
		awk '/Import updates:/ { u = $3 } /Import withdraws:/ { w = $3 } END { print u + 0, w + 0 }'
}

# Take the first route out of CONF and add one after the last, then run
# the reload command; wait for the receiver to see both changes.
reconf() { # NAME PROTO CONF RELOAD_CMD...
	local name=$1 proto=$2 conf=$3 s u0 w0 u1 w1 t0 t1=""
	shift 3
	awk '/^\troute / && !done { done = 1; next } /^}/ && !added { print "\troute 100.127.255.255/32" suffix ";"; added = 1 } { print }' \
		suffix="$(grep -m1 '^	route ' "$conf" | sed 's|^	route [^ ;]*||; s|;$||')" "$conf" >"$conf.new"
	mv "$conf.new" "$conf"
	s=$(import_stats "$proto")
	u0=${s% *} w0=${s#* }
	t0=$(now)
	"$@" >/dev/null
	local deadline=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		s=$(import_stats "$proto")
		u1=${s% *} w1=${s#* }
		if [ "$u1" -gt "$u0" ] && [ "$w1" -gt "$w0" ]; then t1=$(now); break; fi
		sleep 0.01
	done
	[ -n "$t1" ] || { echo "$name: the reload never reached the receiver"; exit 1; }
	sleep 0.5
	s=$(import_stats "$proto")
	u1=${s% *} w1=${s#* }
	awk -v n="$name" -v a="$t0" -v b="$t1" -v u=$((u1 - u0)) -v w=$((w1 - w0)) \
		'BEGIN { printf "%-10s reload, 1 route out and 1 in: %6.3f s; the receiver got %d announcement(s), %d withdrawal(s)\n", n, b - a, u, w }'
	[ $((u1 - u0)) = 1 ] && [ $((w1 - w0)) = 1 ] || { echo "$name: the reload sent more than the difference"; exit 1; }
}

run() { # NAME PROTO SENDER_ADDR RELOAD_CMD CMD...
	local name=$1 proto=$2 addr=$3 reload=$4
	shift 4
	local t0 pid t_est="" t99="" t100="" n
	t0=$(now)
	"$@" &
	pid=$!
	PIDS="$PIDS $pid"
	local p99=$((N * 99 / 100))
	local deadline=$(($(date +%s) + 300))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		kill -0 "$pid" 2>/dev/null || { echo "$name: the sender exited"; exit 1; }
		if [ -z "$t_est" ] && birdc -s "$W/recv.ctl" show protocols "$proto" | grep -q Established; then
			t_est=$(now)
		fi
		if [ -n "$t_est" ]; then
			n=$(imported "$proto")
			n=${n:-0}
			[ -z "$t99" ] && [ "$n" -ge "$p99" ] && t99=$(now)
			if [ "$n" -ge "$N" ]; then t100=$(now); break; fi
		fi
		sleep 0.01
	done
	[ -n "$t100" ] || { echo "$name: the receiver never got all $N routes"; exit 1; }
	sleep 0.5
	local cpu rss wire
	cpu=$(cpu_s "$pid")
	rss=$(rss_mb "$pid")
	wire=$(wire_bytes "$addr")
	awk -v n="$name" -v t0="$t0" -v te="$t_est" -v t99="$t99" -v t100="$t100" -v cpu="$cpu" -v rss="$rss" -v w="$wire" \
		'BEGIN { printf "%-10s start->Established %6.3f s   ->99%% %6.3f s   ->100%% %6.3f s   start->100%% %6.3f s   CPU %5.2f s   peak RSS %7.1f MB   wire %.2f MB\n",
			n, te - t0, t99 - te, t100 - te, t100 - t0, cpu, rss, w / 1e6 }' | tee -a "$W/results"
	echo "$name $(awk -v a="$t0" -v b="$t100" 'BEGIN { print b - a }') $cpu $rss $wire" >>"$W/raw"
	eval "$reload"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

# the packing floor: 23-octet UPDATE header+lengths, the attributes, 5 octets a /32
echo "$N routes; packing floor with 4096-octet UPDATEs:"
awk -v n="$N" 'BEGIN { attrs = 4 + 9 + 7; per = int((4096 - 23 - attrs) / 5); msgs = int((n + per - 1) / per);
	printf "  %d messages, %.2f MB (+ OPEN/KEEPALIVE/End-of-RIB)\n", msgs, (msgs * (23 + attrs) + n * 5) / 1e6 }'
echo "metalbird -p of the config:"
t0=$(now); "$MB" -p -c "$W/m.conf"; t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  %.3f s\n", b - a }'
run metalbird from_m 127.0.1.2 'reconf metalbird from_m "$W/m.conf" "$MBC" -s "$W/m.ctl" configure' "$MB" -f -c "$W/m.conf" -s "$W/m.ctl"
[ "${BENCH_BIRD:-1}" = 0 ] && exit 0
run bird from_b 127.0.1.3 'reconf bird from_b "$W/b.conf" birdc -s "$W/b.ctl" configure' bird -f -c "$W/b.conf" -s "$W/b.ctl" -P "$W/b.pid"
awk 'NR == 1 { m_t = $2; m_c = $3; m_r = $4; m_w = $5 } NR == 2 { printf "ratios BIRD/metalbird: time %.1fx, CPU %.1fx, RSS %.1fx, wire %.3fx\n", $2 / m_t, $3 / m_c, $4 / m_r, $5 / m_w }' "$W/raw"
