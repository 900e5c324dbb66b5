#!/usr/bin/env bash
# One-step set-up for newcomers and CI.
#   ./dev.sh demo [--dir DIR]   install mailbot in .venv and run the demo cycle
#   ./dev.sh test [PYTEST ARGS] install system packages and test extras, run the tests
#   ./dev.sh bench              run every benchmark script and print its figures
# Uses a virtual environment (.venv), so it works where the system Python refuses
# `pip install` (PEP 668).
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_venv() {
  local extras=$1 stamp
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV" >&2
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
      python3 -m venv "$VENV"
    fi
  fi
  stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$extras"
  if [ ! -e "$stamp" ]; then
    echo "== installing mailbot$extras into $VENV" >&2
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e ".$extras" >&2
    touch "$stamp"
  fi
}

ensure_system_packages() {
  local missing=()
  command -v dovecot >/dev/null || missing+=(dovecot-imapd)
  command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
  # spreadsheets (.xls, WPS .et, .ods) are converted by Calc
  [ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
  # the golden files' and accuracy benchmark's other tool chains
  command -v ps2pdf >/dev/null || missing+=(ghostscript)
  command -v pandoc >/dev/null || missing+=(pandoc)
  command -v tesseract >/dev/null || missing+=(tesseract-ocr tesseract-ocr-chi-sim)
  fc-list 2>/dev/null | grep -i "noto.*cjk" >/dev/null || missing+=(fonts-noto-cjk)  # no -q: SIGPIPE under pipefail
  fc-list 2>/dev/null | grep -i "LXGW WenKai" >/dev/null || missing+=(fonts-lxgw-wenkai)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  ldconfig -p 2>/dev/null | grep 'libGL\.so\.1' >/dev/null || missing+=(libgl1)  # OpenCV, for OCR
  ldconfig -p 2>/dev/null | grep 'libarchive\.so\.13' >/dev/null || missing+=(libarchive13)  # RAR, 7z
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing system packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
  fi
}

command=${1:-help}
[ $# -gt 0 ] && shift
case "$command" in
  demo)
    ensure_venv "[ocr]"
    exec "$VENV/bin/mailbot" demo "$@"
    ;;
  test)
    ensure_system_packages
    ensure_venv "[test,ocr]"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    ensure_system_packages
    ensure_venv "[test,ocr]"
    failed=()
    for script in benchmarks/bench_*.py; do
      echo "== $script"
      PYTHONPATH=. "$VENV/bin/python" "$script" || failed+=("$script")
    done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "== failed: ${failed[*]}" >&2
      exit 1
    fi
    ;;
  *)
    sed -n '2,7p' "$0"
    exit 2
    ;;
esac
