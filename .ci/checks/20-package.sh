#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# CI check (issue #8): build the .deb from the ci build, inspect and lint it, install it with apt,
# validate the desktop file, the AppStream metainfo and the systemd unit, prove that a non-root
# member of the `trainguard` group captures on lo and that a non-member gets the one-line error,
# then purge. Needs root (CI runs as root); the trap leaves no package, user or file behind.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

start=$SECONDS
build=build/ci
say() { echo "20-package: $*"; }
fail() { echo "20-package: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (apt install, users, capabilities)"
[ -f "$build/CPackConfig.cmake" ] || fail "no ci build in $build (run: bash packaging/bootstrap.sh test)"

# Tools of this check only (bootstrap has the build dependencies).
tools=(lintian desktop-file-utils appstream systemd libcap2-bin dpkg-dev adduser)
. packaging/install-packages.sh
install_missing_packages 20-package "${tools[@]}"

work=$(mktemp -d /tmp/trainguard-package.XXXXXX)
chmod 0755 "$work" # the test users write their captures below it
capture_pid=
gui_pid=
member=tgci-member-$$
outsider=tgci-outsider-$$
cleanup() {
    local rc=$?
    trap - EXIT
    # The member's capture, if still running (runuser passes the SIGTERM on).
    if [ -n "${capture_pid:-}" ] && kill -0 "$capture_pid" 2>/dev/null; then
        kill "$capture_pid" 2>/dev/null || true
        wait "$capture_pid" 2>/dev/null || true
    fi
    for user in "$member" "$outsider"; do
        pkill -KILL -u "$user" >/dev/null 2>&1 || true # e.g. the GUI started from the desktop entry
        if getent passwd "$user" >/dev/null; then userdel "$user" >/dev/null 2>&1 || true; fi
    done
    if dpkg-query -W -f='${Status}' trainguard 2>/dev/null | grep -q 'installed\|config-files'; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q trainguard >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    [ $rc -eq 0 ] || echo "20-package: FAILED after $((SECONDS - start)) s (cleaned up)" >&2
    exit $rc
}
trap cleanup EXIT

# 1. Build the package from the ci build (up to date first).
cmake --build --preset ci >/dev/null
(cd "$build" && timeout 300 cpack -G DEB -B "$work/cpack" > "$work/cpack.txt" 2>&1) || { cat "$work/cpack.txt"; fail "cpack failed"; }
deb=$(ls "$work"/cpack/trainguard_*.deb)
[ -f "$deb" ] || fail "cpack made no .deb"
say "built $(basename "$deb") ($(($(stat -c %s "$deb") / 1024)) KiB)"

# 2. Contents.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/contents"
for path in /usr/bin/trainguard /usr/bin/trainguard-cli /usr/lib/trainguard/trainguard-capture \
    /usr/share/applications/trainguard.desktop /usr/share/metainfo/invalid.example.trainguard.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/trainguard.svg \
    /usr/share/icons/hicolor/16x16/apps/trainguard.png /usr/share/icons/hicolor/32x32/apps/trainguard.png \
    /usr/share/icons/hicolor/48x48/apps/trainguard.png /usr/share/icons/hicolor/64x64/apps/trainguard.png \
    /usr/share/icons/hicolor/128x128/apps/trainguard.png /usr/share/icons/hicolor/256x256/apps/trainguard.png \
    /usr/share/man/man1/trainguard.1.gz /usr/share/man/man1/trainguard-cli.1.gz \
    /usr/share/trainguard/sample/iris.csv /usr/share/doc/trainguard/copyright /usr/share/doc/trainguard/changelog.gz \
    /usr/share/doc/trainguard/README.md /usr/share/doc/trainguard/SECURITY.md \
    /lib/systemd/system/trainguard-receiver.service /etc/default/trainguard-receiver; do
    grep -qxF "$path" "$work/contents" || fail "the package lacks $path"
done
dpkg-deb -f "$deb" Depends | grep -q 'libpcap0.8' || fail "Depends lacks libpcap (shlibdeps)"

# 3. Unpacked (not installed): the CLI runs; the helper links no Qt.
dpkg -x "$deb" "$work/root"
version=$("$work/root/usr/bin/trainguard-cli" --version)
echo "$version" | grep -q 'trainguard-cli' || fail "unexpected --version output: $version"
if readelf -d "$work/root/usr/lib/trainguard/trainguard-capture" | grep -q 'NEEDED.*libQt'; then
    fail "the capture helper links Qt"
fi
# The apps find the helper relative to themselves only: no build-tree path is compiled in (it
# would name a helper anyone with that path could replace). -e l: QStringLiteral text is UTF-16.
build_root=$(realpath "$build")
for binary in /usr/bin/trainguard /usr/bin/trainguard-cli; do
    if { strings -a "$work/root$binary"; strings -a -e l "$work/root$binary"; } \
        | grep -qF -e "$build_root" -e "capture-helper/trainguard-capture"; then
        fail "$binary carries a build-tree path"
    fi
done

# 4. lintian: no errors (warnings would be listed; overrides explain themselves).
lintian --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>/dev/null || true
errors=$(grep -c '^E:' "$work/lintian.txt" || true)
warnings=$(grep -c '^W:' "$work/lintian.txt" || true)
[ "$warnings" -eq 0 ] || sed -n '/^W:/p' "$work/lintian.txt"
[ "$errors" -eq 0 ] || { cat "$work/lintian.txt"; fail "lintian reported $errors errors"; }

# 5. Install with apt, as a user would.
DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q "$deb" > "$work/apt.txt" 2>&1 \
    || { cat "$work/apt.txt"; fail "apt install failed"; }
helper=/usr/lib/trainguard/trainguard-capture
[ "$(stat -c '%U:%G %a' "$helper")" = "root:trainguard 750" ] || fail "helper is $(stat -c '%U:%G %a' "$helper")"
getcap "$helper" | grep -q 'cap_net_admin,cap_net_raw=eip' || fail "helper lacks its capabilities: $(getcap "$helper")"
for binary in /usr/bin/trainguard /usr/bin/trainguard-cli; do
    [ -z "$(getcap "$binary")" ] || fail "$binary must not carry capabilities"
done

# 6. Desktop file, AppStream metainfo, systemd unit.
desktop-file-validate /usr/share/applications/trainguard.desktop | { grep -v ': hint: ' || true; }
desktop-file-validate /usr/share/applications/trainguard.desktop >/dev/null
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net /usr/share/metainfo/invalid.example.trainguard.metainfo.xml >/dev/null \
        || fail "appstreamcli validate failed"
fi
verify=$(systemd-analyze verify /lib/systemd/system/trainguard-receiver.service 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify is not clean: $verify"

# 7. A non-root member of `trainguard` captures on lo with the installed CLI.
useradd --system --no-create-home --shell /usr/sbin/nologin --groups trainguard "$member"
useradd --system --no-create-home --shell /usr/sbin/nologin "$outsider"
install -d -m 1777 "$work/captures"
port=$((20000 + RANDOM % 20000))
runuser -u "$member" -- timeout 30 trainguard-cli capture -i lo -f "udp port $port" \
    -w "$work/captures/member.pcap" --duration 3 --json > "$work/member.json" 2> "$work/member.err" &
capture_pid=$!
sleep 1
for _ in $(seq 20); do
    echo trainguard > "/dev/udp/127.0.0.1/$port" 2>/dev/null || true
    sleep 0.05
done
wait "$capture_pid" || { cat "$work/member.err"; fail "capture as a trainguard member failed"; }
capture_pid=
packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$work/member.json")
[ "$packets" -gt 0 ] || fail "the member captured no packets"
[ "$(stat -c %U "$work/captures/member.pcap")" = "$member" ] || fail "the capture file is not the member's"

# 8. A user outside the group gets one line naming the fix, exit 1, and no file.
set +e
runuser -u "$outsider" -- timeout 30 trainguard-cli capture -i lo -w "$work/captures/outsider.pcap" \
    --duration 1 > /dev/null 2> "$work/outsider.err"
outsider_rc=$?
set -e
[ "$outsider_rc" -eq 1 ] || fail "a non-member's capture exited $outsider_rc, not 1"
[ "$(wc -l < "$work/outsider.err")" -eq 1 ] || { cat "$work/outsider.err"; fail "a non-member got more than one line"; }
grep -q 'trainguard` group' "$work/outsider.err" || fail "the non-member's error does not name the group: $(cat "$work/outsider.err")"
[ ! -e "$work/captures/outsider.pcap" ] && [ ! -e "$work/captures/outsider.pcap.part" ] || fail "a non-member's capture left a file"

# 9. The desktop entry launches the GUI: its Exec line, run as the member under a virtual X
#    server with an empty home, brings up the main window (its log line) and keeps running.
exec_line=$(sed -n 's/^Exec=//p' /usr/share/applications/trainguard.desktop | head -1 | sed 's/ *%[fFuUick]//g')
command -v "${exec_line%% *}" >/dev/null || fail "the desktop entry's Exec ($exec_line) is not on PATH"
install -d -o "$member" -m 0700 "$work/member-home" "$work/member-runtime"
runuser -u "$member" -- env HOME="$work/member-home" XDG_RUNTIME_DIR="$work/member-runtime" \
    xvfb-run -a timeout 20 $exec_line > "$work/gui.log" 2>&1 &
gui_pid=$!
for _ in $(seq 150); do
    grep -q 'main window ready' "$work/gui.log" && break
    kill -0 "$gui_pid" 2>/dev/null || break
    sleep 0.1
done
grep -q 'main window ready' "$work/gui.log" || { cat "$work/gui.log"; fail "the desktop entry did not bring up the main window"; }
sleep 2
kill -0 "$gui_pid" 2>/dev/null || { cat "$work/gui.log"; fail "the GUI started from the desktop entry exited"; }
pkill -TERM -u "$member" || true # the GUI, then xvfb-run's X server
for _ in $(seq 50); do pgrep -u "$member" >/dev/null || break; sleep 0.1; done
pkill -KILL -u "$member" || true
wait "$gui_pid" 2>/dev/null || true
gui_pid=

# 10. Purge: package, statoverride and group are gone.
userdel "$member"
userdel "$outsider"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q trainguard >/dev/null
! getent group trainguard >/dev/null || fail "purge left the trainguard group"
! dpkg-statoverride --list "$helper" >/dev/null || fail "purge left the statoverride"
[ ! -e "$helper" ] || fail "purge left $helper"

say "OK in $((SECONDS - start)) s: $(wc -l < "$work/contents") paths, lintian ${errors} errors ${warnings} warnings," \
    "member captured ${packets} packets on lo, non-member refused in one line, desktop entry launched the GUI," \
    "unit verified, purged clean"
