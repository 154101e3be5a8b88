#!/usr/bin/python3
"""A small, deliberately naive BGP speaker for tests: it listens for one
session, sends an OPEN of our choosing, then a scripted list of UPDATE
messages (well-formed or malformed by hand), and reports on stdout, one JSON
object a line, every message the other side sends back.

Usage: bgp_sender.py LISTEN_ADDR MY_AS ROUTER_ID SCRIPT
SCRIPT is a file of lines:
  open hold=N [as=N] [param=HEX]   the OPEN to send (first line)
  update HEX                       an UPDATE body (after the 19-octet header), hex
  sleep SECONDS
  expect-keepalive SECONDS         wait that long; fail unless a KEEPALIVE came
  done                             close and exit
Hex may contain spaces.  Every line that arrives is printed as
{"type": "keepalive"} / {"type": "notification", "code": C, "subcode": S,
"data": HEX} / {"type": "open", "hold": N, "as": N} / {"type": "update",
"len": N}.  The exit status is 0 unless the script failed.
"""
import json
import select
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def msg(t, body):
    return MARKER + struct.pack("!HB", 19 + len(body), t) + body


def open_msg(my_as, hold, rid, extra_param=b"", caps=True):
    params = b""
    if caps:
        # MP IPv4 unicast, MP IPv6 unicast, route refresh, 4-octet AS
        c = b"\x01\x04\x00\x01\x00\x01" + b"\x01\x04\x00\x02\x00\x01" + b"\x02\x00"
        c += b"\x41\x04" + struct.pack("!I", my_as)
        params += b"\x02" + bytes([len(c)]) + c
    params += extra_param
    as2 = my_as if my_as < 65536 else 23456
    body = struct.pack("!BHH", 4, as2, hold) + socket.inet_aton(rid) + bytes([len(params)]) + params
    return msg(1, body)


def report(o):
    print(json.dumps(o), flush=True)


def read_msgs(sock, buf):
    out = []
    while len(buf) >= 19:
        ln = struct.unpack("!H", buf[16:18])[0]
        if ln < 19 or len(buf) < ln:
            break
        t = buf[18]
        body = buf[19:ln]
        buf = buf[ln:]
        if t == 4:
            out.append({"type": "keepalive"})
        elif t == 3:
            out.append({"type": "notification", "code": body[0], "subcode": body[1], "data": body[2:].hex()})
        elif t == 1:
            out.append({"type": "open", "hold": struct.unpack("!H", body[3:5])[0],
                        "as": struct.unpack("!H", body[1:3])[0]})
        elif t == 2:
            out.append({"type": "update", "len": ln})
        else:
            out.append({"type": "other", "t": t})
    return out, buf


def main():
    addr, my_as, rid, script = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    lines = [l.strip() for l in open(script) if l.strip() and not l.startswith("#")]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, 179))
    ls.listen(1)
    ls.settimeout(30)
    s, _ = ls.accept()
    s.settimeout(0.1)
    buf = b""
    closed = False

    last_ka = [time.time()]

    def pump(seconds):
        nonlocal buf, closed
        got = []
        end = time.time() + seconds
        while time.time() < end and not closed:
            # keep the session alive: a KEEPALIVE every second once open
            if opened[0] and time.time() - last_ka[0] >= 1:
                s.sendall(msg(4, b""))
                last_ka[0] = time.time()
            r, _, _ = select.select([s], [], [], max(0, min(0.1, end - time.time())))
            if not r:
                continue
            d = s.recv(65536)
            if not d:
                closed = True
                report({"type": "closed"})
                break
            buf += d
            msgs, buf = read_msgs(s, buf)
            for m in msgs:
                report(m)
                got.append(m)
        return got

    ok = True
    opened = [False]
    for line in lines:
        w = line.split()
        if w[0] == "open":
            kv = dict(x.split("=", 1) for x in w[1:])
            extra = bytes.fromhex(kv.get("param", ""))
            s.sendall(open_msg(int(kv.get("as", my_as)), int(kv.get("hold", "90")), rid, extra))
            got = pump(2)
            if any(m["type"] == "open" for m in got):
                s.sendall(msg(4, b""))
                opened[0] = True
                pump(0.5)
        elif w[0] == "update":
            s.sendall(msg(2, bytes.fromhex("".join(w[1:]))))
            pump(0.3)
        elif w[0] == "sleep":
            pump(float(w[1]))
        elif w[0] == "expect-keepalive":
            got = pump(float(w[1]))
            if not any(m["type"] == "keepalive" for m in got):
                report({"type": "error", "what": "no keepalive within %s s" % w[1]})
                ok = False
        elif w[0] == "done":
            break
        if closed:
            break
    try:
        s.close()
    except OSError:
        pass
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
