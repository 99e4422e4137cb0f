#!/usr/bin/env bash
# Install backtriage and what it needs on Debian/Ubuntu.
#   bash scripts/setup.sh          the voice assistant: espeak-ng (speech), libportaudio2 (microphone)
#   bash scripts/setup.sh --test   also what the tests use: sox, chromium, the Whisper extra and test models
set -euo pipefail
cd "$(dirname "$0")/.."

test_deps=false
[ "${1:-}" = "--test" ] && test_deps=true

apt_packages="espeak-ng libportaudio2"
extras="voice"
if $test_deps; then
    apt_packages="$apt_packages sox chromium"
    extras="voice,whisper,test"
fi

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "backtriage setup: installing system packages: $apt_packages"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $apt_packages >/dev/null
else
    echo "backtriage setup: no apt-get here; install these yourself: $apt_packages" >&2
fi

echo "backtriage setup: installing python packages (.[$extras])"
python3 -m pip install -q --disable-pip-version-check -e ".[$extras]"
echo "backtriage setup: done"
