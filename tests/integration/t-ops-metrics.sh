#!/bin/bash
# t-ops-metrics: the Prometheus page (`metrics listen`), scraped with curl from
# a daemon that has an Established session to a real BIRD 2 and Services from a
# state file.  Checked: MetalLB's names and values (session up, UPDATEs sent,
# prefixes announced per peer, compared with what BIRD received; addresses in
# use and total per pool, compared with `show pools json`), the allocator's
# pending Services, the config series through a failed and a good reload, the
# exposition format (promtool check metrics prints nothing; HELP and TYPE once
# per family before its samples, a family's samples together, no series twice,
# every label value well escaped), the session-up series going to 0 when the
# peer goes away, and a reload that changes `metrics listen` moving the
# listener.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_need curl promtool python3
MK=$MB_TOP/tests/k8s-api/mkstate.py
ST=$MB_WORK/services.json
mb_ns_add mb-om-m
mb_ns_add mb-om-r
mb_link mb-om-m veth-m 192.0.2.1/24 mb-om-r veth-r 192.0.2.2/24

# prod: 16 addresses, three Services; tiny: 2 addresses, three Services ask
# for it, so one is pending; v6: 256 addresses, none used.
python3 "$MK" "$ST" svc:web/front:t=1:ready=node-1 svc:web/back:t=2:ready=node-1 \
	svc:db/pg:t=3:ready=node-1 svc:t/a:t=4:pool=tiny:ready=node-1 svc:t/b:t=5:pool=tiny:ready=node-1 \
	svc:t/c:t=6:pool=tiny:ready=node-1 node:node-1
mkconf() { # PORT [BROKEN]
	cat <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$MB_WORK";
metrics listen 192.0.2.1 port $1;
pool prod { addresses 203.0.113.0/28; }
pool tiny { addresses 203.0.113.16/31; auto assign no; }
pool v6 { addresses 2001:db8:7::/120; auto assign no; }
protocol kubernetes k8s { state file "services.json"; }
filter to_tor { if net ~ [203.0.113.0/24+] then accept; reject; }
protocol bgp tor {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 2;
	export filter to_tor;
}
${2:-}
CONF
}
mkconf 7472 >"$MB_WORK/m.conf"
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

mb_metalbird m mb-om-m "$MB_WORK/m.conf"
mb_bird r mb-om-r "$MB_WORK/r.conf"

scrape() { # PORT: the page, or fail
	mb_in mb-om-m curl -sf --max-time 3 "http://192.0.2.1:$1/metrics"
}
# value NAME LABELS_REGEX: the value of the one series that matches
value() {
	local page
	page=$(scrape "${PORT:-7472}") || return 1
	printf '%s\n' "$page" | awk -v n="$1" -v l="$2" '
		$1 ~ ("^" n "(\\{|$)") && $1 ~ l { print $2; c++ }
		END { exit c != 1 }'
}
is_value() { # NAME LABELS_REGEX EXPECTED
	local v
	v=$(value "$1" "$2") && [[ $v == "$3" ]]
}
established() { mb_birdc r show protocols m | grep -q Established; }
mb_wait 20 "BIRD session Established" established
mb_wait 10 "session up in the metrics" is_value metallb_bgp_session_up 'peer="192\.0\.2\.2:179"' 1
mb_log "$(scrape 7472 | grep '^metallb_bgp_session_up')"

# What BIRD received is what the page says was announced (5 addresses of
# prod and tiny; t/c is pending).
bird_count() { mb_birdc r show route count | sed -n 's/^Total: \([0-9]*\) of .*/\1/p'; }
bird_has() { [[ $(bird_count) == "$1" ]]; }
mb_wait 10 "BIRD has the 5 Service routes" bird_has 5
mb_wait 5 "announced prefixes = BIRD's routes" is_value metallb_bgp_announced_prefixes_total 'peer="192\.0\.2\.2:179"' "$(bird_count)"
upd=$(value metallb_bgp_updates_total 'peer="192\.0\.2\.2:179"') || mb_fail "no metallb_bgp_updates_total"
((upd >= 1)) || mb_fail "metallb_bgp_updates_total is $upd after 5 routes were sent"

# Pools: the page against show pools json (the allocator's own count).
pools=$(mb_ctl m show pools json)
for p in prod tiny v6; do
	read -r used size < <(printf '%s' "$pools" | jq -r --arg p "$p" \
		'.pools[] | select(.name == $p) | [([.families[].used] | add), ([.families[].size] | add)] | @tsv')
	mb_assert_eq "$used" "$(value metallb_allocator_addresses_in_use_total "pool=\"$p\"")" "$p addresses in use"
	mb_assert_eq "$size" "$(value metallb_allocator_addresses_total "pool=\"$p\"")" "$p addresses total"
done
mb_assert_eq 3 "$(value metallb_allocator_addresses_in_use_total 'pool="prod"')" "prod in use"
mb_assert_eq 16 "$(value metallb_allocator_addresses_total 'pool="prod"')" "prod total"
mb_assert_eq 2 "$(value metallb_allocator_addresses_in_use_total 'pool="tiny"')" "tiny in use"
mb_assert_eq 256 "$(value metallb_allocator_ipv6_addresses_total 'pool="v6"')" "v6 total"
mb_assert_eq 0 "$(value metallb_allocator_ipv6_addresses_in_use_total 'pool="v6"')" "v6 in use"
mb_assert_eq 1 "$(value metalbird_allocator_pending_services '')" "pending Services (t/c: tiny is full)"
mb_assert_eq 1 "$(value metallb_k8s_client_config_loaded_bool '')" "config loaded"
ver=$("$METALBIRD" -V | awk '{ print $2 }')
mb_assert_eq 1 "$(value metalbird_build_info "version=\"$ver\"")" "build info of metalbird $ver"
mb_assert_eq 0 "$(value metalbird_config_reloads_total '')" "reloads before any"

# The format: promtool (Prometheus' own parser and linter) says nothing, and
# our stricter checks pass.
check_format() { # FILE
	local out
	out=$(promtool check metrics <"$1" 2>&1) || mb_fail "promtool check metrics failed: $out"
	[[ -z $out ]] || mb_fail "promtool check metrics found problems: $out"
	python3 - "$1" <<'EOF' || mb_fail "exposition format check of $1"
import re, sys
name_re = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label_re = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"\s*(,|$)')
help_seen, type_seen, done, series = {}, {}, set(), set()
cur = None
bad = []
for no, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    line = line.rstrip("\n")
    m = re.fullmatch(r'# (HELP|TYPE) (' + name_re + r') (.*)', line)
    if m:
        kind, fam, rest = m.groups()
        seen = help_seen if kind == "HELP" else type_seen
        if fam in seen:
            bad.append(f"{no}: second {kind} for {fam}")
        seen[fam] = no
        if kind == "TYPE" and rest not in ("counter", "gauge", "untyped", "summary", "histogram"):
            bad.append(f"{no}: bad type {rest}")
        if cur != fam:
            if cur is not None:
                done.add(cur)
            if fam in done:
                bad.append(f"{no}: family {fam} comes back")
            cur = fam
        continue
    if line.startswith("#") or not line:
        bad.append(f"{no}: stray line {line!r}")
        continue
    m = re.fullmatch(r'(' + name_re + r')(?:\{(.*)\})? (\S+)', line)
    if not m:
        bad.append(f"{no}: unparsable sample {line!r}")
        continue
    name, labels, val = m.groups()
    try:
        float(val)
    except ValueError:
        bad.append(f"{no}: bad value {val!r}")
    if name != cur or name not in type_seen:
        bad.append(f"{no}: sample of {name} outside its family (TYPE/HELP first, samples together)")
    pairs, rest = [], labels or ""
    while rest:
        lm = label_re.match(rest)
        if not lm:
            bad.append(f"{no}: bad labels {labels!r}")
            break
        pairs.append((lm.group(1), lm.group(2)))
        rest = rest[lm.end():]
    if len({k for k, _ in pairs}) != len(pairs):
        bad.append(f"{no}: a label twice")
    key = (name, tuple(sorted(pairs)))
    if key in series:
        bad.append(f"{no}: duplicate series {line!r}")
    series.add(key)
for fam in help_seen.keys() ^ type_seen.keys():
    bad.append(f"{fam}: HELP without TYPE or TYPE without HELP")
print(f"{len(series)} series in {len(type_seen)} families")
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF
}
# Only GET /metrics is served; a client that connects and says nothing
# does not hold up a scrape.
code=$(mb_in mb-om-m curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://192.0.2.1:7472/other)
mb_assert_eq 404 "$code" "GET /other"
code=$(mb_in mb-om-m curl -s -o /dev/null -w '%{http_code}' --max-time 3 -X POST http://192.0.2.1:7472/metrics)
[[ $code =~ ^(405|501)$ ]] || mb_fail "POST /metrics answered $code"
mb_bg silent ip netns exec mb-om-m python3 -c '
import socket, time
s = socket.create_connection(("192.0.2.1", 7472))
time.sleep(30)'
sleep 0.3
t0=$EPOCHREALTIME
scrape 7472 >/dev/null || mb_fail "scrape with a silent client connected"
awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 1) }' || mb_fail "a silent client held up the scrape"
mb_stop silent

scrape 7472 >"$MB_WORK/page1.prom" || mb_fail "scrape"
check_format "$MB_WORK/page1.prom"

# The peer goes away: session up drops to 0, the time of the last state
# change moves, and the page is still well-formed.
t_before=$(value metalbird_protocol_state_change_timestamp_seconds 'protocol="tor"')
mb_stop r
mb_wait 10 "session up 0 once BIRD is gone" is_value metallb_bgp_session_up 'peer="192\.0\.2\.2:179"' 0
t_after=$(value metalbird_protocol_state_change_timestamp_seconds 'protocol="tor"')
awk -v a="$t_before" -v b="$t_after" 'BEGIN { exit !(b > a) }' ||
	mb_fail "state change time did not move ($t_before -> $t_after)"
scrape 7472 >"$MB_WORK/page2.prom"
check_format "$MB_WORK/page2.prom"

# A broken config: nothing changes but the reload series.
mkconf 7473 'protocol bgp broken { neighbor 192.0.2.9 as; }' >"$MB_WORK/m.conf"
mb_ctl m configure >/dev/null && mb_fail "configure of a broken config succeeded"
mb_assert_eq 0 "$(value metalbird_config_last_reload_successful '')" "last reload successful after a failure"
mb_assert_eq 1 "$(value metallb_k8s_client_config_stale_bool '')" "config stale after a failure"
mb_assert_eq 1 "$(value metalbird_config_reloads_total '')" "reloads after one attempt"

# A good config on another port: the listener moves.
mkconf 7473 >"$MB_WORK/m.conf"
mb_ctl m configure >/dev/null || mb_fail "configure of a good config"
PORT=7473 mb_wait 3 "metrics on the new port" is_value metalbird_config_last_reload_successful '' 1
scrape 7472 >/dev/null 2>&1 && mb_fail "the old port still answers after the listener moved"
PORT=7473
mb_assert_eq 0 "$(value metallb_k8s_client_config_stale_bool '')" "config stale after a good reload"
mb_assert_eq 2 "$(value metalbird_config_reloads_total '')" "reloads after two attempts"
scrape 7473 >"$MB_WORK/page3.prom"
check_format "$MB_WORK/page3.prom"

# A port that is taken: the reload is applied, the error is logged, and the
# same config loaded again once the port is free brings the listener back.
mb_bg squat ip netns exec mb-om-m python3 -c '
import socket, time
s = socket.socket(); s.bind(("192.0.2.1", 7475)); s.listen(); time.sleep(60)'
mb_wait 3 "port 7475 taken" sh -c "ip netns exec mb-om-m ss -ltn | grep -q '192.0.2.1:7475'"
mkconf 7475 >"$MB_WORK/m.conf"
mb_ctl m configure >/dev/null || mb_fail "configure to a taken port"
mb_wait_log 2 m 'metrics: cannot listen on 192\.0\.2\.1 port 7475'
mb_ctl m show status >/dev/null || mb_fail "daemon after a failed metrics bind"
mb_stop squat
mb_ctl m configure >/dev/null || mb_fail "configure again"
PORT=7475 mb_wait 3 "metrics on 7475 once it is free" is_value metalbird_config_reloads_total '' 4
# Label escaping, with a node name that needs it ("we\"ird\\node"): a
# second daemon without BGP runs the implicit layer-2 protocol, which
# announces its static route under MetalLB's metallb_speaker_announced with
# a node label; and MetalLB's layer-2 counters are on the page too.  This
# one listens on IPv6.
mb_ns_add mb-om-e
mb_in mb-om-e ip link add e0 type veth peer name e1
mb_in mb-om-e ip link set e0 up
mb_in mb-om-e ip link set e1 up
mb_addr mb-om-e e0 203.0.113.65/26
cat >"$MB_WORK/e.conf" <<'CONF'
node name "we\"ird\\node";
log stderr all;
metrics listen ::1 port 7474;
protocol static { route 203.0.113.77/32; }
CONF
mb_metalbird e mb-om-e "$MB_WORK/e.conf"
scrape_e() { mb_in mb-om-e curl -sf --max-time 3 "http://[::1]:7474/metrics"; }
announced() { scrape_e | grep -qF 'metallb_speaker_announced{ip="203.0.113.77",node="we\"ird\\node",protocol="layer2",service=""} 1'; }
mb_wait 5 "metallb_speaker_announced with the node name escaped" announced
scrape_e >"$MB_WORK/page4.prom"
mb_assert_match '^metallb_layer2_gratuitous_sent\{ip="203\.0\.113\.77",protocol="l2"\} [0-9]+$' "$(cat "$MB_WORK/page4.prom")" "layer-2 counters"
check_format "$MB_WORK/page4.prom"
mb_log "metrics: MetalLB's series right, format clean (promtool), listener follows the config"
