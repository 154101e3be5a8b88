#!/bin/sh
# doc/check-docs.sh -- the documentation must keep up with the code
#
#   - the man pages render with groff -man -ww without a warning, and with man -l;
#   - every reply code of nest/cli.h is listed in doc/reply-codes;
#   - every command of nest/cmdtab.def has its replies in doc/reply-codes;
#   - every show command that takes json has a section in doc/json.md;
#   - metallb.conf(5) names every option of the config language (SPEC section 3);
#   - the config in README.md passes `metalbird -p` (when metalbird builds).
# Prints PASS/FAIL lines and "N passed, N failed" last; exits 1 on a failure.

set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
ok()  { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d /tmp/mb-docs.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for m in doc/metalbird.8 doc/metallb.conf.5 doc/metalbirdc.8; do
	[ -f "$m" ] || { bad "$m is missing"; continue; }
	if groff -man -Tutf8 -ww -z "$m" > "$tmp/w" 2>&1 && [ ! -s "$tmp/w" ]; then
		ok "$m renders without warnings"
	else
		bad "$m: groff warns: $(head -n 3 "$tmp/w")"
	fi
	if MANWIDTH=80 man -l "$m" > /dev/null 2> "$tmp/w" && [ ! -s "$tmp/w" ]; then
		ok "$m: man -l"
	else
		bad "$m: man -l: $(head -n 3 "$tmp/w")"
	fi
done

# reply codes: "RC_NAME = NNNN" in nest/cli.h
missing=
for c in $(grep -o 'RC_[A-Z0-9_]* = [0-9]*' nest/cli.h | sed 's/.* = //'); do
	code=$(printf '%04d' "$c")
	grep -q "^$code  " doc/reply-codes || missing="$missing $code"
done
[ -z "$missing" ] && ok "doc/reply-codes lists every code of nest/cli.h" ||
	bad "doc/reply-codes lacks codes:$missing"

# commands: CMD(ID, "words", ...) in nest/cmdtab.def
missing=
sed -n 's/^CMD([A-Z_]*, "\([^"]*\)".*/\1/p' nest/cmdtab.def > "$tmp/cmds"
while read -r words; do
	grep -q "^$words\( \|$\)" doc/reply-codes || missing="$missing '$words'"
done < "$tmp/cmds"
[ -z "$missing" ] && ok "doc/reply-codes has the replies of every command" ||
	bad "doc/reply-codes lacks commands:$missing"

missing=
sed -n 's/^CMD([A-Z_]*, "\([^"]*\)".*CMD_JSON.*/\1/p' nest/cmdtab.def > "$tmp/json"
while read -r words; do
	grep -q "^## $words\( \|$\)" doc/json.md || missing="$missing '$words'"
done < "$tmp/json"
[ -z "$missing" ] && ok "doc/json.md has every show command that takes json" ||
	bad "doc/json.md lacks:$missing"

# SPEC section 3, option by option
MANWIDTH=250 man -l doc/metallb.conf.5 2>/dev/null | col -b | tr -s ' \t' '  ' > "$tmp/man5"
missing=
while IFS= read -r o; do
	grep -qF -- "$o" "$tmp/man5" || missing="$missing '$o'"
done <<'OPTIONS'
router id
node name
log stderr
log syslog
debug protocols
state dir
metrics listen
peers file
include "FILE"
define NAME
addresses
auto assign
avoid buggy ips
aggregation length
aggregation length6
namespaces
service selector
priority
filter NAME
function NAME
accept;
reject;
case
print
return
defined(
net.len
net.ip
k8s_namespace
k8s_service
k8s_traffic_policy
k8s_label(
k8s_annotation(
bgp_origin
bgp_path
prepend(
bgp_med
bgp_local_pref
bgp_community
bgp_large_community
bgp_next_hop
export SPEC
where EXPRESSION
protocol kubernetes
kubeconfig "FILE"
api server "URL"
token file "FILE"
ca file "FILE"
state file "FILE"
load balancer class
write status
template bgp
description "TEXT"
neighbor ADDRESS
local [ADDRESS] as ASN
interface "NAME"
hold time N
keepalive time N
connect retry time N
passive BOOL
multihop
direct;
ttl security
password "SECRET"
graceful restart on
graceful restart time N
bfd BOOL
next hop self
next hop address
node selector "SELECTOR"
import SPEC
protocol l2
protocol bfd
interval N ms
multiplier N
protocol static
route PREFIX
OPTIONS
[ -z "$missing" ] && ok "metallb.conf(5) documents every option of SPEC section 3" ||
	bad "metallb.conf(5) lacks:$missing"

# README's config
awk '/^## A config/ { f = 1; next } f && /^```$/ { n++; if (n == 2) exit; next } f && n == 1' README.md > "$tmp/readme.conf"
if ! make -s metalbird > /dev/null 2>&1 || [ ! -x ./metalbird ]; then
	echo "SKIP: README config: metalbird does not build in this tree"
elif ./metalbird -p -c "$tmp/readme.conf" 2> "$tmp/err"; then
	ok "README's config passes metalbird -p"
else
	bad "README's config: $(cat "$tmp/err")"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
