#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# TrainGuard developer bootstrap for Debian 12 (bookworm).
#
#   packaging/bootstrap.sh run    install packages, build (dev preset), launch the GUI
#   packaging/bootstrap.sh test   install packages, build (ci preset), run the whole suite with ctest
#   packaging/bootstrap.sh build  install packages and build only
#
# Idempotent: packages already present are not reinstalled, builds are incremental.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mode=${1:-build}

# Every Debian package the project needs to build, test and benchmark.
packages=(
    # toolchain
    build-essential cmake ninja-build pkg-config git ccache
    # Qt 6.4 (Core, Network, Widgets, Charts, Test) and its runtime plugins
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev qt6-svg-dev
    qt6-qpa-plugins qtkeychain-qt6-dev libgl-dev libvulkan-dev
    # crypto, capture, HTTP parser (Boost.Beast is header-only in libboost-dev)
    libssl-dev openssl libpcap-dev libboost-dev libcap2-bin
    # GUI tests and screenshots
    xvfb xauth fonts-dejavu-core
    # interop and peer tools used by tests and benchmarks
    tshark tcpdump curl python3-cryptography inotify-tools python3-watchdog
    # the embedded receiver's demo training profile (plain Python 3)
    python3
    # packaging: the capture helper drops its capabilities with libcap
    libcap-dev
)

. "$(dirname "${BASH_SOURCE[0]}")/install-packages.sh"
install_missing_packages bootstrap "${packages[@]}"

preset=dev
[ "$mode" = test ] && preset=ci

cmake --preset "$preset"
cmake --build --preset "$preset"

case "$mode" in
    build) ;;
    test)
        ctest --preset "$preset"
        ;;
    run)
        gui="$here/build/$preset/src/app/trainguard"
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
            echo "bootstrap: built $gui, but there is no display (DISPLAY/WAYLAND_DISPLAY unset)."
            echo "bootstrap: run it under a virtual X server:  xvfb-run -a $gui"
            exit 1
        fi
        exec "$gui"
        ;;
    *)
        echo "usage: packaging/bootstrap.sh run|test|build" >&2
        exit 2
        ;;
esac
