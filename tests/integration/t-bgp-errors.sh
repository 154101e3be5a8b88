#!/bin/bash
# t-bgp-errors: what metalbird does with a peer that sends bad things, using
# tests/integration/bgp_sender.py, a hand-made speaker that sends OPENs and
# UPDATEs built byte by byte:
#   - RFC 7606 treat-as-withdraw (bad ORIGIN value, COMMUNITIES of a length
#     not a multiple of 4): the session stays up and the route is withdrawn;
#   - RFC 7606 attribute discard (ATOMIC_AGGREGATE of length 1): the route stays;
#   - an NLRI prefix longer than 32 bits: session reset with NOTIFICATION
#     UPDATE Message Error / Invalid Network Field (3/10);
#   - OPEN errors: hold time 2 (2/6 Unacceptable Hold Time), an unknown
#     optional parameter (2/4), the wrong AS (2/2 Bad Peer AS);
#   - a real BIRD 2 that requires the BGP Role capability (RFC 9234), which we
#     do not offer, refuses our OPEN, and metalbird logs the peer's reason.
# The daemon must survive all of it (and, under the sanitizer build, leak nothing).
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"
mb_need python3 bird

mb_ns_add mb-be-m
mb_ns_add mb-be-p
mb_link mb-be-m veth-m 192.0.2.1/24 mb-be-p veth-p 192.0.2.2/24
for a in 3 4 5 6; do mb_addr mb-be-p veth-p 192.0.2.$a/24; done

cat >"$MB_WORK/m.conf" <<'CONF'
router id 192.0.2.1;
log stderr all;
protocol bgp upd { neighbor 192.0.2.2 as 64600; local 192.0.2.1 as 64513; hold time 6; connect retry time 1; import all; export none; }
protocol bgp hold2 { neighbor 192.0.2.3 as 64600; local 192.0.2.1 as 64513; connect retry time 1; }
protocol bgp param { neighbor 192.0.2.4 as 64600; local 192.0.2.1 as 64513; connect retry time 1; }
protocol bgp badas { neighbor 192.0.2.5 as 64600; local 192.0.2.1 as 64513; connect retry time 1; }
protocol bgp needcap { neighbor 192.0.2.6 as 64512; local 192.0.2.1 as 64513; connect retry time 1; }
CONF

# UPDATE bodies, hex: withdrawn length, attribute length, attributes, NLRI.
python3 - "$MB_WORK" <<'PY'
import struct, sys
w = sys.argv[1]
def upd(attrs, nlri):
    return "0000" + struct.pack("!H", len(attrs)).hex() + attrs.hex() + nlri.hex()
origin = bytes.fromhex("40010100")
path = bytes.fromhex("400206020100 00fc58".replace(" ", ""))  # AS_SEQUENCE [64600], 4-octet
nh = bytes.fromhex("400304c0000202")
def pfx(last, plen=32):
    return bytes([plen, 203, 0, 113, last])
good = origin + path + nh
lines = ["open hold=6"]
for last in (50, 51, 52, 53):
    lines.append("update " + upd(good, pfx(last)))
lines.append("update " + upd(bytes.fromhex("40010105") + path + nh, pfx(51)))          # ORIGIN 5
lines.append("update " + upd(good + bytes.fromhex("c00803000102"), pfx(52)))           # COMMUNITIES len 3
lines.append("update " + upd(good + bytes.fromhex("40060100"), pfx(53)))               # ATOMIC_AGGREGATE len 1
lines.append("expect-keepalive 3")
lines.append("sleep 8")
lines.append("update " + upd(good, bytes([33, 203, 0, 113, 54, 0])))                   # /33
lines.append("sleep 2")
open(w + "/upd.script", "w").write("\n".join(lines) + "\n")
open(w + "/hold2.script", "w").write("open hold=2\nsleep 3\n")
open(w + "/param.script", "w").write("open hold=90 param=99020102\nsleep 3\n")
open(w + "/badas.script", "w").write("open hold=90 as=64999\nsleep 3\n")
PY

cat >"$MB_WORK/r.conf" <<'CONF'
router id 192.0.2.6;
log stderr all;
protocol device { }
protocol bgp needcap {
	local 192.0.2.6 as 64512;
	neighbor 192.0.2.1 as 64513;
	strict bind on;
	local role peer;
	require roles on;
	connect delay time 1; connect retry time 2; error wait time 1, 3;
	ipv4 { import all; export none; };
}
CONF

sender=$MB_TOP/tests/integration/bgp_sender.py
mb_bg s-upd ip netns exec mb-be-p python3 "$sender" 192.0.2.2 64600 192.0.2.2 "$MB_WORK/upd.script"
mb_bg s-hold2 ip netns exec mb-be-p python3 "$sender" 192.0.2.3 64600 192.0.2.3 "$MB_WORK/hold2.script"
mb_bg s-param ip netns exec mb-be-p python3 "$sender" 192.0.2.4 64600 192.0.2.4 "$MB_WORK/param.script"
mb_bg s-badas ip netns exec mb-be-p python3 "$sender" 192.0.2.5 64600 192.0.2.5 "$MB_WORK/badas.script"
sleep 0.5
mb_metalbird m mb-be-m "$MB_WORK/m.conf"
mb_bird r mb-be-p "$MB_WORK/r.conf"

# OPEN errors: the NOTIFICATION metalbird sent, as the sender saw it
notif() { grep -qF "\"type\": \"notification\", \"code\": $2, \"subcode\": $3" "$MB_WORK/s-$1.log"; }
mb_wait 15 "hold time 2 answered with 2/6 Unacceptable Hold Time" notif hold2 2 6
mb_wait 15 "unknown optional parameter answered with 2/4" notif param 2 4
mb_wait 15 "wrong AS answered with 2/2 Bad Peer AS" notif badas 2 2

# RFC 7606 on the established session
mb_wait 15 "upd Established" sh -c "'$METALBIRDC' -s '$MB_WORK/m.ctl' show protocols upd | grep -q Established"
route() { mb_ctl m show route for "$1" 2>/dev/null | grep -qE "^${1//./\\.} "; }
mb_wait 10 "203.0.113.50/32 imported" route 203.0.113.50/32
mb_wait 10 "203.0.113.53/32 kept (attribute discard)" route 203.0.113.53/32
mb_wait 10 "203.0.113.51/32 withdrawn (bad ORIGIN: treat-as-withdraw)" eval '! route 203.0.113.51/32'
mb_wait 10 "203.0.113.52/32 withdrawn (bad COMMUNITIES: treat-as-withdraw)" eval '! route 203.0.113.52/32'
mb_assert_match 'Established' "$(mb_ctl m show protocols upd)" "session kept after treat-as-withdraw"
mb_assert_match 'treated as withdraw: origin' "$(cat "$MB_WORK/m.log")" "the log names the RFC 7606 action and the attribute"
mb_wait 20 "prefix /33 answered with 3/10 Invalid Network Field" notif upd 3 10

# A real peer's reason, logged
mb_wait 20 "BIRD's OPEN error logged with its reason" \
	grep -qiE 'needcap: .*Received: OPEN message error \/ Role mismatch' "$MB_WORK/m.log"
mb_assert_match 'up' "$(mb_ctl m show status)" "daemon still running"
mb_log "malformed input got the RFC 4271 / RFC 7606 treatment"
