#!/usr/bin/env bash
# Build the seed corpora fuzz/corpus-<harness>/ (gitignored) from:
#   - fuzz/seeds/<harness>/: small inputs committed with the harnesses;
#   - the project's own captures: examples/, tests/golden/, tests/regress/;
#   - CSV and JSON that the CLI writes from examples/ (csv, json);
#   - ../shared when present: traces (captures for capture/pipeline, their
#     frames for link/ip, their payloads via tshark for the protocol
#     harnesses), profiles/*.yaml, the Unbound dump sample.
# Files are named by content hash, so running it twice adds nothing.
#
#   fuzz/seeds.sh [CLI]     CLI: a sigext binary (default: build-fuzz/sigext,
#                           then build/sigext); without one, no CSV/JSON seeds
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SIGEXT_SHARED:-../shared}
cli=${1:-}
for c in build-fuzz/sigext build/sigext; do
    [ -n "$cli" ] || [ ! -x "$c" ] || cli=$c
done
harnesses="link ip dns http coap tls dhcp capture unbound csv json profile
pipeline"
# Captures bigger than this slow every run of capture/pipeline down and
# raise libFuzzer's default -max_len; they are still cut into frames.
max_capture=65536

# put HARNESS FILE: add FILE to the harness's corpus.
put() {
    local sum
    sum=$(sha1sum < "$2" | cut -c1-40)
    cp "$2" "fuzz/corpus-$1/$sum"
}

for h in $harnesses; do
    mkdir -p "fuzz/corpus-$h"
    seeds=$h
    [ "$h" != pipeline ] || seeds=capture   # same inputs, other harness
    if [ -d "fuzz/seeds/$seeds" ]; then
        for f in "fuzz/seeds/$seeds"/*; do
            [ -f "$f" ] && put "$h" "$f"
        done
    fi
done

captures=()
for f in examples/*/*.pcap examples/*/*.pcapng tests/golden/*.pcap \
         tests/golden/*.pcapng tests/regress/*.pcap tests/regress/*.pcapng; do
    [ -f "$f" ] && captures+=("$f")
done
if [ -d "$shared/traces" ]; then
    while IFS= read -r f; do
        captures+=("$f")
    done < <(find "$shared/traces" -type f \( -name '*.pcap' -o \
             -name '*.pcapng' \) | sort)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Captures as they are; their frames for link and ip.
for f in "${captures[@]}"; do
    if [ "$(stat -c %s "$f")" -le $max_capture ]; then
        put capture "$f"
        put pipeline "$f"
    fi
done
if command -v python3 > /dev/null; then
    python3 fuzz/frames.py "$tmp/link" "$tmp/ip" "${captures[@]}"
    for h in link ip; do
        for f in "$tmp/$h"/*; do
            [ -f "$f" ] && put "$h" "$f"
        done
    done
else
    echo "seeds.sh: no python3: no frames from captures" >&2
fi

# Protocol payloads: tshark decodes, python3 turns hex into bytes.
payloads() {
    tshark -r "$1" -T fields -E separator=/t -e udp.srcport -e udp.dstport \
        -e tcp.srcport -e tcp.dstport -e udp.payload -e tcp.payload \
        2> /dev/null || true
}
split_payloads() {
    python3 -c '
import os, sys
out = sys.argv[1]
for h in ("dns", "http", "coap", "tls", "dhcp"):
    os.makedirs(os.path.join(out, h), exist_ok=True)
def save(h, data):
    name = os.path.join(out, h, "%08d" % len(os.listdir(os.path.join(out, h))))
    with open(name, "wb") as f:
        f.write(data)
for line in sys.stdin:
    f = (line.rstrip("\n").split("\t") + [""] * 6)[:6]
    ports = {p for p in f[:4] if p}
    try:
        udp, tcp = bytes.fromhex(f[4].replace(":", "")), \
            bytes.fromhex(f[5].replace(":", ""))
    except ValueError:
        continue
    if udp and ports & {"53", "5353"}:
        save("dns", udp)
    if udp and ports & {"67", "68"}:
        save("dhcp", udp)
    if udp and "5683" in ports:
        save("coap", udp)
    if tcp and "53" in ports and len(tcp) > 2:
        save("dns", tcp[2:])
    if tcp and 0x14 <= tcp[0] <= 0x17 and tcp[1:2] == b"\x03":
        save("tls", b"\xff\xff" + tcp)      # split point: fuzz_tls.c
        save("tls", b"\x00\x40" + tcp)
    if tcp and tcp[:1].isalpha():
        save("http", tcp)
' "$1"
}
if command -v tshark > /dev/null && command -v python3 > /dev/null; then
    for f in "${captures[@]}"; do
        payloads "$f"
    done | split_payloads "$tmp/payload"
    for h in dns http coap tls dhcp; do
        for f in "$tmp/payload/$h"/*; do
            [ -f "$f" ] && put "$h" "$f"
        done
    done
else
    echo "seeds.sh: no tshark: protocol payloads from captures skipped" >&2
fi

# Text inputs.
for f in tests/regress/*; do
    case "$f" in
        *.csv) put csv "$f" ;;
        *.json) put json "$f" ;;
        *.yaml) put profile "$f" ;;
        *.unbound) put unbound "$f" ;;
    esac
done
if [ -f "$shared/traces/unbound_dump_sample.txt" ]; then
    put unbound "$shared/traces/unbound_dump_sample.txt"
fi
for f in "$shared"/profiles/*.yaml; do
    [ -f "$f" ] && put profile "$f"
done
if [ -n "$cli" ]; then
    ex=(examples/plug-on/*.pcap)
    "$cli" flows -q -o "$tmp/flows.csv" "${ex[0]}" && put csv "$tmp/flows.csv"
    "$cli" packets -q -o "$tmp/packets.csv" "${ex[0]}" &&
        put csv "$tmp/packets.csv"
    "$cli" signature -q -o "$tmp/sig.csv" "${ex[@]}" && put csv "$tmp/sig.csv"
    "$cli" flows -q --format json -o "$tmp/flows.json" "${ex[0]}" &&
        put json "$tmp/flows.json"
    "$cli" signature -q --format json --device-ip 192.168.1.50 \
        -o "$tmp/sig.json" "${ex[@]}" && put json "$tmp/sig.json"
    "$cli" profile -q --device plug --device-ip 192.168.1.50 \
        -o "$tmp/profile.yaml" "$tmp/sig.csv" && put profile "$tmp/profile.yaml"
else
    echo "seeds.sh: no sigext CLI built: no CSV/JSON seeds written" >&2
fi

for h in $harnesses; do
    printf '%-9s %5d seeds\n' "$h" "$(ls "fuzz/corpus-$h" | wc -l)"
done
