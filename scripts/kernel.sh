#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Which kernel the namespace tests and the demo run against, and running a
# command there.
#
#   scripts/kernel.sh which           print "host" or "uml" (and why, on stderr)
#   scripts/kernel.sh run CMD...      run CMD against that kernel
#   scripts/kernel.sh uml CMD...      run CMD in a User-Mode Linux guest
#   scripts/kernel.sh pytest OPTS -- PATHS...
#                                     run those tests against that kernel; in
#                                     guests, split over PIMD_UML_GUESTS of
#                                     them side by side (default: one a core)
#
# The tests need IPv4 multicast routing (CONFIG_IP_MROUTE). Some kernels are
# built without it: MRT_INIT fails with ENOPROTOOPT. There the command runs
# in a User-Mode Linux guest (Debian's user-mode-linux, a 6.1 kernel with
# multicast routing) that takes the host's / as its root over hostfs, so the
# build, the test harness and the peer daemons are there unchanged.
# PIMD_KERNEL=host|uml forces either; the default is auto.
#
# The guest has PIMD_UML_MEM of memory (default 3G) and one CPU, and is
# halted after PIMD_UML_TIMEOUT seconds (default 3600). Its own setup is
# scripts/uml-init.sh. The command keeps the caller's environment and
# directory; its output comes on stdout; its exit status is ours.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
UML=${PIMD_UML:-/usr/bin/linux.uml}

# MRT_INIT (200) on an IGMP raw socket, in a network namespace of its own
# so that it cannot disturb a multicast router running on this host.
host_has_mroute() {
	unshare -n /usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
try:
    s.setsockopt(socket.IPPROTO_IP, 200, struct.pack("i", 1))
except OSError as e:
    sys.exit(f"MRT_INIT: {e.strerror}")
' 2>&1
}

which_kernel() {
	local why
	case ${PIMD_KERNEL:-auto} in
	host | uml)
		echo "$PIMD_KERNEL"
		echo "kernel.sh: PIMD_KERNEL=$PIMD_KERNEL" >&2
		;;
	auto)
		if why=$(host_has_mroute); then
			echo host
			echo "kernel.sh: this kernel ($(uname -r)) has IPv4 multicast routing: running on it" >&2
		else
			echo uml
			echo "kernel.sh: this kernel ($(uname -r)) has no IPv4 multicast routing ($why): running in a User-Mode Linux guest" >&2
		fi
		;;
	*)
		echo "kernel.sh: PIMD_KERNEL must be host, uml or auto, not '$PIMD_KERNEL'" >&2
		return 2
		;;
	esac
}

# In a subshell: its traps are its own.
run_uml() (
	if [ ! -x "$UML" ]; then
		echo "kernel.sh: $UML is missing (Debian package user-mode-linux; scripts/deps.sh installs it)" >&2
		exit 125
	fi
	# The guest reads and writes this directory over hostfs.
	dir=$(mktemp -d /tmp/pimd-uml.XXXXXX) || exit 125
	trap 'rm -rf "$dir"' EXIT
	export -p >"$dir/env"
	pwd >"$dir/cwd"
	printf '%q ' "$@" >"$dir/cmd"
	# Kernel arguments with '=' that the kernel does not know reach init
	# as its environment: that is how the guest finds $dir. SIGTERM halts
	# the guest: timeout bounds it, and so does a signal to us.
	timeout -k 30 "${PIMD_UML_TIMEOUT:-3600}" \
		"$UML" mem="${PIMD_UML_MEM:-3G}" rootfstype=hostfs rootflags=/ rw \
		init="$top/scripts/uml-init.sh" PIMD_UML_DIR="$dir" \
		con=null con0=null,fd:1 quiet loglevel=0 </dev/null 2>"$dir/uml.log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 130' INT TERM
	wait "$pid"
	why=$?
	rc=$(cat "$dir/rc" 2>/dev/null)
	if [ -z "$rc" ]; then
		echo "kernel.sh: the guest ended (status $why) without the command's exit status; its logs:" >&2
		cat "$dir/uml.log" "$dir/init.log" >&2 2>/dev/null
		rc=125
	fi
	exit "$rc"
)

# The tests that OPTS select in PATHS, in the guests: collected here, dealt
# round robin (a file's tests are alike, so each guest gets a share of
# every file), each share run by one guest, the guests side by side. Every
# line a guest prints comes with its number.
pytest_uml() {
	local -a opts=() quiet=() paths=() ids=() pids=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		# the collection lists node ids only at its quiet level
		case $1 in -v | -vv | --verbose | -q | --quiet) ;; *) quiet+=("$1") ;; esac
		shift
	done
	[ $# -gt 0 ] && shift
	paths=("$@")
	mapfile -t ids < <(/usr/bin/python3 -m pytest --collect-only -q \
		"${quiet[@]}" "${paths[@]}" 2>/dev/null | grep '::')
	if [ ${#ids[@]} -eq 0 ]; then
		echo "kernel.sh: no tests collected from ${paths[*]}" >&2
		return 5
	fi
	local n=${PIMD_UML_GUESTS:-$(nproc)} g i rc=0
	[ "$n" -gt ${#ids[@]} ] && n=${#ids[@]}
	echo "kernel.sh: ${#ids[@]} tests in $n guests"
	for ((g = 0; g < n; g++)); do
		local -a share=()
		for ((i = g; i < ${#ids[@]}; i += n)); do share+=("${ids[i]}"); done
		run_uml /usr/bin/python3 -m pytest "${opts[@]}" "${share[@]}" 2>&1 |
			sed -u "s/^/[guest $g] /" &
		pids+=($!)
	done
	for g in "${pids[@]}"; do
		wait "$g" || rc=1
	done
	return $rc
}

case ${1:-} in
which)
	which_kernel
	;;
run)
	shift
	k=$(which_kernel) || exit
	if [ "$k" = host ]; then "$@"; else run_uml "$@"; fi
	;;
uml)
	shift
	run_uml "$@"
	;;
pytest)
	shift
	k=$(which_kernel) || exit
	if [ "$k" = host ]; then
		opts=()
		while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
		[ $# -gt 0 ] && shift
		/usr/bin/python3 -m pytest "${opts[@]}" "$@"
	else
		pytest_uml "$@"
	fi
	;;
*)
	echo "usage: kernel.sh which | run CMD... | uml CMD... | pytest OPTS -- PATHS..." >&2
	exit 2
	;;
esac
