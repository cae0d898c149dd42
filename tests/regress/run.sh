#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Config regress tests.  For each tests/regress/NAME.json (or NAME.xml):
#   NAME.out  the config must load, and `pimd -nv` must print exactly this;
#   NAME.err  the config must be refused (non-zero exit) with each line of
#             this file somewhere in stderr.
# Every shipped docs/examples/*.json must pass `pimd -n` too.
#
#   PIMD=path/to/pimd SRCDIR=/abs/source/top tests/regress/run.sh [--update]
#
# --update rewrites the .out files from the current output (check the
# diff before committing); .err files are written by hand.
set -u

: "${PIMD:?PIMD must name the pimd binary}"
: "${SRCDIR:?SRCDIR must name the top of the source tree}"
update=no
case ${1:-} in
--update) update=yes ;;
'') ;;
*) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

dir=$SRCDIR/tests/regress
yang=$SRCDIR/yang
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

pass() {
	echo "PASS: $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $1: $2"
	failed=$((failed + 1))
}

# The first line of .err not found in stderr, if any.
missing_err_line() {
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if ! grep -qF -- "$line" "$tmp/err"; then
			printf '%s\n' "$line"
			return
		fi
	done <"$1"
}

check_err() {
	name=$1 rc=$2 expect=$3
	if [ "$rc" -eq 0 ]; then
		fail "$name" "accepted, expected an error"
		return
	fi
	line=$(missing_err_line "$expect")
	if [ -n "$line" ]; then
		fail "$name" "stderr lacks \"$line\"; got: $(cat "$tmp/err")"
		return
	fi
	pass "$name"
}

check_out() {
	name=$1 rc=$2 expect=$3
	if [ "$rc" -ne 0 ]; then
		fail "$name" "exit $rc: $(cat "$tmp/err")"
		return
	fi
	if [ "$update" = yes ]; then
		cp "$tmp/out" "$expect"
		pass "$name (updated)"
	elif [ ! -f "$expect" ]; then
		fail "$name" "no ${expect##*/}: write it, or a .err, or run with --update"
	elif cmp -s "$tmp/out" "$expect"; then
		pass "$name"
	else
		fail "$name" "output differs from ${expect##*/}:"
		diff -u "$expect" "$tmp/out"
	fi
}

for conf in "$dir"/*.json "$dir"/*.xml; do
	[ -f "$conf" ] || continue
	file=${conf##*/}
	base=$dir/${file%.*}
	"$PIMD" -y "$yang" -nv -f "$conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ -f "$base.err" ]; then
		check_err "$file" "$rc" "$base.err"
	else
		check_out "$file" "$rc" "$base.out"
	fi
done

for conf in "$SRCDIR"/docs/examples/*.json; do
	[ -f "$conf" ] || continue
	if "$PIMD" -y "$yang" -n -f "$conf" >/dev/null 2>"$tmp/err"; then
		pass "example ${conf##*/}"
	else
		fail "example ${conf##*/}" "$(cat "$tmp/err")"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
