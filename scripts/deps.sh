#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Install the build and test dependencies of pimd on Debian 12.
# Runs as root, non-interactively. Packages that are already installed are
# left alone; when nothing is missing, apt is not touched at all.
set -euo pipefail

# libclang-rt-dev: libFuzzer and the sanitizer runtimes for clang; with
# --no-install-recommends clang alone does not bring them.
# iputils-ping: the namespace test harness pings across topologies.
PKGS=(
	build-essential autoconf automake pkg-config
	libnl-3-dev libnl-route-3-dev libyang2-dev libevent-dev
	libcmocka-dev libbsd-dev
	clang libclang-rt-dev
	python3 python3-pytest python3-scapy
	iproute2 iputils-ping tcpdump procps valgrind
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps.sh: all ${#PKGS[@]} packages already installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: must run as root to install them" >&2
	exit 1
fi

echo "deps.sh: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"${missing[@]}" </dev/null
echo "deps.sh: done"
