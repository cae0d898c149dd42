#!/bin/bash
# SPDX-License-Identifier: ISC
#
# init (PID 1) of the User-Mode Linux guest that scripts/kernel.sh starts.
# The root is the host's / over hostfs. Sets up what the tests need, runs
# the command that kernel.sh left in $PIMD_UML_DIR with the caller's
# environment and directory, writes its exit status there and powers off.
dir=$PIMD_UML_DIR
exec 2>"$dir/init.log"
PATH=/usr/sbin:/usr/bin:/sbin:/bin

mount -t proc proc /proc
mount -t sysfs sys /sys
# devtmpfs is already on /dev. ip netns needs a /run of its own (it
# mounts there); daemons that drop root need their sockets on a tmpfs:
# on hostfs they cannot be reached.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
ip link set lo up

# The guest's modules ship in /usr/lib/uml/modules/VERSION; modprobe looks
# in ROOT/lib/modules/VERSION.
mkdir -p /run/uml/lib/modules
ln -s "/usr/lib/uml/modules/$(uname -r)" /run/uml/lib/modules/
modprobe -d /run/uml -a veth bridge dummy

# In 6.1 optmem_max is global, not per namespace: the tests that join
# thousands of groups on one socket need it raised here.
sysctl -qw net.core.optmem_max=4194304

# The console is a tty: the command's output goes to it through a pipe, as
# it would on the host under CI (no colours), and the tty adds no CR.
stty -onlcr -echo </dev/console 2>/dev/null
{
	set -a
	# shellcheck disable=SC1091
	. "$dir/env"
	set +a
	# Test directories on a tmpfs: FRR, which drops to its own user,
	# cannot use unix sockets on hostfs.
	export TMPDIR=/dev/shm
	# In here this kernel is the one: a kernel.sh called in the guest
	# runs its command here, not in a guest of its own.
	export PIMD_KERNEL=host
	# The tests allow for the guest's slower user space (tests/topo/topo.py).
	export PIMD_GUEST=uml
	cd "$(cat "$dir/cwd")" || exit 125
	eval "$(cat "$dir/cmd")"
} </dev/null 2>&1 | cat >/dev/console
echo "${PIPESTATUS[0]}" >"$dir/rc"
sync
poweroff -f
