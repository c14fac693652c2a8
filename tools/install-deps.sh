#!/usr/bin/env bash
# Install, from Debian's packages, what sigext needs to build and test.
# Run as root (or through sudo) on Debian 12.  Safe to run twice.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config \
    libpcap-dev libjansson-dev libyaml-dev uthash-dev libcmocka-dev \
    clang libclang-rt-14-dev \
    tcpdump nftables unbound dnsutils python3 python3-yaml time > /dev/null
