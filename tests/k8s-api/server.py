#!/usr/bin/env python3
"""A test Kubernetes API server for metalbird's API mode.

Serves Services (v1), EndpointSlices (discovery.k8s.io/v1) and Nodes (v1)
shaped as the Kubernetes API reference shows them:

  GET  /api/v1/services[?limit=N[&continue=T]]  a ServiceList (items without kind/apiVersion,
                                              metadata.resourceVersion of the list; metadata.continue
                                              when more pages follow; $MB_MOCK_PAGE caps the page size)
  GET  /api/v1/services?watch=1&resourceVersion=RV&allowWatchBookmarks=true&timeoutSeconds=N
                                              HTTP/1.1 chunked stream of watch events, one JSON object
                                              per line: {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":...};
                                              an RV older than the compaction point gets an ERROR event
                                              whose object is a Status with code 410 (or HTTP 410, see expire)
  PATCH /api/v1/namespaces/NS/services/NAME/status
                                              needs Content-Type application/merge-patch+json; applied as
                                              an RFC 7386 merge patch, and a MODIFIED event follows
  PATCH /api/v1/namespaces/NS/services/NAME   the object (metalbird writes metadata.annotations): the same
                                              content type; checked as the API server does (a JSON object;
                                              annotations map qualified names to strings, null removes one;
                                              status is ignored here, it has its own subresource); a patch
                                              that changes nothing makes no new resourceVersion and no event
  (the same for /apis/discovery.k8s.io/v1/endpointslices and /api/v1/nodes)

Every API request needs "Authorization: Bearer TOKEN" or a client certificate signed by
$MB_MOCK_CLIENT_CA (else 401 with a Status).
TLS with the certificate and key given.  Control endpoints for the test (no auth):

  POST /mock/put     {"resource": R, "object": OBJ}        ADDED or MODIFIED (a Service keeps its status)
  POST /mock/delete  {"resource": R, "namespace": NS, "name": N}
  POST /mock/bookmark {"resource": R}
  POST /mock/expire  {"resource": R, "mode": "event"|"http"}  compact history up to now; end watches of R
  POST /mock/drop    {"resource": R}                        cut watch connections without a last chunk
  POST /mock/token   {"token": T}
  GET  /mock/log                                           every API request: method, path, query,
                                                           content_type, body, status
Usage: server.py PORT CERT KEY TOKEN INITIAL.json READYFILE
INITIAL.json is a kubectl List (items with kind) as tests/k8s-api/mkstate.py writes.
"""
import http.server
import json
import os
import queue
import re
import socket
import ssl
import sys
import threading
import urllib.parse

RES = {
    "services": ("/api/v1/services", "Service", "v1", True),
    "endpointslices": ("/apis/discovery.k8s.io/v1/endpointslices", "EndpointSlice", "discovery.k8s.io/v1", True),
    "nodes": ("/api/v1/nodes", "Node", "v1", False),
}
KIND2RES = {v[1]: k for k, v in RES.items()}

lock = threading.RLock()
state = {r: {} for r in RES}      # resource -> key -> object
history = []                      # (rv, resource, type, object)
rv = [100]
compacted = {r: 0 for r in RES}   # watches from an RV at or below this are expired
http410 = {r: False for r in RES}
watchers = {r: [] for r in RES}   # resource -> [Queue]
token = [None]
log = []


def key_of(res, obj):
    m = obj["metadata"]
    return (m.get("namespace", "") + "/" + m["name"]) if RES[res][3] else m["name"]


def bump(res, typ, obj):
    """Record a change (caller holds lock) and tell the watchers."""
    rv[0] += 1
    obj["metadata"]["resourceVersion"] = str(rv[0])
    history.append((rv[0], res, typ, json.loads(json.dumps(obj))))
    ev = {"type": typ, "object": obj}
    for q in watchers[res]:
        q.put(("event", ev))


def merge(dst, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(dst, dict):
        dst = {}
    for k, v in patch.items():
        if v is None:
            dst.pop(k, None)
        else:
            dst[k] = merge(dst.get(k), v)
    return dst


# metadata.annotations keys: an optional DNS-subdomain prefix and "/", then a
# name of at most 63 characters (k8s.io/apimachinery validation.IsQualifiedName)
NAME_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
PREFIX_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def qualified_name(k):
    prefix, _, name = k.rpartition("/")
    if "/" in k and (not prefix or len(prefix) > 253 or not PREFIX_RE.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(NAME_RE.match(name))


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def record(self, code, body=""):
        u = urllib.parse.urlsplit(self.path)
        with lock:
            log.append({"method": self.command, "path": u.path, "query": dict(urllib.parse.parse_qsl(u.query)),
                        "content_type": self.headers.get("Content-Type"), "body": body, "status": code,
                        "authorization": self.headers.get("Authorization"), "client_cn": self.client_cn()})

    def client_cn(self):
        try:
            cert = self.connection.getpeercert()
        except (AttributeError, ValueError):
            return None
        for rdn in (cert or {}).get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    return v
        return None

    def authorized(self, body=""):
        if self.headers.get("Authorization") == "Bearer " + token[0]:
            return True
        if self.client_cn():
            return True     # a client certificate our CA signed (as kubelet.conf users have)
        self.record(401, body)
        self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        return False

    def resource_of(self, path):
        for r, (p, _, _, _) in RES.items():
            if path == p:
                return r, None
            if RES[r][3]:
                # /api/v1/namespaces/NS/services/NAME[/status]
                base, _, plural = p.rpartition("/")
                pre = base + "/namespaces/"
                if path.startswith(pre):
                    rest = path[len(pre):].split("/")
                    if len(rest) >= 3 and rest[1] == plural:
                        return r, rest
        return None, None

    # --- control -------------------------------------------------------------
    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        if not u.path.startswith("/mock/"):
            self.send_json(405, status(405, "MethodNotAllowed", "no"))
            return
        req = json.loads(self.body() or "{}")
        what = u.path[6:]
        with lock:
            res = req.get("resource")
            if what == "put":
                obj = req["object"]
                k = key_of(res, obj)
                typ = "MODIFIED" if k in state[res] else "ADDED"
                if typ == "MODIFIED" and res == "services" and "status" in state[res][k]:
                    # as the API does: an update of the object leaves its
                    # status alone (only the status subresource changes it)
                    obj["status"] = state[res][k]["status"]
                state[res][k] = obj
                bump(res, typ, obj)
            elif what == "delete":
                k = (req.get("namespace", "") + "/" + req["name"]) if RES[res][3] else req["name"]
                obj = state[res].pop(k)
                bump(res, "DELETED", obj)
            elif what == "bookmark":
                rv[0] += 1
                for q in watchers[res]:
                    q.put(("event", {"type": "BOOKMARK", "object": {
                        "kind": RES[res][1], "apiVersion": RES[res][2],
                        "metadata": {"resourceVersion": str(rv[0]),
                                     "annotations": {"k8s.io/initial-events-end": "true"}}}}))
            elif what == "expire":
                # as if etcd moved on and compacted: every version a client
                # holds is now too old, the next list's is fine
                rv[0] += 1
                compacted[res] = rv[0]
                http410[res] = req.get("mode") == "http"
                for q in watchers[res]:
                    q.put(("expire", None))
            elif what == "drop":
                for q in watchers[res]:
                    q.put(("drop", None))
            elif what == "token":
                token[0] = req["token"]
            else:
                self.send_json(404, status(404, "NotFound", what))
                return
        self.send_json(200, {"ok": True, "resourceVersion": str(rv[0])})

    # --- the API ---------------------------------------------------------------
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/mock/log":
            with lock:
                self.send_json(200, log)
            return
        if not self.authorized():
            return
        res, _ = self.resource_of(u.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if not res:
            self.record(404)
            self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        if q.get("watch") in ("1", "true"):
            self.watch(res, q)
            return
        with lock:
            keys = sorted(state[res])
            meta = {"resourceVersion": str(rv[0])}
            # limit and continue: pages (MB_MOCK_PAGE makes them smaller than asked)
            limit = int(q.get("limit") or 0)
            if limit and os.environ.get("MB_MOCK_PAGE"):
                limit = min(limit, int(os.environ["MB_MOCK_PAGE"]))
            start = int(q["continue"].split(":")[1]) if q.get("continue") else 0
            if limit:
                if start + limit < len(keys):
                    meta["continue"] = "%d:%d" % (rv[0], start + limit)
                    meta["remainingItemCount"] = len(keys) - start - limit
                keys = keys[start:start + limit]
            items = []
            for k in keys:
                o = dict(state[res][k])     # items of a list carry no kind/apiVersion
                o.pop("kind", None)
                o.pop("apiVersion", None)
                items.append(o)
            doc = {"kind": RES[res][1] + "List", "apiVersion": RES[res][2], "metadata": meta, "items": items}
        self.record(200)
        self.send_json(200, doc)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, res, q):
        start = int(q.get("resourceVersion") or 0)
        timeout = float(q.get("timeoutSeconds") or 300)
        mine = queue.Queue()
        with lock:
            expired = start < compacted[res]     # events after the compaction point are kept
            if expired and http410[res]:
                self.record(410)
                self.send_json(410, status(410, "Expired", "too old resource version: %d (%d)" % (start, rv[0])))
                return
            backlog = [] if expired else [{"type": t, "object": o} for (v, r, t, o) in history
                                          if r == res and v > start]
            watchers[res].append(mine)
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            if expired:
                self.chunk(json.dumps({"type": "ERROR", "object": status(
                    410, "Expired", "too old resource version: %d (%d)" % (start, rv[0]))}).encode() + b"\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            for ev in backlog:
                self.chunk(json.dumps(ev).encode() + b"\n")
            while True:
                try:
                    what, ev = mine.get(timeout=timeout)
                except queue.Empty:
                    self.wfile.write(b"0\r\n\r\n")     # the watch's timeoutSeconds
                    return
                if what == "event":
                    self.chunk(json.dumps(ev).encode() + b"\n")
                elif what == "expire":
                    with lock:
                        mode_http = http410[res]
                    if not mode_http:
                        self.chunk(json.dumps({"type": "ERROR", "object": status(
                            410, "Expired", "too old resource version")}).encode() + b"\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                elif what == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            return
        finally:
            with lock:
                if mine in watchers[res]:
                    watchers[res].remove(mine)
            self.close_connection = True

    def do_PATCH(self):
        u = urllib.parse.urlsplit(self.path)
        body = self.body()
        if not self.authorized(body):
            return
        res, parts = self.resource_of(u.path)
        ctype = self.headers.get("Content-Type")
        sub = parts[3] if parts and len(parts) == 4 else None
        if not res or not parts or len(parts) not in (3, 4) or (sub is not None and sub != "status"):
            self.record(404, body)
            self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        if ctype != "application/merge-patch+json":
            self.record(415, body)
            self.send_json(415, status(415, "UnsupportedMediaType", "the body of the request was in an unknown format"))
            return
        try:
            patch = json.loads(body)
        except ValueError:
            patch = None
        if not isinstance(patch, dict):
            self.record(400, body)
            self.send_json(400, status(400, "BadRequest", "error decoding patch: not a JSON object"))
            return
        ns, name = parts[0], parts[2]
        with lock:
            obj = state[res].get(ns + "/" + name)
            if not obj:
                self.record(404, body)
                self.send_json(404, status(404, "NotFound", '%s "%s" not found' % (res, name)))
                return
            if sub == "status":
                if set(patch) != {"status"}:
                    self.record(422, body)
                    self.send_json(422, status(422, "Invalid", "only status may be patched here"))
                    return
                new = dict(obj)
                new["status"] = merge(json.loads(json.dumps(obj.get("status", {}))), patch["status"])
            else:
                # the object: what the API server would decode and validate
                meta = patch.get("metadata", {})
                anns = meta.get("annotations", {}) if isinstance(meta, dict) else None
                if not isinstance(meta, dict) or not isinstance(anns, dict) or \
                        any(v is not None and not isinstance(v, str) for v in anns.values()):
                    self.record(400, body)
                    self.send_json(400, status(400, "BadRequest", "cannot unmarshal into ObjectMeta.annotations"))
                    return
                bad = [k for k in anns if not qualified_name(k)]
                if bad:
                    self.record(422, body)
                    self.send_json(422, status(422, "Invalid", "metadata.annotations: Invalid value: %r" % bad[0]))
                    return
                new = merge(json.loads(json.dumps(obj)), patch)
                new.pop("status", None)     # the main resource leaves status alone
                if "status" in obj:
                    new["status"] = obj["status"]
            if new != obj:
                state[res][ns + "/" + name] = new
                bump(res, "MODIFIED", new)
            out = json.loads(json.dumps(state[res][ns + "/" + name]))
        self.record(200, body)
        self.send_json(200, out)


def main():
    port, cert, key, tok, initial, ready = sys.argv[1:7]
    token[0] = tok
    with open(initial) as f:
        for obj in json.load(f)["items"]:
            res = KIND2RES[obj["kind"]]
            rv[0] += 1
            obj["metadata"]["resourceVersion"] = str(rv[0])
            state[res][key_of(res, obj)] = obj
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if os.environ.get("MB_MOCK_CLIENT_CA"):
        # client certificates are optional: token users still get in
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(os.environ["MB_MOCK_CLIENT_CA"])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(ready, "w") as f:
        f.write("ready\n")
    srv.serve_forever()


if __name__ == "__main__":
    main()
