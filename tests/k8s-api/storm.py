#!/usr/bin/env python3
"""Random watch events against tests/k8s-api/server.py, for checking that a
sync which looks only at the Services an event touches ends where a full
one would (metalbird with $METALBIRD_K8S_CHECK_SYNC set says when not).

  storm.py BASEURL CAFILE SEED COUNT NODE

COUNT events in namespace "rand" (Services storm/s0..s11), reproducible
from SEED: Services put with random age, pool (prod, agg, or none), sharing
key, port, requested address, traffic policy, type; their EndpointSlices
alone with random endpoints on NODE or elsewhere; deletes; NODE turning
NetworkUnavailable and back.  Events come in bursts of one to five, so a
sync sees several.  At the end every Service of the namespace is deleted
and NODE is left available.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkstate  # noqa: E402
from mock import call  # noqa: E402
import ssl  # noqa: E402

NAMES = ["s%d" % i for i in range(12)]
ADDRS = ["203.0.113.9", "198.51.100.2", "198.51.100.3", "198.51.100.99"]


def svc_opts(rng, node):
    o = {"labels": [], "anns": [], "t": str(rng.randrange(10, 40)), "port": str(rng.randrange(1, 4))}
    pool = rng.choice(["prod", "agg", "agg", None])
    if pool:
        o["pool"] = pool
    if rng.random() < 0.4:
        o["share"] = rng.choice(["k1", "k2"])
    if rng.random() < 0.15:
        o["ips"] = rng.choice(ADDRS)
    if rng.random() < 0.3:
        o["etp"] = "Local"
    if rng.random() < 0.1:
        o["type"] = "ClusterIP"
    if rng.random() < 0.2:
        o["anns"].append("example.com/rev=%d" % rng.randrange(100))
    eps(rng, node, o)
    return o


def eps(rng, node, o):
    for k in ("ready", "unready", "serving"):
        o.pop(k, None)
    where = rng.choice([node, "node-x", node + "+node-x"])
    o[rng.choice(["ready", "ready", "unready", "serving"])] = where


def main(argv):
    base, ca, seed, count, node = argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5]
    ctx = ssl.create_default_context(cafile=ca)
    rng = random.Random(seed)
    have = {}      # name -> opts of the Service there now
    blocked = False
    put = lambda o: call(base, ctx, "/mock/put", {"resource": mkstate_res(o), "object": o})  # noqa: E731
    done = 0
    while done < count:
        for _ in range(rng.randrange(1, 6)):
            r, name = rng.random(), rng.choice(NAMES)
            if r < 0.45 or name not in have:
                have[name] = svc_opts(rng, node)
                for o in mkstate.service("rand", name, have[name]):
                    put(o)
            elif r < 0.75:
                eps(rng, node, have[name])
                put(mkstate.service("rand", name, have[name])[1])
            elif r < 0.92:
                call(base, ctx, "/mock/delete", {"resource": "services", "namespace": "rand", "name": name})
                call(base, ctx, "/mock/delete", {"resource": "endpointslices", "namespace": "rand",
                                                 "name": name + "-abcde"})
                del have[name]
            else:
                blocked = not blocked
                put(mkstate.node(node, ["netunavail"] if blocked else []))
            done += 1
        time.sleep(rng.choice([0, 0.005, 0.02, 0.05]))
    for name in list(have):
        call(base, ctx, "/mock/delete", {"resource": "services", "namespace": "rand", "name": name})
        call(base, ctx, "/mock/delete", {"resource": "endpointslices", "namespace": "rand", "name": name + "-abcde"})
    if blocked:
        put(mkstate.node(node, []))


def mkstate_res(o):
    return {"Service": "services", "EndpointSlice": "endpointslices", "Node": "nodes"}[o["kind"]]


if __name__ == "__main__":
    main(sys.argv)
