#!/bin/bash
# t-gr-k8s: a restart with -R waits for the Kubernetes routes before its
# End-of-RIB (RFC 4724 4.1).  metalbird takes 20 LoadBalancer Services from
# the test API server (tests/k8s-api/server.py) and announces them to BIRD 2,
# both with graceful restart on.  metalbird is killed with SIGKILL and the API
# server stopped; metalbird comes back with -R while the API server is still
# away, so its table is incomplete: it must send no End-of-RIB, and BIRD must
# keep our 20 routes stale.  When the API server is back, the routes come,
# then the End-of-RIB, and BIRD never lost one (polled every 100 ms).
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

mb_need openssl
mb_ns_add mb-grk-m
mb_ns_add mb-grk-r
mb_link mb-grk-m veth-m 192.0.2.1/24 mb-grk-r veth-r 192.0.2.2/24

K=$MB_TOP/tests/k8s-api
cd "$MB_WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=mb-test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile san.ext 2>/dev/null
PORT=6443
TOKEN=tok-$RANDOM-$RANDOM
N=20
python3 "$K/mkstate.py" initial.json many:$N:ready=node-1 node:node-1
api() {
	rm -f "$MB_WORK/ready-$1"
	mb_bg "$1" ip netns exec mb-grk-m python3 "$K/server.py" $PORT srv.crt srv.key "$TOKEN" initial.json "ready-$1"
	mb_wait 10 "API server $1 up" test -s "$MB_WORK/ready-$1"
}
api api1

cat >kubeconfig <<YAML
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 ca.crt)
    server: https://127.0.0.1:$PORT
  name: test
contexts:
- context:
    cluster: test
    user: metalbird
  name: test
current-context: test
users:
- name: metalbird
  user:
    token: $TOKEN
YAML

cat >m.conf <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$MB_WORK";
pool prod { addresses 203.0.113.0/27; }
protocol kubernetes k8s {
	kubeconfig "$MB_WORK/kubeconfig";
}
protocol bgp b4 {
	neighbor 192.0.2.2 as 64512;
	local 192.0.2.1 as 64513;
	connect retry time 1;
	graceful restart on;
	graceful restart time 60;
}
CONF

cat >r.conf <<'CONF'
router id 192.0.2.2;
log stderr all;
protocol device { }
protocol bgp m4 {
	local 192.0.2.2 as 64512;
	neighbor 192.0.2.1 as 64513;
	connect delay time 1; connect retry time 1; error wait time 1, 3;
	graceful restart on;
	ipv4 { import all; export none; };
}
CONF

mb_metalbird m mb-grk-m "$MB_WORK/m.conf"
mb_bird r mb-grk-r "$MB_WORK/r.conf"

bird_count() { mb_birdc r show route count protocol m4 | awk '/^[0-9]+ of [0-9]+ routes/ { n += $1 } END { print n + 0 }'; }
has() { [[ $(bird_count) == "$1" ]]; }
mb_wait 30 "BIRD has our $N Service routes" has $N

cat >"$MB_WORK/poll.sh" <<POLL
#!/bin/bash
while :; do
	n=\$(birdc -s "$MB_WORK/r.ctl" show route count protocol m4 | awk '/^[0-9]+ of [0-9]+ routes/ { n += \$1 } END { print n + 0 }')
	s=\$(birdc -s "$MB_WORK/r.ctl" show protocols all m4 | grep -c 'Neighbor graceful restart active')
	echo "\${EPOCHREALTIME} \${n:-x} \$s"
	sleep 0.1
done
POLL
chmod +x "$MB_WORK/poll.sh"
mb_bg poll "$MB_WORK/poll.sh"
sleep 0.5

# --- crash, and the API server goes away too ----------------------------------------------
pid=$(mb_pid m)
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
unset "_MB_PID[m]" "_MB_CHECK[m]"
mb_log "killed metalbird (pid $pid) with SIGKILL"
mb_stop api1
rm -f "$MB_WORK/m.ctl"
mb_metalbird m2 mb-grk-m "$MB_WORK/m.conf" -R
est() { mb_birdc r show protocols m4 | grep -q Established; }
mb_wait 15 "BIRD's session to the restarted metalbird" est
sleep 3
st=$(mb_birdc r show protocols all m4)
mb_assert_match 'Neighbor graceful restart active' "$st" "BIRD still waits for our End-of-RIB"
mb_assert_match 'k8s +Kubernetes +--- +start' "$(mb_ctl m2 show protocols k8s)" "the Kubernetes source is still starting"
has $N || mb_fail "BIRD has $(bird_count) of our $N routes while the API server is away"

# --- the API server is back: routes, then End-of-RIB -------------------------------------
api api2
fresh() {
	local st
	st=$(mb_birdc r show protocols all m4)
	[[ $(bird_count) == "$N" ]] && [[ $st == *Established* ]] && [[ $st != *"graceful restart active"* ]]
}
mb_wait 40 "BIRD has our routes fresh (End-of-RIB after the Kubernetes sync)" fresh
sleep 0.3
mb_stop poll
samples=$(wc -l <"$MB_WORK/poll.log")
min=$(awk '$2 != "x" { if (min == "" || $2 < min) min = $2 } END { print min }' "$MB_WORK/poll.log")
grsamples=$(awk '$3 == 1' "$MB_WORK/poll.log" | wc -l)
echo "NOTE: restart with -R while the Kubernetes API was away: $samples samples every 100 ms, $grsamples while BIRD held our routes stale; at least $min of $N routes at every sample; routes lost: $((N - min))"
((grsamples >= 30)) || mb_fail "BIRD was in graceful restart in only $grsamples samples"
((min == N)) || mb_fail "BIRD lost $((N - min)) routes during the restart"
mb_stop m2
