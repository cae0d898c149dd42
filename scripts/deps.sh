#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Install the build and test dependencies of pimd on Debian 12.
# Runs as root, non-interactively. Packages that are already installed are
# left alone; when nothing is missing, apt is not touched at all.
#
# The interoperability tests (tests/topo/test_interop.py) also need two
# reference implementations of PIM-SM, which Debian packages conflict:
#   - FRR (package frr) is installed; its own service is never left running
#     or enabled: the tests start zebra and pimd themselves, per namespace.
#   - troglobit's pimd (package pimd) is not installed: its .deb is fetched
#     with `apt-get download` and unpacked with `dpkg-deb -x` into
#     $PIMD_PEERS_DIR/troglobit-pimd (default /var/cache/pimd-peers), where
#     tests/topo/peers.py looks for it.
set -euo pipefail

# libclang-rt-dev: libFuzzer and the sanitizer runtimes for clang; with
# --no-install-recommends clang alone does not bring them.
# iputils-ping: the namespace test harness pings across topologies.
# frr: interoperability peer (zebra + pimd, run by the tests).
# user-mode-linux, kmod: a 6.1 guest kernel with IPv4 multicast routing, and
# modprobe for its modules, where the host's kernel has none
# (scripts/kernel.sh).
PKGS=(
	build-essential autoconf automake pkg-config
	libnl-3-dev libnl-route-3-dev libyang2-dev libevent-dev
	libcmocka-dev libbsd-dev
	clang libclang-rt-dev
	python3 python3-pytest python3-scapy
	iproute2 iputils-ping tcpdump procps valgrind
	frr
	user-mode-linux kmod
)

PEERS_DIR=${PIMD_PEERS_DIR:-/var/cache/pimd-peers}
TROGLOBIT_DIR=$PEERS_DIR/troglobit-pimd
TROGLOBIT_STAMP=$TROGLOBIT_DIR/.unpacked

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: $1" >&2
		echo "deps.sh: must run as root" >&2
		exit 1
	fi
}

apt_updated=0
apt_update() {
	if [ $apt_updated -eq 0 ]; then
		apt-get update </dev/null
		apt_updated=1
	fi
}

# Package maintainer scripts must not start services (FRR's would run
# zebra and staticd in the root namespace). Debian's mechanism for that is
# /usr/sbin/policy-rc.d answering 101; container images usually have one
# already. If there is none, one is put in place for the install only.
policy_rc=/usr/sbin/policy-rc.d
own_policy=0
drop_policy() {
	if [ $own_policy -eq 1 ]; then
		rm -f "$policy_rc"
		own_policy=0
	fi
}
trap drop_policy EXIT
block_service_starts() {
	if [ ! -e "$policy_rc" ]; then
		printf '#!/bin/sh\n# deps.sh: no service starts during package installs\nexit 101\n' \
			>"$policy_rc"
		chmod 755 "$policy_rc"
		own_policy=1
	fi
}

# FRR's packaged service is not enabled at boot. The tests run their own
# daemons, each in a namespace with a private run directory.
frr_service_off() {
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		systemctl disable --now frr.service >/dev/null 2>&1 || true
	else
		if command -v systemctl >/dev/null; then
			# offline: only removes the enablement symlinks
			systemctl disable frr.service >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null && [ -e /etc/init.d/frr ]; then
			update-rc.d frr disable >/dev/null 2>&1 || true
		fi
	fi
}

# Whatever the init system, no daemon of the packaged service is left
# running in the root namespace. Such a daemon writes its pid file in
# /run/frr (the tests' daemons keep theirs elsewhere); only those processes
# are stopped, with the package's own script first. Cheap when nothing runs,
# so checked on every run.
frr_packaged_pids() {
	local f pid exe
	# watchfrr first: it would restart the others
	for f in /run/frr/watchfrr.pid /run/frr/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null || true)
		case $pid in '' | *[!0-9]*) continue ;; esac
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
		case $exe in /usr/lib/frr/*) ;; *) continue ;; esac
		[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(readlink /proc/$$/ns/net)" ] ||
			continue
		echo "$pid"
	done | awk '!seen[$0]++'
}
frr_packaged_stop() {
	local pids pid
	pids=$(frr_packaged_pids)
	[ -n "$pids" ] || return 0
	need_root "packaged FRR daemons are running: pids $(echo $pids)"
	echo "deps.sh: stopping the packaged FRR service (pids $(echo $pids))"
	if [ -x /usr/lib/frr/frrinit.sh ]; then
		timeout 60 /usr/lib/frr/frrinit.sh stop </dev/null >/dev/null 2>&1 || true
	fi
	for pid in $(frr_packaged_pids); do
		kill "$pid" 2>/dev/null || true
	done
}

# --- Debian packages
missing=()
for p in "${PKGS[@]}"; do
	is_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps.sh: all ${#PKGS[@]} packages already installed"
else
	need_root "missing packages: ${missing[*]}"
	echo "deps.sh: installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt_update
	block_service_starts
	apt-get install -y --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}" </dev/null
	drop_policy
	if [[ " ${missing[*]} " == *" frr "* ]]; then
		frr_service_off
	fi
fi
frr_packaged_stop

# --- troglobit's pimd, unpacked but not installed (it conflicts with frr)
if [ -f "$TROGLOBIT_STAMP" ] && [ -x "$TROGLOBIT_DIR/usr/sbin/pimd" ]; then
	echo "deps.sh: troglobit pimd $(cat "$TROGLOBIT_STAMP") in $TROGLOBIT_DIR"
else
	need_root "troglobit pimd is not unpacked in $TROGLOBIT_DIR"
	if ! apt-cache show pimd >/dev/null 2>&1; then
		apt_update
	fi
	tmp=$(mktemp -d)
	# apt's download sandbox user must be able to write there
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download pimd </dev/null)
	deb=$(ls "$tmp"/pimd_*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	# Unpack beside, then swap in, so that an interrupted run leaves either
	# the old tree or none (the stamp is what marks a complete one).
	mkdir -p "$PEERS_DIR"
	rm -rf "$TROGLOBIT_DIR.new"
	dpkg-deb -x "$deb" "$TROGLOBIT_DIR.new"
	echo "$ver" >"$TROGLOBIT_DIR.new/.unpacked"
	rm -rf "$TROGLOBIT_DIR" "$tmp"
	mv "$TROGLOBIT_DIR.new" "$TROGLOBIT_DIR"
	echo "deps.sh: troglobit pimd $ver unpacked in $TROGLOBIT_DIR"
fi
echo "deps.sh: done"
