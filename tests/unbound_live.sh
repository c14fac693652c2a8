#!/usr/bin/env bash
# unbound_live.sh - --dns-cache with a real Unbound.
#
# Starts a resolver on 127.0.0.1 that answers from local auth-zones (so
# answers go through its cache and nothing leaves loopback), resolves a
# name and a reverse name with dig, dumps the cache with
# `unbound-control dump_cache`, and checks that `sigext packets
# --dns-cache` names the phone of the reference trace with it.
# Skipped when unbound, unbound-control, dig or ../shared are missing.
#
# Environment: SIGEXT (the binary), SIGEXT_SRC (the repository).
set -u

sigext=${SIGEXT:-build/sigext}
src=${SIGEXT_SRC:-.}
trace="$src/../shared/traces/reference/1724059939.pcap"

for tool in unbound unbound-control dig; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not installed"
        exit 0
    fi
done
if [ ! -r "$trace" ]; then
    echo "SKIP: ../shared absent"
    exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/sx_unbound.XXXXXX") || exit 1
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

# A port that is probably free; loopback only.
port=$((20000 + $$ % 30000))

cat >"$dir/lan.zone" <<'EOF'
$ORIGIN lan.
$TTL 300
@     IN SOA ns.lan. admin.lan. 1 3600 600 86400 300
@     IN NS  ns.lan.
ns    IN A   127.0.0.1
phone IN A   192.168.1.110
www   IN CNAME phone.lan.
EOF
cat >"$dir/rev.zone" <<'EOF'
$ORIGIN 1.168.192.in-addr.arpa.
$TTL 300
@   IN SOA ns.lan. admin.lan. 1 3600 600 86400 300
@   IN NS  ns.lan.
110 IN PTR phone.lan.
EOF
cat >"$dir/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $port
    do-daemonize: no
    use-syslog: no
    logfile: "$dir/unbound.log"
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    # Unbound answers private reverse zones itself (RFC 6303): let ours in.
    local-zone: "168.192.in-addr.arpa." nodefault
auth-zone:
    name: "lan."
    zonefile: "$dir/lan.zone"
    for-upstream: yes
    for-downstream: no
    fallback-enabled: no
auth-zone:
    name: "1.168.192.in-addr.arpa."
    zonefile: "$dir/rev.zone"
    for-upstream: yes
    for-downstream: no
    fallback-enabled: no
remote-control:
    control-enable: yes
    control-interface: $dir/control.sock
    control-use-cert: no
EOF

unbound -d -c "$dir/unbound.conf" &
pid=$!
for _ in $(seq 50); do
    unbound-control -c "$dir/unbound.conf" status >/dev/null 2>&1 && break
    sleep 0.1
done

fail() {
    echo "FAIL: $*"
    [ -f "$dir/unbound.log" ] && tail -5 "$dir/unbound.log"
    exit 1
}

a=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$port" www.lan A)
echo "$a" | grep -qx '192.168.1.110' || fail "dig www.lan: '$a'"
r=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$port" -x 192.168.1.110)
[ "$r" = "phone.lan." ] || fail "dig -x 192.168.1.110: '$r'"

unbound-control -c "$dir/unbound.conf" dump_cache >"$dir/dump.txt" ||
    fail "dump_cache"
grep -q '^phone.lan\.[[:space:]]' "$dir/dump.txt" || fail "dump lacks phone.lan"

"$sigext" packets -v --dns-cache "$dir/dump.txt" -o "$dir/packets.csv" \
    "$trace" 2>"$dir/err.txt" || { cat "$dir/err.txt"; fail "sigext"; }
cat "$dir/err.txt"
# The A record names 192.168.1.110; the CNAME www.lan -> phone.lan is an
# alias of it, so the address resolves to www.lan (one alias step).
grep -q ',www\.lan,' "$dir/packets.csv" ||
    fail "the phone is not named from the cache"
grep -q ',192\.168\.1\.110,' "$dir/packets.csv" &&
    fail "192.168.1.110 still appears unnamed"
echo "ok: names from a live Unbound cache applied"
exit 0
