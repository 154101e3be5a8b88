#!/usr/bin/env python3
"""Write a Kubernetes List as `kubectl get services,endpointslices,nodes -A -o json`
prints it, from a compact description, for metalbird's state-file tests and
benchmarks.

  mkstate.py OUT [--in-place] ITEM...
    svc:NS/NAME[:key=value]...   a LoadBalancer Service; keys:
        t=SECONDS (creationTimestamp offset), etp=Local, ips=A[,B] (metallb.io/loadBalancerIPs),
        pool=P, share=K, port=N, proto=TCP, fam=IPv4[+IPv6], pol=SingleStack|PreferDualStack|RequireDualStack,
        ready=NODE[+NODE] (ready endpoints), unready=NODE[+NODE], serving=NODE (terminating, serving),
        label=k=v, ann=k=v (any annotation), type=ClusterIP, uid=U, status=IP
    node:NAME[:netunavail][:exclude][:label=k=v]
    many:COUNT[:ready=NODE]      COUNT Services ns-bench/s00000.. each with a ready endpoint
Without --in-place the file is written beside OUT and renamed over it.
"""
import json
import os
import sys


def service(ns, name, opts):
    ann, labels = {}, {}
    for k, a in (("ips", "metallb.io/loadBalancerIPs"), ("pool", "metallb.io/address-pool"),
                 ("share", "metallb.io/allow-shared-ip")):
        if k in opts:
            ann[a] = opts[k]
    for lv in opts.get("labels", []):
        k, v = lv.split("=", 1)
        labels[k] = v
    for av in opts.get("anns", []):
        k, v = av.split("=", 1)
        ann[k] = v
    t = int(opts.get("t", "0"))
    fam = opts.get("fam", "IPv4").split("+")
    svc = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "uid": opts.get("uid", f"uid-{ns}-{name}"),
                     "resourceVersion": "1", "annotations": ann, "labels": labels,
                     "creationTimestamp": "2026-01-01T%02d:%02d:%02dZ" % (t // 3600, t // 60 % 60, t % 60)},
        "spec": {"type": opts.get("type", "LoadBalancer"), "ipFamilies": fam,
                 "ipFamilyPolicy": opts.get("pol", "SingleStack"),
                 "externalTrafficPolicy": opts.get("etp", "Cluster"),
                 "ports": [{"port": int(opts.get("port", "80")), "protocol": opts.get("proto", "TCP"),
                            "targetPort": 8080}],
                 "selector": {"app": name}},
        "status": {"loadBalancer": {}},
    }
    if "status" in opts:
        svc["status"]["loadBalancer"]["ingress"] = [{"ip": ip} for ip in opts["status"].split(",")]
    eps = []
    for cond, key in (({"ready": True, "serving": True}, "ready"), ({"ready": False, "serving": False}, "unready"),
                      ({"ready": False, "serving": True, "terminating": True}, "serving")):
        for node in filter(None, opts.get(key, "").split("+")):
            eps.append({"addresses": ["10.244.0.%d" % (len(eps) + 1)], "conditions": cond, "nodeName": node})
    sl = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
          "metadata": {"name": name + "-abcde", "namespace": ns, "resourceVersion": "1",
                       "labels": {"kubernetes.io/service-name": name}},
          "endpoints": eps, "ports": [{"port": 8080, "protocol": "TCP"}]}
    return [svc, sl]


def node(name, flags):
    labels = {"kubernetes.io/hostname": name}
    conds = [{"type": "Ready", "status": "True"},
             {"type": "NetworkUnavailable", "status": "True" if "netunavail" in flags else "False"}]
    for f in flags:
        if f == "exclude":
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        elif f.startswith("label="):
            k, v = f[6:].split("=", 1)
            labels[k] = v
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels, "resourceVersion": "1"},
            "status": {"conditions": conds}}


def main(argv):
    out, items, in_place = argv[1], [], False
    for a in argv[2:]:
        if a == "--in-place":
            in_place = True
            continue
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
            items += service(ns, name, opts)
        elif parts[0] == "node":
            items.append(node(parts[1], parts[2:]))
        elif parts[0] == "many":
            opts = dict(p.split("=", 1) for p in parts[2:])
            for i in range(int(parts[1])):
                items += service("ns-bench", "s%06d" % i,
                                 {"labels": [], "t": str(i % 86400), "ready": opts.get("ready", "node-1")})
        else:
            sys.exit("unknown item " + a)
    doc = json.dumps({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}},
                     indent=None if len(items) > 1000 else 4)
    if in_place:
        with open(out, "w") as f:
            f.write(doc)
    else:
        tmp = out + ".tmp"
        with open(tmp, "w") as f:
            f.write(doc)
        os.rename(tmp, out)


if __name__ == "__main__":
    main(sys.argv)
