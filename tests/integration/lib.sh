# tests/integration/lib.sh -- the shell library every integration test sources.
#
#   #!/bin/bash
#   # needs: root
#   # timeout: 60
#   . "$(dirname "$0")/lib.sh"
#
# It gives each test a work folder ($MB_WORK), network namespaces named mb-*,
# veth pairs and bridges with documentation addresses only, bounded waits, and
# background processes (real BGP peers, metalbird itself) that are all ended by
# PID and whose namespaces are deleted by a trap that runs however the test
# ends: normally, by a failed assertion, by `set -e`, or by a signal from the
# runner's timeout.  On failure the work folder (configs and logs) is copied to
# $MB_KEEP when the runner sets it, and the tail of every log is printed.
#
# The library turns on `set -eu` (not pipefail: `cmd | grep -q` would fail
# on SIGPIPE).  Helpers fail the test through mb_fail, which exits: do not call
# them inside $(...), where exit leaves only the subshell.
#
# Everything the test creates is also written to $MB_REGISTRY (one line each:
# "ns NAME", "pid PID STARTTIME", "frr PID", "work DIR") so that the runner can
# clean up after a test it had to kill with SIGKILL.
#
# The command lines below were tried by hand on Debian 12 (bird2 2.0.12,
# frr 8.4, gobgpd 3.10, exabgp 4.2.21, openbgpd 7.7); see ../shared/PEERS.md.

set -eu

MB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MB_TEST=$(basename "$0" .sh)
MB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/mb-$MB_TEST.XXXXXX")
# Daemons that drop privileges (FRR runs as frr) must reach their folders.
chmod 0711 "$MB_WORK"
MB_REGISTRY=${MB_REGISTRY:-$MB_WORK/registry}
METALBIRD=${METALBIRD:-$MB_TOP/metalbird}
METALBIRDC=${METALBIRDC:-$MB_TOP/metalbirdc}
export MB_TOP MB_WORK

declare -gA _MB_PID=()		# name -> PID of a running background process
declare -gA _MB_STATUS=()	# name -> exit status once stopped
declare -gA _MB_CHECK=()	# name -> 1: must exit 0 on SIGTERM, no sanitizer report
declare -gA _MB_NSOF=()		# peer name -> namespace it runs in ("" = this one)
declare -gA _MB_PORT=()		# gobgpd name -> API port
declare -ga _MB_ORDER=()	# names in start order
declare -ga _MB_NS=()		# namespaces this test created
declare -ga _MB_ERRORS=()	# failures found while stopping processes
declare -ga _MB_NSCMD=()	# prefix that runs a command in a namespace
declare -ga _MB_ATEXIT=()	# commands (strings) registered by mb_on_exit
_MB_PORTN=0

printf 'work %s\n' "$MB_WORK" >>"$MB_REGISTRY"

# The test's own stdout and stderr, kept so that the cleanup can report even
# when the shell ends inside a redirection (an `exit` or a `set -u` error in a
# command run with `2>/dev/null` or `>"$out" 2>&1` would otherwise take the
# cleanup's whole report with it).
exec {_MB_OUTFD}>&1 {_MB_ERRFD}>&2

# --- messages and assertions ---------------------------------------------

mb_log() {
	printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2
}

mb_fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# mb_assert_eq EXPECTED ACTUAL [WHAT]
mb_assert_eq() {
	[[ "$1" == "$2" ]] ||
		mb_fail "${3:-value}: expected '$1', got '$2'"
}

# mb_assert_match REGEX TEXT [WHAT]: TEXT (may be many lines) has a line
# matching the extended regular expression.
mb_assert_match() {
	printf '%s\n' "$2" | grep -qE -- "$1" && return 0
	printf '%s\n' "$2" | sed 's/^/    | /' >&2
	mb_fail "${3:-output} does not match /$1/"
}

# mb_assert_nomatch REGEX TEXT [WHAT]
mb_assert_nomatch() {
	printf '%s\n' "$2" | grep -qE -- "$1" || return 0
	printf '%s\n' "$2" | sed 's/^/    | /' >&2
	mb_fail "${3:-output} matches /$1/"
}

# mb_need PROGRAM...: fail early, with a clear message, if one is missing.
mb_need() {
	local p
	for p; do
		command -v "$p" >/dev/null 2>&1 ||
			mb_fail "$p not found (run: sh tools/install-deps)"
	done
}

# --- time -------------------------------------------------------------------

# Microseconds since the epoch, from bash's own clock (no fork).
_mb_now_us() {
	local t=$EPOCHREALTIME
	printf '%s' "${t//[.,]/}"
}

# Seconds (integer or decimal, e.g. 2 or 0.5) as microseconds.
_mb_us() {
	local s=$1 int frac
	[[ $s =~ ^([0-9]*)(\.([0-9]{1,6}))?$ ]] || mb_fail "bad number of seconds '$s'"
	int=${BASH_REMATCH[1]:-0}
	frac=${BASH_REMATCH[3]:-0}
	while ((${#frac} < 6)); do frac+=0; done
	printf '%s' $((10#$int * 1000000 + 10#$frac))
}

# /proc/PID/stat is read with `read`, never with $(<file): under set -e,
# bash 5.2 ends the whole shell when $(<file) cannot open its file, even in a
# `|| return` context, and a process may go (and be reaped) at any moment.

# A process is running when /proc has it and it is not a zombie.
_mb_running() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

# Field 22 of /proc/PID/stat: start time, which tells a PID from a reused one.
_mb_starttime() {
	local st f
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
	st=${st##*) }
	read -r -a f <<<"$st"
	printf '%s' "${f[19]:-}"
}

# _mb_poll TIMEOUT DESCRIPTION WATCH_PID CMD...: run CMD every 0.1 s until it
# succeeds; fail with DESCRIPTION after TIMEOUT seconds, or at once when
# WATCH_PID (if not empty) has died.
_mb_poll() {
	local timeout=$1 desc=$2 watch=$3 deadline out=$MB_WORK/.poll.out
	shift 3
	deadline=$(($(_mb_now_us) + $(_mb_us "$timeout")))
	while :; do
		if "$@" >"$out" 2>&1; then
			return 0
		fi
		if [[ -n $watch ]] && ! _mb_running "$watch"; then
			sed 's/^/    | /' "$out" >&2
			mb_fail "$desc: the process (pid $watch) ended"
		fi
		if (($(_mb_now_us) >= deadline)); then
			echo "    last output of: $*" >&2
			tail -n 20 "$out" | sed 's/^/    | /' >&2
			mb_fail "timed out after ${timeout}s waiting for: $desc"
		fi
		sleep 0.1
	done
}

# mb_wait TIMEOUT_SECONDS DESCRIPTION CMD...: poll CMD every 0.1 s until it
# exits 0; fail the test with DESCRIPTION (and CMD's last output) on timeout.
mb_wait() {
	(($# >= 3)) || mb_fail "usage: mb_wait TIMEOUT DESCRIPTION CMD..."
	local t=$1 d=$2
	shift 2
	_mb_poll "$t" "$d" "" "$@"
}

# mb_wait_log SECS NAME ERE: wait until the log of background process NAME
# has a line matching ERE (e.g. a NOTIFICATION a peer logged).
mb_wait_log() {
	local t=$1 name=$2 re=$3
	_mb_poll "$t" "/$re/ in $name.log" "" grep -qE -- "$re" "$MB_WORK/$name.log"
}

# mb_free_port: print a TCP port that is free on 127.0.0.1 now (for tests on
# the host's loopback; inside a namespace of our own any port is free).
mb_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- namespaces and links ---------------------------------------------------

_mb_register() {
	printf '%s\n' "$*" >>"$MB_REGISTRY"
}

# Sets _MB_NSCMD to the prefix that runs a command in namespace NS; an empty
# NS or "-" means this (the root) namespace, i.e. loopback tests.
_mb_nscmd() {
	if [[ -z ${1:-} || $1 == - ]]; then
		_MB_NSCMD=()
	else
		_MB_NSCMD=(ip netns exec "$1")
	fi
}

# mb_in NS CMD...: run CMD inside namespace NS ("-" = here).
mb_in() {
	local ns=$1
	shift
	_mb_nscmd "$ns"
	"${_MB_NSCMD[@]}" "$@"
}

_mb_ns_exists() {
	[[ -e /run/netns/$1 ]]
}

# mb_ns_add NAME: a new network namespace with lo up, deleted at exit.
mb_ns_add() {
	local ns=$1
	[[ $ns =~ ^mb-[A-Za-z0-9_-]{1,40}$ ]] ||
		mb_fail "namespace name '$ns' must be mb- followed by letters, digits, - or _"
	if _mb_ns_exists "$ns"; then
		mb_fail "namespace $ns exists already (left over? check and: ip netns del $ns)"
	fi
	ip netns add "$ns" || mb_fail "ip netns add $ns failed"
	_MB_NS+=("$ns")
	_mb_register ns "$ns"
	ip -n "$ns" link set lo up
}

_mb_ifname_ok() {
	[[ $1 =~ ^[A-Za-z0-9_-]{1,15}$ ]] ||
		mb_fail "interface name '$1': up to 15 letters, digits, - or _"
}

# Only documentation and loopback addresses may be put on an interface.
_mb_addr_ok() {
	local a=${1%/*}
	a=${a,,}
	case $a in
	192.0.2.* | 198.51.100.* | 203.0.113.* | 127.*) return 0 ;;
	2001:db8:* | 2001:0db8:* | ::1) return 0 ;;
	esac
	mb_fail "address $1 is outside 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32"
}

# An interface up, without IPv6 duplicate address detection (which would
# delay every address, link-local included, by a second or two).
_mb_if_up() {
	local ns=$1 ifn=$2
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifn.accept_dad=0" >/dev/null 2>&1 || true
	ip -n "$ns" link set "$ifn" up
}

# mb_addr NS IF ADDRESS/LEN: add an address (IPv6 without DAD).
mb_addr() {
	local ns=$1 ifn=$2 a=$3
	[[ $a == */* ]] || mb_fail "mb_addr: '$a' needs a prefix length"
	_mb_addr_ok "$a"
	if [[ $a == *:* ]]; then
		ip -n "$ns" addr add "$a" dev "$ifn" nodad
	else
		ip -n "$ns" addr add "$a" dev "$ifn"
	fi
}

# mb_veth NS1 IF1 NS2 IF2: a veth pair from NS1 to NS2 (NS1 may equal NS2),
# both ends up.  Both ends are created directly in their namespaces.
mb_veth() {
	local ns1=$1 if1=$2 ns2=$3 if2=$4
	_mb_ifname_ok "$if1"
	_mb_ifname_ok "$if2"
	ip link add name "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2" ||
		mb_fail "cannot create veth $ns1/$if1 -- $ns2/$if2"
	_mb_if_up "$ns1" "$if1"
	_mb_if_up "$ns2" "$if2"
}

# mb_link NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair with one address on each
# end ("-" for none).
mb_link() {
	mb_veth "$1" "$2" "$4" "$5"
	[[ $3 == - ]] || mb_addr "$1" "$2" "$3"
	[[ $6 == - ]] || mb_addr "$4" "$5" "$6"
}

# mb_bridge NS BR: a bridge inside namespace NS (no STP, no multicast
# snooping, so ARP and NDP are flooded to every port at once).
mb_bridge() {
	local ns=$1 br=$2
	_mb_ifname_ok "$br"
	ip -n "$ns" link add name "$br" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		mb_fail "cannot create bridge $ns/$br"
	_mb_if_up "$ns" "$br"
}

# mb_bridge_port BRNS BR NS IF [ADDR]: connect namespace NS to bridge BR
# (in BRNS) by a veth whose end in NS is IF; optionally give IF an address.
# The bridge-side end is named <BR>-<n>; its name is left in MB_PORT.
mb_bridge_port() {
	local brns=$1 br=$2 ns=$3 ifn=$4 a=${5:--} port
	_MB_PORTN=$((_MB_PORTN + 1))
	port=${br:0:10}-$_MB_PORTN
	mb_veth "$brns" "$port" "$ns" "$ifn"
	ip -n "$brns" link set "$port" master "$br" || mb_fail "cannot add $port to $br"
	[[ $a == - ]] || mb_addr "$ns" "$ifn" "$a"
	# shellcheck disable=SC2034 # for the caller
	MB_PORT=$port
}

# --- background processes -------------------------------------------------

# mb_bg NAME CMD...: start CMD in the background with stdin from /dev/null
# and stdout+stderr in $MB_WORK/NAME.log; its PID is left in MB_PID.  CMD must
# be a program (not a shell function), so that the PID is the program's own:
# `ip netns exec` and `env` exec the program they run.
mb_bg() {
	local name=$1 pid
	shift
	[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || mb_fail "mb_bg: bad name '$name'"
	[[ -z ${_MB_PID[$name]+x} ]] || mb_fail "mb_bg: $name is already running"
	"$@" >"$MB_WORK/$name.log" 2>&1 </dev/null &
	pid=$!
	_MB_PID[$name]=$pid
	_MB_ORDER+=("$name")
	_mb_register pid "$pid" "$(_mb_starttime "$pid")"
	MB_PID=$pid
	mb_log "started $name (pid $pid): $*"
}

# mb_pid NAME: print the PID of a background process.
mb_pid() {
	[[ -n ${_MB_PID[$1]+x} ]] || mb_fail "mb_pid: no process $1"
	printf '%s\n' "${_MB_PID[$1]}"
}

# mb_alive NAME: true while it runs.
mb_alive() {
	[[ -n ${_MB_PID[$1]+x} ]] && _mb_running "${_MB_PID[$1]}"
}

# A process marked by _MB_CHECK must still run when it is stopped, end with
# status 0 on SIGTERM and leave no sanitizer report in its log.  Records what
# is wrong in _MB_ERRORS.
_mb_check_exit() {
	local name=$1 st=$2 killed=$3 gone=$4 log=$MB_WORK/$1.log
	[[ -n ${_MB_CHECK[$name]+x} ]] || return 0
	if [[ -f $log ]] && grep -qE 'ERROR: (Address|Leak|Memory|Thread|Undefined)Sanitizer|runtime error:' "$log"; then
		_MB_ERRORS+=("$name: sanitizer report in $name.log")
		grep -E -A 30 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$log" | head -n 60 | sed 's/^/    | /' >&2
	fi
	if ((gone)); then
		_MB_ERRORS+=("$name: had ended by itself before it was stopped (status $st)")
	elif ((killed)); then
		_MB_ERRORS+=("$name: did not exit within the bound after SIGTERM; killed")
	elif ((st != 0)); then
		_MB_ERRORS+=("$name: exited with status $st on SIGTERM (expected 0)")
	fi
}

# _mb_stop_all TIMEOUT NAME...: SIGTERM to all at once, wait up to TIMEOUT
# seconds for all of them, SIGKILL the rest, reap and check them.
_mb_stop_all() {
	local timeout=$1 name pid deadline left st
	shift
	local -A killed=() gone=()
	for name; do
		pid=${_MB_PID[$name]}
		if _mb_running "$pid"; then
			kill -TERM "$pid" 2>/dev/null
		else
			gone[$name]=1
		fi
	done
	deadline=$(($(_mb_now_us) + $(_mb_us "$timeout")))
	while :; do
		left=0
		for name; do
			_mb_running "${_MB_PID[$name]}" && left=1
		done
		((left)) || break
		if (($(_mb_now_us) >= deadline)); then
			for name; do
				pid=${_MB_PID[$name]}
				if _mb_running "$pid"; then
					mb_log "$name (pid $pid) ignored SIGTERM for ${timeout}s: SIGKILL"
					kill -KILL "$pid" 2>/dev/null
					killed[$name]=1
				fi
			done
			break
		fi
		sleep 0.05
	done
	for name; do
		pid=${_MB_PID[$name]}
		st=0
		wait "$pid" 2>/dev/null || st=$?
		_MB_STATUS[$name]=$st
		unset "_MB_PID[$name]"
		_mb_check_exit "$name" "$st" "${killed[$name]:-0}" "${gone[$name]:-0}"
	done
}

# mb_stop NAME [TIMEOUT]: end a background process (SIGTERM, then SIGKILL
# after TIMEOUT seconds, default 5); its status is left in MB_STATUS.  Fails
# the test if it is one that must exit cleanly (metalbird) and did not.
mb_stop() {
	local name=$1 n
	[[ -n ${_MB_PID[$name]+x} ]] || mb_fail "mb_stop: no process $name"
	n=${#_MB_ERRORS[@]}
	_mb_stop_all "${2:-5}" "$name"
	MB_STATUS=${_MB_STATUS[$name]}
	mb_log "stopped $name: status $MB_STATUS"
	if ((${#_MB_ERRORS[@]} > n)); then
		local e=("${_MB_ERRORS[@]:n}")
		_MB_ERRORS=("${_MB_ERRORS[@]:0:n}")
		mb_fail "${e[*]}"
	fi
}

# --- cleanup ------------------------------------------------------------

# mb_on_exit 'COMMAND': run COMMAND (a string, evaluated) when the test ends,
# before processes are stopped; last registered runs first.  Tests must not
# set their own EXIT trap, which would replace the library's.
mb_on_exit() {
	_MB_ATEXIT+=("$1")
}

# End whatever still runs inside namespace NS (every process there is ours:
# we made the namespace), then delete it.
_mb_ns_del() {
	local ns=$1 pids i
	_mb_ns_exists "$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	if [[ -n $pids ]]; then
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null || true
		for ((i = 0; i < 40; i++)); do
			pids=$(ip netns pids "$ns" 2>/dev/null || true)
			[[ -z $pids ]] && break
			sleep 0.05
		done
		# shellcheck disable=SC2086
		[[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
	fi
	ip netns del "$ns" 2>/dev/null || mb_log "could not delete namespace $ns"
}

_mb_cleanup() {
	local rc=$? cmd=$BASH_COMMAND name ns f
	local where="" i
	# Where the shell was: the innermost function, then each caller with
	# the line it called from.
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		where+=" ${FUNCNAME[i]}"
		((i == 1)) || where+=":${BASH_LINENO[i - 1]}"
	done
	trap - EXIT INT TERM HUP
	set +e
	exec 1>&"$_MB_OUTFD" 2>&"$_MB_ERRFD"
	# `set -e` ends a test without a word: say which command failed.
	if ((rc != 0)) && [[ $cmd != exit* ]]; then
		printf 'FAIL: status %s from: %s\n' "$rc" "$cmd" >&2
	fi
	((rc == 0)) || mb_log "ended with status $rc in:$where"
	mb_log "cleanup (exit status $rc)"
	for ((f = ${#_MB_ATEXIT[@]} - 1; f >= 0; f--)); do
		eval "${_MB_ATEXIT[f]}"
	done
	# Stop in reverse start order, all within one bound.
	local names=()
	for ((f = ${#_MB_ORDER[@]} - 1; f >= 0; f--)); do
		name=${_MB_ORDER[f]}
		[[ -n ${_MB_PID[$name]+x} ]] && names+=("$name")
	done
	((${#names[@]})) && _mb_stop_all 5 "${names[@]}"
	for ns in "${_MB_NS[@]}"; do
		_mb_ns_del "$ns"
	done
	# FRR leaves a crash folder per daemon PID when one was killed.
	if [[ -d /var/tmp/frr ]]; then
		while read -r f pid _; do
			[[ $f == frr && -n $pid ]] && rm -rf /var/tmp/frr/*."$pid"
		done <"$MB_REGISTRY"
	fi
	if ((${#_MB_ERRORS[@]})); then
		for f in "${_MB_ERRORS[@]}"; do
			printf 'FAIL: %s\n' "$f" >&2
		done
		((rc == 0)) && rc=1
	fi
	if ((rc != 0)); then
		for f in "$MB_WORK"/*.log "$MB_WORK"/*.recv; do
			[[ -f $f ]] || continue
			printf -- '--- %s (last 25 lines)\n' "${f##*/}" >&2
			tail -n 25 "$f" | sed 's/^/    | /' >&2
		done
		if [[ -n ${MB_KEEP:-} ]]; then
			mkdir -p "$MB_KEEP"
			(cd "$MB_WORK" && find . -type f -exec cp --parents {} "$MB_KEEP" \;)
			printf 'work files kept in %s\n' "$MB_KEEP" >&2
		fi
	fi
	if [[ -n ${MB_KEEP_WORK:-} ]]; then
		printf 'work folder left in %s\n' "$MB_WORK" >&2
	else
		rm -rf "$MB_WORK"
	fi
	exit "$rc"
}

trap _mb_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# --- real peers -------------------------------------------------------------

# mb_bird NAME NETNS CONFFILE: BIRD 2 in namespace NETNS ("-" = here):
#   ip netns exec NS bird -f -c CONF -s $MB_WORK/NAME.ctl -P $MB_WORK/NAME.pid
# and wait until `birdc -s SOCK show status` answers.  Useful in configs:
#   log stderr all; connect delay time 1; connect retry time 2; error wait time 1, 3;
mb_bird() {
	local name=$1 ns=$2 conf=$3 sock=$MB_WORK/$1.ctl
	mb_need bird birdc
	[[ -r $conf ]] || mb_fail "mb_bird: no config $conf"
	bird -p -c "$conf" >"$MB_WORK/$name.lint" 2>&1 ||
		mb_fail "mb_bird $name: config does not parse: $(cat "$MB_WORK/$name.lint")"
	_mb_nscmd "$ns"
	_MB_NSOF[$name]=$ns
	mb_bg "$name" "${_MB_NSCMD[@]}" bird -f -c "$conf" -s "$sock" -P "$MB_WORK/$name.pid"
	_mb_poll 10 "BIRD $name answers on $sock" "$MB_PID" birdc -s "$sock" show status
}

# mb_birdc NAME COMMAND...: birdc against that BIRD (the socket is a file, so
# this works from any namespace).
mb_birdc() {
	local name=$1
	shift
	birdc -s "$MB_WORK/$name.ctl" "$@"
}

# mb_bird_since NAME PROTO: the "Since" column of PROTO in BIRD NAME's
# `show protocols` (HH:MM:SS.mmm).
mb_bird_since() {
	mb_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $5 }'
}

# mb_assert_bird_since NAME PROTO WAS WHAT: PROTO's session at BIRD NAME
# still started at WAS, i.e. it did not restart.  BIRD prints "Since" from
# its monotonic clock plus an offset to wall time that it recomputes, so one
# instant may show 1 ms apart from one call to the next: allow 5 ms (a session
# that restarted is seconds apart).
mb_assert_bird_since() {
	local now ms0 ms1
	now=$(mb_bird_since "$1" "$2")
	ms0=$(_mb_hms_ms "$3") && ms1=$(_mb_hms_ms "$now") ||
		mb_fail "$4: cannot read BIRD's since ('$3', '$now')"
	(((ms1 - ms0) <= 5 && (ms0 - ms1) <= 5)) || mb_fail "$4: expected since $3, got $now"
}

_mb_hms_ms() {
	[[ $1 =~ ^([0-9]+):([0-9]+):([0-9]+)\.([0-9]{3})$ ]] || return 1
	echo $(((10#${BASH_REMATCH[1]} * 3600 + 10#${BASH_REMATCH[2]} * 60 + 10#${BASH_REMATCH[3]}) * 1000 + 10#${BASH_REMATCH[4]}))
}

# mb_gobgpd NAME NETNS CONF.toml [API_PORT]: GoBGP with its gRPC API on
# 127.0.0.1:API_PORT of that namespace (default 50051 in a namespace, a free
# port on the host's loopback):
#   ip netns exec NS gobgpd -f CONF -t toml -p --pprof-disable --api-hosts 127.0.0.1:PORT
# Its first connect comes 5-10 s after start: allow for that in waits.
mb_gobgpd() {
	local name=$1 ns=$2 conf=$3 port=${4:-}
	mb_need gobgpd gobgp
	[[ -r $conf ]] || mb_fail "mb_gobgpd: no config $conf"
	if [[ -z $port ]]; then
		if [[ -z $ns || $ns == - ]]; then
			port=$(mb_free_port)
		else
			port=50051
		fi
	fi
	_mb_nscmd "$ns"
	_MB_NSOF[$name]=$ns
	_MB_PORT[$name]=$port
	mb_bg "$name" "${_MB_NSCMD[@]}" gobgpd -f "$conf" -t toml -p --pprof-disable \
		--api-hosts "127.0.0.1:$port"
	_mb_poll 15 "gobgpd $name answers on 127.0.0.1:$port" "$MB_PID" mb_gobgp "$name" neighbor
}

# mb_gobgp NAME ARGS...: the gobgp client against that gobgpd, e.g.
#   mb_gobgp g1 -j neighbor;  mb_gobgp g1 -j global rib
mb_gobgp() {
	local name=$1
	shift
	_mb_nscmd "${_MB_NSOF[$name]}"
	"${_MB_NSCMD[@]}" gobgp -u 127.0.0.1 -p "${_MB_PORT[$name]}" "$@"
}

# mb_frr NAME NETNS BGPD_CONF [ZEBRA_CONF]: FRR's zebra and bgpd, run by hand
# (they drop to user frr), everything in $MB_WORK/NAME/:
#   zebra -f zebra.conf -i zebra.pid --vty_socket DIR -z DIR/zserv.api -P 0 -A 127.0.0.1
#   bgpd -f bgpd.conf -i bgpd.pid -n --vty_socket DIR -z DIR/zserv.api -P 0 -A 127.0.0.1
# (-n: bgpd puts nothing into the kernel).  The processes are named NAME-zebra
# and NAME-bgpd.  bgpd.conf wants `no bgp ebgp-requires-policy` for eBGP.
mb_frr() {
	local name=$1 ns=$2 bconf=$3 zconf=${4:-} dir=$MB_WORK/$1 frr=/usr/lib/frr
	[[ -x $frr/zebra && -x $frr/bgpd ]] || mb_fail "FRR not found in $frr (package frr)"
	mb_need vtysh
	[[ -r $bconf ]] || mb_fail "mb_frr: no config $bconf"
	mkdir -p "$dir"
	cp "$bconf" "$dir/bgpd.conf"
	if [[ -n $zconf ]]; then
		cp "$zconf" "$dir/zebra.conf"
	else
		printf 'hostname %s\n' "$name" >"$dir/zebra.conf"
	fi
	chown -R frr:frr "$dir"
	chmod 0770 "$dir"
	_mb_nscmd "$ns"
	_MB_NSOF[$name]=$ns
	mb_bg "$name-zebra" "${_MB_NSCMD[@]}" "$frr/zebra" -f "$dir/zebra.conf" -i "$dir/zebra.pid" \
		--vty_socket "$dir" -z "$dir/zserv.api" -P 0 -A 127.0.0.1
	_mb_register frr "$MB_PID"
	_mb_poll 10 "FRR zebra $name answers" "$MB_PID" \
		vtysh --vty_socket "$dir" -d zebra -c 'show version'
	mb_bg "$name-bgpd" "${_MB_NSCMD[@]}" "$frr/bgpd" -f "$dir/bgpd.conf" -i "$dir/bgpd.pid" -n \
		--vty_socket "$dir" -z "$dir/zserv.api" -P 0 -A 127.0.0.1
	_mb_register frr "$MB_PID"
	_mb_poll 10 "FRR bgpd $name answers" "$MB_PID" \
		vtysh --vty_socket "$dir" -d bgpd -c 'show bgp summary json'
}

# mb_vtysh NAME COMMAND...: each argument is one vtysh command, e.g.
#   mb_vtysh f1 'show bgp ipv4 unicast json'
mb_vtysh() {
	local name=$1 c
	shift
	local args=()
	for c; do args+=(-c "$c"); done
	vtysh --vty_socket "$MB_WORK/$name" "${args[@]}"
}

# mb_exabgp_sink NAME: write a helper program for ExaBGP's `api` that appends
# what it is given (one JSON object a line with `encoder json`) to
# $MB_WORK/NAME.recv, and print its path, for the config:
#   process sink { run PATH; encoder json; }
#   neighbor ... { api { processes [ sink ]; receive { parsed; update; } } }
# ExaBGP hands the helper a non-blocking stdin, on which cat(1) fails at once
# ("Too many death for sink"); the helper makes it blocking first.
mb_exabgp_sink() {
	local name=$1 prog=$MB_WORK/$1-sink.py
	cat >"$prog" <<EOF
#!/usr/bin/python3
import os
os.set_blocking(0, True)
with open("$MB_WORK/$name.recv", "ab", buffering=0) as out:
    while True:
        data = os.read(0, 65536)
        if not data:
            break
        out.write(data)
EOF
	chmod 0755 "$prog"
	: >"$MB_WORK/$name.recv"
	printf '%s\n' "$prog"
}

# mb_exabgp NAME NETNS CONF: ExaBGP in the foreground, logging to its log:
#   env exabgp_daemon_daemonize=false exabgp_daemon_user=root exabgp_daemon_drop=false
#       exabgp_api_cli=false exabgp_log_destination=stdout ip netns exec NS exabgp CONF
# It only connects out.  Waits until it has loaded its configuration.
mb_exabgp() {
	local name=$1 ns=$2 conf=$3
	mb_need exabgp
	[[ -r $conf ]] || mb_fail "mb_exabgp: no config $conf"
	_mb_nscmd "$ns"
	_MB_NSOF[$name]=$ns
	mb_bg "$name" env exabgp_daemon_daemonize=false exabgp_daemon_user=root \
		exabgp_daemon_drop=false exabgp_api_cli=false exabgp_log_destination=stdout \
		exabgp_log_level=INFO "${_MB_NSCMD[@]}" exabgp "$conf"
	_mb_poll 15 "ExaBGP $name loads its configuration" "$MB_PID" \
		grep -q 'loaded new configuration successfully' "$MB_WORK/$name.log"
}

# mb_openbgpd NAME NETNS CONF: OpenBGPD in the foreground:
#   ip netns exec NS bgpd -d -v -f $MB_WORK/NAME.conf
# The config is copied to $MB_WORK/NAME.conf (mode 0600, which bgpd demands)
# with `socket "$MB_WORK/NAME.sock"` put first unless it names a socket; it is
# checked with `bgpd -n` first.  bgpd chroots to /run/openbgpd.
mb_openbgpd() {
	local name=$1 ns=$2 conf=$3 c=$MB_WORK/$1.conf
	mb_need bgpd bgpctl
	[[ -r $conf ]] || mb_fail "mb_openbgpd: no config $conf"
	if [[ $conf != "$c" ]]; then
		(umask 077 && {
			grep -q '^[[:space:]]*socket[[:space:]]' "$conf" ||
				printf 'socket "%s"\n' "$MB_WORK/$name.sock"
			cat "$conf"
		} >"$c")
	elif ! grep -q '^[[:space:]]*socket[[:space:]]' "$c"; then
		sed -i "1i socket \"$MB_WORK/$name.sock\"" "$c"
	fi
	chmod 0600 "$c"
	mkdir -p /run/openbgpd
	bgpd -n -f "$c" >"$MB_WORK/$name.lint" 2>&1 ||
		mb_fail "mb_openbgpd $name: config does not parse: $(cat "$MB_WORK/$name.lint")"
	_mb_nscmd "$ns"
	_MB_NSOF[$name]=$ns
	mb_bg "$name" "${_MB_NSCMD[@]}" bgpd -d -v -f "$c"
	_mb_poll 10 "OpenBGPD $name answers" "$MB_PID" mb_bgpctl "$name" show
}

# mb_bgpctl NAME ARGS...: e.g. mb_bgpctl o1 -j show neighbor;  ... -j show rib detail
mb_bgpctl() {
	local name=$1 sock
	shift
	sock=$(sed -n 's/^[[:space:]]*socket[[:space:]]*"\([^"]*\)".*/\1/p' "$MB_WORK/$name.conf" | head -n 1)
	bgpctl -s "$sock" "$@"
}

# --- metalbird itself -------------------------------------------------------

# True when the control socket SOCK greets us with "0001 ..." (SPEC: the
# greeting is `0001 metalbird VERSION ready.`).  Independent of metalbirdc.
_mb_ctl_greets() {
	python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2)
try:
    s.connect(sys.argv[1])
    buf = b""
    while b"\n" not in buf and len(buf) < 4096:
        d = s.recv(4096)
        if not d:
            break
        buf += d
except OSError as e:
    print(e)
    sys.exit(1)
print(buf.decode(errors="replace").rstrip())
sys.exit(0 if buf.startswith(b"0001 ") else 1)
EOF
}

# mb_metalbird NAME NETNS CONF [ARGS...]: the daemon under test,
#   ip netns exec NS $METALBIRD -f -c CONF -s $MB_WORK/NAME.ctl [ARGS...]
# ($METALBIRD defaults to the top-level build; CI points it at the sanitizer
# build), and wait until its control socket greets.  At the end it must exit
# 0 on SIGTERM and leave no sanitizer report in its log, or the test fails.
mb_metalbird() {
	local name=$1 ns=$2 conf=$3 sock=$MB_WORK/$1.ctl
	shift 3
	[[ -x $METALBIRD ]] || mb_fail "no metalbird binary at $METALBIRD (run make, or set METALBIRD)"
	[[ -r $conf ]] || mb_fail "mb_metalbird: no config $conf"
	_mb_nscmd "$ns"
	_MB_NSOF[$name]=$ns
	mb_bg "$name" "${_MB_NSCMD[@]}" "$METALBIRD" -f -c "$conf" -s "$sock" "$@"
	_MB_CHECK[$name]=1
	_mb_poll 15 "metalbird $name greets on $sock" "$MB_PID" _mb_ctl_greets "$sock"
}

# mb_ctl NAME COMMAND...: metalbirdc against that daemon; exit status as
# metalbirdc's (0 ok, 1 error reply, 2 cannot connect).
mb_ctl() {
	local name=$1
	shift
	"$METALBIRDC" -s "$MB_WORK/$name.ctl" "$@"
}
