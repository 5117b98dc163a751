#!/usr/bin/env bash
# Set up a development machine (Debian 12 or Ubuntu): system packages for OCR and
# fonts, a virtualenv in .venv, and the project installed in it with its dev extras.
#
# Idempotent and quiet: it checks before it acts, so a second run is a fast no-op.
#   PYTHON=python3.11 scripts/setup.sh   use another interpreter for a new .venv
#   SETUP_SKIP_SYSTEM=1 scripts/setup.sh don't check or install Debian packages
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
STAMP="$VENV/.prereview-installed"
PACKAGES=(
  tesseract-ocr tesseract-ocr-chi-sim
  fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei
  fonts-arphic-uming fonts-arphic-ukai fonts-dejavu-core
  libpango-1.0-0 libpangoft2-1.0-0
  chromium
  make
)

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# One setup at a time per checkout (two `make test` started together share the venv).
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/prereview-setup-$(pwd | cksum | cut -d' ' -f1).lock"
  flock 9
fi

# -- system packages ----------------------------------------------------------------
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "not root and no sudo: install as root: apt-get install $*"
  fi
}

system_packages() {
  [ "${SETUP_SKIP_SYSTEM:-0}" = 1 ] && return 0
  command -v dpkg-query >/dev/null 2>&1 || {
    say "not a Debian system: install Tesseract with chi_sim and CJK fonts yourself" \
        "(or set SETUP_SKIP_SYSTEM=1 to silence this)"
    return 0
  }
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed \
      || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    die "missing Debian packages and not root (no sudo): as root run
  apt-get update && apt-get install -y ${missing[*]}
then run this again (or SETUP_SKIP_SYSTEM=1 to skip the check)."
  fi
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# -- python -------------------------------------------------------------------------
# prints "3.11" and succeeds only for a supported version (durable-rules needs < 3.13)
python_ok() {
  "$1" -c 'import sys
v = sys.version_info[:2]
print("%d.%d" % v)
sys.exit(0 if (3, 10) <= v <= (3, 12) else 1)' 2>/dev/null
}

virtualenv() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c '' 2>/dev/null; then
    local v
    v="$(python_ok "$VENV/bin/python")" \
      || die "$VENV uses Python ${v:-?}; the project needs 3.10-3.12: remove $VENV and run again"
    return 0
  fi
  command -v "$PYTHON" >/dev/null 2>&1 \
    || die "'$PYTHON' not found: install Python 3.10-3.12 (e.g. pyenv install 3.11) or set PYTHON="
  local v
  v="$(python_ok "$PYTHON")" \
    || die "'$PYTHON' is Python ${v:-of unknown version}; the project needs 3.10-3.12:" \
           "install one (pyenv install 3.11) or run with PYTHON=/path/to/python3.11"
  [ -e "$VENV" ] && { say "$VENV is broken: recreating it"; rm -rf "$VENV"; }
  say "creating $VENV with $PYTHON ($v)"
  "$PYTHON" -m venv "$VENV" \
    || die "'$PYTHON -m venv' failed (on Debian's own Python: apt-get install python3-venv)"
}

RAPIDOCR_VERSION=1.4.4

project() {
  local want
  want="$( { cat pyproject.toml; echo "$RAPIDOCR_VERSION"; "$VENV/bin/python" -c 'import sys; print(sys.version)'; } \
           | sha256sum | cut -d' ' -f1)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    return 0
  fi
  say "installing the project and its dev extras into $VENV (pip)"
  rm -f "$STAMP"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
  # the second reader (PP-OCR models in the wheel, run by onnxruntime): its metadata asks
  # for opencv-python, which would be a second cv2 beside the headless build; its real
  # dependencies are in pyproject.toml, so install it alone
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    "rapidocr-onnxruntime==$RAPIDOCR_VERSION"
  printf '%s\n' "$want" > "$STAMP"
}

system_packages
virtualenv
project
