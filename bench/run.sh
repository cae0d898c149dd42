#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Usage: bench/run.sh [bench.py options: --trials N, --quick, --groups N, ...]
#
# The benchmark of our pimd beside FRR's (bench/README.md). Runs as root
# after scripts/deps.sh. Unless PIMD is set, builds pimd without sanitizers
# in build-bench/ first (scripts/build.sh; its output goes to
# build-bench/build.log) and benchmarks that build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: must run as root (network namespaces)" >&2
	exit 1
fi
if [ -z "${PIMD:-}" ]; then
	mkdir -p "$top/build-bench"
	echo "bench/run.sh: building pimd in build-bench/ (log: build-bench/build.log)" >&2
	if ! bash "$top/scripts/build.sh" build-bench >"$top/build-bench/build.log" 2>&1; then
		tail -n 40 "$top/build-bench/build.log" >&2
		echo "bench/run.sh: build failed" >&2
		exit 1
	fi
	export PIMD="$top/build-bench/pimd/pimd" PIMC="$top/build-bench/pimd/pimc"
fi
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" "$top/bench/bench.py" "$@"
