#!/usr/bin/env bash
# Regression inputs: every crash, hang or broken promise the fuzzers
# (fuzz/README.md) or testers found is a minimised file in tests/regress/,
# named after what it exercised.  Each is run through the CLI the way its
# kind is read:
#   *.pcap *.pcapng   sigext flows FILE; sigext packets FILE
#   *.csv             packets CSV (header "id,..."): sigext flows FILE;
#                     flows CSV: sigext compare, profile and firewall
#   *.json            sigext compare, profile and firewall
#   *.yaml            sigext firewall --profile FILE
#   *.unbound         sigext flows --dns-cache FILE on an example capture
# and must give: no crash (exit < 64) and no sanitizer report, the exit
# status listed below (README "Exit status"), and at most one line on
# stderr, naming the file.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
dir=$here/tests/regress
example=$here/examples/plug-on/plug-on-1.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Expected exit status of each file, for every command run on it.
declare -A want=(
    [flows-csv-header-only.csv]=0
    [flows-csv-nul-in-host.csv]=4
    [pcapng-timestamp-beyond-int64-ns.pcapng]=0
    [udp-header-cut-on-dns-port.pcap]=0
    [tls-hello-name-beyond-handshake-length.pcap]=0
    [profile-include-binary-file.yaml]=4
    [profile-device-name-nft-keyword.yaml]=4
    [profile-include-missing-file.yaml]=3
    [flows-csv-ipv6-host-in-ipv4-row.csv]=4
    [flows-csv-percent-encoded-nul.csv]=4
    [json-nul-escape-in-string.json]=4
)

# check NAME EXPECTED ARGS...: run sigext ARGS and check the promises.
check() {
    local name=$1 expect=$2 rc lines
    shift 2
    "$sigext" "$@" -o "$tmp/out" 2> "$tmp/err" < /dev/null
    rc=$?
    lines=$(wc -l < "$tmp/err")
    if grep -q Sanitizer "$tmp/err" || [ $rc -ge 64 ]; then
        echo "FAIL $name ($1): crash or sanitizer report (exit $rc)"
        head -20 "$tmp/err"
        fail=1
    elif [ $rc -gt 8 ]; then
        echo "FAIL $name ($1): exit $rc is not a documented status"
        fail=1
    elif [ "$expect" != "$rc" ]; then
        echo "FAIL $name ($1): exit $rc, expected $expect"
        cat "$tmp/err"
        fail=1
    elif [ "$lines" -gt 1 ] || { [ "$lines" -eq 1 ] &&
                                 ! grep -qF "$name" "$tmp/err"; }; then
        echo "FAIL $name ($1): expected at most one line naming the file:"
        cat "$tmp/err"
        fail=1
    else
        echo "ok   $name ($1): exit $rc $(head -1 "$tmp/err")"
    fi
}

dev=(--device regress --device-ip 192.168.1.50)
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    expect=${want[$name]:-}
    if [ -z "$expect" ]; then
        echo "FAIL $name: no expected exit status listed in $0"
        fail=1
        continue
    fi
    case "$name" in
    *.pcap | *.pcapng)
        check "$name" "$expect" flows "$f"
        check "$name" "$expect" packets "$f"
        ;;
    *.csv)
        if head -c 3 "$f" | grep -q '^id,'; then
            check "$name" "$expect" flows "$f"
        else
            check "$name" "$expect" compare "$f" "$f"
            check "$name" "$expect" profile "${dev[@]}" "$f"
            check "$name" "$expect" firewall "${dev[@]}" "$f"
        fi
        ;;
    *.json)
        check "$name" "$expect" compare "$f" "$f"
        check "$name" "$expect" profile "${dev[@]}" "$f"
        check "$name" "$expect" firewall "${dev[@]}" "$f"
        ;;
    *.yaml)
        check "$name" "$expect" firewall --profile "$f"
        ;;
    *.unbound)
        check "$name" "$expect" flows --dns-cache "$f" "$example"
        ;;
    *)
        echo "FAIL $name: unknown kind of regression input"
        fail=1
        ;;
    esac
done
# Option values that reached the same arithmetic as a fuzzed timestamp
# (a timeout too large for int64 nanoseconds), written as the plain
# decimals the command line takes.
for t in "1$(printf '0%.0s' $(seq 300))" 99999999999999999999.5; do
    check "plug-on-1.pcap" 0 flows --timeout "$t" "$example"
done
exit $fail
