#!/usr/bin/env bash
# A real libvirt stack for virt-gen's integration tests, on a machine without
# systemd (Debian 12 containers/VMs, CI runners), as root.
#
#   scripts/sandbox.sh start    bring the stack up (idempotent)
#   scripts/sandbox.sh stop     stop what `start` started, and only that
#   scripts/sandbox.sh status   show what runs; exit 0 iff virsh and D-Bus answer
#   scripts/sandbox.sh env      print shell exports for the tests (eval "$(...)")
#
# The stack, in order (see /work/shared/research/LIBVIRT-SANDBOX.md):
#   1. system D-Bus        dbus-daemon --system --fork (reused if it answers)
#   2. polkitd             lets libvirt-dbus (runs as user libvirtdbus) into libvirtd
#   3. /dev/kvm            root:kvm 0660, as udev would set it; otherwise libvirt
#                          re-probes QEMU on every call (~8 s per `define`)
#   4. hugetlbfs           mounted at /dev/hugepages *before* libvirtd starts
#                          (libvirtd reads the mount table once)
#   5. virtlogd -d         needed to start domains
#   6. libvirtd            under `tini -s` (child subreaper): PID 1 here does not
#                          reap orphans, and libvirtd hangs waiting for the QEMU
#                          it probed to go away
#   7. libvirt-dbus        not started here: the bus activates it on the first
#                          call to org.libvirt (as user libvirtdbus)
#
# QEMU keeps running as libvirt's default unprivileged user (libvirt-qemu):
# this script never touches /etc/libvirt/qemu.conf. The "default" NAT network
# is never started (no domain used by the tests has a network interface).
#
# Environment:
#   VIRT_GEN_SANDBOX_DIR      state dir: pid files + logs (default /run/virt-gen-sandbox)
#   VIRT_GEN_SANDBOX_TIMEOUT  seconds to wait for each service to answer (default 30)
set -euo pipefail

STATE_DIR=${VIRT_GEN_SANDBOX_DIR:-/run/virt-gen-sandbox}
LOG_DIR=$STATE_DIR/log
WAIT_LIMIT=${VIRT_GEN_SANDBOX_TIMEOUT:-30}
URI=qemu:///system
POLKITD=/usr/lib/polkit-1/polkitd
SYSTEM_BUS_SOCKET=/run/dbus/system_bus_socket

# Always talk to the real system bus at its standard address: a caller may
# have pointed DBUS_SYSTEM_BUS_ADDRESS at a private test bus, and libvirtd,
# polkitd and our probes must all agree on one bus.
unset DBUS_SYSTEM_BUS_ADDRESS
# The lock fd (see with_lock; bash picks the number) must not leak into the
# daemons we start: each of them is spawned with {LOCK_FD}>&-.
LOCK_FD=

# --------------------------------------------------------------------------
# Output helpers

log() { printf 'sandbox: %s\n' "$*"; }
warn() { printf 'sandbox: warning: %s\n' "$*" >&2; }
die() { printf 'sandbox: error: %s\n' "$*" >&2; exit 1; }

# die_with_log MESSAGE LOGFILE...: fail, showing the end of the logs that
# explain why.
die_with_log() {
  local msg=$1 f
  shift
  printf 'sandbox: error: %s\n' "$msg" >&2
  for f in "$@"; do
    if [[ -s $f ]]; then
      printf -- '--- last lines of %s ---\n' "$f" >&2
      tail -n 25 "$f" >&2
    fi
  done
  if [[ ${CMD:-} == start ]]; then
    printf "sandbox: what was started stays up; 'bash %s stop' stops it\n" "$0" >&2
  fi
  exit 1
}

# logfile NAME: path of a daemon's log in the state dir, after appending a
# header, so that one log keeps every start apart.
logfile() {
  local f=$LOG_DIR/$1.log
  printf '=== %s: sandbox.sh start ===\n' "$(date '+%F %T')" >>"$f"
  echo "$f"
}

# Seconds since the epoch with milliseconds, for the timings we print.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --------------------------------------------------------------------------
# Process helpers

# alive PID [COMM]: PID is a running (not zombie) process, named COMM if given.
# Zombies matter here: PID 1 does not reap, so a daemon that exited stays in
# the process table forever and `kill -0` would still succeed on it.
alive() {
  local pid=$1 comm=${2:-} stat state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }
  state=${state%% *}
  [[ $state != Z && $state != X ]] || return 1
  [[ -z $comm || $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]]
}

# ppid_of PID: parent process id.
ppid_of() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  echo "$2"
}

# Pid files of the processes *we* started, one per component.
pidfile() { echo "$STATE_DIR/$1.pid"; }
record() { echo "$2" >"$(pidfile "$1")"; }

# our_pid NAME COMM: prints the recorded pid if that process still runs.
our_pid() {
  local f pid
  f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  alive "$pid" "$2" || return 1
  echo "$pid"
}

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds or time is up.
# (The locals have odd names because COMMAND may be an `eval` that assigns
# variables of the caller: bash's dynamic scoping would hand it ours.)
wait_for() {
  local _wf_deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < _wf_deadline)) || return 1
    sleep 0.2
  done
}

# wait_while_alive PID SECONDS COMMAND...: like wait_for, but give up at once
# when process PID (the daemon we are waiting for) has died.
wait_while_alive() {
  local _wa_pid=$1 _wa_deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    alive "$_wa_pid" || return 1
    ((SECONDS < _wa_deadline)) || return 1
    sleep 0.2
  done
}

# stop_pid NAME COMM: SIGTERM our recorded process, wait (bounded), then SIGKILL.
stop_pid() {
  local name=$1 comm=$2 pid
  if pid=$(our_pid "$name" "$comm"); then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_for 15 eval "! alive $pid"; then
      warn "$name (pid $pid) ignored SIGTERM for 15 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_for 5 eval "! alive $pid" || warn "$name (pid $pid) is still there"
    fi
  fi
  rm -f "$(pidfile "$name")"
}

# --------------------------------------------------------------------------
# Probes (every one bounded by `timeout`: nothing here may hang)

# The system bus answers.
bus_ok() {
  [[ -S $SYSTEM_BUS_SOCKET ]] &&
    timeout 5 dbus-send --system --print-reply --reply-timeout=4000 \
      --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetId >/dev/null 2>&1
}

# name_owned NAME: some connection owns NAME on the system bus.
name_owned() {
  timeout 5 dbus-send --system --print-reply --reply-timeout=4000 \
    --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}

# name_pid NAME: pid of the owner of NAME on the system bus.
name_pid() {
  timeout 5 dbus-send --system --print-reply --reply-timeout=4000 \
    --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" 2>/dev/null |
    awk '/uint32/ { print $2 }'
}

# libvirtd answers on qemu:///system. The first call after a start may probe
# QEMU's capabilities (a few seconds), hence the generous per-call timeout.
virsh_ok() { timeout 15 virsh -c "$URI" version >/dev/null 2>&1; }

# libvirt-dbus answers (the bus activates it on demand).
libvirt_dbus_get_version() {
  timeout 15 dbus-send --system --print-reply --reply-timeout=14000 \
    --dest=org.libvirt /org/libvirt/QEMU org.freedesktop.DBus.Properties.Get \
    string:org.libvirt.Connect string:LibVersion 2>&1
}
libvirt_dbus_ok() { libvirt_dbus_get_version >/dev/null; }

hugepages_mounted() { awk '$2 == "/dev/hugepages" && $3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; }

# --------------------------------------------------------------------------
# Preconditions

need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root: it starts system daemons (dbus, polkitd, virtlogd, libvirtd). Try: sudo bash $0 ${CMD:-}"
}

need_tools() {
  local t missing=()
  for t in dbus-daemon dbus-send virsh libvirtd virtlogd tini timeout setsid flock; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  [[ -x $POLKITD ]] || missing+=("$POLKITD")
  [[ ${#missing[@]} -eq 0 ]] || die "missing: ${missing[*]}. Run: sudo bash scripts/install-deps.sh"
}

# QEMU must never run as root: refuse a qemu.conf that says otherwise.
check_qemu_user() {
  if grep -Eqs '^[[:space:]]*user[[:space:]]*=[[:space:]]*"(root|\+0)"' /etc/libvirt/qemu.conf; then
    die "/etc/libvirt/qemu.conf sets user = \"root\": QEMU would run as root. Comment that line out."
  fi
}

# Serialize start/stop (two test runners may call `start` at once).
with_lock() {
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  exec {LOCK_FD}>"$STATE_DIR/lock"
  flock -w 120 "$LOCK_FD" || die "another sandbox.sh start/stop holds $STATE_DIR/lock"
}

# --------------------------------------------------------------------------
# start, one step per component

start_dbus() {
  if bus_ok; then
    log "system D-Bus: already answering, reused"
    return
  fi
  mkdir -p /run/dbus
  # dbus-daemon refuses to start while its pid file exists: drop a stale one.
  if [[ -e /run/dbus/pid ]]; then
    local old
    old=$(</run/dbus/pid)
    if alive "$old" dbus-daemon; then
      die "dbus-daemon (pid $old) runs but $SYSTEM_BUS_SOCKET does not answer; stop it first"
    fi
    rm -f /run/dbus/pid
  fi
  # A machine id is required by the bus; real hosts have one, minimal images may not.
  [[ -s /etc/machine-id || -s /var/lib/dbus/machine-id ]] || dbus-uuidgen --ensure
  STARTED=$((STARTED + 1))
  log "system D-Bus: starting"
  dbus-daemon --system --fork --print-pid=3 3>"$(pidfile dbus)" \
    </dev/null >>"$(logfile dbus-daemon)" 2>&1 {LOCK_FD}>&- ||
    die_with_log "dbus-daemon failed to start" "$LOG_DIR/dbus-daemon.log"
  wait_for 10 bus_ok || die_with_log "system D-Bus does not answer on $SYSTEM_BUS_SOCKET" "$LOG_DIR/dbus-daemon.log"
}

start_polkitd() {
  if name_owned org.freedesktop.PolicyKit1; then
    log "polkitd: already on the bus, reused"
    return
  fi
  STARTED=$((STARTED + 1))
  log "polkitd: starting"
  setsid "$POLKITD" --no-debug </dev/null >>"$(logfile polkitd)" 2>&1 {LOCK_FD}>&- &
  record polkitd $!
  wait_while_alive $! 10 name_owned org.freedesktop.PolicyKit1 ||
    die_with_log "polkitd did not take org.freedesktop.PolicyKit1 on the bus" "$LOG_DIR/polkitd.log"
  # setsid execs in place when it can; if it had to fork, $! is not polkitd:
  # ask the bus who owns the name instead.
  our_pid polkitd polkitd >/dev/null || record polkitd "$(name_pid org.freedesktop.PolicyKit1)"
}

fix_kvm() {
  if [[ -c /dev/kvm ]]; then
    # What udev does on a real host. With root:root 0600, libvirt decides KVM
    # vanished since its capability probe and re-probes QEMU on every call.
    chgrp kvm /dev/kvm
    chmod 0660 /dev/kvm
  else
    warn "/dev/kvm is absent: only type='qemu' (TCG) domains can start"
  fi
}

mount_hugepages() {
  if hugepages_mounted; then
    return
  fi
  STARTED=$((STARTED + 1))
  log "hugetlbfs: mounting at /dev/hugepages"
  mkdir -p /dev/hugepages
  mount -t hugetlbfs hugetlbfs /dev/hugepages || die "could not mount hugetlbfs at /dev/hugepages"
  : >"$STATE_DIR/hugepages.mounted"
  HUGEPAGES_JUST_MOUNTED=1
}

start_virtlogd() {
  local pid
  if [[ -S /run/libvirt/virtlogd-sock ]] && pid=$(cat /run/virtlogd.pid 2>/dev/null) && alive "$pid" virtlogd; then
    log "virtlogd: already running (pid $pid), reused"
    return
  fi
  STARTED=$((STARTED + 1))
  log "virtlogd: starting"
  virtlogd -d </dev/null >>"$(logfile virtlogd)" 2>&1 {LOCK_FD}>&- ||
    die_with_log "virtlogd -d failed" "$LOG_DIR/virtlogd.log" /var/log/libvirt/virtlogd.log
  wait_for 10 eval '[[ -S /run/libvirt/virtlogd-sock ]] && pid=$(cat /run/virtlogd.pid 2>/dev/null) && alive "$pid" virtlogd' ||
    die_with_log "virtlogd did not come up" "$LOG_DIR/virtlogd.log" /var/log/libvirt/virtlogd.log
  record virtlogd "$pid"
}

# The default NAT network needs dnsmasq and firewall rules, and no test uses
# it: make sure libvirtd will not try to autostart it.
no_default_network() {
  local link=/etc/libvirt/qemu/networks/autostart/default.xml
  if [[ -e $link || -L $link ]]; then
    rm -f "$link"
    log "network 'default': autostart disabled (undo: virsh net-autostart default)"
  fi
}

start_libvirtd() {
  local pid tini_pid
  if virsh_ok; then
    log "libvirtd: already answering on $URI, reused"
    if [[ -n ${HUGEPAGES_JUST_MOUNTED:-} ]]; then
      warn "libvirtd started before hugetlbfs was mounted and will not see it: restart libvirtd for hugepage domains"
    fi
    return
  fi
  if pid=$(cat /run/libvirtd.pid 2>/dev/null) && alive "$pid" libvirtd; then
    die "libvirtd (pid $pid) runs but does not answer on $URI. If it was started without a reaper (plain 'libvirtd -d'), it hangs on QEMU zombies: kill $pid, then start again"
  fi
  no_default_network
  STARTED=$((STARTED + 1))
  log "libvirtd: starting under tini -s (log: $LOG_DIR/libvirtd.log)"
  setsid tini -s -- libvirtd </dev/null >>"$(logfile libvirtd)" 2>&1 {LOCK_FD}>&- &
  tini_pid=$!
  record tini "$tini_pid"
  # libvirtd writes its pid file once initialized; make sure it is tini's child.
  wait_while_alive "$tini_pid" 10 eval 'pid=$(cat /run/libvirtd.pid 2>/dev/null) && alive "$pid" libvirtd && [[ $(ppid_of "$pid") == "$tini_pid" ]]' ||
    die_with_log "libvirtd did not start" "$LOG_DIR/libvirtd.log"
  record libvirtd "$pid"
}

cmd_start() {
  need_root
  need_tools
  check_qemu_user
  with_lock
  local t0 t1
  t0=$(now)
  STARTED=0 # how many components this run had to start
  # Every step below reuses what already runs, so a second `start` (or one
  # after a crash of a single daemon) only starts what is missing.
  start_dbus
  start_polkitd
  fix_kvm
  mount_hugepages
  start_virtlogd
  start_libvirtd

  if ((STARTED == 0)); then
    # Nothing was missing: just confirm both entry points answer.
    virsh_ok || die_with_log "libvirtd does not answer on $URI" "$LOG_DIR/libvirtd.log"
    libvirt_dbus_ok || die "org.libvirt does not answer: $(libvirt_dbus_get_version | tail -n 1)"
    log "already running: virsh and org.libvirt answer ($(elapsed "$t0") s)"
    return 0
  fi

  t1=$(now)
  log "waiting for virsh -c $URI version (up to ${WAIT_LIMIT} s)"
  local lvd_pid
  lvd_pid=$(cat /run/libvirtd.pid 2>/dev/null || echo none)
  wait_while_alive "$lvd_pid" "$WAIT_LIMIT" virsh_ok ||
    die_with_log "libvirtd does not answer on $URI after ${WAIT_LIMIT} s" "$LOG_DIR/libvirtd.log"
  log "libvirtd answers ($(elapsed "$t1") s)"

  t1=$(now)
  log "waiting for org.libvirt on the system bus (up to ${WAIT_LIMIT} s)"
  if ! wait_for "$WAIT_LIMIT" libvirt_dbus_ok; then
    printf 'sandbox: last answer: %s\n' "$(libvirt_dbus_get_version | tail -n 3)" >&2
    die_with_log "libvirt-dbus (org.libvirt) does not answer after ${WAIT_LIMIT} s" \
      "$LOG_DIR/polkitd.log" "$LOG_DIR/dbus-daemon.log" "$LOG_DIR/libvirtd.log"
  fi
  log "org.libvirt answers ($(elapsed "$t1") s)"
  log "started in $(elapsed "$t0") s"
}

# --------------------------------------------------------------------------
# stop: only what start recorded, newest first

cmd_stop() {
  need_root
  if [[ ! -d $STATE_DIR ]]; then
    log "nothing to stop ($STATE_DIR does not exist)"
    return 0
  fi
  with_lock
  local running
  if our_pid libvirtd libvirtd >/dev/null; then
    # libvirtd leaves running domains alone when it stops; say so.
    running=$(timeout 10 virsh -c "$URI" list --name 2>/dev/null | sed '/^$/d' | tr '\n' ' ' || true)
    [[ -z $running ]] || warn "domains still running (their QEMU outlives libvirtd): $running"
  fi
  stop_pid libvirtd libvirtd
  stop_pid tini tini
  stop_pid virtlogd virtlogd
  stop_pid polkitd polkitd
  # Stopping our bus also ends the libvirt-dbus it activated.
  local bus_pid
  if bus_pid=$(our_pid dbus dbus-daemon); then
    stop_pid dbus dbus-daemon
    # dbus-daemon leaves its pid file behind on SIGTERM; a later start would trip on it.
    [[ $(cat /run/dbus/pid 2>/dev/null) != "$bus_pid" ]] || rm -f /run/dbus/pid
  fi
  rm -f "$(pidfile dbus)"
  if [[ -e $STATE_DIR/hugepages.mounted ]]; then
    if umount /dev/hugepages 2>/dev/null; then
      log "hugetlbfs: unmounted /dev/hugepages"
    else
      warn "could not unmount /dev/hugepages (in use?)"
    fi
    rm -f "$STATE_DIR/hugepages.mounted"
  fi
  log "stopped"
}

# --------------------------------------------------------------------------
# status

# describe NAME COMM: "pid N, started by sandbox" or "not started by sandbox".
describe() {
  local pid
  if pid=$(our_pid "$1" "$2"); then
    echo "pid $pid, started by sandbox"
  else
    echo "not started by sandbox"
  fi
}

cmd_status() {
  local ok=0 pid out
  if bus_ok; then
    echo "system D-Bus   answering ($(describe dbus dbus-daemon))"
  else
    echo "system D-Bus   NOT answering"
  fi
  if pid=$(name_pid org.freedesktop.PolicyKit1) && [[ -n $pid ]]; then
    echo "polkitd        on the bus, pid $pid ($(describe polkitd polkitd))"
  else
    echo "polkitd        not on the bus"
  fi
  if [[ -c /dev/kvm ]]; then
    echo "/dev/kvm       $(stat -c '%U:%G %a' /dev/kvm)"
  else
    echo "/dev/kvm       absent"
  fi
  if hugepages_mounted; then
    echo "hugetlbfs      mounted at /dev/hugepages"
  else
    echo "hugetlbfs      NOT mounted at /dev/hugepages"
  fi
  if pid=$(cat /run/virtlogd.pid 2>/dev/null) && alive "$pid" virtlogd; then
    echo "virtlogd       running, pid $pid ($(describe virtlogd virtlogd))"
  else
    echo "virtlogd       not running"
  fi
  if out=$(timeout 15 virsh -c "$URI" version 2>&1); then
    echo "libvirtd       answering on $URI ($(describe libvirtd libvirtd)): $(echo "$out" | grep -m1 -i 'running hypervisor' | sed 's/^ *//')"
  else
    echo "libvirtd       NOT answering on $URI"
    ok=1
  fi
  if out=$(libvirt_dbus_get_version); then
    echo "libvirt-dbus   org.libvirt answering, pid $(name_pid org.libvirt), LibVersion $(echo "$out" | awk '/uint64/ { print $3 }')"
  else
    echo "libvirt-dbus   org.libvirt NOT answering: $(echo "$out" | tail -n 1)"
    ok=1
  fi
  echo "state dir      $STATE_DIR"
  return "$ok"
}

# --------------------------------------------------------------------------
# env: what a test process needs to reach the sandbox

cmd_env() {
  cat <<EOF
export LIBVIRT_DEFAULT_URI=$URI
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$SYSTEM_BUS_SOCKET
export VIRT_GEN_SANDBOX_DIR=$STATE_DIR
EOF
}

usage() {
  cat <<EOF
usage: $0 start|stop|status|env

  start   start system D-Bus, polkitd, virtlogd and libvirtd (under tini -s),
          fix /dev/kvm permissions, mount hugetlbfs; wait until virsh and
          org.libvirt on the system bus answer. Idempotent.
  stop    stop the processes 'start' started (and only those)
  status  show the stack; exit 0 iff virsh and org.libvirt both answer
  env     print exports for tests: eval "\$($0 env)"

environment: VIRT_GEN_SANDBOX_DIR (default /run/virt-gen-sandbox),
             VIRT_GEN_SANDBOX_TIMEOUT (seconds, default 30)
EOF
}

CMD=${1:-}
case $CMD in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
