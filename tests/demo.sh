#!/bin/bash
# make demo: metalbird's main job, end to end, in network namespaces.
#
#   mb-demo-node    a Kubernetes node running metalbird (192.0.2.1, 2001:db8:1::1)
#   mb-demo-router  its top-of-rack router, BIRD 2 (192.0.2.254, 2001:db8:1::fe)
#
# metalbird reads the example Services (doc/examples/services.json, as
# `kubectl get services,endpointslices,nodes -A -o json` prints them),
# allocates their addresses from the example pools, and announces them over
# BGP; the router's own `birdc show route` shows what arrived.  Then one
# Service loses its last ready endpoint (the state file is rewritten, as
# `kubectl ... > tmp && mv tmp services.json` would) and its route leaves
# the router; it comes back when the endpoint is ready again.
# needs: root
. "$(dirname "$0")/integration/lib.sh"
mb_need bird birdc python3

hr() { printf '\n=== %s\n' "$*"; }

mb_ns_add mb-demo-node
mb_ns_add mb-demo-router
mb_link mb-demo-node eth0 192.0.2.1/24 mb-demo-router eth0 192.0.2.254/24
mb_addr mb-demo-node eth0 2001:db8:1::1/64
mb_addr mb-demo-router eth0 2001:db8:1::fe/64

cp "$MB_TOP/doc/examples/services.json" "$MB_WORK/services.json"
cat >"$MB_WORK/metallb.conf" <<'CONF'
# The pools of doc/examples/metallb-demo.conf, served over BGP.
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "state";

pool production {
	addresses 203.0.113.64/26;
	aggregation length 32, 26;
	avoid buggy ips yes;
}
pool shared {
	addresses 203.0.113.48/28, 198.51.100.0/28;
	addresses 2001:db8:5::/120;
}
pool reserved {
	addresses 198.51.100.128/25;
	auto assign no;
}

protocol kubernetes k8s {
	state file "services.json";
}

filter tor_out {
	if pool = "production" then bgp_community.add((64512, 100));
	accept;
}

protocol bgp tor4 {
	description "top-of-rack router, IPv4";
	neighbor 192.0.2.254 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 1;
	export filter tor_out;
}
protocol bgp tor6 {
	description "top-of-rack router, IPv6";
	neighbor 2001:db8:1::fe as 64512;
	local 2001:db8:1::1 as 64513;
	connect retry time 1;
	export filter tor_out;
}
CONF
mkdir -p "$MB_WORK/state"

cat >"$MB_WORK/router.conf" <<'CONF'
router id 192.0.2.254;
log stderr all;
protocol device { }
protocol bgp node1_v4 {
	local 192.0.2.254 as 64512; neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
protocol bgp node1_v6 {
	local 2001:db8:1::fe as 64512; neighbor 2001:db8:1::1 as 64513;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv6 { import all; export none; };
}
CONF

hr "metalbird -p: the config lints clean"
"$METALBIRD" -p -c "$MB_WORK/metallb.conf" && echo "ok"

mb_metalbird node mb-demo-node "$MB_WORK/metallb.conf"
mb_bird router mb-demo-router "$MB_WORK/router.conf"
mb_wait 30 "both sessions Established" sh -c \
	"'$METALBIRDC' -s '$MB_WORK/node.ctl' show protocols | grep -c Established | grep -qx 2"

hr "metalbirdc show protocols"
mb_ctl node show protocols
hr "metalbirdc show pools"
mb_ctl node show pools
hr "metalbirdc show services"
mb_ctl node show services

# what the node must announce, from its own table
want=$(mb_ctl node show route | awk '/^[0-9a-f.:]+\/[0-9]+ / { print $1 }' | sort)
[ -n "$want" ] || mb_fail "metalbird's table is empty: no Service got an address"
n=$(printf '%s\n' "$want" | wc -l)
at_router() { mb_birdc router show route | awk '/^[0-9a-f.:]+\/[0-9]+ / { print $1 }' | sort; }
mb_wait 20 "the router has all $n routes" sh -c "[ \"\$(birdc -s '$MB_WORK/router.ctl' show route | awk '/^[0-9a-f.:]+\\/[0-9]+ / { print \$1 }' | sort)\" = '$want' ]"

hr "the router's birdc show route"
mb_birdc router show route

# One Service loses its ready endpoints: its route must leave the router.
svc=$(python3 - "$MB_WORK/services.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for it in d["items"]:
    if it["kind"] == "EndpointSlice" and it["metadata"]["labels"].get("kubernetes.io/service-name") == "web":
        print(it["metadata"]["namespace"] + "/web")
        break
PY
)
[ -n "$svc" ] || mb_fail "no EndpointSlice for shop/web in the example state file"
addr=$(mb_ctl node show services "$svc" | grep -oE '(203\.0\.113|198\.51\.100)\.[0-9]+' | head -n 1)
[ -n "$addr" ] || mb_fail "$svc has no IPv4 address"
set_ready() { # true|false
	python3 - "$MB_WORK/services.json" "$1" <<'PY'
import json, os, sys
path, ready = sys.argv[1], sys.argv[2] == "true"
d = json.load(open(path))
for it in d["items"]:
    if it["kind"] == "EndpointSlice" and it["metadata"]["labels"].get("kubernetes.io/service-name") == "web":
        for ep in it.get("endpoints", []):
            ep.setdefault("conditions", {})["ready"] = ready
            ep["conditions"]["serving"] = ready
tmp = path + ".tmp"
json.dump(d, open(tmp, "w"), indent=2)
os.rename(tmp, path)
PY
}
router_has() { mb_birdc router show route for "$1" | grep -q "^$1/32 "; }

hr "$svc ($addr) loses its last ready endpoint"
t0=$(date +%s.%N)
set_ready false
mb_wait 5 "$addr/32 withdrawn at the router" eval "! router_has $addr"
t1=$(date +%s.%N)
mb_ctl node show services "$svc"
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "withdrawn at the router %.0f ms after the state file changed\n", (b - a) * 1000 }'

hr "$svc's endpoint is ready again"
t0=$(date +%s.%N)
set_ready true
mb_wait 5 "$addr/32 back at the router" router_has "$addr"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "announced again %.0f ms after the state file changed\n", (b - a) * 1000 }'
mb_birdc router show route for "$addr" all

hr "demo done: $n routes from the example Services reached the router"
