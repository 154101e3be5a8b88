#!/bin/bash
# t-static-routes: two static protocols with export filters feed the route
# table; `show route` shows both sources of a shared prefix with the first
# one best, `show route export NAME` exactly what each export filter lets
# through (and what it sets), `for` the longest match, `count` the totals,
# `where` a filter expression; a reload adds and removes just the
# differences and a changed export filter changes what `export` shows.
# The daemon runs in a namespace of its own (the implicit l2 protocol opens
# raw sockets on its interfaces); only its control socket is used.
# needs: root
# timeout: 60
. "$(dirname "$0")/lib.sh"

mkdir -p "$MB_WORK/state"
conf=$MB_WORK/metallb.conf
write_conf() {	# $1: lab's export, $2: web's second route
	cat >"$conf" <<CONF
router id 192.0.2.1;
log stderr all;
state dir "$MB_WORK/state";
filter only_lab {
  if net ~ [ 203.0.113.0/24{25,32} ] then {
    bgp_local_pref = 200;
    bgp_community.add((64512, 7));
    accept;
  }
  reject;
}
protocol static web {
  route 203.0.113.0/24;
  route $2;
  route 2001:db8:1::/48;
  export all;
}
protocol static lab {
  route 198.51.100.0/25;
  route 198.51.100.128/25;
  route 203.0.113.0/24;
  export $1;
}
CONF
}
write_conf "filter only_lab" 203.0.113.64/26

mb_ns_add mb-static
mb_metalbird mb mb-static "$conf"

# Routes of a protocol enter the table when it is up; the table's changes
# are delivered on later loop turns, so wait for the count to settle.
count_is() { mb_ctl mb show route count | grep -q "Total: $1 of $1 routes"; }
mb_wait 10 "6 routes in the table" count_is 6

out=$(mb_ctl mb show route)
mb_log "show route:"$'\n'"$out"
mb_assert_match 'Table master4:' "$out" "IPv4 table header"
mb_assert_match 'Table master6:' "$out" "IPv6 table header"
mb_assert_match '^203\.0\.113\.0/24 +unicast \[web [0-9:.]+\] \* \(200\)$' "$out" "web's route is best"
mb_assert_match '^203\.0\.113\.0/24 +unicast \[lab [0-9:.]+\] \(200\)$' "$out" "lab's route listed, not best"
mb_assert_match '^2001:db8:1::/48 +unicast \[web ' "$out" "IPv6 route"
mb_assert_eq 6 "$(grep -c 'unicast \[' <<<"$out")" "six route lines"

# What each protocol exports: web (export all) everything best that is not
# its own; lab only what only_lab accepts, with the attributes it set.
out=$(mb_ctl mb show route export web)
mb_assert_eq "198.51.100.0/25 198.51.100.128/25" \
	"$(awk '/unicast/ { printf "%s%s", sep, $1; sep = " " }' <<<"$out")" "show route export web"
out=$(mb_ctl mb show route all export lab)
mb_log "show route all export lab:"$'\n'"$out"
mb_assert_eq "203.0.113.64/26" "$(awk '/unicast/ { print $1 }' <<<"$out")" "show route export lab"
mb_assert_match 'BGP\.local_pref: 200' "$out" "the filter's local pref"
mb_assert_match 'BGP\.community: \(64512,7\)' "$out" "the filter's community"

# Longest match, and its exports in `all`
out=$(mb_ctl mb show route all for 203.0.113.77)
mb_assert_match '^203\.0\.113\.64/26 +unicast \[web ' "$out" "for 203.0.113.77: the /26"
mb_assert_match 'Export to web: no \(its own route\)' "$out" "not exported back to its source"
mb_assert_match 'Export to lab: yes' "$out" "lab exports it"
out=$(mb_ctl mb show route all for 203.0.113.200)
mb_assert_match 'Export to lab: no \(rejected by the export filter\)' "$out" "why lab does not export the /24"
mb_assert_eq 2 "$(grep -c '^203\.0\.113\.0/24 ' <<<"$out")" "for 203.0.113.200: both routes of the /24"
if out=$(mb_ctl mb show route for 192.0.2.1 2>&1); then
	mb_fail "show route for an address without a route succeeded: $out"
fi
mb_assert_match 'Network not found' "$out" "no route for 192.0.2.1"

# Selections
out=$(mb_ctl mb show route protocol lab)
mb_assert_eq 3 "$(grep -c 'unicast \[lab' <<<"$out")" "protocol lab"
out=$(mb_ctl mb show route where 'net ~ [ 198.51.100.0/24+ ]')
mb_assert_eq "198.51.100.0/25 198.51.100.128/25" \
	"$(awk '/unicast/ { printf "%s%s", sep, $1; sep = " " }' <<<"$out")" "where net ~ set"
out=$(mb_ctl mb show route count)
mb_assert_match 'Total: 6 of 6 routes for 5 networks in 2 tables' "$out" "count"
out=$(mb_ctl mb show route count protocol web)
mb_assert_match 'Total: 3 of 6 routes for 3 networks' "$out" "count protocol web"

# Reload: lab exports all, web loses the /26 and gains 203.0.113.128/25
write_conf "all" 203.0.113.128/25
out=$(mb_ctl mb configure)
mb_log "configure:"$'\n'"$out"
routes_are() {
	[[ $(mb_ctl mb show route export lab | awk '/unicast/ { printf "%s%s", sep, $1; sep = " " }') == "$1" ]]
}
mb_wait 10 "lab exports web's routes after the reload" \
	routes_are "203.0.113.0/24 203.0.113.128/25 2001:db8:1::/48"
out=$(mb_ctl mb show route protocol web)
mb_assert_nomatch '203\.0\.113\.64/26' "$out" "the removed route left"
mb_assert_match '^203\.0\.113\.128/25 ' "$out" "the added route came"
mb_assert_match 'Total: 6 of 6 routes for 5 networks' "$(mb_ctl mb show route count)" "count after reload"

mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status on SIGTERM"

# A route given twice is a config error at the second one, whether the
# routes come in order (no hash yet) or not.
printf 'protocol static {\n  route 192.0.2.0/24;\n  route 192.0.2.128/25;\n  route 2001:db8::/32;\n  route 192.0.2.128/25;\n}\n' >"$MB_WORK/dup.conf"
if out=$("$METALBIRD" -p -c "$MB_WORK/dup.conf" 2>&1); then
	mb_fail "a duplicate route was accepted"
fi
mb_assert_match 'dup\.conf:5:[0-9]+:? route 192\.0\.2\.128/25 is already given at line 3' "$out" "duplicate, in order"
printf 'protocol static {\n  route 192.0.2.128/25;\n  route 192.0.2.0/24;\n  route 192.0.2.128/25;\n}\n' >"$MB_WORK/dup2.conf"
if out=$("$METALBIRD" -p -c "$MB_WORK/dup2.conf" 2>&1); then
	mb_fail "a duplicate route was accepted"
fi
mb_assert_match 'dup2\.conf:4:[0-9]+:? route 192\.0\.2\.128/25 is already given at line 2' "$out" "duplicate, out of order"
