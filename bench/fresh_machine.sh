#!/usr/bin/env bash
# bench/fresh_machine.sh: run the README's two commands on a fresh, minimal Debian.
#
#   sudo bench/fresh_machine.sh [--dir DIR] [--commit REV] [--rebuild] [--compare REV]
#                               [--mirror URL] [--no-run]
#
# A machine one works on keeps what earlier work installed by hand, so a clean clone can pass
# there where a new user fails. This builds a minimal Debian bookworm with debootstrap
# (--variant=minbase: no Python, no compiler, no git, no fonts), once, in DIR/base (reused
# on the next run; --rebuild makes it again), copies it to DIR/machine (a new copy every
# run), puts a clean `git clone` of this repository at REV (default HEAD) in /root, and runs,
# as root in a chroot, the README's two commands:
#
#   ./render.sh          then          ./render.sh test
#
# (then ./render.sh once more, which has nothing left to do),
# printing the time and exit status of each and the size of the system packages apt
# downloaded for them (the .deb files in /var/cache/apt/archives). --compare REV also prints
# what apt would download, on the same fresh machine, for the packages render.sh at REV asks
# for (e.g. --compare a271660: TeX Live and Chromium with its recommends), next to what
# render.sh at the tested revision asks for; --no-run stops before the two commands.
# The full log: DIR/fresh-machine.log.
#
# Needs root, debootstrap (apt-get install debootstrap) and the network: the Debian mirror
# (the one apt on this machine uses; --mirror URL for another) and PyPI. Slow (minutes to
# tens of minutes); not part of .ci/run. Exit status: 0 when both commands exit 0.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR=/var/tmp/attention-drift-fresh
REV=HEAD
COMPARE=""
REBUILD=0
NO_RUN=0
SUITE=bookworm
MIRROR=""

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; }
say() { printf 'fresh_machine: %s\n' "$*" | tee -a "$LOG" >&2; }
die() {
  printf 'fresh_machine: error: %s\n' "$*" >&2
  exit 2
}

while (($#)); do
  case "$1" in
  --dir) DIR="${2:?--dir needs a folder}" && shift ;;
  --commit) REV="${2:?--commit needs a revision}" && shift ;;
  --compare) COMPARE="${2:?--compare needs a revision}" && shift ;;
  --mirror) MIRROR="${2:?--mirror needs a URL}" && shift ;;
  --rebuild) REBUILD=1 ;;
  --no-run) NO_RUN=1 ;;
  -h | --help) usage && exit 0 ;;
  *) usage && die "unknown argument: $1" ;;
  esac
  shift
done

[[ "$(id -u)" -eq 0 ]] || die "run as root (debootstrap, mount and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
git -C "$REPO" rev-parse --verify -q "$REV^{commit}" >/dev/null || die "no such revision: $REV"
if [[ -n "$COMPARE" ]]; then
  git -C "$REPO" rev-parse --verify -q "$COMPARE^{commit}" >/dev/null ||
    die "no such revision: $COMPARE"
fi

host_mirror() { # the Debian mirror apt on this machine uses (deb822 or one-line sources)
  local url
  url="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ {print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -n1)"
  if [[ -z "$url" ]]; then
    url="$(cat /etc/apt/sources.list 2>/dev/null |
      awk '$1 == "deb" {print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -n1)"
  fi
  echo "${url:-http://deb.debian.org/debian}"
}
MIRROR="${MIRROR:-$(host_mirror)}"
MIRROR="${MIRROR%/}"
SECURITY="${MIRROR%/debian}/debian-security"

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
BASE="$DIR/base"
M="$DIR/machine"
LOG="$DIR/fresh-machine.log"
: >"$LOG"

mounts_under() { awk -v d="$1" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts; }

unmount_all() { # deepest first; never leaves a bind mount of the host's /dev behind
  local m
  for m in $(mounts_under "$M" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
}

safe_remove() { # rm -rf a machine folder, only with nothing mounted under it
  unmount_all
  if [[ -n "$(mounts_under "$1")" ]]; then
    die "still mounted under $1 (see /proc/mounts); not removing it"
  fi
  rm -rf --one-file-system "$1"
}
trap unmount_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --------------------------------------------------------------------------------------------
# the base system, made once

if ((REBUILD)) && [[ -d "$BASE" ]]; then
  say "removing $BASE (--rebuild)"
  safe_remove "$BASE"
fi
if [[ ! -f "$BASE/.complete" ]]; then
  [[ -d "$BASE" ]] && safe_remove "$BASE"
  say "debootstrap --variant=minbase $SUITE into $BASE from $MIRROR"
  start=$(date +%s)
  debootstrap --variant=minbase "$SUITE" "$BASE" "$MIRROR" >>"$LOG" 2>&1 ||
    die "debootstrap failed; see $LOG"
  cat >"$BASE/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
  # a fresh machine has no package lists and no downloaded packages yet
  rm -rf "$BASE"/var/lib/apt/lists/* "$BASE"/var/cache/apt/archives/*.deb
  touch "$BASE/.complete"
  say "base system made in $(($(date +%s) - start)) s ($(du -sh "$BASE" | cut -f1))"
else
  say "reusing the base system in $BASE (--rebuild to make it again)"
fi

# --------------------------------------------------------------------------------------------
# this run's machine: a copy of the base, the network's name servers, /proc /sys /dev

[[ -d "$M" ]] && safe_remove "$M"
cp -a "$BASE" "$M"
cp -L /etc/resolv.conf "$M/etc/resolv.conf"
# what an installed Debian has and debootstrap does not write: without it `localhost` does
# not resolve (Selenium reaches chromedriver at localhost)
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$M/etc/hosts"
mount -t proc proc "$M/proc"
mount -t sysfs sysfs "$M/sys"
mount --bind /dev "$M/dev"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$M/dev/pts"
mount -t tmpfs -o mode=1777 shm "$M/dev/shm" # Chromium needs a /dev/shm

# pip in the machine trusts the CA bundle pip here is told to (PIP_CERT, or `cert =` in
# /etc/pip.conf): on a network that intercepts TLS, PyPI is reachable only with its CA. Only
# that: the machine gets none of this one's pip settings (indexes, wheel folders, constraints).
HOST_CA="${PIP_CERT:-$(sed -n 's/^ *cert *= *//p' /etc/pip.conf 2>/dev/null | head -n1)}"
MACHINE_ENV=()
if [[ -n "$HOST_CA" && -f "$HOST_CA" ]]; then
  cp -L "$HOST_CA" "$M/etc/host-ca-certificates.crt"
  MACHINE_ENV=(PIP_CERT=/etc/host-ca-certificates.crt)
  say "pip in the machine trusts $HOST_CA (PIP_CERT), as pip here does"
fi

in_machine() { # in_machine COMMAND: as root in the chroot, a clean environment
  chroot "$M" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb \
    LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "${MACHINE_ENV[@]}" /bin/bash -c "$1"
}

# a clean clone at REV (no uncommitted changes, no .venv, no out/)
SHA="$(git -C "$REPO" rev-parse "$REV^{commit}")"
git clone -q --no-hardlinks "$REPO" "$M/root/attention-drift"
git -C "$M/root/attention-drift" checkout -q --detach "$SHA"
say "machine: $M; attention-drift at $(git -C "$REPO" log -1 --format='%h %s' "$SHA" | cut -c1-90)"

# --------------------------------------------------------------------------------------------
# what apt would download (only with --compare): render.sh's package lists at a revision

packages_at() { # packages_at REV MODE: the Debian package list of render.sh at REV
  # (APT_BASE and APT_TEST, entries PACKAGE or NEED:PACKAGE; Python's packages are added)
  git -C "$REPO" show "$1:render.sh" |
    sed -n '/^APT_BASE=(/,/)/p; /^APT_TEST=(/,/)/p' >"$M/tmp/lists.sh"
  in_machine "source /tmp/lists.sh; list=(\${APT_BASE[@]}); [[ $2 == base ]] ||
    list+=(\${APT_TEST[@]}); for p in \${list[@]}; do printf '%s ' \${p#*:}; done"
  echo python3 python3-venv python3-dev
}

would_download() { # would_download REV MODE: "Need to get" for render.sh's list at REV
  local recommends="" packages
  if git -C "$REPO" show "$1:render.sh" | grep -q -- '--no-install-recommends'; then
    recommends="--no-install-recommends"
  fi
  packages="$(packages_at "$1" "$2")"
  in_machine "apt-get install --print-uris -y $recommends $packages" |
    awk -v rev="$1" -v mode="$2" -v r="${recommends:-with recommends}" '
      / newly installed/ {n = $0}
      /^Need to get/ {need = $0}
      END {printf "  render.sh %-4s at %s (%s): %s; %s\n", mode, rev, r, need, n}'
}

if [[ -n "$COMPARE" ]]; then
  say "estimating the downloads (apt-get update first; the lists are removed afterwards)"
  in_machine "apt-get update -qq" >>"$LOG" 2>&1
  for mode in base test; do
    for rev in "$COMPARE" "$SHA"; do
      line="$(would_download "$(git -C "$REPO" rev-parse --short "$rev")" "$mode" 2>>"$LOG")"
      say "$line"
    done
  done
  in_machine "rm -rf /var/lib/apt/lists/*; apt-get clean"
fi
if ((NO_RUN)); then
  say "--no-run: the machine is ready in $M (chroot $M bash -l)"
  exit 0
fi

# --------------------------------------------------------------------------------------------
# the README's two commands

run_step() { # run_step LABEL COMMAND: prints the time and the exit status
  local label="$1" start end rc=0 before after
  before="$(in_machine 'du -sb /var/cache/apt/archives | cut -f1')"
  say "running: $label"
  start=$(date +%s.%N)
  in_machine "cd /root/attention-drift && $2" >>"$LOG" 2>&1 || rc=$?
  end=$(date +%s.%N)
  after="$(in_machine 'du -sb /var/cache/apt/archives | cut -f1')"
  RESULTS+=("$(awk -v l="$label" -v rc="$rc" -v s="$start" -v e="$end" -v d=$((after - before)) \
    'BEGIN {t = e - s; printf "%-18s exit %d in %.1f s (%dm%02ds); apt downloaded %d MB",
      l, rc, t, t / 60, t % 60, d / 1e6}')")
  say "${RESULTS[-1]}"
  return "$rc"
}

RESULTS=()
rc_render=0
rc_test=0
run_step "./render.sh" "./render.sh" || rc_render=$?
run_step "./render.sh test" "./render.sh test" || rc_test=$?
# and once more: with nothing to do, it answers in well under a second (the stamps)
run_step "./render.sh again" "./render.sh" || rc_render=$?

say "summary for $(git -C "$REPO" rev-parse --short "$SHA") on a fresh $SUITE (minbase):"
for line in "${RESULTS[@]}"; do
  say "  $line"
done
say "  apt downloaded, in all: $(in_machine 'du -sh /var/cache/apt/archives | cut -f1')" \
  "($(in_machine 'ls /var/cache/apt/archives/*.deb 2>/dev/null | wc -l') packages)"
say "  $(grep -E '^Need to get' "$LOG" | tr '\n' ';' || true)"
# shellcheck disable=SC2016  # $5 and $9 are awk's, in the machine
say "  figure: $(in_machine 'ls -l /root/attention-drift/out 2>/dev/null | tail -n +2 | awk "{print \$5, \$9}" | tr "\n" " "')"
pytest_summary="$(grep -E '^=+ .*(passed|failed|error).* =+$' "$LOG" | tail -n1 || true)"
say "  pytest: ${pytest_summary:-no summary line (see the log)}"
{ grep -E '^(FAILED|ERROR) ' "$LOG" || true; } | head -n 30 | while read -r line; do say "    $line"; done
say "log: $LOG"
((rc_render == 0 && rc_test == 0))
