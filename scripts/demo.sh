#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# README command (a): install what is missing, build, and run the demo
# network (scripts/demo.py).  Run as root on Debian 12.  Where this kernel
# has no IPv4 multicast routing the network runs in a User-Mode Linux guest
# (scripts/kernel.sh says which, on one line).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi
bash scripts/deps.sh
bash scripts/build.sh build
PIMD="$top/build/pimd/pimd" PIMC="$top/build/pimd/pimc" PIMD_YANG="$top/yang" \
	bash scripts/kernel.sh run /usr/bin/python3 scripts/demo.py
