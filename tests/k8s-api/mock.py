#!/usr/bin/env python3
"""Drive tests/k8s-api/server.py from a test.

  mock.py BASEURL CAFILE put ITEM...        objects as mkstate.py describes them, ADDED or MODIFIED
                                           (svc:...:only=slice or only=svc: just that half)
  mock.py BASEURL CAFILE delete RES NS/NAME
  mock.py BASEURL CAFILE bookmark|drop RES  (prints the server's resourceVersion now)
  mock.py BASEURL CAFILE expire RES event|http
  mock.py BASEURL CAFILE token TOKEN
  mock.py BASEURL CAFILE log               the request log, one JSON object per line
"""
import json
import os
import ssl
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkstate  # noqa: E402

RES = {"Service": "services", "EndpointSlice": "endpointslices", "Node": "nodes"}


def call(base, ctx, path, doc=None):
    data = json.dumps(doc).encode() if doc is not None else None
    req = urllib.request.Request(base + path, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read())


def main(argv):
    base, ca, cmd, args = argv[1], argv[2], argv[3], argv[4:]
    ctx = ssl.create_default_context(cafile=ca)
    if cmd == "put":
        items = []
        for a in args:
            parts = a.split(":")
            if parts[0] == "svc":
                ns, name = parts[1].split("/")
                opts = {"labels": [], "anns": []}
                for p in parts[2:]:
                    k, v = p.split("=", 1)
                    if k == "label":
                        opts["labels"].append(v)
                    elif k == "ann":
                        opts["anns"].append(v)
                    else:
                        opts[k] = v
                objs = mkstate.service(ns, name, opts)
                if opts.get("only") == "slice":
                    objs = objs[1:]
                elif opts.get("only") == "svc":
                    objs = objs[:1]
                items += objs
            elif parts[0] == "node":
                items.append(mkstate.node(parts[1], parts[2:]))
        for o in items:
            call(base, ctx, "/mock/put", {"resource": RES[o["kind"]], "object": o})
    elif cmd == "delete":
        ns, name = args[1].split("/") if "/" in args[1] else ("", args[1])
        call(base, ctx, "/mock/delete", {"resource": args[0], "namespace": ns, "name": name})
    elif cmd in ("bookmark", "drop"):
        print(call(base, ctx, "/mock/" + cmd, {"resource": args[0]})["resourceVersion"])
    elif cmd == "expire":
        call(base, ctx, "/mock/expire", {"resource": args[0], "mode": args[1]})
    elif cmd == "token":
        call(base, ctx, "/mock/token", {"token": args[0]})
    elif cmd == "log":
        for e in call(base, ctx, "/mock/log"):
            print(json.dumps(e, sort_keys=True))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
