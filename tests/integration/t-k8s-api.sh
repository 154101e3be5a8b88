#!/bin/bash
# t-k8s-api: protocol kubernetes in API mode against tests/k8s-api/server.py,
# a test API server on 127.0.0.1 with TLS (a CA made here by openssl) and
# bearer-token auth, which answers as the Kubernetes API reference shows:
# LIST, chunked WATCH streams with ADDED/MODIFIED/DELETED/BOOKMARK events,
# 410 Gone both as an ERROR event and as an HTTP status, a dropped
# connection, 401.  metalbird reads a kubeconfig (inline CA data, token),
# announces what the objects say, follows every event, relists after 410,
# resumes after a drop, retries after 401, and with `write status on` patches
# status.loadBalancer.ingress with exactly the body and content type the API
# expects, and the annotation metallb.io/ip-allocated-from-pool with a merge
# patch of the Service object, as MetalLB does: once per allocation, removed
# on release, the legacy name dropped, someone else's value not fought.
# Then the same with `api server` + `token file` + `ca file`.
# needs: root
# timeout: 120
. "$(dirname "$0")/lib.sh"

# The daemon here has no BGP protocol, so it runs the implicit `protocol l2`,
# which answers ARP/NDP and sends gratuitous ARP on every interface it sees:
# run the whole test inside a namespace of its own, where it sees only its
# loopback.  (The outer run owns the namespace; the inner one does the test.)
if [ -z "${MB_IN_NS:-}" ]; then
	mb_ns_add mb-k8sapi
	ip netns exec mb-k8sapi env MB_IN_NS=1 bash "$0"
	exit 0
fi

K=$MB_TOP/tests/k8s-api
cd "$MB_WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=mb-test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile san.ext 2>/dev/null
port=$(mb_free_port)
API=https://127.0.0.1:$port
TOKEN=tok-$RANDOM-$RANDOM
printf '%s\n' "$TOKEN" >token

python3 "$K/mkstate.py" initial.json svc:web/front:t=1:ready=node-1:port=80 node:node-1
# pages of two objects: every LIST of more than two goes through continue tokens
export MB_MOCK_PAGE=2
export MB_MOCK_CLIENT_CA=$MB_WORK/ca.crt
mb_bg api python3 "$K/server.py" "$port" srv.crt srv.key "$TOKEN" initial.json ready
mb_wait 10 "API server up" test -s ready
mock() { python3 "$K/mock.py" "$API" ca.crt "$@"; }
reqs() { mock log; }

cat >kubeconfig <<YAML
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 ca.crt)
    server: $API
  name: test
contexts:
- context:
    cluster: test
    user: metalbird
    namespace: default
  name: test
- context:
    cluster: nowhere
    user: nobody
  name: other
current-context: test
users:
- name: metalbird
  user:
    token: $TOKEN
YAML
cat >metallb.conf <<CONF
router id 192.0.2.1;
node name "node-1";
log stderr all;
state dir "$MB_WORK";
pool prod { addresses 203.0.113.0/28; }
pool agg { addresses 198.51.100.0/30; aggregation length 32, 30; auto assign no; }
protocol kubernetes k8s {
	kubeconfig "kubeconfig";
	write status on;
}
CONF

routes() { mb_ctl mb show route; }
has_route() { routes | grep -qE "^$1 "; }
no_route() { ! routes | grep -qE "^$1 "; }

# Every sync looks only at the Services an event touches (flat sync); here
# each one is followed by a full recount, allocation and table build from
# scratch, and any difference is an error (show protocols all counts them).
export METALBIRD_K8S_CHECK_SYNC=1
mb_metalbird mb "" "$MB_WORK/metallb.conf"
mb_wait 5 "front announced from the API" has_route '203\.0\.113\.0/32'
out=$(mb_ctl mb show protocols k8s)
mb_assert_match 'k8s +Kubernetes +--- +up' "$out" "protocol up after the lists"

# The status PATCH: exact body, merge patch, status subresource, bearer token.
patched() { reqs | grep -F '"method": "PATCH"' | grep -F "\"path\": \"/api/v1/namespaces/$1/services/$2/status\"" | grep -qF "$3"; }
mb_wait 3 "status of front patched" patched web front \
	'"body": "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"203.0.113.0\"}]}}}"'
reqs | grep -F '"method": "PATCH"' | grep -qF '"content_type": "application/merge-patch+json"' ||
	mb_fail "PATCH without application/merge-patch+json"
reqs | grep -F '"method": "PATCH"' | grep -F '"status": 200' | grep -qF "\"authorization\": \"Bearer $TOKEN\"" ||
	mb_fail "PATCH without the bearer token or not accepted"
# the LIST and WATCH requests carry what the API expects
reqs | grep -F '"path": "/apis/discovery.k8s.io/v1/endpointslices"' | grep -F '"watch": "1"' |
	grep -F '"allowWatchBookmarks": "true"' | grep -qF '"resourceVersion": "' || mb_fail "watch query"
# The pool annotation: a merge patch of the Service object itself (the
# status subresource would drop metadata), exact body, accepted.
annotated() { reqs | grep -F '"method": "PATCH"' | grep -F "\"path\": \"/api/v1/namespaces/$1/services/$2\"" |
	grep -F '"status": 200' | grep -F '"content_type": "application/merge-patch+json"' | grep -qF "$3"; }
mb_wait 3 "pool annotation of front written" annotated web front \
	'"body": "{\"metadata\":{\"annotations\":{\"metallb.io/ip-allocated-from-pool\":\"prod\"}}}"'
sleep 0.5
n=$(reqs | grep -F '"method": "PATCH"' | grep -cF '/status"')
mb_assert_eq 1 "$n" "one status PATCH for one change (the watch brought the status back)"
npatch() { reqs | grep -F '"method": "PATCH"' | grep -cF "\"path\": \"/api/v1/namespaces/$1/services/$2\"" || true; }
mb_assert_eq 1 "$(npatch web front)" "one annotation PATCH for one allocation (the watch brought it back)"

# ADDED: a second Service with a ready endpoint.
mock put svc:web/api:t=2:ready=node-1:port=443
mb_wait 2 "api announced after ADDED" has_route '203\.0\.113\.1/32'
# MODIFIED: its endpoint slice goes unready.
mock put svc:web/api:t=2:unready=node-1:port=443:only=slice
mb_wait 2 "api withdrawn after MODIFIED" no_route '203\.0\.113\.1/32'
out=$(mb_ctl mb show services web/api)
mb_assert_match 'no serving endpoint' "$out" "reason after MODIFIED"
# DELETED
mock delete services web/front
mb_wait 2 "front withdrawn after DELETED" no_route '203\.0\.113\.0/32'

# BOOKMARK moves the resourceVersion on, nothing else.
rv=$(mock bookmark nodes)
sleep 0.3
mock drop nodes >/dev/null
mb_wait 3 "nodes watched again after a drop, from the bookmark's resourceVersion $rv" \
	sh -c "python3 '$K/mock.py' '$API' ca.crt log | grep -F '\"path\": \"/api/v1/nodes\"' | grep -F '\"watch\": \"1\"' | grep -qF '\"resourceVersion\": \"$rv\"'"

# 410 as an ERROR event: services are listed again, state kept meanwhile.
lists() { reqs | grep -F "\"path\": \"$1\"" | grep -vF '"watch"' | grep -c '"method": "GET"' || true; }
mock put svc:web/p1:t=5:port=81 svc:web/p2:t=6:port=82
before=$(lists /api/v1/services)
mock expire services event
mb_wait 3 "services relisted after ERROR 410" sh -c "[ \$(python3 '$K/mock.py' '$API' ca.crt log | grep -F '\"path\": \"/api/v1/services\"' | grep -vF '\"watch\"' | grep -c GET) -gt $before ]"
mb_wait_log 3 mb 'services: resourceVersion .* is gone \(410\): listing again'
# three Services by now: the relist took two pages
reqs | grep -F '"path": "/api/v1/services"' | grep -F '"continue": "' | grep -qF '"limit": "500"' ||
	mb_fail "no paged LIST (limit and continue)"
out=$(mb_ctl mb show services)
for s in web/api web/p1 web/p2; do
	mb_assert_match "$s" "$out" "$s still there after the paged relist"
done
# 410 as an HTTP status on the next watch of endpointslices
before=$(lists /apis/discovery.k8s.io/v1/endpointslices)
mock expire endpointslices http
mock put svc:web/api:t=2:ready=node-1:port=443:only=slice
mb_wait 5 "api announced again after the slice relist" has_route '203\.0\.113\.1/32'
after=$(lists /apis/discovery.k8s.io/v1/endpointslices)
((after > before)) || mb_fail "endpointslices not relisted after HTTP 410"
reqs | grep -F '"status": 410' | grep -qF endpointslices || mb_fail "no HTTP 410 seen"

# 401: the token changes under us; the error shows, and after the fix it recovers.
mock token other-token
mock drop services >/dev/null
mb_wait 5 "401 reported" sh -c "'$METALBIRDC' -s '$MB_WORK/mb.ctl' show protocols all k8s | grep -q '401 Unauthorized'"
mock token "$TOKEN"
mock put svc:web/late:t=3:ready=node-1:port=8080
mb_wait 5 "recovered after 401 (late announced)" sh -c "'$METALBIRDC' -s '$MB_WORK/mb.ctl' show services web/late | grep -q ' announced'"

# A Service that loses its address (now asks for one outside every pool):
# its status is cleared with a merge patch that removes the ingress.
mock put svc:web/late:t=3:ready=node-1:port=8080:ips=198.51.100.77
mb_wait 3 "status of late cleared" patched web late '"body": "{\"status\":{\"loadBalancer\":{\"ingress\":null}}}"'
out=$(mb_ctl mb show services web/late)
mb_assert_match 'pending: requested address 198\.51\.100\.77 is not in any pool' "$out" "late pending"

# MetalLB's legacy annotation: the stable one is written and the legacy one
# removed, in one patch.
mock put svc:web/legacy:t=7:ready=node-1:port=90:ann=metallb.universe.tf/ip-allocated-from-pool=old
mb_wait 3 "legacy annotation replaced" annotated web legacy \
	'"body": "{\"metadata\":{\"annotations\":{\"metallb.io/ip-allocated-from-pool\":\"prod\",\"metallb.universe.tf/ip-allocated-from-pool\":null}}}"'
# Someone else writes another value (kubectl replace): written once per
# allocation, ours is not written again, so two writers never take turns.
mock put svc:web/legacy:t=7:ready=node-1:port=90:ann=metallb.io/ip-allocated-from-pool=mine
mb_wait_log 3 mb 'web/legacy: annotation metallb.io/ip-allocated-from-pool was changed to "mine" by someone else'
sleep 0.5
mb_assert_eq 1 "$(npatch web legacy)" "no second annotation PATCH against someone else's value"
# The address is released (it now asks for one outside every pool): the
# annotation goes, with a null in the merge patch.
mock put svc:web/legacy:t=7:ready=node-1:port=90:ips=198.51.100.78:ann=metallb.io/ip-allocated-from-pool=prod
mb_wait 3 "annotation removed on release" annotated web legacy \
	'"body": "{\"metadata\":{\"annotations\":{\"metallb.io/ip-allocated-from-pool\":null}}}"'
sleep 0.3
mb_assert_eq 2 "$(npatch web legacy)" "one PATCH for the release"
all=$(reqs | grep -F '"method": "PATCH"' | grep -vcF '/status"' || true)
bad=$(reqs | grep -F '"method": "PATCH"' | grep -vF '/status"' | grep -vcF '"status": 200' || true)
out=$(mb_ctl mb show protocols all k8s)
mb_assert_match "Pool annotation writes: $all \\($bad failed\\)" "$out" "show protocols all counts the annotation writes"

# Flat sync against the allocator's order (SPEC section 4): a pool of four
# with shared addresses and an aggregate; addresses released by a delete or
# a collision go to the oldest pending Service.
svcs() { mb_ctl mb show services "$1"; }
holds() { svcs "$1" | grep -qF "$2"; }
mock put svc:storm/a:t=10:pool=agg:share=k:port=1:ready=node-1 svc:storm/b:t=11:pool=agg:share=k:port=2:ready=node-1 \
	svc:storm/c:t=12:pool=agg:ready=node-1 svc:storm/d:t=13:pool=agg:ready=node-1 \
	svc:storm/e:t=14:pool=agg:ready=node-1 svc:storm/f:t=15:pool=agg:ready=node-1
mb_wait 3 "storm/e holds the last address" holds storm/e 198.51.100.3
mb_wait 2 "aggregate announced" has_route '198\.51\.100\.0/30'
mb_assert_match 'pending' "$(svcs storm/f)" "storm/f pending in a full pool"
holds storm/b 198.51.100.0 || mb_fail "storm/b does not share storm/a's address"
mock delete services storm/c
mb_wait 3 "storm/f gets the address storm/c released" holds storm/f 198.51.100.1
mock put svc:storm/b:t=11:pool=agg:share=k:port=1:ready=node-1
mb_wait 3 "storm/b loses the shared address to a port collision" sh -c "'$METALBIRDC' -s '$MB_WORK/mb.ctl' show services storm/b | grep -q pending"
mock delete services storm/a
mb_wait 3 "storm/b gets the address storm/a released" holds storm/b 198.51.100.0
mock put svc:storm/d:t=13:pool=agg:unready=node-1:only=slice
mb_wait 2 "storm/d withdrawn when its endpoint goes unready" no_route '198\.51\.100\.2/32'
has_route '198\.51\.100\.0/30' || mb_fail "the aggregate went with storm/d"
for x in b d e f; do mock delete services storm/$x; done
mb_wait 3 "the aggregate withdrawn with the last Service" no_route '198\.51\.100\.0/30'
out=$(mb_ctl mb show protocols all k8s)
mb_assert_match 'Sync checks: +[1-9][0-9]*, 0 found differences' "$out" "every sync equals a full one"
mb_assert_match 'looked at [1-3] services' "$out" "the last sync looked at the deleted Service only"
! grep -q 'sync check:' "$MB_WORK/mb.log" || mb_fail "a sync differed from a full one: $(grep 'sync check:' "$MB_WORK/mb.log" | head -3)"
# Random bursts of events, reproducible from the seed: Services with
# pools, sharing, requested addresses, Local policy; slices; deletes; this
# node turning NetworkUnavailable and back.  Every sync still equals a
# full one.
seed=${MB_STORM_SEED:-$RANDOM}
python3 "$K/storm.py" "$API" ca.crt "$seed" "${MB_STORM_COUNT:-300}" node-1 || mb_fail "storm.py failed (seed $seed)"
mb_wait 5 "the storm's Services gone (seed $seed)" sh -c "! '$METALBIRDC' -s '$MB_WORK/mb.ctl' show services | grep -q rand/"
out=$(mb_ctl mb show protocols all k8s)
mb_assert_match 'Sync checks: +[1-9][0-9]*, 0 found differences' "$out" "every sync of the storm (seed $seed) equals a full one"
! grep -q 'sync check:' "$MB_WORK/mb.log" ||
	mb_fail "seed $seed: a sync differed from a full one: $(grep 'sync check:' "$MB_WORK/mb.log" | head -3)"

# api server + token file + ca file, by reconfiguration (the source changes: restart).
sed -i "s|kubeconfig \"kubeconfig\";|api server \"$API\"; token file \"token\"; ca file \"ca.crt\";|" metallb.conf
out=$(mb_ctl mb configure)
mb_assert_match 'Reconfigured' "$out" "configure"
mb_wait 5 "up again with api server / token file / ca file" has_route '203\.0\.113\.1/32'
out=$(mb_ctl mb show protocols all k8s)
mb_assert_match "API server: +$API" "$out" "show protocols all names the server"

# A kubeconfig with a client certificate and key (as kubelet.conf has), no token.
openssl req -newkey rsa:2048 -nodes -keyout node.key -out node.csr -subj "/O=system:nodes/CN=system:node:node-1" 2>/dev/null
openssl x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out node.crt -days 2 2>/dev/null
cat >kubeconfig-cert <<YAML
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ca.crt
    server: $API
  name: test
contexts:
- context: {cluster: test, user: node}
  name: node
current-context: node
users:
- name: node
  user:
    client-certificate-data: $(base64 -w0 node.crt)
    client-key-data: $(base64 -w0 node.key)
YAML
sed -i "s|api server \"$API\"; token file \"token\"; ca file \"ca.crt\";|kubeconfig \"kubeconfig-cert\";|" metallb.conf
grep -q kubeconfig-cert metallb.conf || mb_fail "test: config not switched"
mb_ctl mb configure >/dev/null
certreq() { reqs | grep -F '"client_cn": "system:node:node-1"' | grep -F '"path": "/api/v1/nodes"' | grep -qF '"authorization": null'; }
mb_wait 5 "requests with the client certificate and no token" certreq
mb_wait 5 "up with the client certificate" sh -c "'$METALBIRDC' -s '$MB_WORK/mb.ctl' show protocols k8s | grep -q ' up '"
mb_wait 5 "routes with the client certificate" has_route '203\.0\.113\.1/32'
mb_stop mb
mb_assert_eq 0 "$MB_STATUS" "exit status"

# In-cluster: no source in the config, $KUBERNETES_SERVICE_HOST/PORT set and
# the service account's token and CA where a pod has them.  A private mount
# namespace puts a tmpfs over /run, so the host's files are never touched.
cat >incluster.sh <<SH
#!/bin/sh
exec unshare -m sh -c 'mount -t tmpfs mb-test /run &&
	mkdir -p /run/secrets/kubernetes.io/serviceaccount &&
	cp "$MB_WORK/token" "$MB_WORK/ca.crt" /run/secrets/kubernetes.io/serviceaccount/ &&
	KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$port exec "$METALBIRD" "\$@"' incluster "\$@"
SH
chmod +x incluster.sh
sed -i 's|kubeconfig "kubeconfig-cert";||' metallb.conf
REAL_METALBIRD=$METALBIRD
METALBIRD=$MB_WORK/incluster.sh
mb_metalbird mb2 "" "$MB_WORK/metallb.conf"
METALBIRD=$REAL_METALBIRD
mb_wait 5 "up in-cluster" sh -c "'$METALBIRDC' -s '$MB_WORK/mb2.ctl' show protocols all k8s | grep -q 'API server: *$API'"
mb_wait 5 "routes in-cluster" sh -c "'$METALBIRDC' -s '$MB_WORK/mb2.ctl' show route | grep -q '^203\.0\.113\.1/32 '"
[[ ! -e /run/secrets/kubernetes.io/serviceaccount/token ]] || [[ -n ${KUBERNETES_SERVICE_HOST:-} ]] ||
	mb_fail "the in-cluster files leaked out of the mount namespace"
mb_stop mb2
mb_assert_eq 0 "$MB_STATUS" "exit status (in-cluster)"
