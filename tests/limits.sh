#!/usr/bin/env bash
# Limits that hold on hostile input (README "Limits"):
#   1. --max-flows: a trace with more flows fails with exit 6, one line
#      naming the file and the option, and no output file;
#   2. pcapng blocks larger than 16 MiB are damage, not a 4 GiB read;
#   3. partial TLS ClientHellos on many connections do not hold a 16 KiB
#      reassembly buffer each (at most 1024 at once).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
trace=$here/examples/plug-on/plug-on-1.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# 1. plug-on-1.pcap has 8 flows.
"$sigext" flows --max-flows 2 -o "$tmp/out.csv" "$trace" 2> "$tmp/err"
rc=$?
if [ $rc -ne 6 ]; then
    echo "FAIL --max-flows 2: exit $rc, expected 6"
    fail=1
elif [ "$(wc -l < "$tmp/err")" -ne 1 ] ||
     ! grep -qF "plug-on-1.pcap" "$tmp/err" ||
     ! grep -qF -- "--max-flows" "$tmp/err"; then
    echo "FAIL --max-flows 2: expected one line naming the file and" \
         "--max-flows, got:"
    cat "$tmp/err"
    fail=1
elif [ -e "$tmp/out.csv" ]; then
    echo "FAIL --max-flows 2: an output file was left behind"
    fail=1
else
    echo "ok   --max-flows 2: exit 6: $(cat "$tmp/err")"
fi
"$sigext" flows --max-flows 100 -o "$tmp/out.csv" "$trace" 2> "$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL --max-flows 100: exit $rc, expected 0: $(cat "$tmp/err")"
    fail=1
else
    echo "ok   --max-flows 100: exit 0"
fi

# 2. A section header, then a block that claims 0x7ffffff0 bytes.
printf '\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a' > "$tmp/big.pcapng"
printf '\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff' >> "$tmp/big.pcapng"
printf '\x1c\x00\x00\x00' >> "$tmp/big.pcapng"
printf '\x01\x00\x00\x00\xf0\xff\xff\x7f\x01\x00\x00\x00' >> "$tmp/big.pcapng"
"$sigext" flows --strict -o "$tmp/out.csv" "$tmp/big.pcapng" 2> "$tmp/err"
rc=$?
if [ $rc -ne 5 ] || ! grep -q "limit" "$tmp/err"; then
    echo "FAIL pcapng block limit: exit $rc, expected 5 and a message" \
         "about the limit: $(cat "$tmp/err")"
    fail=1
else
    echo "ok   pcapng block limit: exit 5: $(cat "$tmp/err")"
fi

# 3. 20000 connections, each sending the first 100 bytes of a ClientHello
# that announces 16000.  Uncapped, that is 320 MB of buffers.
if ! command -v python3 > /dev/null || [ ! -x /usr/bin/time ]; then
    echo "skip partial ClientHello memory: needs python3 and /usr/bin/time"
    exit $fail
fi
python3 - "$tmp/hellos.pcap" << 'EOF'
import struct, sys
out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)]
hello = bytes([22, 3, 1]) + struct.pack(">H", 16000) + bytes([1]) \
    + (15996).to_bytes(3, "big") + bytes(91)
for i in range(20000):
    tcp = struct.pack(">HHIIBBHHH", 10000 + i % 50000, 443, 1, 0, 0x50,
                      0x18, 65535, 0, 0) + hello
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6,
                     0, bytes([10, 0, i >> 8 & 255, i & 255]),
                     bytes([10, 1, 0, 1])) + tcp
    out.append(struct.pack("<IIII", 1700000000, i, len(ip), len(ip)) + ip)
open(sys.argv[1], "wb").write(b"".join(out))
EOF
/usr/bin/time -f "%M" -o "$tmp/rss" "$sigext" flows -o "$tmp/out.csv" \
    "$tmp/hellos.pcap" 2> "$tmp/err"
rc=$?
rss=$(tail -1 "$tmp/rss")
if [ $rc -ne 0 ] || [ "$rss" -gt 200000 ]; then
    echo "FAIL partial ClientHellos: exit $rc, peak RSS ${rss} KiB" \
         "(limit 200000): $(cat "$tmp/err")"
    fail=1
else
    echo "ok   partial ClientHellos: exit 0, peak RSS ${rss} KiB"
fi
exit $fail
