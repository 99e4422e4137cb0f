#!/usr/bin/env bash
# Install backtriage and what it needs on Debian/Ubuntu.
#   bash scripts/setup.sh          the voice assistant: espeak-ng (speech), libportaudio2 (microphone),
#                                  fonts-noto-cjk (the kiosk page in Korean: Debian's default fonts have no Hangul)
#   bash scripts/setup.sh --test   also what the tests use: sox, chromium, the Whisper extra and test models,
#                                  and from npm axe-core (accessibility checks) and mermaid (drawing check)
set -euo pipefail
cd "$(dirname "$0")/.."

test_deps=false
[ "${1:-}" = "--test" ] && test_deps=true

apt_packages="espeak-ng libportaudio2 fonts-noto-cjk"
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
if $test_deps; then
    # Loaded into the page by the browser tests; kept outside the repository, shared by checkouts.
    node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/backtriage/node"
    if command -v npm >/dev/null 2>&1; then
        echo "backtriage setup: installing axe-core and mermaid from npm into $node_dir"
        mkdir -p "$node_dir"
        npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$node_dir" \
            axe-core@4.14.1 mermaid@11.17.2 >/dev/null
    else
        echo "backtriage setup: no npm here; the browser tests need it (apt-get install npm)" >&2
    fi
fi
echo "backtriage setup: done"
