#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the README screenshots from the real app under Xvfb after a real
# send: starts TrainGuard with a throwaway home, clicks Send (Alt+S), deletes a
# file in the watched demo folder, and photographs each panel. The Overview and Timeline
# screenshots come from bench/gui/gui_screenshots (QWidget::grab, light and dark).
# Needs: xvfb, xdotool, x11-apps (xwd), imagemagick; root for the live capture.
#   docs/screenshots/make-screenshots.sh build/ci/src/app/trainguard
set -euo pipefail
app=$(realpath "${1:?path to the trainguard binary}")
out=$(cd "$(dirname "$0")" && pwd)

if [ -z "${INSIDE_XVFB:-}" ]; then
    exec env INSIDE_XVFB=1 xvfb-run -a -s "-screen 0 1280x860x24" "$0" "$@"
fi

home=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_CACHE_HOME=$home/cache
unset DBUS_SESSION_BUS_ADDRESS
"$app" >/dev/null 2>&1 &
pid=$!
sleep 3
win=$(xdotool search --sync --name '^TrainGuard' | head -1)
xdotool windowsize "$win" 1280 820 windowmove "$win" 0 0 windowfocus --sync "$win"  # no window manager: focus, not activate
shot() { sleep "$2"; xwd -root -silent | convert xwd:- -crop 1280x820+0+0 +repage "$out/$1.png"; }

xdotool key alt+s        # Send the preselected sample dataset, from the Overview's Send card
xdotool key alt+1        # the Transfer tab
shot transfer 13      # the send, then the leak check's 10 s grace period and its verdict
demo=$XDG_DATA_HOME/TrainGuard/trainguard/demo
printf 'a,b\n1,2\n' > "$demo/scratch.csv"; sleep 1; rm "$demo/scratch.csv"
xdotool key alt+2; shot traffic 2
xdotool key alt+3; shot files 1
xdotool key alt+4; shot alerts 1
echo "screenshots written to $out"
