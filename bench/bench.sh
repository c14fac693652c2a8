#!/usr/bin/env bash
# bench.sh - times sigext against a tcpdump baseline on generated captures.
#
# Usage: bench/bench.sh [--quick] [--runs N] [--keep]
#
#   --quick   small run (100k-packet traces), for CI smoke tests
#   --runs N  runs per measurement, the median is reported (default 3)
#   --keep    keep the generated traces (always kept when BENCH_DIR is set)
#
# Environment:
#   SIGEXT     sigext binary            (default build/sigext)
#   SXGEN      trace generator          (default build/examples/gen/sxgen)
#   BENCH_DIR  where traces are written (default: a fresh temp dir)
#   TCPDUMP    baseline reader          (default: tcpdump on PATH)
#
# It builds nothing. Every time and peak RSS comes from /usr/bin/time -v.
# It is a benchmark, not a test: it never fails on speed. Exit status:
# 0 done (also when sigext is missing: only the baseline is timed),
# 1 a timed command failed, 2 bad usage or a missing tool.

# The printf formats are this script's constants; cleanup runs from a trap.
# shellcheck disable=SC2059,SC2317
set -u
set -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIGEXT=${SIGEXT:-$ROOT/build/sigext}
SXGEN=${SXGEN:-$ROOT/build/examples/gen/sxgen}
TCPDUMP=${TCPDUMP:-$(command -v tcpdump || true)}
TIME=/usr/bin/time
RUNS=3
QUICK=0
KEEP=0
FAILED=0

usage() {
    sed -n '2,20s/^# \{0,1\}//p' "$0"
}

die() {
    echo "bench.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --keep) KEEP=1 ;;
    --runs)
        [ $# -ge 2 ] || die "--runs needs a number"
        RUNS=$2
        shift
        ;;
    --runs=*) RUNS=${1#--runs=} ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
    shift
done
case "$RUNS" in
'' | *[!0-9]* | 0) die "--runs wants a positive integer, not '$RUNS'" ;;
esac

# ---- tools -----------------------------------------------------------------

[ -x "$TIME" ] || die "$TIME not found: install Debian's 'time' package"
[ -x "$SXGEN" ] || die "sxgen not found at $SXGEN:" \
    "build it (cmake --build build --target sxgen) or set SXGEN"
HAVE_TCPDUMP=1
if [ -z "$TCPDUMP" ] || [ ! -x "$TCPDUMP" ]; then
    echo "bench.sh: tcpdump not found: no baseline, ratios left empty" >&2
    HAVE_TCPDUMP=0
fi
HAVE_SIGEXT=1
if [ ! -x "$SIGEXT" ]; then
    echo "bench.sh: sigext not found at $SIGEXT: build it" \
        "(cmake --build build) or set SIGEXT; timing the tcpdump" \
        "baseline only" >&2
    HAVE_SIGEXT=0
fi

# ---- sizes -----------------------------------------------------------------

if [ "$QUICK" = 1 ]; then
    MAIN_PACKETS=100000
    MAIN_FLOWS=10000
    SCALE_PACKETS="10000 100000"
    SCALE_FLOWS_PACKETS=100000
    SCALE_FLOWS="1000 10000"
else
    MAIN_PACKETS=1000000
    MAIN_FLOWS=10000
    SCALE_PACKETS="10000 100000 1000000 4000000"
    SCALE_FLOWS_PACKETS=1000000
    SCALE_FLOWS="1000 10000 100000"
fi

if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p "$BENCH_DIR" || die "cannot create BENCH_DIR $BENCH_DIR"
    DIR=$BENCH_DIR
    KEEP=1
else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/sigext-bench.XXXXXX") ||
        die "cannot create a temp dir"
fi
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sigext-bench-time.XXXXXX") ||
    die "cannot create a temp dir"
cleanup() {
    rm -rf "$SCRATCH"
    if [ "$KEEP" = 0 ]; then
        rm -rf "$DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ---------------------------------------------------------------

# gen PACKETS FLOWS SEED FILE: writes a trace; prints its conversation count.
gen() {
    local log=$SCRATCH/sxgen.log
    if ! "$SXGEN" bench --packets "$1" --flows "$2" --seed "$3" \
        --out "$4" 2>"$log"; then
        cat "$log" >&2
        die "sxgen failed for $4"
    fi
    sed -n 's/.* packets, \([0-9]*\) conversations.*/\1/p' "$log"
}

# secs "h:mm:ss" or "m:ss.ss" (GNU time's elapsed format) -> seconds
secs() {
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i;
               printf "%.2f\n", s }' <<<"$1"
}

# median of the numbers on stdin
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# measure CMD...: runs CMD $RUNS times under /usr/bin/time -v. Sets SEC
# (median wall clock), RSS_MIB (median peak RSS) and ST (last non-zero
# exit status, 0 if none); ERR holds that run's first stderr line.
measure() {
    local i rc tv=$SCRATCH/time.txt errf=$SCRATCH/stderr.txt
    local walls=$SCRATCH/walls rsss=$SCRATCH/rss
    : >"$walls"
    : >"$rsss"
    ST=0
    ERR=
    for ((i = 0; i < RUNS; i++)); do
        "$TIME" -v -o "$tv" "$@" >/dev/null 2>"$errf"
        rc=$?
        if [ "$rc" != 0 ]; then
            ST=$rc
            ERR=$(head -n 1 "$errf")
        fi
        secs "$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$tv")" \
            >>"$walls"
        sed -n 's/.*Maximum resident set size (kbytes): //p' "$tv" >>"$rsss"
    done
    SEC=$(median <"$walls")
    RSS_MIB=$(median <"$rsss" | awk '{ printf "%.1f", $1 / 1024 }')
}

rate() {
    awk -v p="$1" -v s="$2" 'BEGIN {
        if (s > 0) printf "%.0f", p / s; else printf "-" }'
}

ratio() {
    awk -v s="$1" -v b="$2" 'BEGIN {
        if (b > 0 && s > 0) printf "%.2fx", s / b; else printf "-" }'
}

# outcome WHAT: sets STATUS, the status column for the last measure, and
# FAILED when a command failed.  sigext's exit 1 means "no signature
# found", which is an answer, not a failure.
outcome() {
    if [ "$ST" = 0 ]; then
        STATUS=ok
    elif [ "$ST" = 1 ] && [ "$1" = signature ]; then
        STATUS="no signature"
    else
        FAILED=1
        STATUS="FAILED (exit $ST: ${ERR:-no message})"
    fi
}

ROW_FMT="%-36s %10s %8s %11s %10s %9s  %s\n"

row() {
    # label packets seconds base_seconds rss status
    printf "$ROW_FMT" "$1" "$2" "$3" "$(rate "$2" "$3")" \
        "$(ratio "$3" "$4")" "$5" "$6"
}

# ---- header ----------------------------------------------------------------

echo "sigext benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "machine: $(uname -sm), $(nproc) CPUs," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
if [ "$HAVE_SIGEXT" = 1 ]; then
    echo "sigext:  $SIGEXT ($("$SIGEXT" --version 2>&1 | head -n 1))"
else
    echo "sigext:  missing ($SIGEXT)"
fi
if [ "$HAVE_TCPDUMP" = 1 ]; then
    echo "tcpdump: $TCPDUMP ($("$TCPDUMP" --version 2>&1 | head -n 1))"
fi
echo "traces:  $DIR; median of $RUNS runs; wall clock and peak RSS" \
    "from $TIME -v"
echo

# ---- main table -------------------------------------------------------------

TRACES=()
CONVS=0
for seed in 1 2 3; do
    f=$DIR/bench-$seed.pcap
    c=$(gen "$MAIN_PACKETS" "$MAIN_FLOWS" "$seed" "$f")
    CONVS=$((CONVS + ${c:-0}))
    TRACES+=("$f")
done
echo "Throughput: 3 traces of $MAIN_PACKETS packets, $MAIN_FLOWS concurrent" \
    "flows each ($CONVS conversations in all)"
echo "ratio = seconds / tcpdump's seconds on the same input" \
    "(2.00x = twice as slow)"
printf "$ROW_FMT" command packets seconds packets/s "vs tcpdump" \
    "RSS MiB" status
declare -A BASE
BASE_ALL=0
for f in "${TRACES[@]}"; do
    b=$(basename "$f")
    if [ "$HAVE_TCPDUMP" = 1 ]; then
        measure "$TCPDUMP" -r "$f" -w /dev/null
        BASE[$b]=$SEC
        BASE_ALL=$(awk -v a="$BASE_ALL" -v b="$SEC" 'BEGIN { print a + b }')
        outcome tcpdump
        row "tcpdump -r $b -w /dev/null" "$MAIN_PACKETS" "$SEC" "$SEC" \
            "$RSS_MIB" "$STATUS"
    else
        BASE[$b]=
    fi
done
if [ "$HAVE_SIGEXT" = 1 ]; then
    for cmd in packets flows; do
        for f in "${TRACES[@]}"; do
            b=$(basename "$f")
            measure "$SIGEXT" "$cmd" "$f" -o /dev/null
            outcome "$cmd"
            row "sigext $cmd $b" "$MAIN_PACKETS" "$SEC" "${BASE[$b]}" \
                "$RSS_MIB" "$STATUS"
        done
    done
    measure "$SIGEXT" signature "${TRACES[@]}" -o /dev/null
    outcome signature
    row "sigext signature (the 3 traces)" "$((3 * MAIN_PACKETS))" "$SEC" \
        "$BASE_ALL" "$RSS_MIB" "$STATUS"
else
    echo "(sigext rows skipped: sigext not found)"
fi
echo

# ---- scaling tables ---------------------------------------------------------

SCALE_FMT="%12s %12s %14s %8s %11s %9s  %s\n"

scale_row() {
    # packets flows conversations
    local f=$DIR/scale.pcap c
    c=$(gen "$1" "$2" 7 "$f")
    if [ "$HAVE_SIGEXT" = 1 ]; then
        measure "$SIGEXT" flows "$f" -o /dev/null
        outcome flows
        printf "$SCALE_FMT" "$1" "$2" "$c" "$SEC" "$(rate "$1" "$SEC")" \
            "$RSS_MIB" "$STATUS"
    else
        printf "$SCALE_FMT" "$1" "$2" "$c" - - - "skipped"
    fi
    rm -f "$f"
}

echo "Scaling with packets: sigext flows, ${MAIN_FLOWS} concurrent flows"
printf "$SCALE_FMT" packets flows conversations seconds packets/s "RSS MiB" \
    status
for n in $SCALE_PACKETS; do
    scale_row "$n" "$MAIN_FLOWS"
done
echo
echo "Scaling with flows: sigext flows, $SCALE_FLOWS_PACKETS packets"
printf "$SCALE_FMT" packets flows conversations seconds packets/s "RSS MiB" \
    status
for fl in $SCALE_FLOWS; do
    scale_row "$SCALE_FLOWS_PACKETS" "$fl"
done

if [ "$KEEP" = 1 ]; then
    echo
    echo "traces kept in $DIR"
fi
if [ "$FAILED" = 1 ]; then
    echo "bench.sh: some commands failed (see status column)" >&2
    exit 1
fi
exit 0
