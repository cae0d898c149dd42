#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Build every harness into a temporary directory and run each for SECONDS
# (default 60), starting from its seed corpus tests/fuzz/corpus_NAME/ when
# there is one, with the dictionary NAME.dict (here, or made below) when
# there is one.  New corpus entries are thrown away; crash reproducers are
# written to the current directory (crash-*, leak-*, timeout-*).
#
#   tests/fuzz/run.sh [SECONDS]
#
set -u

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$here/build.sh" "$tmp/bin" || exit 1

# libyang is not instrumented, so coverage cannot guide the config fuzzer
# to node names: give it every name of the model, and the JSON and XML
# that surround them.
{
	sed -n 's/^ *\(leaf\|leaf-list\|list\|container\|enum\) \([a-z0-9-]*\) {.*/"\2"/p' \
	    "$here/../../yang/pimd.yang" | sort -u
	printf '%s\n' '"pimd:pimd"' '"{\"pimd:pimd\": {"' '"\": "' '"true"' \
	    '"false"' '"[{\"name\": \""' '"<pimd xmlns=\"urn:pimd:yang:pimd\">"' \
	    '"</"' '"/>"'
} >"$tmp/config.dict"

failed=0
for bin in "$tmp"/bin/fuzz_*; do
	name=${bin##*/fuzz_}
	seeds=$here/corpus_$name
	mkdir "$tmp/corpus_$name"
	[ -d "$seeds" ] || seeds=
	dict=
	for d in "$here/$name.dict" "$tmp/$name.dict"; do
		[ -f "$d" ] && dict=-dict=$d
	done
	echo "fuzz $name for ${secs}s"
	# The first directory receives new inputs, the seeds are only read.
	# shellcheck disable=SC2086 # $dict and $seeds are empty or one word
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 $dict "$tmp/corpus_$name" $seeds; then
		echo "FAIL: $name" >&2
		failed=1
	fi
done
exit $failed
