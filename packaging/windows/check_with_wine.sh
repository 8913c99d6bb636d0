#!/usr/bin/env bash
# Check the Inno Setup script on Linux, with Wine: it compiles, installs, upgrades in place
# (a file of the "old version" is removed), and uninstalls cleanly.
#
#   packaging/windows/check_with_wine.sh
#
# The bundle is the Linux one (packaging/dist/CostCodeSync, from packaging/build.py), copied
# with .exe names: this checks the installer, not the Windows program, which only a Windows
# build can. The install is for all users (/ALLUSERS): Wine 8 cannot resolve the per-user
# Programs folder that a normal per-user install uses ("Failed to expand shell folder constant
# autopf"), so that path is left to a real Windows machine.
#
# Needs (Debian): wine, wine32 (dpkg --add-architecture i386), xvfb; Inno Setup from npm
# (npm install innosetup@6.4.1, found in $INNO_DIR, default ./node_modules/innosetup/bin).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
INNO_DIR="${INNO_DIR:-$PWD/node_modules/innosetup/bin}"
WORK="$(mktemp -d)"
trap 'wineserver -k 2>/dev/null || true; rm -rf "$WORK"' EXIT
export WINEDEBUG=-all WINEPREFIX="$WORK/prefix" WINEARCH=win64

die() { printf 'check_with_wine.sh: %s\n' "$*" >&2; exit 1; }
win() { printf 'Z:%s' "${1//\//\\}"; }  # a Linux path as Wine sees it

[ -f "$INNO_DIR/ISCC.exe" ] || die "no ISCC.exe in $INNO_DIR (npm install innosetup@6.4.1)"
[ -x "$ROOT/packaging/dist/CostCodeSync/CostCodeSync" ] || die "run python packaging/build.py first"
[ -f "$ROOT/packaging/build/icons/costcodesync.ico" ] || die "run python packaging/render_icons.py"

stage="$WORK/bundle"
cp -a "$ROOT/packaging/dist/CostCodeSync" "$stage"
mv "$stage/CostCodeSync" "$stage/CostCodeSync.exe"
mv "$stage/costcode-sync" "$stage/costcode-sync.exe"
version="$(cd "$ROOT" && python3 -c 'import costcode_desktop as c; print(c.__version__)')"

echo "== compile (Inno Setup $(basename "$(dirname "$INNO_DIR")"), version $version)"
wineboot -i >/dev/null 2>&1
winecfg /v win10 >/dev/null 2>&1  # the script asks for Windows 10 or later
wine "$INNO_DIR/ISCC.exe" /Q "/DAppVersion=$version" "/DBundleDir=$(win "$stage")" \
    "/DOutputFolder=$(win "$WORK")" "$(win "$HERE/costcodesync.iss")"
setup="$WORK/CostCodeSync-$version-setup.exe"
[ -f "$setup" ] || die "ISCC did not write $setup"
wineserver -k  # setup's windows need the X server below: start Wine again under it

app="$WINEPREFIX/drive_c/Program Files/CostCodeSync"
shortcut="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/CostCodeSync.lnk"
run_setup() {
    local log="$WORK/setup.log"
    if ! xvfb-run -a wine "$@" /VERYSILENT /SUPPRESSMSGBOXES "/LOG=$(win "$log")" >/dev/null 2>&1; then
        tail -n 15 "$log" >&2 || true
        die "$(basename "$1") $2 failed"
    fi
}

echo "== install"
run_setup "$setup" /ALLUSERS
for file in CostCodeSync.exe costcode-sync.exe costcodesync.ico unins000.exe _internal; do
    [ -e "$app/$file" ] || die "not installed: $file"
done
[ -f "$shortcut" ] || die "no Start-menu entry"
wineserver -w  # the registry reaches system.reg when Wine has finished
grep -qF 'Uninstall\\{F0A150D8-A08B-4569-BE92-20AD8EB6223C}_is1]' "$WINEPREFIX/system.reg" ||
    die "no entry in Installed apps (the uninstall key of AppId)"

echo "== upgrade in place"
echo stale >"$app/_internal/left-by-an-older-version.py"
run_setup "$setup" /ALLUSERS
[ ! -e "$app/_internal/left-by-an-older-version.py" ] || die "a file of the old version was left"
[ -f "$app/CostCodeSync.exe" ] || die "the upgrade removed the app"
[ "$(find "$app" -maxdepth 1 -name 'unins*.exe' | wc -l)" = 1 ] || die "a second uninstaller"

echo "== uninstall"
run_setup "$app/unins000.exe"
sleep 2  # the uninstaller removes its own folder from a copy of itself, just after it exits
[ ! -e "$app" ] || die "the program folder is still there: $(ls "$app")"
[ ! -e "$shortcut" ] || die "the Start-menu entry is still there"
wineserver -w
! grep -qF '{F0A150D8-A08B-4569-BE92-20AD8EB6223C}_is1]' "$WINEPREFIX/system.reg" ||
    die "the Installed apps entry is still there"
echo "== the installer compiles, installs, upgrades in place and uninstalls cleanly"
