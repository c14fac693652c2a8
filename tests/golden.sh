#!/usr/bin/env bash
# Golden files: the CLI's outputs on the bundled examples (and, when
# ../shared is present, on its reference traces) must equal the committed
# files in tests/golden/ byte for byte.  SIGEXT_REGEN=1 rewrites them;
# review the diff before committing.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
golden=$here/tests/golden
ex=$here/examples/plug-on
ref=${SIGEXT_SHARED:-$here/../shared}/traces/reference
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# name | arguments (run from the repo root so paths in outputs are stable)
cases=(
    "plug-on.packets.csv|packets examples/plug-on/plug-on-1.pcap"
    "plug-on-1.flows.csv|flows examples/plug-on/plug-on-1.pcap"
    "plug-on-1.flows.json|flows --format json examples/plug-on/plug-on-1.pcap"
    "plug-on.signature.csv|signature examples/plug-on"
    "plug-on.signature.mrp.csv|signature -m examples/plug-on"
    "plug-on.signature.json|signature --format json --device-ip 192.168.1.50 examples/plug-on"
    "plug-on.signature.yaml|signature --format yaml --device plug --device-ip 192.168.1.50 --mac 02:00:00:00:00:50 examples/plug-on"
    "plug-on.profile.yaml|profile --device plug --device-ip 192.168.1.50 --mac 02:00:00:00:00:50 tests/golden/plug-on.signature.csv"
    "plug-on.firewall.nft|firewall --device plug --device-ip 192.168.1.50 tests/golden/plug-on.signature.csv"
    "plug-on.firewall-sets.nft|firewall --domain-sets --device plug --device-ip 192.168.1.50 tests/golden/plug-on.signature.csv examples/plug-on"
    "plug-on.compare.csv|compare tests/golden/plug-on-1.flows.csv tests/golden/plug-on.signature.csv"
)
if [ -d "$ref" ]; then
    cases+=(
        "reference.signature.csv|signature ../shared/traces/reference"
        "reference.signature.json|signature --format json --device-ip 192.168.1.135 ../shared/traces/reference"
        "reference.profile.yaml|profile --device tplink-plug --device-ip 192.168.1.135 tests/golden/reference.signature.csv"
        "reference.firewall.nft|firewall --device tplink-plug --device-ip 192.168.1.135 tests/golden/reference.signature.csv"
    )
else
    echo "note: $ref absent; reference golden files not checked"
fi

cd "$here"
for c in "${cases[@]}"; do
    name=${c%%|*}
    read -r -a args <<< "${c#*|}"
    if ! "$sigext" "${args[@]}" -o "$tmp/$name" 2> "$tmp/err"; then
        echo "FAIL $name: sigext ${args[*]}: $(head -2 "$tmp/err")"
        fail=1
        continue
    fi
    if [ "${SIGEXT_REGEN:-0}" = 1 ]; then
        cp "$tmp/$name" "$golden/$name"
        echo "regenerated $name"
    elif diff -u "$golden/$name" "$tmp/$name" > "$tmp/diff" 2>&1; then
        echo "ok   $name"
    else
        echo "FAIL $name"
        head -40 "$tmp/diff"
        fail=1
    fi
done

# Every nftables script passes `nft -c` (a dry run).  Kernels without
# nfqueue support refuse queue rules, so a copy with them turned into
# `accept` is checked instead, and the test says so.
if command -v nft > /dev/null 2>&1; then
    for f in "$tmp"/*.nft; do
        [ -e "$f" ] || continue
        if nft -c -f "$f" > "$tmp/nft.err" 2>&1; then
            echo "ok   nft -c $(basename "$f")"
            continue
        fi
        sed -E 's/queue num [0-9]+/accept/' "$f" > "$tmp/noqueue.nft"
        if nft -c -f "$tmp/noqueue.nft" > "$tmp/nft.err" 2>&1; then
            echo "ok   nft -c $(basename "$f") (queue rules checked as" \
                 "accept: no nfqueue support here)"
        else
            echo "FAIL nft -c $(basename "$f")"
            head -5 "$tmp/nft.err"
            fail=1
        fi
    done
else
    echo "note: nft not installed; scripts not checked with nft -c"
fi

# Every profile parses with PyYAML's safe loader, when it is installed.
if python3 -c 'import yaml' > /dev/null 2>&1; then
    for f in "$tmp"/*.yaml; do
        [ -e "$f" ] || continue
        if python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
assert "device-info" in d and "single-policies" in d' "$f" 2> "$tmp/py.err"
        then
            echo "ok   yaml.safe_load $(basename "$f")"
        else
            echo "FAIL yaml.safe_load $(basename "$f")"
            tail -2 "$tmp/py.err"
            fail=1
        fi
    done
fi

# From a pipe ('-'), a capture is read once and its packet records are
# kept in memory; from a file, `packets` reads it twice and keeps none.
# Both give the golden bytes.
for c in "plug-on.packets.csv|packets" "plug-on-1.flows.csv|flows"; do
    name=${c%%|*}
    if cat examples/plug-on/plug-on-1.pcap |
        "$sigext" "${c#*|}" - > "$tmp/stdin.out" 2> "$tmp/err" &&
        cmp -s "$golden/$name" "$tmp/stdin.out"; then
        echo "ok   $name from standard input"
    else
        echo "FAIL $name from standard input: $(head -2 "$tmp/err")"
        fail=1
    fi
done

# Determinism: a second run gives the same bytes.
"$sigext" signature -o "$tmp/a" examples/plug-on &&
"$sigext" signature -o "$tmp/b" examples/plug-on/plug-on-3.pcap \
    examples/plug-on/plug-on-1.pcap examples/plug-on/plug-on-2.pcap &&
    "$sigext" signature -o "$tmp/c" examples/plug-on
if ! cmp -s "$tmp/a" "$tmp/c"; then
    echo "FAIL: two runs differ"
    fail=1
fi
exit $fail
