#!/usr/bin/env python3
"""Turn a fuzzer input into a regression input for tests/regress/.

    wrap.py HARNESS INPUT OUTPUT

The CLI reads captures, so inputs of the protocol harnesses are put in a
classic pcap, in the packet the CLI would hand to that parser:

    link       the selector byte's link type, the frame as it is
    ip         LINKTYPE_RAW (101), the packet as it is
    dns        UDP 10.0.0.1:40000 -> 10.0.0.2:53
    dhcp       UDP 0.0.0.0:68 -> 255.255.255.255:67
    coap       UDP 10.0.0.1:40000 -> 10.0.0.2:5683
    http       TCP 10.0.0.1:40000 -> 10.0.0.2:80
    tls        TCP 10.0.0.1:40000 -> 10.0.0.2:443, in two segments split
               where fuzz_tls.c splits (first two bytes)
Inputs of the other harnesses are already files the CLI reads (capture,
pipeline: a capture; unbound, csv, json, profile: text) and are copied.
Name OUTPUT after what the input exercised, with the extension
tests/regress.sh expects (.pcap, .pcapng, .unbound, .csv, .json, .yaml).
"""
import shutil
import struct
import sys

LINK_TYPES = [0, 1, 101, 108, 113, 228, 229, 276, 12, 14, 105]


def ipv4(proto, payload, src, dst):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0,
                       64, proto, 0, bytes(src), bytes(dst)) + payload


def udp(sport, dport, payload, src=(10, 0, 0, 1), dst=(10, 0, 0, 2)):
    hdr = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0)
    return ipv4(17, hdr + payload, src, dst)


def tcp(sport, dport, seq, payload):
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq, 1, 0x50, 0x18,
                      65535, 0, 0)
    return ipv4(6, hdr + payload, (10, 0, 0, 1), (10, 0, 0, 2))


def pcap(link, frames):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link)]
    for i, (frame, wire) in enumerate(frames):
        out.append(struct.pack("<IIII", 1700000000, i, len(frame), wire)
                   + frame)
    return b"".join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    harness, src, dst = sys.argv[1:]
    data = open(src, "rb").read()
    if harness in ("capture", "pipeline", "unbound", "csv", "json",
                   "profile"):
        shutil.copyfile(src, dst)
        return
    if harness == "link":
        if not data:
            sys.exit("wrap.py: empty link input")
        caplen = len(data) - 1
        out = pcap(LINK_TYPES[data[0] % len(LINK_TYPES)],
                   [(data[1:], caplen + (data[0] >> 4) * 100)])
    elif harness == "ip":
        out = pcap(101, [(data, len(data))])
    elif harness == "dns":
        out = pcap(101, [(udp(40000, 53, data), 0)])
    elif harness == "dhcp":
        out = pcap(101, [(udp(68, 67, data, (0, 0, 0, 0),
                              (255, 255, 255, 255)), 0)])
    elif harness == "coap":
        out = pcap(101, [(udp(40000, 5683, data), 0)])
    elif harness == "http":
        out = pcap(101, [(tcp(40000, 80, 1, data), 0)])
    elif harness == "tls":
        if len(data) < 2:
            sys.exit("wrap.py: tls input shorter than its split bytes")
        split, stream = data[0] << 8 | data[1], data[2:]
        split = split % (len(stream) + 1) if stream else 0
        segs = [s for s in (stream[:split], stream[split:]) if s]
        out = pcap(101, [(tcp(40000, 443, 1 + (split if i else 0), s), 0)
                         for i, s in enumerate(segs)])
    else:
        sys.exit("wrap.py: unknown harness " + harness)
    # A wire length of 0 above means "as captured".
    open(dst, "wb").write(fix_wire(out))


def fix_wire(buf):
    out, off = bytearray(buf[:24]), 24
    while off < len(buf):
        ts, us, caplen, wire = struct.unpack("<IIII", buf[off:off + 16])
        out += struct.pack("<IIII", ts, us, caplen, wire or caplen)
        out += buf[off + 16:off + 16 + caplen]
        off += 16 + caplen
    return bytes(out)


if __name__ == "__main__":
    main()
