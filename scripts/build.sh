#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Usage: scripts/build.sh [BUILDDIR] [configure args...]
# Regenerates the build system when needed, then configures out of tree
# in BUILDDIR (default: build, relative to the source top) and runs make.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-build}
[ $# -gt 0 ] && shift
case $builddir in /*) ;; *) builddir="$top/$builddir" ;; esac
jobs=${JOBS:-2}

cd "$top"
need_autoreconf=0
if [ ! -x configure ]; then
	need_autoreconf=1
else
	for f in configure.ac $(find . -name Makefile.am -not -path './build*' -not -path './.git/*'); do
		if [ "$f" -nt configure ]; then need_autoreconf=1; break; fi
	done
	# A Makefile.in is needed next to every Makefile.am.
	for f in $(find . -name Makefile.am -not -path './build*' -not -path './.git/*'); do
		in=${f%.am}.in
		if [ ! -f "$in" ] || [ "$f" -nt "$in" ]; then need_autoreconf=1; break; fi
	done
fi
if [ $need_autoreconf -eq 1 ]; then
	echo "build.sh: autoreconf -fi"
	mkdir -p m4
	autoreconf -fi
fi

mkdir -p "$builddir"
cd "$builddir"
# Reconfigure when the arguments change or configure is newer.
args="$*"
stamp=.build-sh-configure-args
if [ ! -f Makefile ] || [ ! -f config.status ] || [ "$top/configure" -nt config.status ] ||
	[ "$(cat "$stamp" 2>/dev/null)" != "$args" ]; then
	echo "build.sh: configure $args (in $builddir)"
	"$top/configure" "$@"
	printf '%s' "$args" > "$stamp"
fi
echo "build.sh: make -j$jobs (in $builddir)"
make -j"$jobs"
