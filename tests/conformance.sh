#!/usr/bin/env bash
# Conformance: sigext signature on the real traces of ../shared equals the
# reference's normalised output in ../shared/expected, with default options
# and with --match-random-ports.  No known deviation needs an exception on
# these sets; an exception would be listed here with its reason.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
shared=${SIGEXT_SHARED:-$here/../shared}
if [ ! -d "$shared/traces" ] || [ ! -d "$shared/expected" ]; then
    echo "SKIP: $shared is absent (the conformance sets live there)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for set in reference events/tplink-plug-toggle events/tuya-plug-toggle \
           events/hue-light-toggle; do
    name=$(basename "$set")
    for mode in default mrp; do
        opt=()
        [ "$mode" = mrp ] && opt=(--match-random-ports)
        if ! "$sigext" signature "${opt[@]}" -o "$tmp/out.csv" \
                "$shared/traces/$set"; then
            echo "FAIL $name $mode: sigext exited $?"
            fail=1
            continue
        fi
        "$here/tests/lib/normalise.sh" "$tmp/out.csv" > "$tmp/got"
        LC_ALL=C sort "$shared/expected/$name.$mode.txt" > "$tmp/want"
        if diff -u "$tmp/want" "$tmp/got" > "$tmp/diff"; then
            echo "ok   $name $mode ($(wc -l < "$tmp/got") flows)"
        else
            echo "FAIL $name $mode"
            cat "$tmp/diff"
            fail=1
        fi
    done
done
exit $fail
