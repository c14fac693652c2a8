#!/usr/bin/env python3
"""Cut pcap/pcapng captures into seeds for fuzz_link and fuzz_ip.

    frames.py [--wrap] LINK_DIR IP_DIR CAPTURE...

For every frame of every capture, writes to LINK_DIR one fuzz_link input
(a selector byte naming the link type, then the frame) and, when the
frame holds IPv4 or IPv6 behind a link header this script knows, writes
the IP packet to IP_DIR.  With --wrap, each IP packet is also written
behind every other link header fuzz_link decodes, so all of them have
seeds.  Only the standard library is used.
"""
import os
import struct
import sys

# Same order as link_types[] in fuzz_link.c: the index is the selector.
LINK_TYPES = [0, 1, 101, 108, 113, 228, 229, 276, 12, 14, 105]


def pcap_frames(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    if len(data) < 24:
        return
    link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        off += 16
        if off + caplen > len(data):
            return
        yield link, data[off:off + caplen]
        off += caplen


def pcapng_frames(data):
    off, e, links = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack("<I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            if ifid < len(links):
                yield links[ifid], body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and links:
            yield links[0], body[4:]
        off += blen


def ip_of(link, frame):
    """The IP packet inside a frame, or None."""
    if link == 1:
        off, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8", b"\x91\x00"):
            etype, off = frame[off + 2:off + 4], off + 4
        return frame[off:] if etype in (b"\x08\x00", b"\x86\xdd") else None
    if link == 113:
        return frame[16:] if frame[14:16] in (b"\x08\x00", b"\x86\xdd") \
            else None
    if link == 276:
        return frame[20:] if frame[0:2] in (b"\x08\x00", b"\x86\xdd") \
            else None
    if link in (0, 108):
        return frame[4:]
    if link in (101, 12, 14, 228, 229):
        return frame
    return None


def wrappings(ip):
    """The IP packet behind each link header fuzz_link decodes."""
    v6 = len(ip) > 0 and ip[0] >> 4 == 6
    etype = b"\x86\xdd" if v6 else b"\x08\x00"
    mac = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    yield 1, mac + b"\x81\x00\x00\x05\x88\xa8\x00\x07" + etype + ip
    yield 0, struct.pack("<I", 30 if v6 else 2) + ip
    yield 108, struct.pack(">I", 24 if v6 else 2) + ip
    yield 113, b"\x00\x00\x00\x01\x00\x06" + mac[:6] + b"\x00\x00" \
        + etype + ip
    yield 276, etype + b"\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06" \
        + mac[:6] + b"\x00\x00" + ip
    yield 101, ip
    yield 229 if v6 else 228, ip


def main():
    args = sys.argv[1:]
    wrap = args[:1] == ["--wrap"]
    if wrap:
        args = args[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    link_dir, ip_dir = args[0], args[1]
    os.makedirs(link_dir, exist_ok=True)
    os.makedirs(ip_dir, exist_ok=True)
    for path in args[2:]:
        with open(path, "rb") as f:
            data = f.read()
        base = os.path.basename(path)
        frames = pcapng_frames(data) if data[:4] == b"\x0a\x0d\x0d\x0a" \
            else pcap_frames(data)
        for n, (link, frame) in enumerate(frames):
            items = [(link, frame)]
            ip = ip_of(link, frame)
            if ip:
                with open(os.path.join(ip_dir, f"{base}-{n}"), "wb") as f:
                    f.write(ip)
                if wrap:
                    items += list(wrappings(ip))
            for w, (lt, fr) in enumerate(items):
                if lt not in LINK_TYPES:
                    continue
                name = os.path.join(link_dir, f"{base}-{n}-{w}")
                with open(name, "wb") as f:
                    f.write(bytes([LINK_TYPES.index(lt)]) + fr)


if __name__ == "__main__":
    main()
