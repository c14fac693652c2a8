#!/usr/bin/env bash
# The style rules we enforce on C sources (STYLE.md): 4-space indents, no
# tabs, no trailing blanks, lines of at most 100 columns, and one tag for
# known limits (TODO(area): ..., never XXX or FIXME).  .clang-format holds
# the wider layout for editors; tables are laid out by hand, so it is not
# applied wholesale.
set -u
cd "$(dirname "$0")/.."
fail=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src include tools tests fuzz examples bench -name '*.[ch]')
for f in $files; do
    [ -f "$f" ] || continue
    awk -v f="$f" '
        /\t/ { print f ":" NR ": tab"; bad = 1 }
        /[ ]+$/ { print f ":" NR ": trailing blank"; bad = 1 }
        length($0) > 100 { print f ":" NR ": " length($0) " columns"; bad = 1 }
        /(^|[^A-Za-z])(XXX|FIXME)([^A-Za-z]|$)/ { print f ":" NR ": use TODO(area):"; bad = 1 }
        /TODO[^(]/ { print f ":" NR ": TODO without (area)"; bad = 1 }
        END { exit bad }' "$f" || fail=1
done
[ $fail -eq 0 ] && echo "ok: $(echo "$files" | wc -w) C files follow the style rules"
exit $fail
