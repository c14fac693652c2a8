#!/usr/bin/env bash
# Bounded fuzzing for CI: build every libFuzzer harness, build the seed
# corpora, run each harness for FUZZ_SECONDS (default 60) under ASan and
# UBSan, FUZZ_JOBS harnesses at a time (default: the number of CPUs).
# Fails when a harness finds a crash, leak, timeout or out-of-memory; the
# input that did it is kept in build-fuzz/artifacts/ and its log beside it.
#
#   FUZZ_SECONDS=60 fuzz/run-ci.sh [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
build=${FUZZ_BUILD_DIR:-build-fuzz}
all="link ip dns http coap tls dhcp capture unbound csv json profile pipeline"
harnesses=${*:-$all}

CC=clang cmake -S . -B "$build" -DSIGEXT_FUZZ=ON -DSIGEXT_TESTS=OFF \
    > /dev/null
cmake --build "$build" -j"$(nproc)"
bash fuzz/seeds.sh "$build/sigext"

art="$build/artifacts"
mkdir -p "$art"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# run HARNESS: fuzz it for $seconds; log in $art/HARNESS.log, exit
# status in $art/HARNESS.rc.
run() {
    local h=$1 rc=0
    # The corpus directory also receives what libFuzzer finds, so a
    # later run starts from there.
    "$build/fuzz/fuzz_$h" "fuzz/corpus-$h" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/$h-" \
        -print_final_stats=1 > "$art/$h.log" 2>&1 || rc=$?
    echo "$rc" > "$art/$h.rc"
}

for h in $harnesses; do
    rm -f "$art/$h.rc"
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    echo "fuzz: $h for ${seconds}s"
    run "$h" &
done
wait

fail=0
for h in $harnesses; do
    if [ "$(cat "$art/$h.rc" 2> /dev/null)" = 0 ]; then
        execs=$(awk '/stat::number_of_executed_units/ {print $2}' \
                "$art/$h.log")
        echo "ok   $h: ${execs:-?} executions"
    else
        echo "FAIL $h: see $art/$h.log and the input in $art/$h-*"
        grep -hE 'ERROR|SUMMARY|broken promise' "$art/$h.log" | head -5
        fail=1
    fi
done
exit $fail
