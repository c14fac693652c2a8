#!/usr/bin/env bash
# Turn a flows/signature CSV written by sigext into the line format of
# ../shared/expected (see ../shared/README.md):
#   network|host A|host B|transport|A:p,B:q|application fields
# sorted, so two files compare with diff.  Fields holding a comma are
# quoted in the CSV; none of the expected sets has one, so a quote is
# reported rather than parsed.
set -euo pipefail
awk -F, 'NR == 1 { next }
/"/ { print "normalise: quoted field on line " NR > "/dev/stderr"; exit 3 }
{
    ports = ""
    n = split($5, a, " ")
    for (i = 1; i <= n; i++) ports = ports (ports == "" ? "" : ",") "A:" a[i]
    n = split($6, b, " ")
    for (i = 1; i <= n; i++) ports = ports (ports == "" ? "" : ",") "B:" b[i]
    print $1 "|" $2 "|" $3 "|" $4 "|" ports "|" $7
}' "$@" | LC_ALL=C sort
