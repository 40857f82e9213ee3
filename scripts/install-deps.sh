#!/usr/bin/env bash
# Install the Debian packages that virt-gen's full test suite needs (a real
# libvirt + QEMU + libvirt-dbus stack, the tools the tests use as oracles, and
# hyperfine for the benchmarks).
#
# Idempotent: when every package is already installed, apt is not touched at
# all (no `apt-get update`), so a repeat run takes well under a second.
#
# Usage: sudo bash scripts/install-deps.sh
#
# Daemons are *not* started here: scripts/sandbox.sh does that, in the right
# order and with the right workarounds (see scripts/README.md). To keep the
# packages' maintainer scripts from starting libvirtd/dbus/virtlogd themselves
# (outside our control, e.g. libvirtd without a zombie reaper), a temporary
# /usr/sbin/policy-rc.d that answers "101 = action forbidden" is put in place
# for the duration of the install when none exists yet.
set -euo pipefail

# The packages, one per line so that a diff shows what changed.
PACKAGES=(
  libvirt-daemon-system # libvirtd, virtlogd, the QEMU driver
  libvirt-clients       # virsh, virt-xml-validate
  libvirt-dbus          # org.libvirt on the system bus (activated on demand)
  qemu-system-x86       # the emulator libvirt drives
  qemu-utils            # qemu-img
  ovmf                  # UEFI firmware (+ /usr/share/qemu/firmware descriptors)
  apparmor              # apparmor_parser, and libvirt's profiles/abstractions
  augeas-tools          # augtool, to parse qemu.conf with libvirt's own lens
  dbus                  # dbus-daemon, dbus-send
  polkitd               # lets libvirt-dbus (user libvirtdbus) talk to libvirtd
  libxml2-utils         # xmllint: libvirt's schema check (virt-xml-validate runs it too)
  tini                  # child subreaper for libvirtd (no reaping init here)
  hyperfine             # benchmarks
  swtpm                 # emulated TPM 2.0 (Windows 11), checked by libvirt at define
  swtpm-tools           # swtpm_setup, which libvirt runs for a new TPM
  kmod                  # modprobe -C DIR --showconfig parses the modprobe.d files host apply writes
  virtinst              # virt-install --print-xml: the peer the benchmarks compare against
  acl                   # setfacl: an ACL opening a folder to QEMU (test/integration/cli-conventions.test.ts)
  zsh                   # runs the zsh completion script (test/unit/cli/conventions.test.ts)
  fish                  # runs the fish completion script (complete -C)
  man-db                # man -l renders the manual page the package installs
  groff-base            # groff -man -ww checks it
)

log() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  die "must run as root (try: sudo bash $0)"
fi
command -v apt-get >/dev/null || die "apt-get not found: this script is for Debian/Ubuntu"

# Which packages are missing? dpkg-query prints "install ok installed" for a
# fully installed package; anything else (unknown, half-configured, removed
# with config files left) counts as missing.
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ $status != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#PACKAGES[@]} packages already installed; nothing to do"
  exit 0
fi
log "missing: ${missing[*]}"

# Forbid service starts from maintainer scripts while we install (see header),
# unless the machine already has its own policy (e.g. Docker images ship one).
POLICY_RC=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY_RC ]]; then
  printf '#!/bin/sh\n# temporary, from virt-gen scripts/install-deps.sh\nexit 101\n' >"$POLICY_RC"
  chmod 0755 "$POLICY_RC"
  trap 'rm -f "$POLICY_RC"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -q
log "apt-get install ${PACKAGES[*]}"
# Install the whole list (not just the missing ones) so that apt also finishes
# configuring any package that was left half-installed.
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
log "done"
