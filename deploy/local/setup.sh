#!/usr/bin/env bash
# Idempotent set-up of everything the stack needs on a Debian 12 machine (run as root).
# What it builds lives in a cache folder outside the clone, so a fresh clone reuses it.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE_DIR=${CONTACTCENTER_CACHE:-$HOME/.cache/contactcenter}
ASTERISK_ROOT=$CACHE_DIR/asterisk-root
VENV_DIR=$CACHE_DIR/venv
# Bump when the chroot recipe changes, so existing caches are rebuilt.
ASTERISK_RECIPE=3
EXTRAS=${CONTACTCENTER_EXTRAS:-dev,speech}
# The agent console's softphone: JsSIP from npm, bundled for the browser with esbuild.
JSSIP_VERSION=3.13.8
ESBUILD_VERSION=0.28.2
JSSIP_DIR=$CACHE_DIR/jssip
# The wallboard's charts: uPlot's prebuilt browser script (no bundling needed).
UPLOT_VERSION=1.6.32
UPLOT_DIR=$CACHE_DIR/uplot

mkdir -p "$CACHE_DIR"
SETUP_START=$EPOCHREALTIME
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'; }

step() {
    local name=$1; shift
    local t0=$EPOCHREALTIME
    local log="$CACHE_DIR/setup-$name.log"
    if "$@" >"$log" 2>&1; then
        printf '[setup] %-16s ok   %6ss\n' "$name" "$(elapsed "$t0")"
    else
        printf '[setup] %-16s FAILED after %ss; last lines of %s:\n' "$name" "$(elapsed "$t0")" "$log"
        tail -n 20 "$log" | sed 's/^/    /'
        exit 1
    fi
}

require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "error: the set-up installs Debian packages and builds a chroot: run it as root" >&2
        exit 1
    fi
}

debian_packages() {
    local wanted missing=()
    mapfile -t wanted < <(grep -v '^\s*#' "$REPO_DIR/deploy/local/debian-packages.txt" | tr -s ' \t' '\n' | grep -v '^$')
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "all ${#wanted[@]} packages present"
        return 0
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# The mirror this machine's own apt already uses; sid comes from the same place.
debian_mirror() {
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
    fi
    if [ -z "$uri" ]; then
        echo "error: cannot find a Debian mirror in /etc/apt/sources.list(.d)" >&2
        return 1
    fi
    echo "$uri"
}

asterisk_chroot() {
    local stamp=$ASTERISK_ROOT/.contactcenter-recipe
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ASTERISK_RECIPE" ] && [ -x "$ASTERISK_ROOT/usr/sbin/asterisk" ]; then
        echo "chroot ready at $ASTERISK_ROOT"
        return 0
    fi
    # A half-built root from an interrupted run is not trusted.
    if mountpoint -q "$ASTERISK_ROOT/proc" 2>/dev/null; then umount "$ASTERISK_ROOT/proc"; fi
    rm -rf "$ASTERISK_ROOT"
    local mirror; mirror=$(debian_mirror)
    debootstrap --variant=minbase sid "$ASTERISK_ROOT" "$mirror"
    printf '#!/bin/sh\nexit 101\n' >"$ASTERISK_ROOT/usr/sbin/policy-rc.d"
    chmod +x "$ASTERISK_ROOT/usr/sbin/policy-rc.d"
    printf '127.0.0.1 localhost\n::1 localhost\n' >"$ASTERISK_ROOT/etc/hosts"
    echo 'Acquire::Check-Valid-Until "false";' >"$ASTERISK_ROOT/etc/apt/apt.conf.d/99nocheck"
    chroot "$ASTERISK_ROOT" apt-get update
    DEBIAN_FRONTEND=noninteractive chroot "$ASTERISK_ROOT" apt-get install -y --no-install-recommends asterisk
    chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -V
    echo "$ASTERISK_RECIPE" >"$stamp"
}

# Packages added to the chroot after its first build are installed here, so adding one
# does not cost a rebuild of the whole root.
asterisk_extras() {
    local wanted missing=()
    wanted=(asterisk-core-sounds-en asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm)
    for pkg in "${wanted[@]}"; do
        chroot "$ASTERISK_ROOT" dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "all ${#wanted[@]} chroot packages present"
        return 0
    fi
    chroot "$ASTERISK_ROOT" apt-get update || true
    DEBIAN_FRONTEND=noninteractive chroot "$ASTERISK_ROOT" apt-get install -y --no-install-recommends "${missing[@]}"
    chroot "$ASTERISK_ROOT" apt-get clean
}

# Debian's Chromium for the agent console's browser tests (Playwright drives it through
# executable_path: Playwright's own browser download is not reachable here).
browser() {
    if dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed'; then
        echo "chromium present"
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends chromium
}

# JsSIP's npm package ships CommonJS only: bundle lib/JsSIP.js into one browser script
# (global JsSIP); settings.STATICFILES_DIRS publishes it as /static/jssip/ (collectstatic).
jssip_bundle() {
    local stamp=$JSSIP_DIR/.contactcenter-version want="jssip-$JSSIP_VERSION esbuild-$ESBUILD_VERSION"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -s "$JSSIP_DIR/jssip.min.js" ]; then
        echo "$want bundled at $JSSIP_DIR/jssip.min.js"
        return 0
    fi
    if ! command -v npm >/dev/null; then
        echo "error: npm is needed to fetch JsSIP (install Debian's nodejs/npm)" >&2
        return 1
    fi
    local build=$JSSIP_DIR/build
    rm -rf "$build"
    mkdir -p "$build"
    echo '{"private": true}' >"$build/package.json"
    # --ignore-scripts: esbuild's binary comes in its @esbuild/<platform> package, nothing to download.
    (cd "$build" && npm install --no-audit --no-fund --ignore-scripts --cache "$CACHE_DIR/npm" \
        "jssip@$JSSIP_VERSION" "esbuild@$ESBUILD_VERSION")
    "$build/node_modules/.bin/esbuild" "$build/node_modules/jssip/lib/JsSIP.js" --bundle --minify \
        --format=iife --global-name=JsSIP --platform=browser --outfile="$JSSIP_DIR/jssip.min.js.tmp"
    cp "$build/node_modules/jssip/LICENSE.md" "$JSSIP_DIR/LICENSE.md"
    mv "$JSSIP_DIR/jssip.min.js.tmp" "$JSSIP_DIR/jssip.min.js"
    rm -rf "$build"
    echo "$want" >"$stamp"
}

# uPlot ships a ready IIFE build (global uPlot) and its stylesheet: copied out of the npm
# package; settings.STATICFILES_DIRS publishes them as /static/vendor/uplot/.
uplot_files() {
    local stamp=$UPLOT_DIR/.contactcenter-version want="uplot-$UPLOT_VERSION"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -s "$UPLOT_DIR/uPlot.iife.min.js" ] \
        && [ -s "$UPLOT_DIR/uPlot.min.css" ]; then
        echo "$want at $UPLOT_DIR"
        return 0
    fi
    if ! command -v npm >/dev/null; then
        echo "error: npm is needed to fetch uPlot (install Debian's nodejs/npm)" >&2
        return 1
    fi
    local build=$UPLOT_DIR/build
    rm -rf "$build"
    mkdir -p "$build"
    echo '{"private": true}' >"$build/package.json"
    (cd "$build" && npm install --no-audit --no-fund --ignore-scripts --cache "$CACHE_DIR/npm" "uplot@$UPLOT_VERSION")
    local dist=$build/node_modules/uplot/dist
    cp "$dist/uPlot.iife.min.js" "$UPLOT_DIR/uPlot.iife.min.js.tmp"
    cp "$dist/uPlot.min.css" "$UPLOT_DIR/uPlot.min.css"
    cp "$build/node_modules/uplot/LICENSE" "$UPLOT_DIR/LICENSE"
    mv "$UPLOT_DIR/uPlot.iife.min.js.tmp" "$UPLOT_DIR/uPlot.iife.min.js"
    rm -rf "$build"
    echo "$want" >"$stamp"
}

venv_fingerprint() {
    { python3 --version; cat "$REPO_DIR/pyproject.toml"; echo "$EXTRAS"; } | sha256sum | cut -d' ' -f1
}

python_venv() {
    local stamp=$VENV_DIR/.contactcenter-deps fp
    fp=$(venv_fingerprint)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fp" ] && [ -x "$VENV_DIR/bin/python" ]; then
        echo "venv up to date"
        return 0
    fi
    [ -x "$VENV_DIR/bin/python" ] || python3 -m venv "$VENV_DIR"
    "$VENV_DIR/bin/python" -m pip install --upgrade pip wheel
    # The project itself is not installed into the venv (it would pin it to one clone's path):
    # only its declared dependencies are, and the code runs from the clone.
    mapfile -t reqs < <(python3 "$REPO_DIR/deploy/local/requirements_from_pyproject.py" "$REPO_DIR/pyproject.toml" "$EXTRAS")
    "$VENV_DIR/bin/python" -m pip install --cache-dir "$CACHE_DIR/pip" "${reqs[@]}"
    echo "$fp" >"$stamp"
}

# Moonshine's shipped .ort files rebuilt as plain ONNX graphs (onnxruntime then folds the int8
# weights once at load instead of at every decoder step): seconds, and nothing on a second run.
speech_models() {
    if [[ ",$EXTRAS," != *",speech,"* ]]; then
        echo "no speech extra: nothing to convert"
        return 0
    fi
    (cd "$REPO_DIR" && CONTACTCENTER_CACHE="$CACHE_DIR" "$VENV_DIR/bin/python" -m workers.asr.moonshine_convert)
}

link_venv() {
    ln -sfn "$VENV_DIR" "$REPO_DIR/.venv"
    mkdir -p "$REPO_DIR/var/log"
}

require_root
step debian-packages debian_packages
step asterisk asterisk_chroot
step asterisk-extras asterisk_extras
step browser browser
step jssip jssip_bundle
step uplot uplot_files
step python-venv python_venv
step speech-models speech_models
step link link_venv
printf '[setup] %-16s      %6ss total (cache: %s)\n' "done" "$(elapsed "$SETUP_START")" "$CACHE_DIR"
