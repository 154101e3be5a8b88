#!/bin/bash
# t-k8s-bird: Kubernetes state to a real BIRD 2 peer.  metalbird reads a state
# file, allocates from a pool and announces over eBGP to BIRD in another
# namespace; an export filter uses the Kubernetes attributes (pool, a label)
# to set a community.  Then the file is edited while the daemon runs: an
# endpoint turning unready withdraws the route at BIRD, and turning ready
# brings it back, each within a second; a new Service appears at BIRD; an
# aggregate (aggregation length 28) stays while any address under it is
# announced.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

MK=$MB_TOP/tests/k8s-api/mkstate.py
ST=$MB_WORK/services.json
mb_ns_add mb-kb-m
mb_ns_add mb-kb-r
mb_link mb-kb-m veth-m 192.0.2.1/24 mb-kb-r veth-r 192.0.2.2/24

python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1:label=tier=gold svc:web/back:t=2:ready=node-2 node:node-1
cat >"$MB_WORK/m.conf" <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$MB_WORK";
pool prod {
	addresses 203.0.113.0/28;
	aggregation length 32, 28;
}
protocol kubernetes k8s { state file "services.json"; }
filter to_tor {
	if pool = "prod" then {
		if defined(k8s_label("tier")) then {
			if k8s_label("tier") = "gold" then bgp_community.add((64512, 300));
		}
		accept;
	}
	reject;
}
protocol bgp tor {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	hold time 6;
	connect retry time 2;
	export filter to_tor;
}
protocol bgp tor2 {
	neighbor 192.0.2.3 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 30;
	export all;
}
CONF
cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp m {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-kb-m "$MB_WORK/m.conf"
mb_bird r mb-kb-r "$MB_WORK/r.conf"
established() { mb_birdc r show protocols m | grep -q Established; }
mb_wait 20 "BIRD session Established" established

has() { mb_birdc r show route "$1" | grep -qF "$1"; }
hasnt() { ! has "$1"; }
mb_wait 10 "front's address at BIRD" has 203.0.113.0/32
mb_wait 2 "aggregate at BIRD" has 203.0.113.0/28
mb_wait 2 "back's address at BIRD (Cluster: any node's endpoint)" has 203.0.113.1/32
out=$(mb_birdc r show route 203.0.113.0/32 all)
mb_assert_match 'BGP\.community: \(64512,300\)' "$out" "community from the k8s_label filter"
mb_assert_match 'BGP\.as_path: 64513$' "$out" "AS path"
mb_assert_nomatch 'BGP\.community' "$(mb_birdc r show route 203.0.113.1/32 all)" "no community without the label"
out=$(mb_ctl m show services web/front)
mb_assert_match 'announced by tor; not by tor2: session down' "$out" "show services names the protocols"
mb_ctl m show services json | python3 -c '
import json, sys
s = {x["name"]: x for x in json.load(sys.stdin)["services"]}
assert s["front"]["exported_by"] == ["tor"], s
assert s["front"]["not_exported_by"] == {"tor2": "session down"}, s' || mb_fail "show services json: exported_by"

# front's endpoint goes unready: withdrawn at BIRD within a second.
t0=$(date +%s.%N)
python3 "$MK" "$ST" svc:web/front:t=1:unready=node-1:label=tier=gold svc:web/back:t=2:ready=node-2 node:node-1
mb_wait 1 "front withdrawn at BIRD" hasnt 203.0.113.0/32
t1=$(date +%s.%N)
mb_log "withdrawn at BIRD $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s after the file changed"
has 203.0.113.0/28 || mb_fail "aggregate withdrawn while back is still announced"
# ready again, and a new Service
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1:label=tier=gold svc:web/back:t=2:ready=node-2 \
	svc:web/new:t=3:ready=node-1 node:node-1
mb_wait 1 "front back at BIRD" has 203.0.113.0/32
mb_wait 1 "new Service at BIRD" has 203.0.113.2/32
# every endpoint gone: everything withdrawn, the aggregate too
python3 "$MK" "$ST" svc:web/front:t=1:unready=node-1 svc:web/back:t=2:unready=node-2 svc:web/new:t=3 node:node-1
mb_wait 1 "aggregate withdrawn with the last address" hasnt 203.0.113.0/28
hasnt 203.0.113.2/32 || mb_fail "new still announced without endpoints"
