#!/bin/bash
# t-k8s-statefile: protocol kubernetes in state-file mode, against the real
# daemon.  The state file does not exist at start and appears later (renamed
# into place); Services get addresses and their routes enter the table; an
# endpoint going unready, Local policy on another node, NetworkUnavailable and
# the exclude label take routes out; a broken file is reported with file,
# object and field and the last good state stays; a file rewritten in place is
# read too; aggregation lengths give one route per length; allocations survive
# a restart (state dir) and `configure check` lists the Services a shrunk pool
# would move.  Each change must reach `show route` within a second.
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"

# The daemon here has no BGP protocol, so it runs the implicit `protocol l2`,
# which answers ARP/NDP and sends gratuitous ARP on every interface it sees:
# run the whole test inside a namespace of its own, where it sees only its
# loopback.  (The outer run owns the namespace; the inner one does the test.)
if [ -z "${MB_IN_NS:-}" ]; then
	mb_ns_add mb-k8sfile
	ip netns exec mb-k8sfile env MB_IN_NS=1 bash "$0"
	exit 0
fi

MK=$MB_TOP/tests/k8s-api/mkstate.py
ST=$MB_WORK/services.json
mkdir -p "$MB_WORK/state"
cat >"$MB_WORK/metallb.conf" <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$MB_WORK/state";
pool prod {
	addresses 203.0.113.0/28;
	aggregation length 32, 28;
}
pool v6 {
	addresses 2001:db8:7::/120;
	auto assign no;
}
protocol kubernetes k8s {
	state file "services.json";
}
protocol static rack1 {
	node selector "rack=r1";
	route 192.0.2.99/32;
}
CONF

routes() { mb_ctl mb show route; }
has_route() { routes | grep -qE "^$1 "; }
no_route() { ! routes | grep -qE "^$1 "; }

mb_metalbird mb "" "$MB_WORK/metallb.conf"
out=$(mb_ctl mb show protocols k8s)
mb_assert_match 'waiting for .*services.json to appear' "$out" "before the file exists"

# The file appears (renamed into place).
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1+node-2 svc:web/back:t=2:ready=node-2:etp=Local \
	svc:db/pg:t=3:unready=node-1 node:node-1 node:node-2
mb_wait 1 "front announced" has_route '203\.0\.113\.0/32'
mb_wait 1 "aggregate of prod" has_route '203\.0\.113\.0/28'
out=$(mb_ctl mb show services)
mb_assert_match 'web/front +203\.0\.113\.0 +prod +Cluster +1/2 +announced' "$out" "front"
mb_assert_match 'web/back +203\.0\.113\.1 +prod +Local +0/1 +no serving endpoint on this node' "$out" "back"
mb_assert_match 'db/pg +203\.0\.113\.2 +prod +Cluster +0/0 +no serving endpoint' "$out" "pg"
no_route '203\.0\.113\.1/32' || mb_fail "Local service without a local endpoint is announced"
out=$(mb_ctl mb show pools prod)
mb_assert_match 'prod +IPv4 +16 +3 +13 +yes +203\.0\.113\.0/28' "$out" "show pools"

# JSON variants parse and agree.
mb_ctl mb show services json | python3 -c '
import json, sys
d = {s["namespace"] + "/" + s["name"]: s for s in json.load(sys.stdin)["services"]}
assert d["web/front"]["addresses"] == ["203.0.113.0"] and d["web/front"]["announced"], d
assert d["web/back"]["endpoints"] == {"local": 0, "total": 1}, d
assert d["db/pg"]["reason"] == "no serving endpoint", d' || mb_fail "show services json"
mb_ctl mb show pools json | python3 -c '
import json, sys
p = json.load(sys.stdin)["pools"]
assert p[0]["name"] == "prod" and p[0]["families"][0]["used"] == 3 and p[0]["families"][0]["free"] == 13, p' \
	|| mb_fail "show pools json"
out=$(mb_ctl mb show symbols service)
mb_assert_match 'web/front' "$out" "show symbols service"

# pg's endpoint becomes ready, written in place; front loses its endpoints.
python3 "$MK" "$ST" --in-place svc:web/front:t=1:unready=node-1 svc:web/back:t=2:ready=node-1:etp=Local \
	svc:db/pg:t=3:ready=node-3 node:node-1 node:node-2
mb_wait 1 "pg announced" has_route '203\.0\.113\.2/32'
mb_wait 1 "back announced (local endpoint)" has_route '203\.0\.113\.1/32'
mb_wait 1 "front withdrawn" no_route '203\.0\.113\.0/32'
has_route '203\.0\.113\.0/28' || mb_fail "aggregate went away while addresses under it are announced"

# A broken file: reported with file, object and field; the last state stays.
python3 "$MK" "$MB_WORK/bad.json" svc:web/front:t=1:ready=node-1 svc:db/pg:t=3:ready=node-3 node:node-1
python3 - "$MB_WORK/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["items"][2]["spec"]["ports"][0]["port"] = "eighty"
open(sys.argv[1], "w").write(json.dumps(d))
PY
mv "$MB_WORK/bad.json" "$ST"
mb_wait_log 2 mb 'services\.json: Service db/pg: spec\.ports\[0\]\.port: expected an integer.*keeping the last good state'
has_route '203\.0\.113\.2/32' || mb_fail "last good state lost after a broken file"
has_route '203\.0\.113\.1/32' || mb_fail "last good state lost after a broken file (back)"

# This node becomes NetworkUnavailable: nothing is announced; then excluded.
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:db/pg:t=3:ready=node-3 node:node-1:netunavail
mb_wait 1 "all withdrawn (NetworkUnavailable)" no_route '203\.0\.113\.'
out=$(mb_ctl mb show services web/front)
mb_assert_match 'this node is NetworkUnavailable' "$out" "reason for NetworkUnavailable"
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:db/pg:t=3:ready=node-3 node:node-1:exclude
mb_wait 1 "still withdrawn (excluded)" no_route '203\.0\.113\.'
out=$(mb_ctl mb show services web/front)
mb_assert_match 'exclude-from-external-load-balancers' "$out" "reason for the exclude label"

# Back to normal; a requested IPv6 address from an auto assign no pool.
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:db/pg:t=3:ready=node-3 \
	svc:v6/api:t=4:ready=node-1:fam=IPv6:pool=v6 node:node-1
mb_wait 1 "front back" has_route '203\.0\.113\.0/32'
mb_wait 1 "v6 api announced" has_route '2001:db8:7::/128'
mb_assert_match 'k8s: v6/api: assigned 2001:db8:7:: from pool v6' "$(cat "$MB_WORK/mb.log")" "assignment logged"

# This node's labels feed node selectors: rack1 runs only on rack r1.
mb_assert_match 'rack1 +Static .* down .*Node selector does not match' "$(mb_ctl mb show protocols rack1)" "rack1 blocked"
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:db/pg:t=3:ready=node-3 \
	svc:v6/api:t=4:ready=node-1:fam=IPv6:pool=v6 node:node-1:label=rack=r1
mb_wait 1 "rack1 started when the node got rack=r1" has_route '192\.0\.2\.99/32'
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:db/pg:t=3:ready=node-3 \
	svc:v6/api:t=4:ready=node-1:fam=IPv6:pool=v6 node:node-1:label=rack=r2
mb_wait 1 "rack1 stopped when the label changed" no_route '192\.0\.2\.99/32'

# Allocations are in the state directory and survive a restart, even when
# an older Service appears meanwhile.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a={x["service"]:x["addresses"] for x in d["allocations"]}; assert a["db/pg"]==["203.0.113.2"], a' \
	"$MB_WORK/state/allocations.json" || mb_fail "allocations.json"
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status"
python3 "$MK" "$ST" svc:web/older:t=0:ready=node-1 svc:db/pg:t=3:ready=node-3 node:node-1
mb_metalbird mb "" "$MB_WORK/metallb.conf"
mb_wait 2 "pg kept its address" has_route '203\.0\.113\.2/32'
out=$(mb_ctl mb show services)
mb_assert_match 'db/pg +203\.0\.113\.2 ' "$out" "pg after restart"
mb_assert_match 'web/older +203\.0\.113\.0 ' "$out" "new older service takes the lowest free"

# configure check with a shrunk pool lists the Service that would move.
sed -i 's|203.0.113.0/28;|203.0.113.0/31;|; s|aggregation length 32, 28;|aggregation length 32;|' "$MB_WORK/metallb.conf"
out=$(mb_ctl mb configure check)
mb_assert_match 'service db/pg: 203\.0\.113\.2 from pool prod -> 203\.0\.113\.1 from pool prod' "$out" "configure check"
mb_assert_nomatch 'service web/older' "$out" "configure check lists only what moves"
out=$(mb_ctl mb show services)
mb_assert_match 'db/pg +203\.0\.113\.2 ' "$out" "configure check changed nothing"
mb_ctl mb configure >/dev/null
mb_wait 1 "pg moved after the reload" has_route '203\.0\.113\.1/32'
mb_wait 1 "old address withdrawn" no_route '203\.0\.113\.2/32'
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status"
