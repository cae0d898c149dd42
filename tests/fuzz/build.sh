#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Build the libFuzzer harnesses into OUTDIR with clang, straight from the
# sources (no configure needed).  CC and CFLAGS may be overridden.
#
#   tests/fuzz/build.sh OUTDIR
#
set -eu

out=${1:?usage: $0 OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
flags="-std=gnu11 -g -O1 -fno-omit-frame-pointer \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
-I$top/lib -I$top/pimd ${CFLAGS:-}"

mkdir -p "$out"

# harness NAME "EXTRA CFLAGS" "LIBS" SOURCE...: one fuzzer binary.
harness() {
	name=$1 extra=$2 libs=$3
	shift 3
	echo "build $out/$name"
	# shellcheck disable=SC2086 # flag lists are meant to be split
	$cc $flags $extra -o "$out/$name" "$@" $libs
}

harness fuzz_config "-DYANG_DIR=\"$top/yang\" $(pkg-config --cflags libyang)" \
	"$(pkg-config --libs libyang)" \
	"$here/fuzz_config.c" "$top/pimd/config.c" "$top/lib/log.c"

harness fuzz_igmp "" "" \
	"$here/fuzz_igmp.c" "$top/pimd/igmp_msg.c" "$top/lib/cksum.c"

harness fuzz_pim "" "" \
	"$here/fuzz_pim.c" "$top/pimd/pim_msg.c" "$top/lib/cksum.c"
