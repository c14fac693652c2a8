#!/usr/bin/env bash
# Build sigext and run the whole test suite (unit, golden, conformance,
# hostile inputs).  BUILD_DIR, SANITIZE and CC select the variant.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
args=(-DSIGEXT_WERROR=ON)
if [ -n "${SANITIZE:-}" ]; then
    args+=(-DSANITIZE="$SANITIZE" -DCMAKE_BUILD_TYPE=Debug)
    # A sanitizer report must fail the test that triggered it.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
cmake -S . -B "$build" "${args[@]}" > /dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build" && ctest --output-on-failure -j"$(nproc)"
