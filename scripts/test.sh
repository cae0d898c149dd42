#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The project's full test run (README command (b)); .ci/run calls this.
#   1. build with -Werror in build/ and `make check`
#   2. `make distcheck` in build/
#   3. ASan+UBSan build in build-asan/ and `make check`
#   4. namespace integration tests (pytest tests/topo) against the ASan binaries
#   5. most of them again with the plain binaries under valgrind (tests/valgrind/run.sh)
#   6. fuzz smoke run (tests/fuzz/run.sh 20), when present
# Stops at the first failing step. Must run as root (namespaces, apt).
#
# Steps 4 and 5 need a kernel with IPv4 multicast routing. Where the host's
# has none they run in User-Mode Linux guests (scripts/kernel.sh; the
# choice is made once, and PIMD_KERNEL=host|uml forces it). ASan cannot map
# its shadow in a guest's address space, so there step 4 runs a build with
# UBSan alone (build-ubsan/); memory errors are valgrind's to find.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=${JOBS:-2}
PY=/usr/bin/python3

declare -a SUMMARY=()
t_start=$(date +%s)
pytest_out=$(mktemp)
trap 'rm -f "$pytest_out"' EXIT

# Tests counted over make check (both builds) and pytest, for the summary.
count_tests() {
	local pass=0 fail=0 skip=0 f n
	for f in build/tests/test-suite.log build-asan/tests/test-suite.log; do
		[ -f "$f" ] || continue
		n=$(sed -n 's/^# PASS: *//p' "$f"); pass=$((pass + ${n:-0}))
		n=$(sed -n 's/^# FAIL: *//p' "$f"); fail=$((fail + ${n:-0}))
		n=$(sed -n 's/^# ERROR: *//p' "$f"); fail=$((fail + ${n:-0}))
		n=$(sed -n 's/^# SKIP: *//p' "$f"); skip=$((skip + ${n:-0}))
	done
	# pytest's closing line; one for each guest when the run was split
	local last
	while IFS= read -r last; do
		n=$(grep -oE '[0-9]+ passed' <<<"$last" | grep -oE '[0-9]+'); pass=$((pass + ${n:-0}))
		n=$(grep -oE '[0-9]+ failed' <<<"$last" | grep -oE '[0-9]+'); fail=$((fail + ${n:-0}))
		n=$(grep -oE '[0-9]+ errors?' <<<"$last" | grep -oE '[0-9]+'); fail=$((fail + ${n:-0}))
		n=$(grep -oE '[0-9]+ skipped' <<<"$last" | grep -oE '[0-9]+'); skip=$((skip + ${n:-0}))
	done < <(grep -E '^(\[guest [0-9]+\] )?=+ .*(passed|failed|error|skipped).* in [0-9.]+s' "$pytest_out")
	echo "tests: $pass passed, $fail failed, $skip skipped"
}

summary() {
	echo
	echo "==================== test.sh summary ===================="
	local l
	for l in "${SUMMARY[@]}"; do echo "  $l"; done
	echo "  total time: $(( $(date +%s) - t_start ))s"
	echo "========================================================="
}

fail() {
	SUMMARY+=("FAILED  $1")
	echo >&2
	echo "test.sh: FAILED: $1" >&2
	summary >&2
	exit 1
}

# step NAME CMD...: run CMD, record the result and the time it took.
step() {
	local name=$1; shift
	local t0=$(date +%s)
	echo
	echo "==> $name"
	if "$@"; then
		SUMMARY+=("ok      $name ($(( $(date +%s) - t0 ))s)")
	else
		fail "$name (after $(( $(date +%s) - t0 ))s)"
	fi
}

# show_test_logs DIR [all]: print the test-suite logs under DIR; without
# "all", those of a distcheck tree left behind are skipped.
show_test_logs() {
	local dir=$1 f
	local skip=(-not -path '*/_build/*')
	[ "${2:-}" = all ] && skip=()
	echo "---- test-suite logs in $dir ----" >&2
	while IFS= read -r f; do
		echo "=== $f" >&2
		cat "$f" >&2
	done < <(find "$dir" -name test-suite.log "${skip[@]}" 2>/dev/null)
}

make_check() {
	local dir=$1
	if ! make -C "$dir" -j"$jobs" check; then
		show_test_logs "$dir"
		return 1
	fi
}

distcheck() {
	if ! make -C build -j"$jobs" distcheck \
		DISTCHECK_CONFIGURE_FLAGS="--enable-werror"; then
		# The distcheck tree is kept on failure: show its test logs too.
		show_test_logs "$(ls -d build/pimd-*/_build 2>/dev/null | head -1)" all
		return 1
	fi
}

topo_tests() {
	local rc
	PIMD="$top/$topo_build/pimd/pimd" PIMC="$top/$topo_build/pimd/pimc" \
	PIMD_YANG="$top/yang" PYTHONDONTWRITEBYTECODE=1 \
		bash scripts/kernel.sh pytest -v -p no:cacheprovider -- tests/topo 2>&1 |
		tee "$pytest_out"
	rc=$?
	if [ $rc -eq 5 ]; then
		echo "test.sh: pytest collected no tests in tests/topo" >&2
	fi
	return $rc
}

if [ "$(id -u)" -ne 0 ]; then
	echo "test.sh: must run as root (network namespaces, package installs)" >&2
	exit 1
fi

# Sanitizers: any error or leak makes the program exit 66 with a report on
# stderr; the topology harness checks both.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=66:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=66"
export LSAN_OPTIONS="exitcode=66"

step "deps (scripts/deps.sh)" bash scripts/deps.sh
step "build (build/, --enable-werror)" bash scripts/build.sh build --enable-werror
step "make check (build/)" make_check build
step "make distcheck (build/)" distcheck
step "build (build-asan/, --enable-sanitizers --enable-werror)" \
	bash scripts/build.sh build-asan --enable-sanitizers --enable-werror
step "make check (build-asan/)" make_check build-asan
PIMD_KERNEL=$(bash scripts/kernel.sh which) || fail "which kernel (scripts/kernel.sh which)"
export PIMD_KERNEL
if [ "$PIMD_KERNEL" = host ]; then
	topo_build=build-asan
	step "namespace tests (pytest tests/topo, ASan binaries)" topo_tests
else
	topo_build=build-ubsan
	step "build (build-ubsan/, --enable-sanitizers=undefined --enable-werror)" \
		bash scripts/build.sh build-ubsan --enable-sanitizers=undefined --enable-werror
	step "namespace tests (pytest tests/topo in UML guests, UBSan binaries)" topo_tests
fi
step "valgrind (tests/valgrind/run.sh, plain binaries, kernel: $PIMD_KERNEL)" \
	bash tests/valgrind/run.sh
if [ -x tests/fuzz/run.sh ] || [ -f tests/fuzz/run.sh ]; then
	step "fuzz smoke (tests/fuzz/run.sh 20)" bash tests/fuzz/run.sh 20
else
	SUMMARY+=("skipped fuzz smoke (no tests/fuzz/run.sh)")
fi

summary
echo "test.sh: all steps passed"
count_tests
