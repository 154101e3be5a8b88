#!/bin/bash
# t-static-bgp-export: the export pipeline at scale, watched from BIRD 2.
# 100,000 static /32s go through the route table and a BGP channel whose
# export filter adds a community; BIRD must receive every one with the
# community, packed into few UPDATEs (the channel hands BGP batches, not one
# change at a time).  Then a reload that changes the filter to pass only
# 100.64.0.0/16 makes BIRD see exactly the 34,464 routes beyond it withdrawn
# and no new session;
# `show route count`, `show route for` and `show route export NAME count`
# answer during it all.
# needs: root
# timeout: 150
. "$(dirname "$0")/lib.sh"
mb_need bird birdc

N=100000
mb_ns_add mb-sx-m
mb_ns_add mb-sx-r
mb_link mb-sx-m veth-m 192.0.2.1/24 mb-sx-r veth-r 192.0.2.2/24

routes() {	# N /32s from 100.64.0.0
	python3 - "$N" <<'EOF'
import sys
base = (100 << 24) | (64 << 16)
for i in range(int(sys.argv[1])):
    a = base + i
    print("  route %d.%d.%d.%d/32;" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255))
EOF
}
conf() {	# $1: the filter's prefix set
	cat <<CONF
router id 192.0.2.1;
log stderr all;
state dir "$MB_WORK/state";
filter out {
  if net ~ $1 then {
    bgp_community.add((64512, 100));
    accept;
  }
  reject;
}
protocol static big {
CONF
	cat "$MB_WORK/routes.inc"
	cat <<CONF
}
protocol bgp tor {
  neighbor 192.0.2.2 as 64512;
  local 192.0.2.1 as 64513;
  connect retry time 1;
  export filter out;
}
CONF
}
mkdir -p "$MB_WORK/state"
routes >"$MB_WORK/routes.inc"
conf "[ 100.64.0.0/10{32,32} ]" >"$MB_WORK/m.conf"

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp tor {
	local 192.0.2.2 as 64512; neighbor 192.0.2.1 as 64513; strict bind on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-sx-m "$MB_WORK/m.conf"
out=$(mb_ctl m show route count)
mb_assert_match "Total: $N of $N routes" "$out" "show route count right after loading"
mb_bird r mb-sx-r "$MB_WORK/r.conf"

t0=$EPOCHREALTIME
bird_count() { mb_birdc r show route count | awk '$1 == "Total:" { print $2 }'; }
have() { [[ $(bird_count) == "$1" ]]; }
mb_wait 60 "BIRD has all $N routes" have "$N"
mb_log "BIRD received $N routes in $(echo "$EPOCHREALTIME - $t0" | bc) s (session setup included)"

out=$(mb_birdc r show route all for 100.64.1.2)
mb_assert_match 'BGP\.community: \(64512,100\)' "$out" "the export filter's community at BIRD"
out=$(mb_ctl m show protocols all tor)
mb_log "$out"
updates=$(grep -Eo 'Updates: +[0-9]+ sent' <<<"$out" | grep -Eo '[0-9]+')
mb_log "UPDATEs for $N prefixes: $updates"
# one attribute set: ~4096-byte UPDATEs of 5-byte prefixes hold ~800 each
(( updates > 0 && updates <= N / 100 )) || mb_fail "expected packed UPDATEs, got $updates for $N prefixes"
out=$(mb_ctl m show route export tor count)
mb_assert_match "Total: $N of $N routes" "$out" "show route export tor count"

# Reload: only 100.64.0.0/16 passes now: the routes beyond it are withdrawn
s0=$(mb_bird_since r tor)
w0=$(mb_birdc r show protocols all tor | awk '/Import withdraws:/ { print $3 }')
conf "[ 100.64.0.0/16{32,32} ]" >"$MB_WORK/m.conf"
mb_ctl m configure >/dev/null
# the daemon answers while it refeeds
mb_assert_match '^100\.64\.1\.2/32 ' "$(mb_ctl m show route for 100.64.1.2)" "show route for during the refeed"
keep=65536
mb_wait 60 "BIRD down to $keep routes" have "$keep"
sleep 1
mb_assert_eq "$keep" "$(bird_count)" "routes at BIRD after the filter change"
mb_assert_bird_since r tor "$s0" "the session stayed up through the filter change"
w1=$(mb_birdc r show protocols all tor | awk '/Import withdraws:/ { print $3 }')
mb_assert_eq $((N - keep)) $((w1 - w0)) "withdrawals BIRD received for the filter change"
mb_assert_match "Total: $keep of $N routes" "$(mb_ctl m show route export tor count)" "show route export tor count"

mb_stop m
mb_assert_eq 0 "$MB_STATUS" "exit status on SIGTERM"
