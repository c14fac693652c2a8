#!/usr/bin/env bash
# The command line refuses what cannot work before reading any input:
# exit 2 and one line saying what is wrong (README "Exit status"); an
# option the command does not use is a warning, and the run goes on.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
sigext=${SIGEXT:-$here/build/sigext}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cd "$here"
pcap=examples/plug-on/plug-on-1.pcap
sig=tests/golden/plug-on.signature.csv
dev=(--device plug --device-ip 192.168.1.50)

# expect CODE TEXT ARGS...: exit CODE, one stderr line holding TEXT (none
# when TEXT is empty), and no output file on failure.
expect() {
    local code=$1 text=$2
    shift 2
    rm -f "$tmp/out"
    "$sigext" -o "$tmp/out" "$@" > /dev/null 2> "$tmp/err"
    local rc=$? lines=1
    [ -n "$text" ] || lines=0
    if [ $rc -ne "$code" ] || [ "$(wc -l < "$tmp/err")" -ne $lines ] ||
       { [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; }; then
        echo "FAIL sigext $*: exit $rc (expected $code), stderr:"
        sed 's/^/    /' "$tmp/err"
        echo "    (expected one line with: $text)"
        fail=1
    elif [ "$code" -ne 0 ] && [ -e "$tmp/out" ]; then
        echo "FAIL sigext $*: exit $rc but an output file was written"
        fail=1
    else
        echo "ok   sigext $*: $(cat "$tmp/err")"
    fi
}

expect 2 "'frobnicate' is not a command" frobnicate
# A bad option or value is named before the missing command: here -t
# took the command as its value.
expect 2 "--timeout: 'signature' is not a number of seconds" \
    -t signature examples/plug-on
expect 2 "unknown option '--bogus'" --bogus
expect 2 "no command given" -v
# Numbers are plain decimals.
for v in 0x10 " 5" +5 inf nan 1e3 -1; do
    expect 2 "--timeout: '$v' is not a number of seconds" \
        signature -t "$v" "$pcap"
done
for v in 0 65 " 2" +2 0x2; do
    expect 2 "--jobs: '$v' is not a number from 1 to 64" \
        signature -j "$v" "$pcap"
done
expect 2 "--max-flows: '99999999999999999999' is not a number from 1 to" \
    signature --max-flows 99999999999999999999 "$pcap"
# Options that cannot change the result are reported, and the run goes on.
"$sigext" packets -o "$tmp/pk.csv" "$pcap"
expect 0 "warning: --timeout has no effect on packet records" \
    flows -t 5 "$tmp/pk.csv"
expect 0 "firewall: a TRACE only teaches names for --domain-sets" \
    firewall "${dev[@]}" "$sig" "$pcap"
expect 0 "firewall: --domain-sets without a TRACE or --dns-cache" \
    firewall "${dev[@]}" --domain-sets "$sig"
# A gap just over the timeout is written precisely enough to read so.
expect 0 "plug-on-1.pcap: 2.602 s of silence after frame 29 ends the trace" \
    flows -t 2.6 "$pcap"
# Frames of a link type not decoded: one warning with their count.
{
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0'
    printf '\xff\xff\0\0\x93\0\0\0'            # LINKTYPE_USER0 (147)
    for i in 1 2 3; do
        printf '\x00\x10\x00\x00\0\0\0\0\x04\0\0\0\x04\0\0\0abcd'
    done
} > "$tmp/user0.pcap"
expect 0 "user0.pcap: 3 frames of link type 147 skipped (not decoded)" \
    flows "$tmp/user0.pcap"
# A capture header of a version sigext cannot read is corrupt (exit 5),
# pcap or pcapng alike.
printf '\xd4\xc3\xb2\xa1\x03\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0' \
    > "$tmp/v3.pcap"
expect 5 "v3.pcap: " flows "$tmp/v3.pcap"
{
    printf '\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\x02\x00\x00\x00'
    printf '\xff\xff\xff\xff\xff\xff\xff\xff\x1c\0\0\0'
} > "$tmp/v2.pcapng"
expect 5 "v2.pcapng: unsupported pcapng version 2.0" flows "$tmp/v2.pcapng"
expect 0 "(--timeout 0.0000001); later frames are ignored" \
    flows -t 0.0000001 "$pcap"
# A CSV saved with a UTF-8 byte order mark reads as without.
{ printf '\xef\xbb\xbf'; cat "$sig"; } > "$tmp/bom.csv"
expect 0 "" compare "$tmp/bom.csv" "$sig"
expect 0 "--device-ip 10.9.9.9 is in none of its flows" \
    firewall --device plug --device-ip 10.9.9.9 "$sig"
# In a directory, a link named as a capture that leads nowhere is said
# to be skipped; other files are skipped quietly.
mkdir "$tmp/links"
cp "$pcap" "$tmp/links/a.pcap"
ln -s nowhere.pcap "$tmp/links/b.pcap"
echo notes > "$tmp/links/notes.txt"
expect 0 "links/b.pcap: skipped: No such file or directory" \
    flows "$tmp/links"
# A gap of exactly --timeout is not longer than it: 1.001 s between two
# frames (1.001 * 1e9 is 1000999999.99... as a double).
{
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0'
    printf '\xff\xff\0\0\x93\0\0\0'
    printf '\x00\x10\x00\x00\0\0\0\0\x04\0\0\0\x04\0\0\0abcd'
    printf '\x01\x10\x00\x00\xe8\x03\0\0\x04\0\0\0\x04\0\0\0abcd'
} > "$tmp/gap.pcap"
expect 0 "gap.pcap: 2 frames of link type 147 skipped" \
    flows -t 1.001 "$tmp/gap.pcap"
# Input names.
expect 2 "--dns-cache: standard input is not read here" \
    packets --dns-cache - "$pcap"
expect 2 "flows: an input file name is empty" flows ""
expect 2 "--profile: an empty file name" firewall --profile ""
expect 2 "compare: '-' (standard input) given twice" compare - - < "$sig"
expect 2 "packets: takes one trace; examples/plug-on holds 3 captures" \
    packets examples/plug-on
expect 2 "no TRACE given" signature
expect 2 "unknown option '--bogus'" flows --bogus "$pcap"
expect 2 "--format yaml writes a device profile; it needs --device" \
    signature --format yaml "$pcap"
expect 2 "--format 'json' is not available (choose: csv)" \
    packets --format json "$pcap"
expect 2 "--format 'xml' is not available (choose: csv, json, yaml)" \
    flows --format xml "$pcap"
expect 2 "--format applies to packets, flows and signature" \
    compare --format json "$sig" "$sig"
expect 2 "--timeout: '-1' is not a number of seconds" \
    flows --timeout -1 "$pcap"
expect 2 "--jobs: '0' is not a number from 1 to 64" flows -j 0 "$pcap"
expect 2 "--max-flows: '0' is not a number from 1 to" \
    flows --max-flows 0 "$pcap"
expect 2 "--device-ip: '1.2.3' is not an IPv4 address" \
    profile --device x --device-ip 1.2.3 "$sig"
expect 2 "--mac: 'zz' is not a MAC address" profile --mac zz "${dev[@]}" "$sig"
expect 2 "--profile is an option of 'firewall'" flows --profile x "$pcap"
expect 2 "--device NAME and --device-ip IP are required" \
    profile --device x "$sig"
expect 2 "'a b' cannot name an nftables table" \
    firewall --device 'a b' --device-ip 1.2.3.4 "$sig"
expect 2 "'a b' cannot name an nftables table" \
    profile --device 'a b' --device-ip 1.2.3.4 "$sig"
expect 2 "packets: takes one trace (2 given)" \
    packets "$pcap" examples/plug-on/plug-on-2.pcap
expect 2 "compare: needs two files A B (1 given)" compare "$sig"
expect 3 "/nonexistent.pcap: No such file or directory" \
    signature /nonexistent.pcap

# Warnings: the run goes on and succeeds.
expect 0 "given twice; read once" packets "$pcap" "$pcap"
expect 0 "--device has no effect" packets --device plug "$pcap"
expect 0 "--domain-sets has no effect" signature --domain-sets \
    examples/plug-on
expect 0 "" signature --format yaml "${dev[@]}" examples/plug-on -q
expect 2 "-o: an empty file name" flows "$pcap" -o ""
expect 0 "--timeout has no effect with 'profile'" profile -t 5 "${dev[@]}" \
    "$sig"
expect 0 "--dns-cache has no effect with 'compare'" compare \
    --dns-cache /dev/null "$sig" "$sig"

# An option's value that names a command is not the command.
if "$sigext" -o "$tmp/flows" signature examples/plug-on 2> "$tmp/err" &&
   cmp -s "$tmp/flows" tests/golden/plug-on.signature.csv; then
    echo "ok   sigext -o FILE-NAMED-flows signature: the signature"
else
    echo "FAIL sigext -o .../flows signature: $(cat "$tmp/err")"
    fail=1
fi

# Standard input: given twice it is read once; it may not be the output;
# it may be a file read part way.
if "$sigext" signature - - < "$pcap" > "$tmp/twice" 2> "$tmp/err" &&
   "$sigext" signature "$pcap" > "$tmp/once" && cmp -s "$tmp/once" "$tmp/twice"
then
    echo "ok   sigext signature - -: read once"
else
    echo "FAIL sigext signature - -: $(cat "$tmp/err")"
    fail=1
fi
cp "$pcap" "$tmp/stdin.pcap"
"$sigext" packets - -o "$tmp/stdin.pcap" < "$tmp/stdin.pcap" 2> "$tmp/err"
rc=$?
if [ $rc -eq 2 ] && cmp -s "$pcap" "$tmp/stdin.pcap"; then
    echo "ok   sigext packets - -o INPUT < INPUT: $(cat "$tmp/err")"
else
    echo "FAIL sigext packets - -o INPUT < INPUT: exit $rc: $(cat "$tmp/err")"
    fail=1
fi
{ printf 'JUNKJUNK10'; cat "$pcap"; } > "$tmp/offset.bin"
if { head -c 10 > /dev/null; "$sigext" packets -; } < "$tmp/offset.bin" \
       > "$tmp/offset.csv" 2> "$tmp/err" &&
   cmp -s "$tmp/offset.csv" tests/golden/plug-on.packets.csv; then
    echo "ok   sigext packets - on a file read part way"
else
    echo "FAIL sigext packets - on a file read part way: $(cat "$tmp/err")"
    fail=1
fi

# A directory: a file named as a capture that is not one is skipped with
# a warning; other files quietly.
mkdir "$tmp/dir"
cp examples/plug-on/*.pcap "$tmp/dir/"
: > "$tmp/dir/plug-on-4.pcap"
echo notes > "$tmp/dir/notes.txt"
"$sigext" signature "$tmp/dir" > "$tmp/dir.csv" 2> "$tmp/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
   grep -qF "plug-on-4.pcap: skipped: empty file" "$tmp/err" &&
   cmp -s "$tmp/dir.csv" tests/golden/plug-on.signature.csv; then
    echo "ok   directory with an empty capture: $(cat "$tmp/err")"
else
    echo "FAIL directory with an empty capture: exit $rc: $(cat "$tmp/err")"
    fail=1
fi

# -o through a dangling symbolic link creates what it points to.
ln -s made.csv "$tmp/dangling.csv"
if "$sigext" signature examples/plug-on -o "$tmp/dangling.csv" &&
   [ -L "$tmp/dangling.csv" ] &&
   cmp -s "$tmp/made.csv" tests/golden/plug-on.signature.csv; then
    echo "ok   -o through a dangling symbolic link"
else
    echo "FAIL -o through a dangling symbolic link"
    fail=1
fi

# The output is one of the inputs, here through a symbolic link.
cp "$pcap" "$tmp/in.pcap"
ln -s in.pcap "$tmp/link.pcap"
"$sigext" flows "$tmp/in.pcap" -o "$tmp/link.pcap" 2> "$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -qF "is both an input and the output" "$tmp/err" &&
   cmp -s "$pcap" "$tmp/in.pcap"; then
    echo "ok   -o naming the input: $(cat "$tmp/err")"
else
    echo "FAIL -o naming the input: exit $rc: $(cat "$tmp/err")"
    fail=1
fi
# '-' is standard input for every input, not only for a trace.
if "$sigext" compare - "$sig" < "$sig" > "$tmp/cmp" 2> "$tmp/err" &&
   "$sigext" compare "$sig" "$sig" | cmp -s - "$tmp/cmp"; then
    echo "ok   compare - SIGNATURE < SIGNATURE"
else
    echo "FAIL compare - SIGNATURE < SIGNATURE: $(cat "$tmp/err")"
    fail=1
fi

# SIGTERM while reading: sigext dies by the signal, no output file.
mkdir "$tmp/sig"
{ cat "$pcap"; sleep 3; } | "$sigext" flows - -o "$tmp/sig/out.csv" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 143 ] && [ -z "$(ls -A "$tmp/sig")" ]; then
    echo "ok   SIGTERM: status 143, nothing written"
else
    echo "FAIL SIGTERM: status $rc, left: $(ls -A "$tmp/sig")"
    fail=1
fi

# An output name of NAME_MAX bytes: its temporary name is cut to fit.
long=$(printf 'n%.0s' $(seq 255))
if "$sigext" signature examples/plug-on -o "$tmp/$long" 2> "$tmp/err" &&
   cmp -s "$tmp/$long" tests/golden/plug-on.signature.csv; then
    echo "ok   -o with a 255-byte name"
else
    echo "FAIL -o with a 255-byte name: $(cat "$tmp/err")"
    fail=1
fi

# No arguments: a short usage on stderr, exit 2.
"$sigext" > /dev/null 2> "$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -le 2 ] &&
   grep -q "^Usage: sigext COMMAND" "$tmp/err"; then
    echo "ok   no arguments: $(head -1 "$tmp/err")"
else
    echo "FAIL no arguments: exit $rc: $(head -3 "$tmp/err")"
    fail=1
fi

# Inputs of the wrong kind are named as what they are (exit 4).
expect 4 "$pcap: a capture, not a text file" compare "$pcap" "$sig"
echo null > "$tmp/null.json"
expect 4 "null.json: JSON null; sigext writes flows as a JSON array" \
    compare "$tmp/null.json" "$sig"
exit $fail
