#!/usr/bin/env bash
# Real captures of ../shared: every file of formats/, linktypes/ and
# protocols/ reads without error; every file of hostile/ gives a one-line
# message naming the file, a documented exit code, no crash and no
# sanitizer report.  Also checks that a failing run leaves no output file.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
traces=${SIGEXT_SHARED:-$here/../shared}/traces
if [ ! -d "$traces" ]; then
    echo "SKIP: $traces is absent"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Read from the file and from a pipe ('-'): the same bytes.
for f in "$traces"/formats/* "$traces"/linktypes/* "$traces"/protocols/*; do
    for cmd in packets flows; do
        "$sigext" "$cmd" -o "$tmp/out" "$f" 2> "$tmp/err"
        rc=$?
        if [ $rc -ne 0 ] || grep -q Sanitizer "$tmp/err"; then
            echo "FAIL $cmd $(basename "$f"): exit $rc: $(head -3 "$tmp/err")"
            fail=1
            continue
        fi
        "$sigext" "$cmd" - < "$f" > "$tmp/pipe" 2> "$tmp/err"
        rc=$?
        if [ $rc -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/pipe"; then
            echo "FAIL $cmd - < $(basename "$f"): exit $rc, output differs" \
                 "from the file's: $(head -3 "$tmp/err")"
            fail=1
        fi
    done
done

# Expected exit status of each hostile file (see README "Exit status"):
# 0 means read with a warning about what was damaged.
declare -A want=(
    [libpcap_pcap-empty-file.pcap]=4
    [libpcap_pcap-truncated-hdr-23.pcap]=5
    [libpcap_pcapng-block-len-not-mult4.pcapng]=5
    [libpcap_pcapng-packet-before-idb.pcapng]=5
    [ndpi_dhcp-fuzz.pcapng]=0
    [pcapfuzzer_dns-xiaomi.tweak.pcap]=0
    [tcpdump_dns-zlip-1.pcap]=0
    [tcpdump_udp-length-heapoverflow.pcap]=0
)
for f in "$traces"/hostile/*; do
    name=$(basename "$f")
    rm -f "$tmp/out"
    "$sigext" flows -o "$tmp/out" "$f" 2> "$tmp/err"
    rc=$?
    lines=$(wc -l < "$tmp/err")
    if grep -q Sanitizer "$tmp/err" || [ $rc -ge 64 ]; then
        echo "FAIL $name: crash or sanitizer report (exit $rc)"
        cat "$tmp/err"
        fail=1
    elif [ "${want[$name]:-unknown}" != "$rc" ]; then
        echo "FAIL $name: exit $rc, expected ${want[$name]:-a listed code}"
        fail=1
    elif [ "$lines" -ne 1 ] || ! grep -qF "$name" "$tmp/err"; then
        echo "FAIL $name: expected one line naming the file, got:"
        cat "$tmp/err"
        fail=1
    elif [ $rc -ne 0 ] && [ -e "$tmp/out" ]; then
        echo "FAIL $name: an output file was left behind"
        fail=1
    else
        echo "ok   $name: exit $rc: $(cat "$tmp/err")"
    fi
done
exit $fail
