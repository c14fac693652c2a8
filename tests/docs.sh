#!/usr/bin/env bash
# The man page and the README keep up with the code: every long option of
# the getopt_long table appears in sigext.1 and in --help.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
fail=0
opts=$(sed -n '/^static const struct option longopts/,/^};/p' \
    "$here/tools/sigext.c" | grep -o '{"[a-z-]*"' | tr -d '{"')
[ -n "$opts" ] || { echo "FAIL: no options found in tools/sigext.c"; exit 1; }
help=$("$sigext" --help)
for o in $opts; do
    esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
    if ! grep -q -- "\\\\-\\\\-$esc" "$here/man/sigext.1"; then
        echo "FAIL: --$o is missing from man/sigext.1"
        fail=1
    fi
    if ! grep -q -- "--$o" <<< "$help"; then
        echo "FAIL: --$o is missing from --help"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "ok: $(wc -w <<< "$opts") options documented"
exit $fail
