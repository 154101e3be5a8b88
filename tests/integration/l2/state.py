#!/usr/bin/env python3
"""Write a Kubernetes state file (the List that `kubectl get
services,endpointslices,nodes -A -o json` prints) for the layer-2 tests.

usage: state.py OUT [node=NAME:ready|notready[:netunavail][:exclude]]...
                    ['svc=NS/NAME|IP[,IP]|cluster|local|NODE=ready|unready,...']...

The file is written to OUT.tmp and renamed, so a reader never sees half of it.
"""
import json
import os
import sys


def node(spec):
    name, ready, *flags = spec.split(":")
    labels = {"kubernetes.io/hostname": name}
    if "exclude" in flags:
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    conds = [{"type": "Ready", "status": "True" if ready == "ready" else "False"},
             {"type": "NetworkUnavailable", "status": "True" if "netunavail" in flags else "False"}]
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels, "resourceVersion": "1"},
            "status": {"conditions": conds}}


def parse_svc(spec):
    # NS/NAME|IPS|POLICY|EPS ('|' because IPv6 addresses hold ':')
    key, rest = spec.split("|", 1)
    ips, policy, eps = rest.split("|")
    return key, ips.split(","), policy, [e.split("=") for e in eps.split(",") if e]


def objects(spec, i):
    key, ips, policy, eps = parse_svc(spec)
    ns, name = key.split("/")
    fams = ["IPv6" if ":" in ip else "IPv4" for ip in ips]
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": name, "namespace": ns, "uid": "uid-%d" % i, "resourceVersion": "1",
                        "creationTimestamp": "2026-01-01T00:00:%02dZ" % i,
                        "annotations": {"metallb.io/loadBalancerIPs": ",".join(ips)}},
           "spec": {"type": "LoadBalancer", "externalTrafficPolicy": policy.capitalize(),
                    "ipFamilies": fams, "ipFamilyPolicy": "RequireDualStack" if len(fams) > 1 else "SingleStack",
                    "ports": [{"port": 80, "protocol": "TCP"}]},
           "status": {"loadBalancer": {}}}
    sl = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
          "metadata": {"name": name + "-x", "namespace": ns, "resourceVersion": "1",
                       "labels": {"kubernetes.io/service-name": name}},
          "addressType": "IPv4",
          "endpoints": [{"addresses": ["192.0.2.%d" % (200 + j)], "nodeName": nd,
                         "conditions": {"ready": st == "ready", "serving": st == "ready"}}
                        for j, (nd, st) in enumerate(eps)]}
    return [svc, sl]


def main():
    out = sys.argv[1]
    items = []
    for i, a in enumerate(sys.argv[2:]):
        kind, spec = a.split("=", 1)
        if kind == "node":
            items.append(node(spec))
        else:
            items.extend(objects(spec, i))
    with open(out + ".tmp", "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f, indent=1)
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main()
