#!/bin/bash
# t-ops-json: `json` as the last word of every `show` command (SPEC section 5,
# doc/json.md).  A daemon with an Established session to a real BIRD 2,
# Services from a state file and static routes answers every form of every
# show command; each reply must be one JSON document (jq parses it, and it
# is the only thing printed), with exactly the top-level keys doc/json.md
# documents and the documented keys and types in its objects.  Values are
# checked against what the test set up (names, counts, addresses).  Errors
# stay errors (exit 1, not JSON).  Every show command of nest/cmdtab.def must
# be exercised here: a new one fails the test until it is added.
# needs: root
# timeout: 90
. "$(dirname "$0")/lib.sh"

mb_need jq python3
MK=$MB_TOP/tests/k8s-api/mkstate.py
ST=$MB_WORK/services.json
mb_ns_add mb-oj-m
mb_ns_add mb-oj-r
mb_link mb-oj-m veth-m 192.0.2.1/24 mb-oj-r veth-r 192.0.2.2/24
mb_addr mb-oj-m veth-m 2001:db8:1::1/64

python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:web/back:t=2:ready=node-1:etp=Local \
	svc:t/a:t=4:pool=tiny:ready=node-1 svc:t/b:t=5:pool=tiny:ready=node-1 node:node-1
cat >"$MB_WORK/m.conf" <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$MB_WORK";
define LP = 200;
pool prod { addresses 203.0.113.0/28; }
pool tiny { addresses 203.0.113.16/32; auto assign no; }
protocol kubernetes k8s { state file "services.json"; }
protocol static s4 { route 198.51.100.0/24; }
protocol bfd bfd1 { interface "veth-m" { interval 100 ms; }; }
protocol l2 lan { interface "veth-m"; }
function is_svc() { return net ~ [203.0.113.0/24+]; }
filter to_tor { if is_svc() then { bgp_community.add((64512, 7)); accept; } reject; }
template bgp tmpl { connect retry time 2; }
protocol bgp tor from tmpl {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	interface "veth-m";
	bfd on;
	export filter to_tor;
}
CONF
cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bfd { interface "veth-r" { interval 100 ms; }; }
protocol bgp m {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	bfd on;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-oj-m "$MB_WORK/m.conf"
mb_bird r mb-oj-r "$MB_WORK/r.conf"
mb_wait 20 "BIRD session Established" sh -c "birdc -s '$MB_WORK/r.ctl' show protocols m | grep -q Established"
mb_wait 5 "routes at BIRD" sh -c "birdc -s '$MB_WORK/r.ctl' show route 203.0.113.16/32 | grep -q 203.0.113.16"

TESTED=()
# j JQ_TEST COMMAND...: run `metalbirdc COMMAND... json`; the output must be
# one JSON document for which JQ_TEST (a jq expression) is true.
j() {
	local test=$1 out n
	shift
	TESTED+=("$*")
	out=$(mb_ctl m "$@" json) || mb_fail "'$* json' failed: $out"
	n=$(printf '%s' "$out" | jq -s length 2>&1) || mb_fail "'$* json' is not JSON: $out"
	[[ $n == 1 ]] || mb_fail "'$* json' gives $n documents, not one"
	printf '%s' "$out" | jq -e "$test" >/dev/null ||
		{ printf '%s\n' "$out" | head -c 3000 | sed 's/^/    | /' >&2; mb_fail "'$* json' fails: $test"; }
	JOUT=$out
}
keys() { # the top-level keys, exactly: keys(["a","b"])
	printf '(keys | sort) == (%s | sort)' "$1"
}

# The examples of doc/json.md itself parse.
python3 - "$MB_TOP/doc/json.md" <<'EOF' || mb_fail "a JSON example in doc/json.md does not parse"
import json, re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```json\n(.*?)```", text, re.S)
assert len(blocks) >= 10, f"only {len(blocks)} json examples"
for b in blocks:
    json.loads(b)
EOF

# show status
j "$(keys '["version","router_id","node_name","server_time","last_reboot","last_reconfiguration","status"]') and
   ([.[] | type] | unique) == [\"string\"] and .router_id == \"192.0.2.1\" and .node_name == \"node-1\" and
   .status == \"Daemon is up and running\"" show status

# show protocols [all] [NAME | "PATTERN"]
P='.protocols[] | has("name") and has("proto") and has("table") and has("state") and has("since") and has("info")'
j "$(keys '["protocols"]') and ([$P] | all) and ([.protocols[].name] | sort) == [\"bfd1\",\"k8s\",\"lan\",\"s4\",\"tor\"]" show protocols
j "[.protocols[].name] == [\"tor\"] and .protocols[0].proto == \"BGP\" and .protocols[0].state == \"up\" and
   (.protocols[0].info | startswith(\"Established\"))" show protocols tor
j "[.protocols[].name] == [\"tor\"]" show protocols '"t*"'
j "$(keys '["protocols"]') and ([$P] | all) and
   (.protocols[] | select(.name == \"tor\") | .bgp_state == \"Established\" and .neighbor_address == \"192.0.2.2\" and
     .neighbor_as == 64512 and .local_as == 64513 and .neighbor_id == \"192.0.2.2\" and (.hold_time | type) == \"number\" and
     (.keepalive_time | type) == \"number\" and (.routes | keys | sort) == [\"exported\",\"received\",\"updates_sent\",\"withdrawn\"] and
     .routes.exported == 3) and
   (.protocols[] | select(.name == \"k8s\") | .source == \"state file\" and .services == 4 and .nodes == 1 and
     (.endpoint_slices | type) == \"number\" and (.reads | type) == \"number\" and (.read_errors | type) == \"number\" and
     (.last_sync_ms | type) == \"number\") and
   (.protocols[] | select(.name == \"lan\") | .proto == \"L2\" and .kubernetes_state == true and
     ([.interfaces[] | (.name | type) == \"string\" and (.mac | type) == \"string\" and (.index | type) == \"number\" and
       (.received | type) == \"number\" and (.sent | type) == \"number\" and (.announced | type) == \"array\"] | all) and
     (.interfaces[0].name == \"veth-m\") and ((.interfaces[0].announced | sort) == [\"203.0.113.0\",\"203.0.113.1\",\"203.0.113.16\"]) and
     ([.addresses[] | (.address | type) == \"string\" and (.elected_here | type) == \"boolean\" and has(\"elected_node\") and
       (.requests | type) == \"number\" and (.replies | type) == \"number\" and (.gratuitous | type) == \"number\"] | all) and
     (.addresses[] | select(.address == \"203.0.113.16\") | .service == \"t/a\" and .elected_here == true and .elected_node == \"node-1\"))" show protocols all
j '.protocols | length == 1' show protocols all tor

# show route [all] [count] [for] [where] [export] [protocol] [pool]
R='.routes[] | (.net | type) == "string" and (.table == "master4" or .table == "master6") and (.proto | type) == "string" and (.primary | type) == "boolean" and (.since | type) == "number"'
j "$(keys '["routes"]') and ([$R] | all) and
   ([.routes[].net] | sort) == [\"198.51.100.0/24\",\"203.0.113.0/32\",\"203.0.113.1/32\",\"203.0.113.16/32\"]" show route
j "$(keys '["routes","networks","total"]') and .routes == 4 and .networks == 4 and .total == 4" show route count
j "([$R] | all) and (.routes[] | select(.net == \"203.0.113.16/32\") | .pool == \"tiny\" and .service == \"t/a\" and
   .exports.tor == \"yes\") and (.routes[] | select(.net == \"198.51.100.0/24\") | .exports.tor != \"yes\")" show route all
j '[.routes[].net] == ["203.0.113.1/32"]' show route for 203.0.113.1
j '[.routes[].net] == ["203.0.113.1/32"]' show route for 203.0.113.1/32
j '.routes == []' show route for 192.0.2.77
j '[.routes[].net] == ["198.51.100.0/24"]' show route where 'net.len = 24'
j "([.routes[].net] | sort) == [\"203.0.113.0/32\",\"203.0.113.1/32\",\"203.0.113.16/32\"]" show route export tor
j '[.routes[] | .bgp_community] | all(. == "(64512,7)")' show route all export tor
j "([.routes[].net] | sort) == [\"203.0.113.0/32\",\"203.0.113.1/32\",\"203.0.113.16/32\"]" show route protocol k8s
j "([.routes[].net] | sort) == [\"203.0.113.0/32\",\"203.0.113.1/32\"]" show route pool prod
j '.routes == 1 and .networks == 1' show route count pool tiny
j '.routes == 3' show route count export tor

# show pools [NAME]
PO='.pools[] | (.name | type) == "string" and (.auto_assign | type) == "boolean" and (.avoid_buggy_ips | type) == "boolean" and (.services | type) == "number" and ([.families[] | (.family == "IPv4" or .family == "IPv6") and (.size | type) == "number" and (.used | type) == "number" and (.free | type) == "number" and (.ranges | type) == "array"] | all)'
j "$(keys '["pools"]') and ([$PO] | all) and ([.pools[].name] == [\"prod\",\"tiny\"])" show pools
j ".pools[0].name == \"tiny\" and .pools[0].services == 1 and .pools[0].families[0].used == 1 and
   .pools[0].families[0].free == 0 and .pools[0].families[0].ranges == [\"203.0.113.16/32\"]" show pools tiny

# show services [NAMESPACE/NAME]
S='.services[] | (.namespace | type) == "string" and (.name | type) == "string" and (.addresses | type) == "array" and (.traffic_policy == "Cluster" or .traffic_policy == "Local") and (.endpoints | keys) == ["local","total"] and (.served | type) == "boolean" and (.announced | type) == "boolean" and has("pool")'
j "$(keys '["services"]') and ([$S] | all) and (.services | length) == 4 and
   (.services[] | select(.name == \"b\") | .pending == true and .addresses == [] and .pool == null and (.reason | type) == \"string\")" show services
j "[.services[] | .namespace + \"/\" + .name] == [\"web/front\"] and .services[0].addresses == [\"203.0.113.0\"] and
   .services[0].pool == \"prod\" and .services[0].announced == true and (has(\"reason\") | not)" show services web/front

# show peers [interface "NAME"]
PE='.peers[] | (.protocol | type) == "string" and (.peer_address | type) == "string" and (.peer_asn | type) == "number" and (.self_asn | type) == "number" and (.hold_time | type) == "number" and has("interface") and (.state | type) == "string" and (.source == "config" or .source == "peers file")'
j "$(keys '["peers"]') and ([$PE] | all) and .peers[0].protocol == \"tor\" and .peers[0].peer_address == \"192.0.2.2\" and
   .peers[0].peer_asn == 64512 and .peers[0].self_asn == 64513 and .peers[0].interface == \"veth-m\" and
   .peers[0].state == \"Established\" and .peers[0].source == \"config\"" show peers
j '[.peers[].protocol] == ["tor"]' show peers interface '"veth-m"'
j '.peers == []' show peers interface '"lo"'

# show interfaces
I='.interfaces[] | (.name | type) == "string" and (.state == "up" or .state == "down") and (.index | type) == "number" and (.mac | type) == "string" and (.addresses | type) == "array" and (.peers | type) == "array"'
j "$(keys '["interfaces"]') and ([$I] | all) and
   (.interfaces[] | select(.name == \"veth-m\") | (.addresses | index(\"192.0.2.1/24\") != null) and
     (.addresses | index(\"2001:db8:1::1/64\") != null) and .peers == [{\"protocol\": \"tor\", \"peer_address\": \"192.0.2.2\", \"state\": \"Established\"}])" show interfaces

# show memory (total is mallinfo2()'s, which is 0 under AddressSanitizer)
j "$(keys '["routing_tables","protocols","current_config","total"]') and ([.[] | type] | unique) == [\"number\"] and
   .routing_tables > 0 and .protocols > 0 and .current_config > 0 and (.total >= .routing_tables or .total == 0)" show memory

# show symbols [KIND]
SY='.symbols[] | (.name | type) == "string" and ([.kind] | inside(["protocol","pool","filter","function","template","constant","service"]))'
j "$(keys '["symbols"]') and ([$SY] | all) and
   ([.symbols[] | select(.kind != \"service\") | .kind + \":\" + .name] | sort) ==
   ([\"constant:LP\",\"filter:to_tor\",\"function:is_svc\",\"pool:prod\",\"pool:tiny\",\"protocol:bfd1\",\"protocol:k8s\",\"protocol:lan\",\"protocol:s4\",\"protocol:tor\",\"template:tmpl\"] | sort)" show symbols
j '([.symbols[].name] | sort) == ["prod","tiny"]' show symbols pool
j '([.symbols[].name] | sort) == ["t/a","t/b","web/back","web/front"]' show symbols service

# show bfd sessions (BIRD runs BFD for its session too)
bfd_up() { mb_ctl m show bfd sessions json | jq -e '.sessions[0].state == "Up"' >/dev/null; }
mb_wait 10 "BFD session Up" bfd_up
B='.sessions[] | (.neighbor | type) == "string" and (.interface | type) == "string" and ([.state] | inside(["AdminDown","Down","Init","Up"])) and ([.remote_state] | inside(["AdminDown","Down","Init","Up"])) and (.since | type) == "string" and (.tx_interval_ms | type) == "number" and (.rx_interval_ms | type) == "number" and (.multiplier | type) == "number" and (.detect_time_ms | type) == "number" and (.diagnostic | type) == "string" and (.local_discriminator | type) == "number" and (.remote_discriminator | type) == "number" and (.packets_received | type) == "number" and (.packets_sent | type) == "number"'
j "$(keys '["sessions"]') and ([$B] | all) and (.sessions | length) == 1 and .sessions[0].neighbor == \"192.0.2.2\" and
   .sessions[0].interface == \"veth-m\" and .sessions[0].remote_state == \"Up\" and .sessions[0].tx_interval_ms >= 100" show bfd sessions

# Errors stay errors: exit 1 and no JSON.
for c in "show protocols nosuch json" "show pools nosuch json" "show services no/such json"; do
	# shellcheck disable=SC2086
	if out=$(mb_ctl m $c); then mb_fail "'$c' succeeded: $out"; fi
	printf '%s' "$out" | jq -e . >/dev/null 2>&1 && mb_fail "'$c' answered JSON: $out"
done

# The issue's own example.
mb_ctl m show protocols json | jq . >/dev/null || mb_fail "metalbirdc show protocols json | jq ."
# Restricted clients (show only) get JSON too.
mb_ctl m -r show pools json | jq -e '.pools | length == 2' >/dev/null || mb_fail "metalbirdc -r show pools json"
mb_ctl m -r configure >/dev/null 2>&1 && mb_fail "metalbirdc -r configure was allowed"
# Abbreviations work with json too.
mb_ctl m sh pro json | jq -e '.protocols | length == 5' >/dev/null || mb_fail "sh pro json"

# Every show command of the command table was exercised above.
while read -r words; do
	found=0
	for t in "${TESTED[@]}"; do [[ "$t " == "$words "* ]] && found=1; done
	((found)) || mb_fail "'$words' (nest/cmdtab.def) is not tested with json here"
done < <(sed -n 's/^CMD([A-Z_]*, "\(show [^"]*\)".*CMD_JSON.*/\1/p' "$MB_TOP/nest/cmdtab.def")
mb_log "json: ${#TESTED[@]} show commands parse with the documented keys"
