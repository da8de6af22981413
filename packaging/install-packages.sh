# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by packaging/bootstrap.sh and the CI checks: install_missing_packages LABEL PACKAGE...
# installs, with apt-get, those of the Debian packages not installed yet (as root, or through
# sudo), and does nothing (no apt-get update either) when all are there.
install_missing_packages() {
    local label=$1
    shift
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    echo "$label: installing ${#missing[@]} Debian packages: ${missing[*]}"
    local as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -q >/dev/null
    # Non-interactive: e.g. tshark's "may non-root users capture?" keeps Debian's default (no).
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
