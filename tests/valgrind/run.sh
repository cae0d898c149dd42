#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Usage: tests/valgrind/run.sh [PYTEST OPTIONS... -- PATHS...]
#
# Runs namespace tests with every pimd under valgrind (memcheck, full leak
# check) and fails if any daemon run reported an error or a leak.  It uses
# the plain build (build/pimd/pimd: valgrind cannot run ASan binaries).
# By default it runs the forwarding, PIM (neighbours, the scripted
# neighbour) and IGMP tests that do not need the daemon to react within
# milliseconds (valgrind slows it some 20 to 50 times).  Run as root.
# The tests run against the kernel that scripts/kernel.sh picks (a User-Mode
# Linux guest where this one has no multicast routing); the logs are read
# here.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
pimd="$top/build/pimd/pimd"
[ -x "$pimd" ] || { echo "valgrind/run.sh: build first ($pimd missing)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind/run.sh: valgrind is not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/pimd-valgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/logs"
# The daemon's exit code stays its own: errors are read from the logs.
cat > "$work/pimd" <<WRAP
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite,indirect,possible \\
	--log-file="$work/logs/vg.%p" "$pimd" "\$@"
WRAP
chmod +x "$work/pimd"

# Left out: the ASM tests that count every packet across the switch from
# Register to native forwarding, which a daemon this slow does not make in time.
[ $# -gt 0 ] || set -- -m "not slow" \
	-k "not register_then and not prunes_source_off_rp_tree" -- \
	tests/topo/test_forwarding.py tests/topo/test_pim.py tests/topo/test_igmp.py
PIMD="$work/pimd" PIMC="$top/build/pimd/pimc" PIMD_YANG="$top/yang" \
PYTHONDONTWRITEBYTECODE=1 bash scripts/kernel.sh pytest -q -p no:cacheprovider "$@"
rc=$?

# valgrind says it cannot check SIOCGETSGCNT (ioctl 0x89e1, the per-(S,G)
# counters); that note is no finding.
runs=0 bad=0
for f in "$work"/logs/vg.*; do
	[ -e "$f" ] || continue
	runs=$((runs + 1))
	if grep -v -e 'unhandled ioctl 0x89e1' -e 'could cause spurious value errors' \
	    -e 'README_MISSING_SYSCALL_OR_IOCTL' "$f" | grep -q .; then
		bad=$((bad + 1))
		echo "valgrind/run.sh: findings in ${f##*/}:" >&2
		head -60 "$f" >&2
	fi
done
echo "valgrind/run.sh: $runs daemon runs under valgrind, $bad with errors or leaks"
[ "$runs" -gt 0 ] || { echo "valgrind/run.sh: no daemon ran" >&2; exit 1; }
[ "$bad" -eq 0 ] && [ $rc -eq 0 ]
